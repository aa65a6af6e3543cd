"""The Levant Post crawled through its ~30-line profile (crawler/profiles/levantpost.toml), no parser code.

One full crawl (`crawler crawl levantpost -a base_url=...`) of the replica on 127.0.0.1; its store
is compared field by field with the records the replica's model says a correct crawl stores
(``LevantPostSite.expected_record``), and its server's request log is checked for politeness.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from sqlalchemy import create_engine, text

from crawler.replica.levantpost import LevantPostServer, LevantPostSite

pytestmark = pytest.mark.crawl
REPO = Path(__file__).resolve().parents[2]
PROFILE = REPO / "crawler" / "profiles" / "levantpost.toml"
FIELDS = ("canonical_url", "title", "body_text", "published_at", "authors", "tags", "category", "language", "summary")


def crawl(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """`crawler crawl ...` from the repo root, as a user types it."""
    return subprocess.run(
        [sys.executable, "-m", "crawler.cli", "crawl", *args], cwd=REPO, capture_output=True, text=True, timeout=600,
        env={**os.environ, **(env or {})},
    )


def rows(db_url: str, sql: str) -> list[dict[str, Any]]:
    engine = create_engine(db_url)
    with engine.connect() as conn:
        out = [dict(r._mapping) for r in conn.execute(text(sql))]
    engine.dispose()
    return out


@dataclass
class Crawled:
    server: LevantPostServer
    db_url: str
    result: subprocess.CompletedProcess[str]

    @property
    def site(self) -> LevantPostSite:
        return self.server.site


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Crawled]:
    db_url = f"sqlite:///{tmp_path_factory.mktemp('levantpost') / 'lp.db'}"
    with LevantPostServer(LevantPostSite(articles=120, seed=7)) as server:
        result = crawl("levantpost", "--db", db_url, "-a", f"base_url={server.base_url}")
        yield Crawled(server, db_url, result)


def stored_records(crawled: Crawled) -> dict[str, dict[str, Any]]:
    """Stored articles in the expected record's shape, by canonical URL."""
    articles = rows(crawled.db_url, "SELECT * FROM articles")
    by_id: dict[int, list[str]] = {}
    for row in rows(crawled.db_url, "SELECT article_id, tag FROM article_tags ORDER BY article_id, position"):
        by_id.setdefault(row["article_id"], []).append(row["tag"])
    out = {}
    for a in articles:
        published = a["published_at"]
        if isinstance(published, str):
            published = datetime.fromisoformat(published)
        record = {name: a.get(name) for name in FIELDS}
        record["published_at"] = published.replace(tzinfo=UTC).isoformat() if published else None
        record["tags"] = by_id.get(a["id"], [])
        authors = a["authors"]
        record["authors"] = json.loads(authors) if isinstance(authors, str) else list(authors or [])
        record["body_html"] = a.get("body_html")
        out[a["canonical_url"]] = record
    return out


def test_the_profile_is_short() -> None:
    lines = [ln for ln in PROFILE.read_text(encoding="utf-8").splitlines() if ln.strip()]
    assert len(lines) <= 30, f"levantpost.toml has {len(lines)} non-blank lines"


def test_crawl_completes_without_errors(crawled: Crawled) -> None:
    assert crawled.result.returncode == 0, crawled.result.stderr[-3000:]
    (run,) = rows(crawled.db_url, "SELECT * FROM crawl_runs")
    assert run["status"] == "ok" and run["site"] == "levantpost" and run["errors"] == 0, run
    assert run["articles_new"] == len(crawled.site.articles)


def test_expected_records_match_field_by_field(crawled: Crawled) -> None:
    site, base = crawled.site, crawled.server.base_url
    stored = stored_records(crawled)
    matches: Counter[str] = Counter()
    by_style: Counter[tuple[str, bool]] = Counter()
    mismatches: list[str] = []
    for article in site.articles:
        want = site.expected_record(article, base)
        got = stored.get(want["canonical_url"])
        assert got is not None, f"not stored: {want['canonical_url']}"
        for name in FIELDS:
            ok = got[name] == want[name]
            matches[name] += ok
            if not ok:
                mismatches.append(f"{article.path} {name}: want {want[name]!r:.80} got {got[name]!r:.80}")
        style = "jsonld" if article.has_jsonld else article.date_style
        by_style[style, got["published_at"] == want["published_at"]] += 1
    total = len(site.articles)
    print(f"\nThe Levant Post through its profile: {total} articles, exact matches per field")
    for name in FIELDS:
        print(f"  {name:<14} {matches[name]:>4}/{total}")
    for style in sorted({s for s, _ in by_style}):
        right, count = by_style[style, True], by_style[style, True] + by_style[style, False]
        print(f"  published_at, dates from {style:<11} {right:>3}/{count}")
    assert total >= 20
    assert not mismatches, "\n".join(mismatches[:20])
    # The profile's time zone is what makes the zoneless pages right (read as UTC they are 2-3 hours off).
    assert by_style["local_time", True] > 0 and by_style["local_text", True] > 0


