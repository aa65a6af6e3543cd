"""Two crawls of one site started at the same time: one runs, the other is refused at once; every article once.

Both crawls start on an *empty* database, so they also race to create the schema
(serialized by an advisory lock on PostgreSQL, by ``BEGIN IMMEDIATE`` on SQLite), then race to
claim the site: runs of one site never overlap (issue 9), and the claim is atomic (the partial
unique index ``uq_crawl_runs_site_running``), so exactly one of them wins.  The store's own
protection of two writers (advisory locks per URL and body) stays tested at the pipeline level.
"""

from __future__ import annotations

import subprocess
import sys

import pytest
from sqlalchemy import func, select, text

from crawler.replica import ReplicaServer, ReplicaSite
from storage.db import make_engine
from storage.models import Article, ArticleTag, ArticleVersion, CrawlEvent, CrawlRun

pytestmark = pytest.mark.crawl

ARTICLES = 150


def start_crawl(db_url: str, base_url: str) -> subprocess.Popen[str]:
    command = [
        sys.executable,
        "-m",
        "crawler.cli",
        "crawl",
        "syrianobserver",
        "--db",
        db_url,
        "-a",
        f"base_url={base_url}",
    ]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def crawl_twice_at_once(db_url: str) -> tuple[list[set[str]], set[str], list[tuple[int, str, str]]]:
    """Start two crawls at once; return the article groups (one URL of each must be stored), the
    URLs that must be dropped, and each crawl's (exit status, stdout, stderr)."""
    site = ReplicaSite(articles=ARTICLES)
    # A few milliseconds per page keeps the first crawl going while the second one starts.
    with ReplicaServer(site=site, delay=0.005) as server:
        crawls = [start_crawl(db_url, server.base_url) for _ in range(2)]
        outputs = [crawl.communicate(timeout=300) for crawl in crawls]
        groups = [{server.url(path) for path in group} for group in site.article_groups()]
        bodiless = {server.url(path) for path in site.no_body_urls | site.truncated_urls}
    results = [(crawl.returncode, out, err) for crawl, (out, err) in zip(crawls, outputs, strict=True)]
    return groups, bodiless, results


@pytest.mark.parametrize("backend", ["postgresql", "sqlite"])
def test_two_crawls_started_at_once_one_runs_the_other_is_refused(request: pytest.FixtureRequest, backend: str) -> None:
    db_url = request.getfixturevalue("postgres_url" if backend == "postgresql" else "sqlite_url")
    groups, bodiless, results = crawl_twice_at_once(db_url)

    engine = make_engine(db_url)
    with engine.connect() as conn:
        runs = conn.execute(select(CrawlRun).order_by(CrawlRun.id)).all()
        stored = conn.scalars(select(Article.canonical_url)).all()
        duplicate_bodies = conn.execute(
            select(Article.content_hash).group_by(Article.content_hash).having(func.count() > 1)
        ).all()
        versions = conn.scalar(select(func.count()).select_from(ArticleVersion))
        tagged = conn.scalar(select(func.count(func.distinct(ArticleTag.article_id))))
        indexed = conn.execute(text("SELECT count(*) FROM articles_fts")).scalar_one()
        replaced = conn.scalar(select(func.count()).select_from(CrawlEvent).where(CrawlEvent.kind == "replaced"))
    engine.dispose()

    # Exactly one crawl ran; the other was refused at once, naming the run that holds the site.
    codes = sorted(code for code, _, _ in results)
    assert codes == [0, 1], [(code, out[-1500:], err[-1500:]) for code, out, err in results]
    refused = next(err for code, _, err in results if code == 1)
    assert "crawler crawl: syrianobserver not started: run 1 (pid " in refused and "is still going" in refused
    assert len(runs) == 1 and runs[0].status == "ok", [(r.id, r.status) for r in runs]
    # Every article exactly once: none missing, no duplicate row, no body stored twice.
    assert len(stored) == len(set(stored))
    # One URL of each article group (an article, or an article and its republished near-copy).
    assert [len(group & set(stored)) for group in groups] == [1] * len(groups)
    # Pages without a body are dropped; nothing else comes in.
    assert not set(stored) & bodiless, sorted(set(stored) & bodiless)
    assert set(stored) <= set().union(*groups)
    assert duplicate_bodies == []
    assert runs[0].articles_new == len(stored)
    # A republished copy stored before its original gives its row to the original (published earlier).
    assert versions == len(stored) + replaced
    assert tagged == len(stored)
    assert indexed == len(stored)
