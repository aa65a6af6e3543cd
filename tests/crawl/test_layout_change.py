"""A site redesign must not damage what its parser stored before: no field emptied, no fallback
guess over a site-parsed value, no new version (the health checks report the breakage)."""

from __future__ import annotations

import subprocess
import sys

import pytest
from sqlalchemy import create_engine, text

from crawler.replica import ReplicaServer, ReplicaSite

pytestmark = pytest.mark.crawl

SNAPSHOT = (
    "SELECT a.canonical_url, a.title, a.summary, a.source, a.body_text, a.disclaimer, a.authors, a.published_at,"
    " a.image_caption, a.modified_at, a.version, a.content_hash,"
    " (SELECT COUNT(*) FROM article_tags t WHERE t.article_id = a.id) AS tags"
    " FROM articles a ORDER BY a.canonical_url"
)


def crawl(db_url: str, base_url: str) -> None:
    result = subprocess.run(
        # Every known article fetched and parsed again (no re-check window): the redesign must be read.
        [sys.executable, "-m", "crawler.cli", "crawl", "syrianobserver", "--db", db_url, "-a", f"base_url={base_url}",
         "-s", "RECHECK_ENABLED=False"],
        capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]


def query(db_url: str, sql: str) -> list[tuple]:
    engine = create_engine(db_url)
    with engine.connect() as conn:
        rows = [tuple(r) for r in conn.execute(text(sql))]
    engine.dispose()
    return rows


def test_redesign_crawl_keeps_every_stored_field(sqlite_url: str) -> None:
    with ReplicaServer(ReplicaSite(articles=60)) as server:
        crawl(sqlite_url, server.base_url)
        before = query(sqlite_url, SNAPSHOT)
        server.set_layout("redesign")
        crawl(sqlite_url, server.base_url)
    after = {row[0]: row for row in query(sqlite_url, SNAPSHOT)}
    assert len(before) > 40
    assert [after.get(row[0]) for row in before] == before
    (run,) = query(sqlite_url, "SELECT articles_updated, articles_unchanged FROM crawl_runs WHERE id = 2")
    assert run == (0, len(before))
    # The breakage is visible: the site parser found no body on the redesigned pages.
    (coverage,) = query(sqlite_url, "SELECT field_coverage FROM crawl_runs WHERE id = 2")[0]
    assert '"body_text": 0.0' in coverage or '"body_text": 0' in coverage
