"""Incremental re-crawls against the replica on 127.0.0.1: known articles outside the re-check window are
not fetched, re-checks are conditional (a 304 costs no parse and is counted), edits (metadata only too)
give exactly the edited articles a new version with the right changed fields, removed articles get
``removed_at``."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import create_engine, text

from crawler.replica import ReplicaServer, ReplicaSite
from crawler.replica.edits import edit_articles, editable_paths, remove_articles, shift_timeline

pytestmark = pytest.mark.crawl

RECENT_DAYS = 4  # the re-check window of these crawls: about a third of a 45-article replica


def crawl(db_url: str, base_url: str, *settings: str) -> dict:
    command = [sys.executable, "-m", "crawler.cli", "crawl", "syrianobserver", "--db", db_url,
               "-a", f"base_url={base_url}", "-s", f"RECHECK_RECENT_DAYS={RECENT_DAYS}"]
    for setting in settings:
        command += ["-s", setting]
    result = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    (run,) = query(db_url, "SELECT * FROM crawl_runs ORDER BY id DESC LIMIT 1")
    return run


def query(db_url: str, sql: str) -> list[dict]:
    engine = create_engine(db_url)
    with engine.connect() as conn:
        rows = [dict(r._mapping) for r in conn.execute(text(sql))]
    engine.dispose()
    return rows


def stored_paths(db_url: str, base: str) -> dict[str, dict]:
    rows = query(db_url, "SELECT id, canonical_url, version, removed_at FROM articles")
    return {r["canonical_url"].removeprefix(base): r for r in rows}


@pytest.fixture
def site() -> ReplicaSite:
    replica = ReplicaSite(articles=45)
    shift_timeline(replica, datetime.now(UTC) - timedelta(hours=1))
    return replica


def window(site: ReplicaSite, paths: set[str]) -> tuple[set[str], set[str]]:
    """(inside, outside) the re-check window, of ``paths``."""
    start = datetime.now(UTC) - timedelta(days=RECENT_DAYS)
    inside = {p for p in paths if site.article(p) is not None and site.article(p).published >= start}
    return inside, paths - inside


def test_recrawl_skips_known_articles_and_answers_304_without_parsing(site: ReplicaSite, sqlite_url: str) -> None:
    with ReplicaServer(site) as server:
        base = server.base_url
        first = crawl(sqlite_url, base)
        stored = set(stored_paths(sqlite_url, base))
        inside, outside = window(site, stored)
        assert first["articles_new"] == len(stored) > 30 and inside and outside
        mark = len(server.request_log)
        again = crawl(sqlite_url, base)
        fetched = [t.split("?", 1)[0] for t in server.request_log[mark:]]
        answered_304 = sum(server.not_modified.values())

    assert not outside & set(fetched)  # no known article outside the window was fetched
    assert inside <= set(fetched)  # every one inside was asked again, conditionally
    assert again["articles_skipped"] == len(outside)
    assert again["articles_not_modified"] == answered_304 == len(inside)
    # 304s are parsed by nobody: no article was stored or compared, nothing counts as an error.
    assert (again["articles_new"], again["articles_updated"], again["articles_unchanged"]) == (0, 0, 0)
    assert "removed" not in json.loads(again["errors_by_kind"])
    checked = query(sqlite_url, f"SELECT canonical_url, last_checked_at FROM articles WHERE id IN "
                                f"(SELECT id FROM articles WHERE last_checked_at > '{first['finished_at']}')")
    assert {r["canonical_url"].removeprefix(base) for r in checked} == inside  # marked checked now


def test_edits_give_exactly_the_edited_articles_a_version_and_removals_removed_at(
    site: ReplicaSite, sqlite_url: str
) -> None:
    with ReplicaServer(site) as server:
        base = server.base_url
        crawl(sqlite_url, base)
        inside, _ = window(site, set(stored_paths(sqlite_url, base)))
        candidates = [p for p in editable_paths(site) if p in inside]
        titled, tagged, rewritten, removed = candidates[0:2], candidates[2:4], candidates[4:5], candidates[5:7]
        expected = {**edit_articles(site, titled, "title"), **edit_articles(site, tagged, "tag"),
                    **edit_articles(site, rewritten, "body")}
        remove_articles(site, removed)
        run = crawl(sqlite_url, base)

    versions = query(sqlite_url, "SELECT a.canonical_url, v.version, v.changed_fields, v.title, v.tags "
                                 "FROM article_versions v JOIN articles a ON a.id = v.article_id "
                                 f"WHERE v.version > 1 AND v.run_id = {run['id']}")
    # Only the re-crawl's versions: the first crawl may add one (an earlier-published copy found later
    # takes over its URL's row), depending on the order the pages arrived in.
    found = {r["canonical_url"].removeprefix(base): frozenset(json.loads(r["changed_fields"])) for r in versions}
    assert found == expected  # exactly the edited articles, each with the fields its edit changed
    assert all(not {"body_text"} & expected[p] for p in titled + tagged)  # metadata only: the body is the same
    assert run["articles_updated"] == len(expected)
    after = stored_paths(sqlite_url, base)
    assert {p for p, r in after.items() if r["removed_at"] is not None} == set(removed)
    assert run["articles_removed"] == len(removed)
    events = query(sqlite_url, f"SELECT url, kind FROM crawl_events WHERE run_id = {run['id']} AND kind = 'removed'")
    assert {e["url"].removeprefix(base) for e in events} == set(removed)


def test_a_server_without_conditional_answers_costs_a_parse_and_nothing_changes(
    site: ReplicaSite, sqlite_url: str
) -> None:
    with ReplicaServer(site) as server:
        server.conditional = False  # ignores If-None-Match / If-Modified-Since: every re-check is a 200
        crawl(sqlite_url, server.base_url)
        inside, outside = window(site, set(stored_paths(sqlite_url, server.base_url)))
        again = crawl(sqlite_url, server.base_url)
    assert (again["articles_not_modified"], again["articles_unchanged"]) == (0, len(inside))
    assert again["articles_skipped"] == len(outside)
    # No version from the re-crawl (the first may add one when an earlier-published copy takes over a row).
    added = query(sqlite_url, f"SELECT COUNT(*) AS n FROM article_versions WHERE run_id = {again['id']}")
    assert added[0]["n"] == 0
