"""The guard's parts on their own: trap shapes, URL patterns, the address check, backoff, trusted canonicals.

No network: the address check is a pure function of an IP address, and the downloader middleware is
given IP literals (nothing to resolve).
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from scrapy import Request
from scrapy.settings import Settings

from crawler import settings as project_settings
from crawler.backoff import backoff_seconds, retry_after_seconds
from crawler.guard import GuardDownloaderMiddleware, GuardRefused, failure_kind
from crawler.items import ArticleRecord
from crawler.traps import address_refusal, shape_trap, strip_session_ids, url_pattern
from crawler.trust import TrustPipeline, is_variant, similarity, sketch


class FakeCrawler:
    """Settings, stats, signals and a spider: what the guard components read from a crawler."""

    def __init__(self, spider: Any, **overrides: Any) -> None:
        self.settings = Settings()
        self.settings.setmodule(project_settings)
        for name, value in overrides.items():
            self.settings.set(name, value)
        self.spider = spider
        self.events: list[tuple[str, str, str]] = []
        self.counts: dict[str, int] = {}
        self.stats = SimpleNamespace(inc_value=self._count, set_value=lambda key, value: None)
        self.signals = SimpleNamespace(send_catch_log=self._event)

    def _count(self, key: str, n: int = 1) -> None:
        self.counts[key] = self.counts.get(key, 0) + n

    def _event(self, signal: object, url: str, kind: str, reason: str) -> None:
        self.events.append((url, kind, reason))

    def get_extension(self, cls: type) -> None:
        return None


# --- URL patterns and trap shapes -----------------------------------------------------------------

def test_url_patterns_generalize_numbers_and_query_values() -> None:
    assert url_pattern("http://a.example/2031/05/") == url_pattern("http://a.example/2099/12/") == "a.example/{n}/{n}/"
    assert url_pattern("http://a.example/c/x/page/7/?view=grid") == "a.example/c/x/page/{n}/?view={v}"
    assert url_pattern("http://a.example/news/1/a.html") != url_pattern("http://a.example/news/1/b.html")


@pytest.mark.parametrize("url", [
    "http://a.example/archive/archive/archive/",
    "http://a.example/a/b/a/b/a/b/c",
    "http://a.example/search/?q=x&sort=new&sort=new",
    "http://a.example/s/?" + "&".join(f"k{i}=v" for i in range(12)),
    "http://a.example/" + "x" * 1200,
])
def test_trap_shapes_are_recognised(url: str) -> None:
    assert shape_trap(url, 1000, 8, 2) is not None


@pytest.mark.parametrize("url", [
    "http://a.example/news/52360/assad-visits-idleb.html",
    "http://a.example/category/news/page/670/",
    "http://a.example/2019/08/",
    "http://a.example/search/?q=syria&page=2",
])
def test_ordinary_urls_are_no_trap(url: str) -> None:
    assert shape_trap(url, 1000, 8, 2) is None


def test_session_ids_are_removed() -> None:
    assert strip_session_ids("http://a.example/shop/?sid=abc&page=2") == ("http://a.example/shop/?page=2", ["sid"])
    assert strip_session_ids("http://a.example/a;jsessionid=XYZ?x=1") == ("http://a.example/a?x=1", ["jsessionid"])
    assert strip_session_ids("http://a.example/a?x=1") == ("http://a.example/a?x=1", [])


# --- addresses -------------------------------------------------------------------------------------

@pytest.mark.parametrize("address", ["10.1.2.3", "192.168.0.10", "172.16.5.4", "127.0.0.1", "169.254.169.254",
                                     "169.254.10.1", "::1", "fd00::1", "fe80::1", "0.0.0.0", "::ffff:10.0.0.1",
                                     "100.100.100.200"])
def test_private_link_local_and_metadata_addresses_are_refused(address: str) -> None:
    assert address_refusal(address) is not None


@pytest.mark.parametrize("address", ["93.184.216.34", "8.8.8.8", "2606:4700:4700::1111"])
def test_public_addresses_pass(address: str) -> None:
    assert address_refusal(address) is None


def _check(middleware: GuardDownloaderMiddleware, url: str, meta: dict[str, Any] | None = None) -> bool:
    try:
        asyncio.run(middleware.process_request(Request(url, meta=meta or {})))
    except GuardRefused:
        return False
    return True


def test_the_downloader_guard_refuses_other_hosts_and_unnamed_private_addresses() -> None:
    spider = SimpleNamespace(allowed_domains=["127.0.0.1", "10.9.8.7"], base_url="http://127.0.0.1:8000")
    crawler = FakeCrawler(spider)
    middleware = GuardDownloaderMiddleware(crawler)
    assert _check(middleware, "http://127.0.0.1:8000/news/1/a.html")  # named by the site's base_url
    assert not _check(middleware, "http://10.9.8.7/admin/")  # on the site's list, but a private address not named
    assert not _check(middleware, "http://169.254.169.254/latest/meta-data/")  # off the site, and metadata
    assert not _check(middleware, "http://localhost:9/x", {"redirect_urls": ["http://127.0.0.1:8000/moved"]})
    kinds = [kind for _, kind, _ in crawler.events]
    assert kinds == ["private_address", "offsite", "offsite"]
    assert crawler.events[2][0] == "http://127.0.0.1:8000/moved"  # the redirect is kept under its source
    named = GuardDownloaderMiddleware(FakeCrawler(spider, GUARD_ALLOWED_PRIVATE_HOSTS=["10.9.8.7"]))
    assert _check(named, "http://10.9.8.7/admin/")


def test_the_site_budget_stops_requests_and_says_so_once() -> None:
    spider = SimpleNamespace(allowed_domains=["127.0.0.1"], base_url="http://127.0.0.1:8000")
    crawler = FakeCrawler(spider, SITE_REQUEST_BUDGET=3)
    middleware = GuardDownloaderMiddleware(crawler)
    passed = [_check(middleware, f"http://127.0.0.1:8000/p{i}") for i in range(6)]
    assert passed == [True, True, True, False, False, False]
    assert [kind for _, kind, _ in crawler.events] == ["site_budget"]


def test_download_failures_name_the_limit() -> None:
    from scrapy.exceptions import DownloadCancelledError, DownloadTimeoutError, IgnoreRequest

    assert failure_kind(DownloadTimeoutError("took longer than 15.0 seconds"))[0] == "timeout"
    assert failure_kind(DownloadCancelledError())[0] == "too_large"
    assert failure_kind(IgnoreRequest("exceeded DOWNLOAD_MAXSIZE (10 B) during decompression"))[0] == "too_large"
    assert failure_kind(IgnoreRequest("max redirections reached"))[0] == "redirect_limit"
    assert failure_kind(ConnectionRefusedError("refused")) is None


# --- retries ---------------------------------------------------------------------------------------

def test_retry_after_and_backoff() -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    assert retry_after_seconds("5") == 5.0
    assert retry_after_seconds((now + timedelta(seconds=30)).strftime("%a, %d %b %Y %H:%M:%S GMT"), now) == 30.0
    assert retry_after_seconds("soon") is None and retry_after_seconds(None) is None
    assert [backoff_seconds(n, 1.0, 5.0) for n in (1, 2, 3, 4)] == [1.0, 2.0, 4.0, 5.0]


# --- canonicals ------------------------------------------------------------------------------------

BODY = " ".join(f"word{i} of the first story about the council and its convoy" for i in range(40))
OTHER = " ".join(f"term{i} in a different report on harvest and bread prices" for i in range(40))


def record(url: str, canonical: str | None, body: str) -> ArticleRecord:
    return ArticleRecord(url=url, canonical_url=canonical, title="A title", body_text=body)


def test_a_hijacked_canonical_is_refused_and_a_twin_obeyed() -> None:
    spider = SimpleNamespace(allowed_domains=["news.example"])
    crawler = FakeCrawler(spider)
    trust = TrustPipeline(crawler)
    victim = trust.process_item(record("http://news.example/a/1.html", "http://news.example/a/1.html", BODY))
    assert victim.canonical_url == "http://news.example/a/1.html"
    hijack = trust.process_item(record("http://news.example/b/2.html", "http://news.example/a/1.html", OTHER))
    assert hijack.canonical_url == "http://news.example/b/2.html"
    twin = trust.process_item(record("http://news.example/a/1.html?amp=1", "http://news.example/a/1.html", BODY))
    assert twin.canonical_url == "http://news.example/a/1.html"
    offsite = trust.process_item(record("http://news.example/c/3.html", "http://other.example/c/3.html", OTHER))
    assert offsite.canonical_url == "http://news.example/c/3.html"
    assert [kind for _, kind, _ in crawler.events] == ["canonical_refused", "canonical_refused"]


def test_replacement_characters_are_reported() -> None:
    crawler = FakeCrawler(SimpleNamespace(allowed_domains=[]))
    TrustPipeline(crawler).process_item(record("http://news.example/x.html", None, "Bro\ufffden text " * 20))
    assert [kind for _, kind, _ in crawler.events] == ["bad_encoding"]


def test_sketch_similarity_tells_twins_from_strangers() -> None:
    assert similarity(sketch(BODY), sketch(BODY + " one more line")) > 0.8
    assert similarity(sketch(BODY), sketch(OTHER)) < 0.1
    assert is_variant("http://x/news/1-a", "http://x/news/1-a/amp") and not is_variant("http://x/a/1", "http://x/b/2")


def test_a_canonical_naming_a_stored_article_of_other_content_leaves_it_untouched(db_url: str) -> None:
    from storage.db import ensure_schema, make_engine, session_scope
    from storage.records import content_hash
    from storage.repository import ArticleRepository, SiteRepository

    engine = make_engine(db_url)
    ensure_schema(engine)
    now = datetime.now(UTC)
    stored = record("http://news.example/a/1.html", "http://news.example/a/1.html", BODY)
    stored.site, stored.content_hash = "news", content_hash(BODY)
    with session_scope(engine) as session:
        SiteRepository(session).ensure("news", "News", "http://news.example", now)
        ArticleRepository(session).upsert(stored, None, now)
    crawler = FakeCrawler(SimpleNamespace(allowed_domains=["news.example"]))
    crawler.get_extension = lambda cls: SimpleNamespace(engine=engine)  # type: ignore[method-assign]
    trust = TrustPipeline(crawler)  # a new run: nothing fetched yet, the stored article is looked up
    hijack = trust.process_item(record("http://news.example/b/2.html", "http://news.example/a/1.html", OTHER))
    twin = trust.process_item(record("http://news.example/a/1.html?amp", "http://news.example/a/1.html", BODY))
    engine.dispose()
    assert hijack.canonical_url == "http://news.example/b/2.html"
    assert twin.canonical_url == "http://news.example/a/1.html"
    assert [kind for _, kind, reason in crawler.events] == ["canonical_refused"]
    assert "similarity" in crawler.events[0][2]
