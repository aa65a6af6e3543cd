"""Limits and crawl-trap defence: the crawl stays bounded on a hostile or broken site, and says what it refused.

Two components, both switched on in ``crawler/settings.py``:

- ``TrapGuardMiddleware`` (spider middleware) reads what each page's callback yields.  Article
  requests pass (they are leaves; the site budget bounds them).  Every other request belongs to a
  *chain* of pages and to a URL *pattern* (:func:`crawler.traps.url_pattern`): a chain stops after
  ``TRAP_EMPTY_PAGES`` pages in a row that linked no article new to their pattern, and a pattern
  gets ``TRAP_PATTERN_BUDGET`` requests beyond its pages that brought new articles.  No depth cap: a
  700-page archive keeps going while each page brings new articles.  Trap shapes (growing queries,
  repeated path segments, absurd lengths) are refused at once, session ids removed, redirect chains
  the spiders follow themselves capped at ``REDIRECT_MAX_TIMES``, and ``LINKS_MAX_PER_PAGE`` links
  taken from a page.
- ``GuardDownloaderMiddleware`` refuses off-site requests (redirects to another host included) and
  requests to private, loopback, link-local and metadata addresses a site does not name, counts the
  per-site budget (``SITE_REQUEST_BUDGET``) and cuts a page's body to ``PARSE_MAX_BYTES``.

Every refusal is a crawl event with its URL, kind and reason (once per pattern for traps), so it shows
in the run's ``errors_by_kind``, ``crawl_events`` and ``crawler crawl``'s summary.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import AsyncIterator, Iterable
from typing import Any
from urllib.parse import urlsplit

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.utils.defer import deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from w3lib.url import canonicalize_url

from crawler.signals import page_outcome
from crawler.traps import address_refusal, is_ip_literal, shape_trap, strip_session_ids, url_pattern

logger = logging.getLogger(__name__)

GUARD_KINDS = (
    "too_large", "timeout", "page_cut", "links_cut", "site_budget", "redirect_limit", "trap", "offsite",
    "private_address", "canonical_refused", "bad_encoding",
)
"""Event kinds of limits and trap stops (``crawler crawl`` lists them in their own summary row)."""
_NUMBERS = re.compile(r"\d+")


class GuardRefused(IgnoreRequest):
    """A request the guard refused; already reported as a crawl event (errbacks must not report it again)."""


def report(crawler: Crawler, url: str, kind: str, reason: str) -> None:
    """Log and keep a limit hit or trap stop as a crawl event (the run recorder stores it)."""
    logger.warning("%s: %s (%s)", kind, url, reason)
    crawler.signals.send_catch_log(signal=page_outcome, url=url, kind=kind, reason=reason)


def is_article_request(request: Request) -> bool:
    """True for a request of an article page: ``meta['guard_article']``, else a ``parse_article`` callback."""
    if "guard_article" in request.meta:
        return bool(request.meta["guard_article"])
    return getattr(request.callback, "__name__", "") == "parse_article"


def failure_kind(exc: BaseException) -> tuple[str, str] | None:
    """``(kind, reason)`` of a download failure that is a limit hit (timeout, size, redirects), else None."""
    name, message = type(exc).__name__, str(exc)
    if "Timeout" in name or "timed out" in message.lower():
        return "timeout", f"{name}: no answer within DOWNLOAD_TIMEOUT, retries included"
    if name == "DownloadCancelledError" or "DOWNLOAD_MAXSIZE" in message or "max size" in message.lower():
        # The download handler cancels a body past DOWNLOAD_MAXSIZE; the compression middleware stops inflating there.
        where = "decompressed" if "decompress" in message else "downloaded"
        return "too_large", f"body {where} past DOWNLOAD_MAXSIZE: refused, nothing parsed"
    if "max redirections" in message.lower():
        return "redirect_limit", f"more than REDIRECT_MAX_TIMES redirects ({message[:80]})"
    return None


def _hosts_of(spider: Any) -> list[str]:
    return [h.lower() for h in (getattr(spider, "allowed_domains", None) or []) if h]


def on_hosts(host: str, hosts: Iterable[str]) -> bool:
    """True when ``host`` is one of ``hosts`` or a subdomain of one (``www.`` included), as Scrapy's offsite does."""
    host = host.lower()
    for allowed in hosts:
        bare = allowed.removeprefix("www.")
        if host in (allowed, bare) or host.endswith("." + bare):
            return True
    return False


