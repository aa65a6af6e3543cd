"""The README's first command, for real: `crawler demo` twice against the replica on 127.0.0.1.

Asserts on the stored rows of the whole crawl, not on one page.
"""

from __future__ import annotations

import socket
import subprocess
import sys
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from crawler.replica import ReplicaSite
from crawler.replica.seed import DISCLAIMER, SEED_TITLE

pytestmark = pytest.mark.crawl

# Site chrome of the replica's pages that must never reach a stored text field.
CHROME_SNIPPETS = (
    "Logo Wide",
    "Helpful keywords",
    "About Us",
    "The Syrian Observer is a daily online news service",
    "Share this:",
    "WhatsApp",
    "Related Articles",
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run_demo(db_url: str, port: int) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "crawler.cli", "demo", "--db", db_url, "--port", str(port)],
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Two demo runs into one SQLite file; the rows and both runs' figures."""
    db_url = f"sqlite:///{tmp_path_factory.mktemp('demo') / 'demo.db'}"
    port = free_port()
    first = run_demo(db_url, port)
    assert first.returncode == 0, first.stderr[-3000:]
    engine = create_engine(db_url)
    with engine.connect() as conn:
        articles_after_first = conn.execute(text("SELECT COUNT(*) FROM articles")).scalar_one()
    second = run_demo(db_url, port)
    assert second.returncode == 0, second.stderr[-3000:]
    with engine.connect() as conn:
        rows = [dict(r._mapping) for r in conn.execute(text("SELECT * FROM articles"))]
        runs = [dict(r._mapping) for r in conn.execute(text("SELECT * FROM crawl_runs ORDER BY id"))]
        events = [dict(r._mapping) for r in conn.execute(text("SELECT * FROM crawl_events ORDER BY id"))]
        tags = [dict(r._mapping) for r in conn.execute(text("SELECT * FROM article_tags"))]
    engine.dispose()
    base = f"http://127.0.0.1:{port}"
    return {
        "base": base,
        "site": ReplicaSite(articles=520),
        "first": first,
        "second": second,
        "articles_after_first": articles_after_first,
        "rows": rows,
        "runs": runs,
        "events": events,
        "tags": tags,
    }


def test_every_valid_article_stored_exactly_once(demo_store: dict[str, Any]) -> None:
    site: ReplicaSite = demo_store["site"]
    base = demo_store["base"]
    stored = [row["canonical_url"] for row in demo_store["rows"]]
    assert len(stored) == len(set(stored)), "an article is stored twice"
    groups = [{base + path for path in group} for group in site.article_groups()]
    assert len(groups) >= 500
    assert [len(group & set(stored)) for group in groups] == [1] * len(groups)
    assert set(stored) <= set().union(*groups)
    assert len({row["content_hash"] for row in demo_store["rows"]}) == len(stored)


def test_second_run_adds_nothing(demo_store: dict[str, Any]) -> None:
    first, second = demo_store["runs"]
    assert demo_store["articles_after_first"] == len(demo_store["rows"])
    assert first["articles_new"] == len(demo_store["rows"])
    assert second["articles_new"] == 0
    assert second["articles_updated"] == 0
    # Every stored article is known: outside the re-check window (the replica's posts are from 2019),
    # so the second run does not fetch it again; each is counted as skipped.
    assert second["articles_skipped"] == len(demo_store["rows"])
    assert second["articles_unchanged"] == second["articles_not_modified"] == 0
    assert [first["status"], second["status"]] == ["ok", "ok"]


def test_no_site_chrome_in_any_stored_body_or_summary(demo_store: dict[str, Any]) -> None:
    for row in demo_store["rows"]:
        for field in ("body_text", "summary"):
            value = row[field] or ""
            for snippet in CHROME_SNIPPETS:
                assert snippet not in value, f"{snippet!r} in {field} of {row['url']}"
            paragraphs = [p.strip() for p in value.split("\n\n")]
            assert "Search" not in paragraphs, f"a 'Search' paragraph in {field} of {row['url']}"
            assert row["title"] not in paragraphs, f"the title repeated as a paragraph in {row['url']}"
        assert DISCLAIMER[:60] not in row["body_text"], f"disclaimer in body of {row['url']}"


def test_seed_article_stored_field_by_field(demo_store: dict[str, Any]) -> None:
    seed_rows = [r for r in demo_store["rows"] if r["title"] == SEED_TITLE]
    assert len(seed_rows) == 1
    row = seed_rows[0]
    assert row["source"] == "Alsouria Net"
    assert len(row["body_text"].split("\n\n")) == 6
    assert row["disclaimer"].startswith("This article was translated and edited by The Syrian Observer.")
    assert str(row["published_at"]).startswith("2019-08-21 06:30")
    seed_tags = [t["tag"] for t in demo_store["tags"] if t["article_id"] == row["id"]]
    assert "Idleb" in seed_tags


def test_bad_pages_are_counted_logged_outcomes(demo_store: dict[str, Any]) -> None:
    site: ReplicaSite = demo_store["site"]
    base = demo_store["base"]
    run_id = demo_store["runs"][0]["id"]
    events = [e for e in demo_store["events"] if e["run_id"] == run_id]
    by_url: dict[str, list[dict[str, Any]]] = {}
    for event in events:
        by_url.setdefault(event["url"], []).append(event)
    log = demo_store["first"].stderr
    for path in site.dead_urls:
        (event,) = by_url[base + path]
        assert (event["kind"], event["reason"]) == ("http_error", "HTTP 404")
        assert base + path in log
    for path in site.no_body_urls | site.truncated_urls:
        (event,) = by_url[base + path]
        assert event["kind"] == "dropped" and "no body" in event["reason"]
        assert "Dropped: no body" in log and base + path in log
    for old, new in site.redirects.items():
        (event,) = by_url[base + old]
        assert event["kind"] == "redirect" and base + new in event["reason"]
    stored = {row["canonical_url"] for row in demo_store["rows"]}
    second_run_events = [e for e in demo_store["events"] if e["run_id"] == demo_store["runs"][1]["id"]]
    for copy, original in site.near_copies.items():
        (kept,) = {base + copy, base + original} & stored
        (dropped,) = {base + copy, base + original} - stored
        (event,) = by_url[dropped]
        if event["kind"] == "replaced":
            # The copy was written first; the earlier-published original, reached later, took its row.
            assert (dropped, kept) == (base + copy, base + original)
            assert f"replaced by earlier-published copy {kept}" in event["reason"]
        else:
            # Whichever of the pair the crawl reached second is the near-duplicate of the other.
            assert event["kind"] == "duplicate"
            assert f"near-duplicate: {dropped} repeats {kept}" in event["reason"]
        # In the second run it is caught again, against the stored one.
        assert [e["url"] for e in second_run_events if e["kind"] == "duplicate"] == [dropped]
    first_run = demo_store["runs"][0]
    assert first_run["articles_dropped"] == len(site.no_body_urls | site.truncated_urls)
    assert first_run["errors"] == len(site.dead_urls)
    assert "articles dropped" in demo_store["first"].stdout
