"""NewsSpider: what every site spider shares. Spiders navigate; parsers read articles."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy.crawler import Crawler
from scrapy.http import Response
from scrapy.settings import Settings
from twisted.python.failure import Failure
from w3lib.url import canonicalize_url

from crawler.args import SpiderArgumentError, is_loopback, parse_positive_int, parse_since
from crawler.guard import GuardRefused, failure_kind
from crawler.parsers import parse_article
from crawler.parsers.text import decode_html
from crawler.signals import page_outcome
from crawler.sites import SITES, SiteProfile, get_site

logger = logging.getLogger(__name__)

# Re-exported: spiders and older callers import these from here.
__all__ = ["NewsSpider", "SpiderArgumentError", "is_loopback", "parse_positive_int", "parse_since"]


class NewsSpider(scrapy.Spider):
    """Base of the site spiders.

    Arguments (``-a key=value``): ``base_url`` (default: the site's live URL),
    ``since`` (``YYYY-MM-DD`` or ``Nd`` for the last N days: stop paging past older articles), ``max_pages``
    (at most this many listing pages in the run).
    """

    site_key: str = ""
    ARGUMENTS_HELP = "-a base_url=URL, -a since=YYYY-MM-DD|Nd and -a max_pages=N"
    """The arguments named by the error for an unknown one."""

    def __init__(
        self,
        base_url: str | None = None,
        since: str | None = None,
        max_pages: str | int | None = None,
        **kwargs: Any,
    ) -> None:
        unknown = sorted(set(kwargs) - {"name", "_job"})
        if unknown:
            raise SpiderArgumentError(
                f"unknown spider argument(s) {', '.join(f'-a {k}=...' for k in unknown)}; "
                f"this spider takes {self.ARGUMENTS_HELP}"
            )
        super().__init__(**kwargs)
        profile = self.site_profile()
        default_base = profile.base_url if profile is not None else ""
        if not (base_url or default_base):
            raise SpiderArgumentError(f"no site profile gives a base URL: pass {self.ARGUMENTS_HELP}")
        self.base_url = (base_url or default_base).rstrip("/")
        if urlsplit(self.base_url).scheme not in ("http", "https"):
            raise SpiderArgumentError(
                f"-a base_url={base_url!r} is not an http(s) URL: e.g. -a base_url=http://127.0.0.1:8000"
            )
        self.since = parse_since(since)
        self.max_pages = parse_positive_int("max_pages", max_pages)
        self.listing_pages = 0
        self.listing_urls: set[str] = set()  # listing pages requested, as the dupe filter sees them
        # The same, as linked: sidebars and menus link each listing from every page, so most links
        # repeat one already requested, found here without canonicalizing the URL again.
        self.listing_links: set[str] = set()
        self.run_args = {
            k: str(v) for k, v in {"base_url": self.base_url, "since": since, "max_pages": max_pages}.items() if v
        }
        host = urlsplit(self.base_url).hostname or ""
        self.allowed_domains = [host]

    def site_profile(self) -> SiteProfile | None:
        """The site's profile (by ``site_key``, else the spider name); a KeyError names the known sites."""
        return get_site(self.site_key or self.name)

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> NewsSpider:
        """Build the spider, then give its site's download slot the profile's politeness."""
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.apply_politeness(crawler.settings)
        return spider

    def apply_politeness(self, settings: Settings) -> None:
        """Delay and concurrency of the profile's ``[politeness]`` for this site's download slot.

        Per slot (the host), so sites crawled side by side keep their own pace. The delay is
        skipped on 127.0.0.1 (the replicas), as AutoThrottle is: it would only slow tests down.
        """
        profile = self.site_profile()
        politeness = profile.profile.politeness if profile is not None and profile.profile else None
        if politeness is None:
            return
        slot: dict[str, Any] = {}
        if politeness.concurrency is not None:
            slot["concurrency"] = politeness.concurrency
        if politeness.download_delay is not None and not is_loopback(self.base_url):
            slot["delay"] = politeness.download_delay
        if not slot:
            return
        host = urlsplit(self.base_url).hostname or ""
        slots = dict(settings.getdict("DOWNLOAD_SLOTS"))
        slots.setdefault(host, slot)  # a -s DOWNLOAD_SLOTS entry for the host wins
        settings.set("DOWNLOAD_SLOTS", slots, priority="spider")
        logger.info("politeness for %s from the %s profile: %s", host, profile.key, slot)

    # --- outcomes -----------------------------------------------------------
    def report(self, url: str, kind: str, reason: str) -> None:
        """Log, count and keep a page-level outcome (the run recorder stores it)."""
        log = logger.info if kind == "redirect" else logger.warning
        log("%s: %s (%s)", kind, url, reason)
        self.crawler.signals.send_catch_log(signal=page_outcome, url=url, kind=kind, reason=reason)

    def on_error(self, failure: Failure) -> None:
        """Errback: a request that got no usable response after retries."""
        request = failure.request  # type: ignore[attr-defined]
        if isinstance(failure.value, GuardRefused):
            return  # the guard reported it with its reason
        response = getattr(failure.value, "response", None)
        limit = failure_kind(failure.value)
        if limit is not None:
            self.report(request.url, *limit)
        elif response is not None:
            self.report(request.url, "http_error", f"HTTP {response.status}")
        else:
            self.report(request.url, "network_error", f"{failure.type.__name__}: {failure.getErrorMessage()}")

    def check_response(self, response: Response) -> bool:
        """Report a redirect or HTTP error; True when the response can be used."""
        for source in response.meta.get("redirect_urls", []):
            self.report(source, "redirect", f"redirected to {response.url}")
        if response.status >= 400:
            self.report(response.url, "http_error", f"HTTP {response.status}")
            return False
        return True

    def allow_listing_page(self, url: str | None = None) -> bool:
        """Count one more listing page to fetch; False once ``max_pages`` is reached.

        Pass the page's ``url``: one already requested is refused without being counted (Scrapy's
        dupe filter would drop it unfetched, so it must not spend the budget of pages fetched).
        """
        if url and url in self.listing_links:
            return False
        key = canonicalize_url(url) if url else None
        if key is not None and key in self.listing_urls:
            self.listing_links.add(url)  # type: ignore[arg-type]
            return False
        if self.max_pages is not None and self.listing_pages >= self.max_pages:
            return False
        if key is not None:
            self.listing_urls.add(key)
            self.listing_links.add(url)  # type: ignore[arg-type]
        self.listing_pages += 1
        return True

    def too_old(self, published: datetime | date | None) -> bool:
        """True when ``since`` is set and the date is before it."""
        if self.since is None or published is None:
            return False
        if isinstance(published, datetime):
            published = published.astimezone(UTC).date()
        return published < self.since

    # --- articles -------------------------------------------------------------
    def parse_article(self, response: Response) -> Iterable[Any]:
        """Hand the page to the site's parser; the pipelines validate and store the record."""
        if not self.check_response(response):
            return
        html = decode_html(response.body, response.headers.get("Content-Type", b"").decode("latin-1"))
        try:
            key = self.site_key or self.name
            record = parse_article(html, response.url, site=key if key in SITES else None)
        except Exception as exc:  # a parser bug on one page must not end the crawl
            logger.exception("parser failed on %s", response.url)
            self.report(response.url, "parse_error", f"{type(exc).__name__}: {exc}")
            return
        if self.too_old(record.published_at):
            # Reached through a page without dates (feed, related link): outside the run's window.
            self.crawler.stats.inc_value("articles/too_old")
            return
        record.site = self.site_key or self.name
        record.http_status = response.status
        record.fetched_at = datetime.now(UTC)
        yield record