class _Page:
    """What one response's callback yielded, until its productivity is known."""

    def __init__(self, response: Response) -> None:
        self.response = response
        self.pattern = url_pattern(response.url)
        self.article_urls: list[str] = []
        self.held: list[Request] = []
        self.taken = 0
        self.cut = 0


class TrapGuardMiddleware:
    """Spider middleware: trap defence on each page's yielded requests (module docstring)."""

    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        self.crawler = crawler
        self.stats = crawler.stats
        self.empty_pages = settings.getint("TRAP_EMPTY_PAGES")
        self.pattern_budget = settings.getint("TRAP_PATTERN_BUDGET")
        self.max_url_length = settings.getint("TRAP_MAX_URL_LENGTH")
        self.max_query_params = settings.getint("TRAP_MAX_QUERY_PARAMS")
        self.max_segment_repeats = settings.getint("TRAP_MAX_SEGMENT_REPEATS")
        self.max_redirects = settings.getint("REDIRECT_MAX_TIMES")
        self.max_links = settings.getint("LINKS_MAX_PER_PAGE")
        self.max_document_links = settings.getint("LINKS_MAX_PER_DOCUMENT")
        self.requests: Counter[str] = Counter()  # non-article requests let through, per pattern
        self.credit: Counter[str] = Counter()  # pages of the pattern that linked new articles
        self.linked: dict[str, set[int]] = {}  # hashes of the article URLs pages of a pattern linked
        self.passed: set[int] = set()  # hashes of the non-article URLs let through (the dupe filter drops repeats)
        self.stopped: dict[str, list[Any]] = {}  # trap key -> [refused count, first reason]
        self.session_params: set[str] = set()
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> TrapGuardMiddleware:
        return cls(crawler)

    # --- Scrapy hook ------------------------------------------------------------------------------
    async def process_spider_output(
        self, response: Response, result: AsyncIterator[Any], spider: Any = None
    ) -> AsyncIterator[Any]:
        """Filter a callback's output: articles and items pass, other requests once the page is judged."""
        page = _Page(response)
        async for element in result:
            for out in self._take(page, element):
                yield out
        for out in self._finish(page):
            yield out

    # --- one page ------------------------------------------------------------------------------
    def _take(self, page: _Page, element: Any) -> Iterable[Any]:
        if not isinstance(element, Request):
            yield element
            return
        request = element
        stripped, removed = strip_session_ids(request.url)
        if removed:
            request = request.replace(url=stripped)
            self.stats.inc_value("guard/session_ids_removed")
            for name in set(removed) - self.session_params:
                self.session_params.add(name)
                report(self.crawler, element.url, "trap", f"session id {name!r} removed from the site's URLs")
        if 300 <= page.response.status < 400:
            hops = page.response.meta.get("guard_hops", 0) + page.response.meta.get("redirect_times", 0) + 1
            request.meta["guard_hops"] = hops
            if hops > self.max_redirects:
                report(self.crawler, page.response.url, "redirect_limit",
                       f"redirect chain longer than REDIRECT_MAX_TIMES={self.max_redirects}; next hop {request.url}")
                return
        page.taken += 1
        if page.taken > self._link_cap(page.response):
            page.cut += 1
            return
        reason = shape_trap(request.url, self.max_url_length, self.max_query_params, self.max_segment_repeats)
        if reason is not None:
            host = urlsplit(request.url).hostname or ""
            self._refuse(request, f"{host} {_NUMBERS.sub('N', reason.split(' (')[0])}", reason)
            return
        if is_article_request(request):
            page.article_urls.append(canonicalize_url(request.url))
            yield request
            return
        page.held.append(request)

    def _link_cap(self, response: Response) -> int:
        content_type = response.headers.get("Content-Type", b"").decode("latin-1").lower()
        return self.max_links if "html" in content_type else self.max_document_links

    def _finish(self, page: _Page) -> Iterable[Request]:
        linked = self.linked.setdefault(page.pattern, set())
        new = {hash(u) for u in page.article_urls} - linked
        linked |= new
        if new:
            self.credit[page.pattern] += 1
        chain = 0 if new else page.response.meta.get("guard_chain", 0) + 1
        if page.cut:
            self.stats.inc_value("guard/links_cut", page.cut)
            report(self.crawler, page.response.url, "links_cut",
                   f"{page.cut} of {page.taken} links left (LINKS_MAX_PER_PAGE={self._link_cap(page.response)})")
        for request in page.held:
            key = hash(canonicalize_url(request.url))
            if key in self.passed:
                yield request  # already let through once: the dupe filter drops it, no budget spent
                continue
            pattern = url_pattern(request.url)
            if chain >= self.empty_pages:
                self._refuse(request, pattern, f"{chain} pages in a row linked no new article "
                                               f"(TRAP_EMPTY_PAGES={self.empty_pages}), from {page.response.url}")
                continue
            if self.requests[pattern] - self.credit[pattern] >= self.pattern_budget:
                self._refuse(request, pattern, f"{self.requests[pattern]} requests, {self.credit[pattern]} of them "
                                               f"bringing new articles (TRAP_PATTERN_BUDGET={self.pattern_budget})")
                continue
            self.passed.add(key)
            self.requests[pattern] += 1
            request.meta["guard_chain"] = chain
            yield request

    def _refuse(self, request: Request, key: str, reason: str) -> None:
        """Count a refused trap request; the first one of each pattern is kept as an event."""
        self.stats.inc_value("guard/trap_refused")
        entry = self.stopped.get(key)
        if entry is None:
            self.stopped[key] = [1, reason]
            report(self.crawler, request.url, "trap", f"trap stopped at pattern {key}: {reason}")
        else:
            entry[0] += 1

    def spider_closed(self, spider: Any) -> None:
        """One line per stopped trap pattern, with how many requests it was refused."""
        for key, (count, reason) in sorted(self.stopped.items()):
            logger.warning("trap stopped: pattern %s: %d requests refused, %d let through (%s)",
                           key, count, self.requests.get(key, 0), reason)
            self.stats.set_value(f"guard/trap/{key}", count)


