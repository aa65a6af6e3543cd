"""The generic spiders against the replicas on 127.0.0.1: feed, sitemap, site -a site=KEY, robots.txt, politeness."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, timedelta
from pathlib import Path

import pytest
from scrapy.crawler import Crawler
from scrapy.settings import Settings
from sqlalchemy import create_engine, text

from crawler.profiles import BUNDLED_DIR
from crawler.replica import ReplicaServer, ReplicaSite
from crawler.replica.levantpost import LevantPostServer, LevantPostSite
from crawler.replica.levantpost.feeds import FEED_ITEMS, NEWS_WINDOW
from spiders.base import SpiderArgumentError
from spiders.profiles import profile_spider
from spiders.site import SiteSpider

pytestmark = pytest.mark.crawl
REPO = Path(__file__).resolve().parents[2]


def crawl(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    import os

    return subprocess.run(
        [sys.executable, "-m", "crawler.cli", "crawl", *args], cwd=REPO, capture_output=True, text=True, timeout=600,
        env={**os.environ, **(env or {})},
    )


def stored(db_url: str, sql: str) -> list[tuple]:
    engine = create_engine(db_url)
    with engine.connect() as conn:
        out = [tuple(r) for r in conn.execute(text(sql))]
    engine.dispose()
    return out


@pytest.fixture(scope="module")
def levantpost() -> Iterator[LevantPostServer]:
    with LevantPostServer(LevantPostSite(articles=60, seed=7)) as server:
        yield server


def test_feed_spider_stores_the_feeds_articles(levantpost: LevantPostServer, sqlite_url: str) -> None:
    result = crawl("feed", "--db", sqlite_url, "-a", f"url={levantpost.base_url}/feeds/latest.atom")
    assert result.returncode == 0, result.stderr[-3000:]
    site = levantpost.site
    urls = {row[0] for row in stored(sqlite_url, "SELECT canonical_url FROM articles")}
    assert urls == {levantpost.base_url + a.path for a in site.articles[:FEED_ITEMS]}
    # No profile matches 127.0.0.1: the host is the site key.
    assert stored(sqlite_url, "SELECT site, spider FROM crawl_runs") == [("127_0_0_1", "feed")]


def test_feed_spider_with_a_profile_uses_its_parser_and_key(levantpost: LevantPostServer, sqlite_url: str) -> None:
    result = crawl("feed", "--db", sqlite_url, "-a", "site=levantpost", "-a", f"base_url={levantpost.base_url}",
                   "-a", "url=/feeds/latest.atom")
    assert result.returncode == 0, result.stderr[-3000:]
    rows = stored(sqlite_url, "SELECT site, provenance FROM articles")
    assert len(rows) == FEED_ITEMS and {r[0] for r in rows} == {"levantpost"}
    assert all("profile:category" in str(r[1]) for r in rows)


def test_sitemap_spider_reads_robots_index_and_news_sitemap(levantpost: LevantPostServer, sqlite_url: str) -> None:
    before = len(levantpost.requests)
    result = crawl("sitemap", "--db", sqlite_url, "-a", f"url={levantpost.base_url}/")
    assert result.returncode == 0, result.stderr[-3000:]
    requested = levantpost.requests[before:]
    assert {"/robots.txt", "/sitemap_index.xml", "/sitemaps/news.xml", "/sitemaps/articles-1.xml"} <= set(requested)
    urls = {row[0] for row in stored(sqlite_url, "SELECT canonical_url FROM articles")}
    assert urls == levantpost.site.article_urls(levantpost.base_url)


def test_sitemap_spider_since_uses_news_dates_and_lastmod(levantpost: LevantPostServer, sqlite_url: str) -> None:
    site = levantpost.site
    newest = max(a.published for a in site.articles)
    since = (newest - NEWS_WINDOW + timedelta(days=1)).astimezone(UTC).date()
    result = crawl("sitemap", "--db", sqlite_url, "-a", f"url={levantpost.base_url}/sitemap_index.xml",
                   "-a", f"since={since}")
    assert result.returncode == 0, result.stderr[-3000:]
    urls = {row[0] for row in stored(sqlite_url, "SELECT canonical_url FROM articles")}
    expected = {levantpost.base_url + a.path for a in site.articles if a.published.astimezone(UTC).date() >= since}
    assert expected and urls == expected


def test_site_spider_by_key_crawls_the_syrian_observer_replica(sqlite_url: str, tmp_path: Path) -> None:
    """The Syrian Observer through the generic `site` spider and its profile, with a disallowed listing added.

    The user profile lists /wp-admin/ (disallowed in the replica's robots.txt) as a listing: the spider
    asks for it, robots.txt refuses it, the server never sees it, and the refusal is a counted event.
    """
    profiles = tmp_path / "profiles"
    profiles.mkdir()
    text_ = (BUNDLED_DIR / "syrianobserver.toml").read_text(encoding="utf-8")
    text_ = text_.replace('listings = [', 'listings = [{ url = "/wp-admin/", pagination = "none" }, ')
    (profiles / "syrianobserver.toml").write_text(text_, encoding="utf-8")
    with ReplicaServer(ReplicaSite(articles=40)) as replica:
        result = crawl("site", "--db", sqlite_url, "-a", "site=syrianobserver", "-a", f"base_url={replica.base_url}",
                       env={"CRAWLER_SITE_PROFILES": str(profiles)})
        hits = dict(replica.hits)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "/robots.txt" in hits
    assert not [p for p in hits if p.startswith(("/wp-admin/", "/__replica__/"))]
    events = stored(sqlite_url, "SELECT url, reason FROM crawl_events WHERE url LIKE '%/wp-admin/%'")
    assert events and "robots.txt" in events[0][1]
    (count,) = stored(sqlite_url, "SELECT COUNT(*) FROM articles")[0]
    assert count >= 38


def test_site_spider_refuses_unknown_or_missing_site() -> None:
    with pytest.raises(SpiderArgumentError, match="-a site=KEY is required; known sites: .*levantpost"):
        SiteSpider()
    with pytest.raises(SpiderArgumentError, match="'nosuch' is not a site profile"):
        SiteSpider(site="nosuch")


def test_politeness_from_the_profile_per_download_slot() -> None:
    spider_cls = profile_spider("levantpost")
    crawler = Crawler(spider_cls, Settings({"DOWNLOAD_SLOTS": {}}))
    spider = spider_cls.from_crawler(crawler)
    assert spider.base_url == "https://www.levantpost.example"
    assert crawler.settings.getdict("DOWNLOAD_SLOTS")["www.levantpost.example"] == {"concurrency": 4, "delay": 0.5}
    # On 127.0.0.1 (a replica) the delay is left out, as AutoThrottle is; the concurrency stays.
    crawler = Crawler(spider_cls, Settings())
    spider_cls.from_crawler(crawler, base_url="http://127.0.0.1:9")
    assert crawler.settings.getdict("DOWNLOAD_SLOTS")["127.0.0.1"] == {"concurrency": 4}


def test_disallowed_levantpost_paths_asked_for_are_refused_by_robots(sqlite_url: str, tmp_path: Path) -> None:
    """Listings under /search, /account/ and /print/ in a user profile: asked for, refused, never served."""
    profiles = tmp_path / "profiles"
    profiles.mkdir()
    extra = ", ".join(f'{{ url = "{p}x", pagination = "none" }}' for p in ("/search", "/account/", "/print/"))
    text_ = (BUNDLED_DIR / "levantpost.toml").read_text(encoding="utf-8")
    text_ = text_.replace("listings = [", f"listings = [{extra}, ")
    (profiles / "levantpost.toml").write_text(text_, encoding="utf-8")
    with LevantPostServer(LevantPostSite(articles=30)) as server:
        result = crawl("levantpost", "--db", sqlite_url, "-a", f"base_url={server.base_url}",
                       env={"CRAWLER_SITE_PROFILES": str(profiles)})
        requested = server.requests
        prefixes = tuple(server.site.disallowed_prefixes)
    assert result.returncode == 0, result.stderr[-3000:]
    assert requested[0] == "/robots.txt" and not [t for t in requested if t.startswith(prefixes)]
    refused = stored(sqlite_url, "SELECT url FROM crawl_events WHERE reason LIKE '%robots.txt%'")
    assert len(refused) == 3
