"""The re-check window and the middleware's decisions, without a crawl: which known article is due, where
the window comes from (profile, settings, command line), what a 304 or 404 answer becomes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from scrapy import Request
from scrapy.http import HtmlResponse, Response
from scrapy.settings import Settings

from crawler import settings as project_settings
from crawler.recheck import ARTICLE_ID, RecheckMiddleware, RecheckPolicy, is_article_request, is_next_page, policy_for
from storage.recheck import KnownArticle

NOW = datetime(2026, 5, 1, 12, tzinfo=UTC)


def known(article_id: int = 1, age_days: float = 0, checked_days_ago: float | None = 0, **kw: object) -> KnownArticle:
    fields = dict(
        id=article_id, url=f"http://x/news/{article_id}.html", canonical_url=f"http://x/news/{article_id}.html",
        published_at=NOW - timedelta(days=age_days), first_seen_at=NOW - timedelta(days=age_days),
        last_checked_at=None if checked_days_ago is None else NOW - timedelta(days=checked_days_ago),
        etag='"abc"', last_modified="Fri, 01 May 2026 10:00:00 GMT", removed_at=None,
    )
    fields.update(kw)
    return KnownArticle(**fields)  # type: ignore[arg-type]


def test_the_window_recent_every_run_older_every_m_days_or_never() -> None:
    policy = RecheckPolicy(timedelta(days=2), timedelta(days=30))
    assert policy.due(known(age_days=1), NOW)  # young: every run
    assert not policy.due(known(age_days=10, checked_days_ago=1), NOW)  # old, checked lately
    assert policy.due(known(age_days=100, checked_days_ago=31), NOW)  # old, its periodic check is due
    never = RecheckPolicy(timedelta(days=2), None)
    assert not never.due(known(age_days=100, checked_days_ago=400), NOW)
    # Without a date the age counts from when the article was first stored.
    assert policy.due(known(age_days=1, published_at=None), NOW)


def scrapy_settings(**cmdline: object) -> Settings:
    values = Settings()
    values.setmodule(project_settings, priority="project")
    for name, value in cmdline.items():
        values.set(name, value, priority="cmdline")
    return values


def test_the_window_comes_from_the_profile_then_settings_and_the_command_line_wins(monkeypatch) -> None:
    profile = SimpleNamespace(profile=SimpleNamespace(recheck=SimpleNamespace(recent_days=7.0, older_every_days=0)))
    monkeypatch.setattr("crawler.recheck.SITES", {"mysite": profile})
    assert policy_for("mysite", scrapy_settings()) == RecheckPolicy(timedelta(days=7), None)
    assert policy_for("mysite", scrapy_settings(RECHECK_RECENT_DAYS=1)) == RecheckPolicy(timedelta(days=1), None)
    defaults = policy_for("other", scrapy_settings())
    assert defaults == RecheckPolicy(timedelta(days=project_settings.RECHECK_RECENT_DAYS),
                                     timedelta(days=project_settings.RECHECK_OLDER_EVERY_DAYS))


class Spider:
    def parse_article(self, response: Response) -> None: ...
    def parse_listing(self, response: Response) -> None: ...


def test_article_and_next_page_requests_are_recognised() -> None:
    spider = Spider()
    assert is_article_request(Request("http://x/a.html", callback=spider.parse_article))
    assert is_article_request(Request("http://x/a", callback=spider.parse_listing, meta={"article": True}))
    assert not is_article_request(Request("http://x/feed/", callback=spider.parse_listing))
    listing = HtmlResponse("http://x/category/news/", request=Request("http://x/category/news/",
                                                                      callback=spider.parse_listing))
    assert is_next_page(Request("http://x/category/news/page/2/", callback=spider.parse_listing), listing)
    assert is_next_page(Request("http://x/news?p=2", callback=spider.parse_listing, meta={"page": 2}), listing)
    assert not is_next_page(Request("http://x/tag/iran/", callback=spider.parse_listing), listing)


class Stats:
    def __init__(self) -> None:
        self.values: dict[str, int] = {}

    def inc_value(self, key: str) -> None:
        self.values[key] = self.values.get(key, 0) + 1


def middleware(*articles: KnownArticle) -> RecheckMiddleware:
    """A middleware with a window and known articles set, as spider_opened leaves it."""
    mw = RecheckMiddleware.__new__(RecheckMiddleware)
    mw.stats, mw.conditional, mw.stop_paging = Stats(), True, True
    mw.policy, mw.now = RecheckPolicy(timedelta(days=2), None), NOW
    mw.known = {a.canonical_url: a for a in articles}
    mw.skipped, mw.requested, mw.checked = set(), set(), []
    mw.recorder = None
    return mw


def test_known_articles_outside_the_window_are_dropped_and_a_page_of_them_ends_its_chain() -> None:
    spider = Spider()
    mw = middleware(known(1, age_days=1), known(2, age_days=90), known(3, age_days=90))
    listing = HtmlResponse("http://x/category/news/", request=Request("http://x/", callback=spider.parse_listing))
    page_of_old = [Request("http://x/news/2.html", callback=spider.parse_article),
                   Request("http://x/news/3.html", callback=spider.parse_article),
                   Request("http://x/tag/iran/", callback=spider.parse_listing),
                   Request("http://x/category/news/page/2/", callback=spider.parse_listing)]
    out = list(mw.process_spider_output(listing, page_of_old))
    assert [r.url for r in out] == ["http://x/tag/iran/"]  # other listings stay; the next page does not
    assert mw.stats.values == {"recheck/skipped": 2, "recheck/paging_stopped": 1}
    mixed = [Request("http://x/news/1.html", callback=spider.parse_article),
             Request("http://x/news/9.html", callback=spider.parse_article),
             Request("http://x/category/news/page/2/", callback=spider.parse_listing)]
    out = list(mw.process_spider_output(listing, mixed))
    assert [r.url for r in out] == [r.url for r in mixed]  # a due and an unknown article: paging goes on
    assert out[0].meta[ARTICLE_ID] == 1 and ARTICLE_ID not in out[1].meta


@pytest.mark.parametrize("status", [304, 404, 410])
def test_a_recheck_answer_reaches_no_parser(status: int, monkeypatch) -> None:
    spider = Spider()
    mw = middleware(known(1, age_days=1))
    removed: list[tuple[int, int]] = []
    monkeypatch.setattr(mw, "_mark_removed", lambda article, url, code: removed.append((article.id, code)))
    request = Request("http://x/news/1.html", callback=spider.parse_article, meta={ARTICLE_ID: 1})
    mw.process_request(request)
    assert request.headers[b"If-None-Match"] == b'"abc"'
    assert request.headers[b"If-Modified-Since"] == b"Fri, 01 May 2026 10:00:00 GMT"
    answer = mw.process_response(request, Response(request.url, status=status, request=request))
    assert answer.request.callback is not spider.parse_article and answer.request.errback is None
    assert list(answer.request.callback(answer)) == []
    if status == 304:
        assert mw.checked == [1] and mw.stats.values["recheck/not_modified"] == 1 and not removed
    else:
        assert removed == [(1, status)] and mw.stats.values["recheck/removed"] == 1 and not mw.checked
    ok = Response(request.url, status=200, request=request)
    assert mw.process_response(request, ok) is ok  # a 200 is parsed and stored as usual
