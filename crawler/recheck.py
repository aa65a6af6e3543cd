"""Cheap re-crawls: known articles outside the re-check window are not fetched; re-checks are conditional.

``RecheckMiddleware`` is one component in two chains (one instance per crawl):

- as a **spider middleware** it sees every request a callback yields.  An *article request*
  (``meta["article"]`` set by the spider, or a request to a callback named ``parse_article``)
  for a stored article is dropped unless the article is in its re-check window: published
  less than ``recent_days`` ago (re-checked on every run), or last checked at least
  ``older_every_days`` ago (0: never again).  Listings, feeds and sitemaps are never dropped;
  but a listing page whose article links were all known and skipped ends its pagination chain
  (newest-first listings: the pages behind it hold older, known articles) when
  ``RECHECK_STOP_PAGING`` is on and the site's previous run completed (``ok``: after an
  interrupted or failed run, chains are paged to the end to fill the holes).  It also copies
  the response's ``ETag`` and ``Last-Modified`` onto the records of article pages, for storage.
- as a **downloader middleware** it sends a re-check as a conditional request
  (``If-None-Match`` / ``If-Modified-Since`` from the stored validators).  A ``304`` goes to no
  parser: the article is marked checked (``last_checked_at``) and counted.  A ``404``/``410`` marks
  the article removed (``removed_at``), kept as a ``removed`` crawl event, not as an HTTP error.
- once discovery is done (the spider idles), the due articles it did not find are re-checked
  directly (``RECHECK_UNLISTED``): a page that left every listing is still seen gone.

The window comes from the site profile's ``[recheck]`` table, else the settings
``RECHECK_RECENT_DAYS`` / ``RECHECK_OLDER_EVERY_DAYS``; a ``-s`` on the command line wins over both.
Counts go to the crawl's stats (``recheck/skipped``, ``recheck/not_modified``, ``recheck/removed``)
and from there into ``crawl_runs``.  The known articles are read once, when the spider opens.
"""

from __future__ import annotations

import logging
import weakref
from collections.abc import AsyncIterator, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider, NotConfigured
from scrapy.http import Response
from scrapy.settings import SETTINGS_PRIORITIES, Settings

from crawler.extensions import CrawlRunRecorder
from crawler.items import ArticleRecord
from crawler.retry import DatabaseUnavailable
from crawler.signals import page_outcome
from crawler.sites import SITES
from crawler.urls import canonical_url
from storage.db import session_scope
from storage.recheck import KnownArticle, known_articles, mark_checked, mark_removed, previous_run_status

logger = logging.getLogger(__name__)

ARTICLE_ID = "recheck_article_id"
"""Request meta key: the stored article a request re-checks."""
# A chain's next page: ``/page/N/`` or ``?page=N`` (what spiders' listing chains follow).
PAGINATION_HINTS = ("/page/", "page=")
REMOVED_CODES = (404, 410)
CHECKED_BATCH = 200  # 304 marks written together (one transaction per batch)

_instances: weakref.WeakKeyDictionary[Crawler, RecheckMiddleware] = weakref.WeakKeyDictionary()


@dataclass(frozen=True)
class RecheckPolicy:
    """Which known articles are fetched again: the re-check window."""

    recent: timedelta
    """Articles younger than this are re-checked on every run."""
    older_every: timedelta | None
    """Older ones when their last check is at least this old; None: never."""

    def due(self, article: KnownArticle, now: datetime) -> bool:
        """True when the article is in its re-check window at ``now``."""
        if now - article.age_reference < self.recent:
            return True
        return self.older_every is not None and now - article.checked_reference >= self.older_every

    def describe(self) -> str:
        """The window in words, for the log."""
        older = f"older every {self.older_every.days}d" if self.older_every else "older never"
        return f"younger than {self.recent.total_seconds() / 86400:g}d every run, {older}"


def policy_for(site: str, settings: Settings) -> RecheckPolicy:
    """The site's window: a command-line ``-s`` first, then the profile's ``[recheck]``, then the settings."""
    profile = SITES.get(site)
    table = profile.profile.recheck if profile is not None and profile.profile is not None else None

    def days(setting: str, field: str) -> float:
        from_profile = getattr(table, field, None) if table is not None else None
        if from_profile is not None and (settings.getpriority(setting) or 0) < SETTINGS_PRIORITIES["cmdline"]:
            return float(from_profile)
        return settings.getfloat(setting)

    older = days("RECHECK_OLDER_EVERY_DAYS", "older_every_days")
    return RecheckPolicy(timedelta(days=days("RECHECK_RECENT_DAYS", "recent_days")),
                         timedelta(days=older) if older > 0 else None)


def is_article_request(request: Request) -> bool:
    """An article page request: flagged by the spider, or bound for its ``parse_article`` callback."""
    if "article" in request.meta:
        return bool(request.meta["article"])
    return getattr(request.callback, "__name__", "") == "parse_article"


