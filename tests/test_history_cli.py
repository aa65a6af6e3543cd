"""``crawler history URL|ID`` (versions with a body diff and the other changed fields) and
``crawler changes`` (new versions and removals, --site, --since, --format table|csv|json)."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from crawler.cli import main
from crawler.items import ArticleRecord
from crawler.parsers.text import content_hash
from storage.db import ensure_schema, make_engine, session_scope
from storage.recheck import mark_removed
from storage.repository import ArticleRepository, CrawlRunRepository, SiteRepository

NOW = datetime(2026, 4, 1, 10, tzinfo=UTC)
URL = "https://syrianobserver.com/news/1/bread.html"
OTHER = "https://syrianobserver.com/news/2/fuel.html"
BODY = "Bread prices rose in Aleppo.\n\nTraders blamed fuel.\n\nThe council met on Monday."


def rec(url: str = URL, **changes: object) -> ArticleRecord:
    base = ArticleRecord(url=url, canonical_url=url, site="syrianobserver", title="Bread prices rise",
                         body_text=BODY if url == URL else "Fuel queues grew in Homs as deliveries stopped.",
                         tags=["Aleppo"], authors=["Reporter One"], published_at=NOW - timedelta(days=1))
    out = replace(base, **changes)
    out.content_hash = content_hash(out.body_text)
    return out


def put(engine, record: ArticleRecord, at: datetime) -> int:
    with session_scope(engine) as session:
        SiteRepository(session).ensure("syrianobserver", "The Syrian Observer", "https://syrianobserver.com", at)
        run = CrawlRunRepository(session).start("syrianobserver", "syrianobserver", "manual", at, {})
        run.status = "ok"
        return ArticleRepository(session).upsert(record, run.id, at).article_id


@pytest.fixture
def store(sqlite_url: str) -> str:
    """One article in three versions (headline corrected, then a paragraph and a tag added); another removed."""
    engine = make_engine(sqlite_url)
    ensure_schema(engine)
    put(engine, rec(), NOW)
    put(engine, rec(title="Bread prices rise (corrected)"), NOW + timedelta(hours=1))
    put(engine, rec(title="Bread prices rise (corrected)", tags=["Aleppo", "Economy"],
                    body_text=BODY.replace("Traders blamed fuel.", "Traders blamed fuel and the drought.")),
        NOW + timedelta(days=2))
    gone = put(engine, rec(OTHER, title="Fuel queues"), NOW)
    with session_scope(engine) as session:
        mark_removed(session, gone, NOW + timedelta(days=3))
    engine.dispose()
    return sqlite_url


def out_of(argv: list[str], capsys: pytest.CaptureFixture[str], code: int = 0) -> str:
    assert main(argv) == code
    return capsys.readouterr().out


def test_history_shows_each_version_with_a_body_diff_and_the_other_changed_fields(
    store: str, capsys: pytest.CaptureFixture[str]
) -> None:
    text = out_of(["history", URL + "?utm_source=x", "--db", store], capsys)
    lines = text.splitlines()
    assert lines[0] == "article 1 (syrianobserver): Bread prices rise (corrected)"
    assert "3 version(s); online" in text
    v2 = lines.index(next(line for line in lines if line.startswith("version 2")))
    assert lines[v2].endswith("changed: title")
    assert lines[v2 + 1:v2 + 4] == ["  title:", "    - Bread prices rise", "    + Bread prices rise (corrected)"]
    v3 = lines.index(next(line for line in lines if line.startswith("version 3")))
    assert lines[v3].endswith("changed: body_text, tags")
    diff = lines[v3 + 1:]
    assert "    -Traders blamed fuel." in diff and "    +Traders blamed fuel and the drought." in diff
    assert "    --- version 2" in diff and "    +++ version 3" in diff
    assert "  tags: + Economy  (now: Aleppo, Economy)" in diff
    assert out_of(["history", "1", "--db", store], capsys) == text  # by id, the same


def test_history_json_has_every_versions_fields(store: str, capsys: pytest.CaptureFixture[str]) -> None:
    record = json.loads(out_of(["history", "1", "--format", "json", "--db", store], capsys))
    assert [v["changed_fields"] for v in record["versions"]] == [None, ["title"], ["body_text", "tags"]]
    assert [v["fields"]["tags"] for v in record["versions"]] == [["Aleppo"], ["Aleppo"], ["Aleppo", "Economy"]]
    assert record["versions"][0]["fields"]["authors"] == ["Reporter One"]


def test_history_of_an_unknown_article_is_one_line_and_exit_1(store: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["history", "https://syrianobserver.com/nothing.html", "--db", store]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("crawler history: no stored article has id or URL") and "\n" not in err


def test_changes_lists_versions_and_removals_newest_first(store: str, capsys: pytest.CaptureFixture[str]) -> None:
    rows = json.loads(out_of(["changes", "--format", "json", "--db", store], capsys))
    assert [(r["change"], r["article_id"], r["version"], r["changed_fields"]) for r in rows] == [
        ("removed", 2, None, []),
        ("updated", 1, 3, ["body_text", "tags"]),
        ("updated", 1, 2, ["title"]),
    ]
    assert rows[0]["url"] == OTHER and rows[1]["at"].startswith("2026-04-03T10:00")
    since = list(csv.DictReader(io.StringIO(out_of(
        ["changes", "--since", "2026-04-02", "--site", "syrianobserver", "--format", "csv", "--db", store], capsys))))
    assert [(r["change"], r["version"]) for r in since] == [("removed", ""), ("updated", "3")]
    table = out_of(["changes", "--limit", "1", "--db", store], capsys)
    assert "removed" in table and "Fuel queues" in table and "Bread prices" not in table
