"""Full-text search: the index follows every write, ranking, filters, snippets, on both backends."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import delete, update

from crawler.cli import main
from crawler.items import ArticleRecord
from crawler.parsers.text import content_hash
from storage.db import ensure_schema, make_engine, session_scope
from storage.models import Article
from storage.repository import ArticleRepository, SiteRepository
from storage.search import MARK_END, MARK_START, SearchQueryError, fts5_query, search

NOW = datetime(2026, 1, 2, tzinfo=UTC)


def store(engine, url: str, title: str, body: str, site: str = "syrianobserver", published: datetime | None = None):
    record = ArticleRecord(
        url=url,
        canonical_url=url,
        site=site,
        title=title,
        body_text=body,
        published_at=published or NOW,
        content_hash=content_hash(body),
    )
    with session_scope(engine) as session:
        SiteRepository(session).ensure(site, site, "http://x", NOW)
        return ArticleRepository(session).upsert(record, None, NOW)


def titles(engine, query: str, **filters) -> list[str]:
    with session_scope(engine) as session:
        return [hit.title for hit in search(session, query, **filters)]


@pytest.fixture
def engine(db_url: str):
    engine = make_engine(db_url)
    ensure_schema(engine)
    yield engine
    engine.dispose()


def test_index_follows_insert_update_and_delete(engine) -> None:
    first = store(engine, "http://x/1", "Bakeries close", "Bread queues grow in Aleppo as flour runs short.")
    assert titles(engine, "flour") == ["Bakeries close"]
    # A new version replaces the indexed text: the old words are gone, the new ones found.
    store(engine, "http://x/1", "Bakeries close", "Bread queues grow in Aleppo as diesel runs short.")
    assert titles(engine, "flour") == []
    assert titles(engine, "diesel") == ["Bakeries close"]
    # Any client's write is indexed: the triggers live in the database.
    with session_scope(engine) as session:
        session.execute(update(Article).where(Article.id == first.article_id).values(title="Bakeries reopen"))
    assert titles(engine, "reopen") == ["Bakeries reopen"]
    with session_scope(engine) as session:
        session.execute(delete(Article).where(Article.id == first.article_id))
    assert titles(engine, "diesel") == []


def test_ranking_filters_and_snippets(engine) -> None:
    old = NOW - timedelta(days=400)
    store(engine, "http://x/a", "Khan Sheikhoun falls", "Regime forces entered the town after weeks of shelling.")
    store(
        engine,
        "http://x/b",
        "Weekly roundup",
        "Fighting continued; in Khan Sheikhoun residents fled north.",
        published=old,
    )
    store(engine, "http://x/c", "Elsewhere", "Khan al-Assal and Sheikh Maqsoud saw protests.", site="other")
    store(engine, "http://x/d", "Unrelated", "The committee met in Geneva to discuss the constitution.")

    # Both words must match; a title match ranks first; stemming finds "falls" for "fall".
    assert titles(engine, "khan sheikhoun") == ["Khan Sheikhoun falls", "Weekly roundup"]
    assert titles(engine, "fall") == ["Khan Sheikhoun falls"]
    assert titles(engine, '"khan sheikhoun"') == ["Khan Sheikhoun falls", "Weekly roundup"]
    assert set(titles(engine, "geneva OR protests")) == {"Unrelated", "Elsewhere"}
    assert set(titles(engine, "khan -shelling")) == {"Weekly roundup", "Elsewhere"}
    assert titles(engine, "khan", site="other") == ["Elsewhere"]
    assert "Weekly roundup" not in titles(engine, "khan sheikhoun", since=NOW - timedelta(days=30))
    with session_scope(engine) as session:
        hit = search(session, "residents", limit=1)[0]
    assert f"{MARK_START}residents{MARK_END}" in hit.snippet
    assert hit.score > 0 and hit.url == "http://x/b"


def test_query_translation_for_fts5() -> None:
    assert fts5_query("khan sheikhoun") == '"khan" "sheikhoun"'
    assert fts5_query('"khan sheikhoun" OR idleb') == '"khan sheikhoun" OR "idleb"'
    assert fts5_query("russia -turkey") == '("russia") NOT "turkey"'
    assert fts5_query('al-Bukamal NEAR( "x') == '"al-Bukamal" "NEAR(" "x"'
    with pytest.raises(SearchQueryError):
        fts5_query("-only -exclusions")


def test_search_command_on_the_demo_store(demo_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["search", "khan sheikhoun", "--db", demo_url, "--format", "json"]) == 0
    hits = json.loads(capsys.readouterr().out)
    assert hits and "Russian Soldiers" in hits[0]["title"]
    assert "Khan Sheikhoun" in hits[0]["snippet"]
    assert main(["search", "khan sheikhoun", "--db", demo_url, "--since", "2030-01-01", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out) == []
    assert main(["search", "idleb", "--db", demo_url, "--site", "syrianobserver", "--limit", "3"]) == 0
    out = capsys.readouterr().out
    assert "(3 results, best first)" in out


def test_search_command_errors(tmp_path, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    make_engine(url).connect().close()  # an empty file: search never creates one
    assert main(["search", "x", "--db", url]) == 1
    assert "is empty (no crawler tables yet): crawl into it first" in capsys.readouterr().err
    ensure_schema(make_engine(url))
    assert main(["search", "--db", url, "--", "-x"]) == 2
    assert "at least one word" in capsys.readouterr().err
    assert main(["search", "nothing", "--db", url]) == 0
    assert "No article matches" in capsys.readouterr().out


def _url(engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def test_an_unknown_site_is_an_error_naming_the_known_sites(engine, capsys: pytest.CaptureFixture[str]) -> None:
    store(engine, "http://x/1", "Bread queues", "Bread queues grow in Aleppo.")
    # A key the store holds but this crawler no longer configures is still known.
    store(engine, "http://old/1", "Old bread", "Bread was cheap in Aleppo.", site="retiredsite")
    url = _url(engine)
    for argv in (["search", "bread", "--format", "json"], ["export", "--format", "csv"]):
        assert main([*argv, "--site", "nosuch", "--db", url]) == 2
        err = capsys.readouterr().err
        assert "unknown site 'nosuch'; known sites:" in err, err
        assert "syrianobserver" in err and "retiredsite" in err
        assert main([*argv, "--site", "retiredsite", "--db", url]) == 0
        assert "Old bread" in capsys.readouterr().out


def test_since_accepts_n_days_like_the_crawl(engine, capsys: pytest.CaptureFixture[str]) -> None:
    now = datetime.now(UTC)
    store(engine, "http://x/new", "Recent bread", "Bread queues grow.", published=now - timedelta(days=2))
    store(engine, "http://x/old", "Old bread", "Bread queues grew.", published=now - timedelta(days=30))
    url = _url(engine)
    assert main(["search", "bread", "--since", "7d", "--format", "json", "--db", url]) == 0
    assert [hit["title"] for hit in json.loads(capsys.readouterr().out)] == ["Recent bread"]
    assert main(["export", "--since", "7d", "--db", url]) == 0
    assert [json.loads(line)["title"] for line in capsys.readouterr().out.splitlines()] == ["Recent bread"]
    for command in ("search", "export"):
        with pytest.raises(SystemExit) as exited:
            main([command, *(["bread"] if command == "search" else []), "--since", "last week", "--db", url])
        assert exited.value.code == 2
        assert "use YYYY-MM-DD (e.g. 2024-01-31) or Nd for the last N days (e.g. 7d)" in capsys.readouterr().err


def test_since_argument_matches_the_crawls_parse_since() -> None:
    from crawler.commands.search import since_argument
    from spiders.base import parse_since

    assert since_argument("7d").date() == parse_since("7d")
    assert since_argument("7d").tzinfo is UTC and since_argument("7d").hour == 0
    assert since_argument("2019-08-01") == datetime(2019, 8, 1, tzinfo=UTC)


@pytest.mark.parametrize("query", [":", "-aleppo", '""', "OR"])
def test_a_query_without_words_is_bad_usage_on_both_backends(engine, query: str, capsys) -> None:
    store(engine, "http://x/1", "Bread queues", "Bread queues grow in Aleppo.")
    with pytest.raises(SearchQueryError, match="nothing to search for"):
        titles(engine, query)
    assert main(["search", "--db", _url(engine), "--", query]) == 2
    assert "give at least one word that must match" in capsys.readouterr().err