def test_no_chrome_in_stored_text(crawled: Crawled) -> None:
    stored = stored_records(crawled)
    phrases = crawled.site.chrome_phrases
    assert phrases
    found = [
        (url, name, phrase)
        for url, record in stored.items()
        for name in ("title", "summary", "body_text", "body_html")
        for phrase in phrases
        if phrase in (record.get(name) or "")
    ]
    assert not found, found[:10]


def test_each_article_stored_once_despite_amp_twins_and_tracking_links(crawled: Crawled) -> None:
    site, base = crawled.site, crawled.server.base_url
    stored = rows(crawled.db_url, "SELECT canonical_url FROM articles")
    urls = [r["canonical_url"] for r in stored]
    assert len(urls) == len(set(urls)) == len(site.articles)
    assert set(urls) == site.article_urls(base)
    # The pages do link tracking variants and AMP twins of the articles ...
    assert site.tracking_links and site.amp_articles
    requested = crawled.server.requests
    # ... yet each article page was fetched under its clean URL once, and no twin was stored.
    assert not [t for t in requested if "utm_" in t]
    article_hits = Counter(t for t in requested if t.startswith("/news/"))
    assert max(article_hits.values()) == 1, article_hits.most_common(3)
    non_articles = site.non_article_urls(base)
    assert not set(urls) & non_articles


def test_robots_disallowed_paths_are_never_requested(crawled: Crawled) -> None:
    requested = crawled.server.requests
    assert "/robots.txt" in requested
    prefixes = crawled.site.disallowed_prefixes
    assert prefixes
    offending = [t for t in requested if t.startswith(tuple(prefixes))]
    assert not offending, offending[:10]
    print(f"\n{len(requested)} requests to The Levant Post, {len(offending)} to {', '.join(prefixes)}")


def test_max_pages_counts_listing_pages_fetched(tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'bounded.db'}"
    with LevantPostServer(LevantPostSite(articles=120, seed=7)) as server:
        result = crawl("levantpost", "--db", db_url, "-a", f"base_url={server.base_url}", "-a", "max_pages=2")
        requested = server.requests
    assert result.returncode == 0, result.stderr[-3000:]
    listing_pages = [t for t in requested if urlsplit(t).path == "/news"]
    assert len(listing_pages) == 2, listing_pages
    assert not [t for t in requested if t.startswith("/sitemap")]  # a bounded run leaves the sitemaps out
    (count,) = rows(db_url, "SELECT COUNT(*) AS n FROM articles")
    assert 15 < count["n"] <= 2 * 15 + 20  # two listing pages of 15 and the feed's 20 newest


def test_since_skips_older_articles(tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'since.db'}"
    site = LevantPostSite(articles=120, seed=7)
    dates = sorted(a.published.astimezone(UTC).date() for a in site.articles)
    since: date = dates[len(dates) // 2]
    with LevantPostServer(site) as server:
        result = crawl("levantpost", "--db", db_url, "-a", f"base_url={server.base_url}", "-a", f"since={since}")
        expected = {server.base_url + a.path for a in site.articles if a.published.astimezone(UTC).date() >= since}
        listing_pages = [t for t in server.requests if urlsplit(t).path == "/news"]
    assert result.returncode == 0, result.stderr[-3000:]
    urls = {r["canonical_url"] for r in rows(db_url, "SELECT canonical_url FROM articles")}
    assert urls == expected
    assert len(listing_pages) < 8  # paging stopped before the last of the 8 listing pages


def test_amp_twins_when_fetched_are_stored_once_under_the_canonical_url(tmp_path: Path) -> None:
    """A profile whose pattern also admits /amp/news/ and reads the home page (its "Lite version" links):
    the twins are fetched, and each is a counted duplicate of its article, never a second row."""
    profiles = tmp_path / "profiles"
    profiles.mkdir()
    text_ = PROFILE.read_text(encoding="utf-8").replace("'^/news/", "'^/(amp/)?news/")
    home = '{ url = "/", pagination = "none" }, '
    text_ = text_.replace('listings = [{ url = "/news"', f'listings = [{home}{{ url = "/news"')
    (profiles / "levantpost.toml").write_text(text_, encoding="utf-8")
    db_url = f"sqlite:///{tmp_path / 'amp.db'}"
    with LevantPostServer(LevantPostSite(articles=120, seed=7)) as server:
        result = crawl("levantpost", "--db", db_url, "-a", f"base_url={server.base_url}",
                       env={"CRAWLER_SITE_PROFILES": str(profiles)})
        amp_fetched = [t for t in server.requests if t.startswith("/amp/news/")]
        expected = server.site.article_urls(server.base_url)
    assert result.returncode == 0, result.stderr[-3000:]
    assert amp_fetched, "the home page links AMP twins: the test profile must reach some"
    urls = [r["canonical_url"] for r in rows(db_url, "SELECT canonical_url FROM articles")]
    assert len(urls) == len(set(urls)) == len(expected) and set(urls) == expected
    (dupes,) = rows(db_url, "SELECT COUNT(*) AS n FROM crawl_events WHERE kind = 'duplicate'")
    assert dupes["n"] == len(amp_fetched)
    print(f"\n{len(amp_fetched)} AMP twins fetched, {dupes['n']} counted duplicates, {len(urls)} articles stored once")
