"""What a re-crawl knows about a site's stored articles, and the marks a re-check leaves.

The crawler's re-check policy (``crawler/recheck.py``) reads :func:`known_articles` once when a
crawl opens, then reports back what the site answered: :func:`mark_checked` for a
``304 Not Modified``, :func:`mark_removed` for a ``404``/``410``.  A ``200`` goes through the
ordinary upsert, which sets ``last_checked_at`` and the validators and clears ``removed_at``.
The caller owns the transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from storage.models import Article, CrawlRun


@dataclass(frozen=True)
class KnownArticle:
    """One stored article, as the re-check policy needs it."""

    id: int
    url: str
    canonical_url: str
    published_at: datetime | None
    first_seen_at: datetime
    last_checked_at: datetime | None
    etag: str | None
    last_modified: str | None
    removed_at: datetime | None

    @property
    def age_reference(self) -> datetime:
        """The time the article's age counts from: its publication, else when it was first stored."""
        return self.published_at or self.first_seen_at

    @property
    def checked_reference(self) -> datetime:
        """When the site was last asked about it (before revision 0005: when it was last seen)."""
        return self.last_checked_at or self.first_seen_at


def known_articles(session: Session, site: str) -> Iterator[KnownArticle]:
    """Every stored article of ``site`` (removed ones included), streamed in id order."""
    stmt = (
        select(
            Article.id,
            Article.url,
            Article.canonical_url,
            Article.published_at,
            Article.first_seen_at,
            Article.last_checked_at,
            Article.etag,
            Article.last_modified,
            Article.removed_at,
        )
        .where(Article.site == site)
        .order_by(Article.id)
    )
    for row in session.execute(stmt.execution_options(yield_per=1000)):
        yield KnownArticle(*row)


def previous_run_status(session: Session, site: str, before_run_id: int) -> str | None:
    """The status of the site's last run before ``before_run_id`` (None: the site has no earlier run)."""
    stmt = (
        select(CrawlRun.status)
        .where(CrawlRun.site == site, CrawlRun.id < before_run_id)
        .order_by(CrawlRun.id.desc())
        .limit(1)
    )
    return session.scalar(stmt)


def mark_checked(session: Session, article_ids: Iterable[int], now: datetime) -> int:
    """Record that the site answered ``304 Not Modified`` for these articles now; the number of rows marked."""
    ids = sorted(set(article_ids))
    marked = 0
    for start in range(0, len(ids), 500):  # bounded IN lists
        chunk = ids[start : start + 500]
        result = session.execute(
            update(Article).where(Article.id.in_(chunk)).values(last_checked_at=now, last_seen_at=now, removed_at=None)
        )
        marked += result.rowcount or 0
    return marked


def mark_removed(session: Session, article_id: int, now: datetime) -> bool:
    """Mark the article removed (a re-check got 404 or 410); a first removal keeps its time. True if marked now."""
    result = session.execute(
        update(Article)
        .where(Article.id == article_id, Article.removed_at.is_(None))
        .values(removed_at=now, last_checked_at=now)
    )
    if not result.rowcount:
        session.execute(update(Article).where(Article.id == article_id).values(last_checked_at=now))
    return bool(result.rowcount)