def is_next_page(request: Request, response: Response) -> bool:
    """A request for a later page of the listing chain ``response`` belongs to."""
    if request.meta.get("next_page") or (isinstance(request.meta.get("page"), int) and request.meta["page"] > 1):
        return True
    same_callback = getattr(request.callback, "__name__", None) == getattr(response.request.callback, "__name__", "")
    return same_callback and any(hint in request.url for hint in PAGINATION_HINTS)


def _header(response: Response, name: str) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1").strip() or None if value else None


class RecheckMiddleware:
    """Spider and downloader middleware of incremental re-crawls (see the module doc)."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.conditional = crawler.settings.getbool("RECHECK_CONDITIONAL")
        self.stop_paging = crawler.settings.getbool("RECHECK_STOP_PAGING")
        self.known: dict[str, KnownArticle] = {}
        self.policy: RecheckPolicy | None = None
        self.now = datetime.now(UTC)
        self.skipped: set[str] = set()
        self.checked: list[int] = []  # articles answered 304, not yet marked
        self.recorder: CrawlRunRecorder | None = None
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(self.spider_idle, signal=signals.spider_idle)
        self.unlisted = crawler.settings.getbool("RECHECK_UNLISTED")
        self.requested: set[int] = set()  # known articles the run's discovery asked for

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RecheckMiddleware:
        """The crawl's one instance (both chains share it); NotConfigured when RECHECK_ENABLED is off."""
        if not crawler.settings.getbool("RECHECK_ENABLED"):
            raise NotConfigured("RECHECK_ENABLED is off: every known article is fetched again")
        if crawler not in _instances:
            _instances[crawler] = cls(crawler)
        return _instances[crawler]

    # --- open and close -----------------------------------------------------------------

    def spider_opened(self, spider: Spider) -> None:
        """Read the site's known articles (after the run recorder claimed the run)."""
        recorder = self.crawler.get_extension(CrawlRunRecorder)
        if recorder is None or recorder.run_id is None:
            return  # no store (or the run was refused): nothing is known, everything is fetched
        self.recorder = recorder
        self.now = datetime.now(UTC)
        self.policy = policy_for(recorder.site, self.crawler.settings)
        try:
            self.known, previous = recorder.retry.run(lambda: self._load(recorder), "reading the known articles")
        except DatabaseUnavailable as exc:
            logger.warning("re-check: known articles not read (%s): every article is fetched", exc)
            self.known, previous = {}, None
        if self.stop_paging and previous != "ok":
            # The last run did not complete: articles behind known ones may be missing; follow every chain.
            self.stop_paging = False
            logger.info("re-check: the previous run of %s was %s: listings are paged to the end", recorder.site,
                        previous or "none")
        logger.info("re-check: %d known articles of %s; window %s",
                    len({a.id for a in self.known.values()}), recorder.site, self.policy.describe())

    def _load(self, recorder: CrawlRunRecorder) -> tuple[dict[str, KnownArticle], str | None]:
        """The known articles by URL, and the status of the site's previous run."""
        known: dict[str, KnownArticle] = {}
        assert recorder.run_id is not None
        with session_scope(recorder.engine) as session:
            for article in known_articles(session, recorder.site):
                known[canonical_url(article.canonical_url)] = article
                known.setdefault(canonical_url(article.url), article)
            previous = previous_run_status(session, recorder.site, recorder.run_id)
        return known, previous

    def spider_closed(self, spider: Spider) -> None:
        """Write the 304 marks still waiting."""
        self._flush_checked()

    def spider_idle(self, spider: Spider) -> None:
        """Once discovery is done: re-check the due articles it did not find (a page gone from every listing)."""
        if not self.unlisted or self.policy is None or not hasattr(spider, "parse_article"):
            return
        self.unlisted = False  # once per run
        articles = {a.id: a for a in self.known.values()}
        due = [a for i, a in sorted(articles.items()) if i not in self.requested and self.policy.due(a, self.now)]
        if not due:
            return
        logger.info("re-check: %d due articles not found by discovery are fetched directly", len(due))
        assert self.crawler.engine is not None
        for article in due:
            self.requested.add(article.id)
            self.stats.inc_value("recheck/unlisted")
            self.crawler.engine.crawl(
                Request(article.url, callback=spider.parse_article, errback=getattr(spider, "on_error", None),
                        meta={ARTICLE_ID: article.id, "article": True})
            )
        raise DontCloseSpider("re-checking articles discovery did not list")

    def _flush_checked(self) -> None:
        if not self.checked or self.recorder is None:
            return
        batch, recorder, now = list(self.checked), self.recorder, datetime.now(UTC)

        def write() -> None:
            with session_scope(recorder.engine) as session:
                mark_checked(session, batch, now)

        try:
            recorder.retry.run(write, f"{len(batch)} not-modified marks")
        except DatabaseUnavailable as exc:
            # Only last_checked_at is lost: those articles are re-checked again sooner.
            logger.warning("re-check: %d not-modified marks not written (%s)", len(batch), exc)
        del self.checked[: len(batch)]

    # --- spider middleware --------------------------------------------------------------

    def process_spider_output(self, response: Response, result: Iterable[Any]) -> Iterator[Any]:
        """Drop known articles outside the window (and the next page behind a page of them)."""
        yield from self._filter(response, list(result))

    async def process_spider_output_async(self, response: Response, result: AsyncIterator[Any]) -> AsyncIterator[Any]:
        """The same, for asynchronous callbacks."""
        for out in self._filter(response, [x async for x in result]):
            yield out

    def _filter(self, response: Response, outputs: list[Any]) -> Iterator[Any]:
        articles = skipped = 0
        kept: list[Any] = []
        for out in outputs:
            if isinstance(out, ArticleRecord):
                out.etag = out.etag or _header(response, "ETag")
                out.last_modified = out.last_modified or _header(response, "Last-Modified")
            elif isinstance(out, Request) and is_article_request(out):
                articles += 1
                out = self._article_request(out)
                if out is None:
                    skipped += 1
                    continue
            kept.append(out)
        # Every article of this listing page is known and outside the window: the older pages are too.
        stop = self.stop_paging and articles > 0 and skipped == articles and not is_article_request(response.request)
        for out in kept:
            if stop and isinstance(out, Request) and is_next_page(out, response):
                self.stats.inc_value("recheck/paging_stopped")
                logger.debug("re-check: stop paging at %s (every article known): %s not fetched", response.url, out.url)
                continue
            yield out

    def _article_request(self, request: Request) -> Request | None:
        """The request to send for an article (flagged as a re-check), or None when it is skipped."""
        if self.policy is None:
            return request
        key = canonical_url(request.url)
        article = self.known.get(key)
        if article is None:
            return request
        if not self.policy.due(article, self.now):
            if key not in self.skipped:
                self.skipped.add(key)
                self.stats.inc_value("recheck/skipped")
            return None
        self.requested.add(article.id)
        return request.replace(meta={**request.meta, ARTICLE_ID: article.id})

    # --- downloader middleware ----------------------------------------------------------

    def process_request(self, request: Request) -> None:
        """Make a re-check conditional on the stored validators."""
        article = self._rechecked(request)
        if article is None:
            return
        self.stats.inc_value("recheck/requests")
        if not self.conditional or article.removed_at is not None:
            return
        if article.etag:
            request.headers.setdefault("If-None-Match", article.etag)
        if article.last_modified:
            request.headers.setdefault("If-Modified-Since", article.last_modified)

    def process_response(self, request: Request, response: Response) -> Request | Response:
        """A 304 is marked checked and parsed by nobody; a 404/410 marks the article removed."""
        article = self._rechecked(request)
        if article is None or response.status not in (304, *REMOVED_CODES):
            return response
        if response.status == 304:
            self.stats.inc_value("recheck/not_modified")
            self.checked.append(article.id)
            if len(self.checked) >= CHECKED_BATCH:
                self._flush_checked()
        else:
            self.stats.inc_value("recheck/removed")
            self._mark_removed(article, request.url, response.status)
        # Answered: no spider callback runs for it (no parse, no http_error).
        settled = request.replace(callback=_settled, errback=None,
                                  meta={**request.meta, "handle_httpstatus_list": [response.status]})
        return response.replace(request=settled)

    def _rechecked(self, request: Request) -> KnownArticle | None:
        article_id = request.meta.get(ARTICLE_ID)
        if article_id is None:
            return None
        return self.known.get(canonical_url(request.url))

    def _mark_removed(self, article: KnownArticle, url: str, status: int) -> None:
        assert self.recorder is not None
        recorder, now = self.recorder, datetime.now(UTC)

        def write() -> bool:
            with session_scope(recorder.engine) as session:
                return mark_removed(session, article.id, now)

        try:
            newly = recorder.retry.run(write, f"marking {url} removed")
        except DatabaseUnavailable as exc:
            newly = None
            logger.warning("re-check: %s answered %d but could not be marked removed (%s)", url, status, exc)
        since = "" if newly or article.removed_at is None else f" (removed since {article.removed_at:%Y-%m-%d})"
        reason = f"HTTP {status} on re-check: article {article.id} marked removed{since}"
        if newly is None:
            reason = f"HTTP {status} on re-check: article {article.id} NOT marked removed (database unavailable)"
        self.crawler.signals.send_catch_log(signal=page_outcome, url=url, kind="removed", reason=reason)


def _settled(response: Response) -> Iterable[Any]:
    """The callback of a re-check the middleware answered (304, 404, 410): nothing to parse."""
    return ()
