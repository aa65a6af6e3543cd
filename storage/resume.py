"""What a crawl resuming after an unfinished run of its site may skip (reads only; the caller owns the session)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import Article, CrawlRun

RESUMABLE_STATUSES = ("killed", "interrupted", "timed_out")
"""Run statuses that mean the run stopped before its frontier was done."""


def unfinished_runs(session: Session, site: str, before_run_id: int) -> list[CrawlRun]:
    """The site's runs before ``before_run_id`` that stopped early, newest first, back to the last one that did not."""
    runs: list[CrawlRun] = []
    stmt = (
        select(CrawlRun)
        .where(CrawlRun.site == site, CrawlRun.id < before_run_id, CrawlRun.status != "running")
        .order_by(CrawlRun.id.desc())
        .limit(50)
    )
    for run in session.scalars(stmt):
        if run.status not in RESUMABLE_STATUSES:
            break
        runs.append(run)
    return runs


def article_urls_seen_since(session: Session, site: str, since: datetime) -> set[str]:
    """URLs (as fetched and canonical) of the site's articles stored or seen at or after ``since``."""
    urls: set[str] = set()
    stmt = select(Article.url, Article.canonical_url).where(Article.site == site, Article.last_seen_at >= since)
    for url, canonical in session.execute(stmt):
        urls.add(url)
        urls.add(canonical)
    return urls