class GuardDownloaderMiddleware:
    """Downloader middleware: on-site and public addresses only, the site budget, the parse cap."""

    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        self.crawler = crawler
        self.stats = crawler.stats
        self.budget = settings.getint("SITE_REQUEST_BUDGET")
        self.parse_cap = settings.getint("PARSE_MAX_BYTES")
        self.extra_named = {h.lower() for h in settings.getlist("GUARD_ALLOWED_PRIVATE_HOSTS")}
        self.requests = 0
        self.budget_reported = False
        self.addresses: dict[str, str | None] = {}  # host -> why refused (None: fine)
        self.reported_hosts: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> GuardDownloaderMiddleware:
        middleware = cls(crawler)
        # Connected before Scrapy's OffsiteMiddleware (50), which drops off-site requests, redirects included,
        # at scheduling without a trace: here each one is a crawl event first.
        crawler.signals.connect(middleware.request_scheduled, signal=signals.request_scheduled)
        return middleware

    def request_scheduled(self, request: Request, spider: Any = None) -> None:
        """Refuse an off-site request as it is scheduled (GuardRefused drops it), reported with its source."""
        self._check_site(request, spider or self.crawler.spider)

    def named_hosts(self, spider: Any) -> set[str]:
        """Hosts the site's configuration names itself (base_url, start_url), with GUARD_ALLOWED_PRIVATE_HOSTS."""
        named = set(self.extra_named)
        for attribute in ("base_url", "start_url"):
            host = urlsplit(getattr(spider, attribute, "") or "").hostname
            if host:
                named.add(host.lower())
        return named

    async def process_request(self, request: Request, spider: Any = None) -> None:
        """Refuse off-site, private-address and over-budget requests (GuardRefused, reported)."""
        spider = spider or self.crawler.spider
        self._check_site(request, spider)
        host = (urlparse_cached(request).hostname or "").lower()
        if host not in self.named_hosts(spider):
            refusal = await self._address_refusal(host)
            if refusal is not None:
                self.stats.inc_value("guard/private_address")
                if host not in self.reported_hosts:
                    self.reported_hosts.add(host)
                    report(self.crawler, request.url, "private_address",
                           f"{host}: {refusal}; name it in the site's base_url or GUARD_ALLOWED_PRIVATE_HOSTS")
                raise GuardRefused(f"private address: {request.url}")
        self.requests += 1
        if self.budget and self.requests > self.budget:
            self.stats.inc_value("guard/site_budget_refused")
            if not self.budget_reported:
                self.budget_reported = True
                report(self.crawler, request.url, "site_budget",
                       f"{self.budget} requests to the site in this run (SITE_REQUEST_BUDGET); the rest are left")
            raise GuardRefused(f"site budget: {request.url}")

    def _check_site(self, request: Request, spider: Any) -> None:
        host = (urlparse_cached(request).hostname or "").lower()
        hosts = _hosts_of(spider)
        if hosts and not on_hosts(host, hosts) and not request.meta.get("guard_offsite_reported"):
            request.meta["guard_offsite_reported"] = True
            origin = (request.meta.get("redirect_urls") or [None])[0]
            why = f"redirect from {origin} to another host" if origin else "link to another host"
            self.stats.inc_value("guard/offsite")
            report(self.crawler, origin or request.url, "offsite", f"{why} refused: {request.url}")
            raise GuardRefused(f"off-site: {request.url}")
        if hosts and not on_hosts(host, hosts):
            raise GuardRefused(f"off-site: {request.url}")

    async def _address_refusal(self, host: str) -> str | None:
        if host in self.addresses:
            return self.addresses[host]
        if is_ip_literal(host):
            refusal = address_refusal(host)
        else:
            from twisted.internet import reactor

            try:
                address = await deferred_to_future(reactor.resolve(host))  # Scrapy's caching resolver
            except Exception:  # noqa: BLE001 - an unresolvable host fails (and is reported) at download
                address = ""
            refusal = address_refusal(address) if address else None
        self.addresses[host] = refusal
        return refusal

    def process_response(self, request: Request, response: Response, spider: Any = None) -> Response:
        """Cut an HTML body past PARSE_MAX_BYTES (at a tag start), reported with both sizes."""
        if not self.parse_cap or len(response.body) <= self.parse_cap:
            return response
        content_type = response.headers.get("Content-Type", b"").decode("latin-1").lower()
        if content_type and "html" not in content_type:
            return response  # sitemaps and feeds keep DOWNLOAD_MAXSIZE: they list up to 50,000 URLs
        body = response.body
        cut = body.rfind(b"<", 0, self.parse_cap)
        if cut < self.parse_cap // 2:
            cut = self.parse_cap
        self.stats.inc_value("guard/page_cut")
        report(self.crawler, response.url, "page_cut",
               f"page of {len(body)} bytes cut to {cut} before parsing (PARSE_MAX_BYTES={self.parse_cap})")
        return response.replace(body=body[:cut])
