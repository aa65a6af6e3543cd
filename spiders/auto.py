"""``auto``: crawl any news site from its home page alone, storing only its articles.

Two phases. Discovery: the home page (``<link rel=alternate>`` feeds, its links), robots.txt
(``Sitemap:`` lines, ``Disallow:`` rules), the feeds (or the usual feed paths) and the sitemaps
(or the usual sitemap paths). When those requests are done, the article URL pattern is learned
from the feed and sitemap URLs. Crawl: every feed and sitemap URL, and the site's pages from the
home page on, listings followed through their pagination; each page is classified
(:func:`crawler.discovery.classify.classify_page`) and only articles are yielded.

Navigation only: the article decision is a pure function of the HTML and the record comes from
``crawler.parsers.parse_article``.
"""

from __future__ import annotations

import importlib.util
import logging
from collections.abc import AsyncIterator, Iterable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import scrapy
from protego import Protego
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider
from scrapy.http import Response

from crawler.args import site_key_for
from crawler.discovery.classify import classify_page
from crawler.discovery.feeds import parse_feed
from crawler.discovery.links import (
    FEED_PROBE_PATHS,
    SITEMAP_PROBE_PATHS,
    is_asset,
    learn_article_pattern,
    page_links,
    pagination_of,
    same_site,
)
from crawler.discovery.report import DiscoveryReport
from crawler.discovery.sitemaps import parse_sitemap, robots_sitemaps
from crawler.parsers import parse_article
from crawler.parsers.text import decode_html
from crawler.sites import SITES, SiteProfile, site_for_url
from crawler.trust import is_variant
from crawler.urls import canonical_url, strip_tracking
from spiders.base import NewsSpider, SpiderArgumentError, parse_positive_int, parse_since

logger = logging.getLogger(__name__)

# Priorities: discovery first, then article pages, then next pages of listings, then other pages.
DISCOVERY, ARTICLE, NEXT_PAGE, PAGE = 100, 20, 10, 0
SAMPLE_BOOST = 30
SAMPLE_SITEMAPS = 4
"""Sitemaps named by an index that a sample run reads at most (the newest by lastmod)."""
SAMPLE_PAGES = 24
"""Pages that are not article-shaped a sample run (``-a sample=N``, check-site) fetches at most."""


class AutoSpider(NewsSpider):
    """Crawl a site from ``-a start_url=URL`` (its home page), discovering everything else.

    Arguments: ``start_url`` (required), ``since`` (``YYYY-MM-DD`` or ``Nd``: skip older feed and sitemap
    entries and articles), ``max_pages`` (at most this many pages that are not article-shaped),
    ``sample`` (a sample run for ``crawler check-site``: a few listings first, about N articles; the
    caller closes the crawl after N items with ``CLOSESPIDER_ITEMCOUNT``).
    """

    name = "auto"
    profile_name: str = ""
    """Set on the spider made for a profile with automatic discovery (``crawler crawl KEY``)."""

    def __init__(
        self,
        start_url: str | None = None,
        since: str | None = None,
        max_pages: str | int | None = None,
        sample: str | int | None = None,
        **kwargs: Any,
    ) -> None:
        # base_url is what the scheduler and `crawler crawl` pass other spiders: the same thing here.
        start_url = start_url or kwargs.pop("base_url", None)
        if not start_url and self.profile_name:
            start_url = SITES[self.profile_name].base_url.rstrip("/") + "/"
        kwargs.pop("base_url", None)
        unknown = sorted(set(kwargs) - {"name", "_job"})
        if unknown:
            raise SpiderArgumentError(
                f"unknown spider argument(s) {', '.join(f'-a {k}=...' for k in unknown)}; "
                "this spider takes -a start_url=URL, -a since=YYYY-MM-DD|Nd, -a max_pages=N and -a sample=N"
            )
        if not start_url or urlsplit(start_url).scheme not in ("http", "https") or not urlsplit(start_url).hostname:
            raise SpiderArgumentError(
                f"-a start_url={start_url!r} is not an http(s) URL: give the site's home page, "
                "e.g. -a start_url=https://example.com/"
            )
        # NewsSpider.__init__ needs a registered site; this spider finds its site from the URL.
        scrapy.Spider.__init__(self, **kwargs)
        parts = urlsplit(start_url)
        self.start_url = start_url
        self.base_url = f"{parts.scheme}://{parts.netloc}"
        profile = SITES[self.profile_name] if self.profile_name else site_for_url(start_url)
        self.profile_key: str | None = profile.key if profile else None
        self.site_key = profile.key if profile else site_key_for(start_url)
        self.hosts = sorted({parts.hostname or "", *(profile.hosts if profile else ())})
        self.allowed_domains = list(self.hosts)
        self.since = parse_since(since)
        self.max_pages = parse_positive_int("max_pages", max_pages)
        self.sample = parse_positive_int("sample", sample)
        if self.sample is not None and self.max_pages is None:
            self.max_pages = SAMPLE_PAGES  # a sample explores a few listings for their pagination, no more
        self.listing_pages = 0
        args = {"start_url": start_url, "since": since, "max_pages": max_pages, "sample": sample}
        self.run_args = {k: str(v) for k, v in args.items() if v}
        self.discovery = DiscoveryReport(start_url)
        self.robots: Protego | None = None
        self.discovered = False
        self.pending_links: list[str] = []
        self.seen: set[str] = set()
        self.skip: set[str] = set()  # feeds and sitemaps: never pages

    def site_profile(self) -> SiteProfile | None:
        """The spider's profile, else the one whose hosts include the start URL's host; ``None`` without one."""
        return SITES[self.profile_name] if self.profile_name else site_for_url(self.start_url)

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> AutoSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider.spider_idle, signal=signals.spider_idle)
        return spider

    # --- discovery ------------------------------------------------------------------------
    async def start(self) -> AsyncIterator[Any]:
        """The home page and robots.txt; everything else follows from them."""
        yield self._discovery_request(self.start_url, self.parse_home)
        yield self._discovery_request(f"{self.base_url}/robots.txt", self.parse_robots, probe=True)

    def _discovery_request(self, url: str, callback: Any, probe: bool = False) -> scrapy.Request:
        self.skip.add(canonical_url(url))
        meta: dict[str, Any] = {"probe": probe}
        if probe:
            meta["handle_httpstatus_all"] = True  # a missing probe is no error of the site
        return scrapy.Request(url, callback=callback, errback=self.on_probe_error if probe else self.on_error,
                              priority=DISCOVERY, meta=meta)

    def on_probe_error(self, failure: Any) -> None:
        """A usual feed or sitemap path that did not answer: counted, not an error of the site."""
        self.crawler.stats.inc_value("auto/probe_missing")
        logger.debug("probe failed: %s", failure.request.url)

    def _probe_ok(self, response: Response) -> bool:
        if response.meta.get("probe") and response.status >= 300:
            self.crawler.stats.inc_value("auto/probe_missing")
            return False
        return self.check_response(response)

    def parse_home(self, response: Response) -> Iterable[scrapy.Request]:
        """Feeds linked by the home page (else the usual paths); its links wait for the crawl phase."""
        if not self.check_response(response):
            return
        links = page_links(self._html(response), response.url)
        self.discovery.site_name = (
            response.css('meta[property="og:site_name"]::attr(content)').get()
            or response.css("title::text").get("").strip()
            or None
        )
        self.discovery.language = response.css("html::attr(lang)").get()
        feeds = [u for u in links.feeds if same_site(u, self.hosts)] or [self.base_url + p for p in FEED_PROBE_PATHS]
        for url in feeds:
            yield self._discovery_request(url, self.parse_feed, probe=url not in links.feeds)
        for url in links.next_pages:
            self.discovery.add_next_link(response.url, url)
        self.pending_links.extend(links.next_pages + links.links)
        self.seen.add(canonical_url(response.url))

    def parse_robots(self, response: Response) -> Iterable[scrapy.Request]:
        """robots.txt: its rules (to never request a disallowed page) and its sitemaps (else the usual paths)."""
        text = response.text if self._probe_ok(response) else ""
        self.robots = Protego.parse(text)
        self.discovery.disallowed = [
            line.split(":", 1)[1].strip() for line in text.splitlines()
            if line.lower().startswith("disallow:") and line.split(":", 1)[1].strip()
        ]
        found = robots_sitemaps(text, self.base_url)
        self.discovery.robots_sitemaps = found
        for url in found or [self.base_url + p for p in SITEMAP_PROBE_PATHS]:
            yield self._discovery_request(url, self.parse_sitemap, probe=not found)

    def parse_feed(self, response: Response) -> None:
        """A feed: its entries are article URLs (the pattern is learned from them)."""
        if not self._probe_ok(response):
            return
        entries = [e for e in parse_feed(response.body, response.url) if same_site(e.url, self.hosts)]
        if not entries:
            self.crawler.stats.inc_value("auto/probe_missing" if response.meta.get("probe") else "auto/empty_feed")
            return
        self.discovery.feeds.append(response.url)
        for entry in entries:
            if not self.too_old(entry.published):
                self.discovery.feed_urls.add(strip_tracking(entry.url))

    def parse_sitemap(self, response: Response) -> Iterable[scrapy.Request]:
        """A sitemap or sitemap index: its URLs are article candidates, its children are read too."""
        if not self._probe_ok(response):
            return
        sitemap = parse_sitemap(response.body, response.url)
        if not sitemap.sitemaps and not sitemap.urls:
            self.crawler.stats.inc_value("auto/probe_missing" if response.meta.get("probe") else "auto/empty_sitemap")
            return
        self.discovery.sitemaps.append(response.url)
        children = sitemap.sitemaps
        if self.sample is not None:
            # A sample needs a few hundred article URLs for the pattern, not a big site's whole index.
            children = sorted(children, key=lambda c: c[1] or datetime.min.replace(tzinfo=UTC), reverse=True)
            children = children[: max(0, SAMPLE_SITEMAPS - len(self.discovery.child_sitemaps))]
        for url, lastmod in children:
            if same_site(url, self.hosts) and not self.too_old(lastmod):
                self.discovery.child_sitemaps.add(url)
                yield self._discovery_request(url, self.parse_sitemap)
        for entry in sitemap.urls:
            if same_site(entry.url, self.hosts) and not self.too_old(entry.news_published or entry.lastmod):
                self.discovery.sitemap_urls.add(strip_tracking(entry.url))

    def spider_idle(self) -> None:
        """Discovery done: learn the article pattern, then start the crawl phase."""
        if self.discovered:
            return
        self.discovered = True
        known = self.discovery.feed_urls | self.discovery.sitemap_urls
        self.discovery.pattern = learn_article_pattern(known, confirm=self.discovery.feed_urls)
        pattern = self.discovery.pattern
        logger.info(
            "discovery of %s: %d feed(s), %d sitemap(s), %d article URLs, article pattern %s",
            self.start_url, len(self.discovery.feeds), len(self.discovery.sitemaps), len(known),
            pattern.regex if pattern else "none",
        )
        candidates = sorted(known)
        if self.sample is not None:
            candidates = candidates[: 2 * self.sample]  # enough for the sample when a few are dropped
        for request in self._follow(candidates + self.pending_links, from_article=False):
            self.crawler.engine.crawl(request)
        raise DontCloseSpider

    # --- crawl ------------------------------------------------------------------------------
    def _follow(self, urls: Iterable[str], from_article: bool, next_pages: Iterable[str] = ()) -> Iterable[Any]:
        """Requests for the site's pages among ``urls``: article-shaped first, others unless ``from_article``."""
        nexts = {canonical_url(strip_tracking(u)) for u in next_pages}
        pattern = self.discovery.pattern
        for raw in urls:
            url = strip_tracking(raw)
            key = canonical_url(url)
            if key in self.seen or key in self.skip or not same_site(url, self.hosts) or is_asset(url):
                continue
            if self.robots is not None and not self.robots.can_fetch(url, "*"):
                self.crawler.stats.inc_value("auto/robots_disallowed")
                self.seen.add(key)
                continue
            article_shaped = pattern is not None and pattern.matches(url)
            if from_article and not article_shaped:
                continue
            if not article_shaped:
                if not self.allow_listing_page():
                    self.crawler.stats.inc_value("auto/max_pages_skipped")
                    continue
            self.seen.add(key)
            priority = ARTICLE if article_shaped else NEXT_PAGE if key in nexts else PAGE
            if self.sample is not None and not article_shaped:
                priority += SAMPLE_BOOST  # the sample's few listing pages first: they show the pagination
            yield scrapy.Request(url, callback=self.parse_page, errback=self.on_error, priority=priority,
                                 meta={"guard_article": article_shaped})

    def parse_page(self, response: Response) -> Iterable[Any]:
        """Any page of the site: store it when it is an article, follow its links either way."""
        if not self.check_response(response):
            return
        content_type = response.headers.get("Content-Type", b"").decode("latin-1").lower()
        if content_type and "html" not in content_type:
            self.crawler.stats.inc_value("auto/not_html")
            return
        html = self._html(response)
        links = page_links(html, response.url)
        self.seen.add(canonical_url(response.url))
        canonical = links.canonical
        if (canonical and same_site(canonical, self.hosts) and canonical_url(canonical) != canonical_url(response.url)
                and is_variant(response.url, canonical)):
            # An AMP twin, a print view, a tracking variant: the canonical page is the one stored.
            self.crawler.stats.inc_value("auto/canonical_elsewhere")
            yield from self._follow([canonical], from_article=False)
            if pagination_of(response.url) is None:
                return
        verdict = classify_page(html, response.url, self.discovery.pattern)
        logger.debug("%s: %s", response.url, verdict.explain())
        if verdict.is_article and (canonical_url(canonical or response.url) == canonical_url(response.url)
                                   or not is_variant(response.url, canonical or response.url)):
            # A canonical that is no form of this URL is judged by the TrustPipeline (a hijack is refused).
            self.crawler.stats.inc_value("auto/article")
            self.discovery.articles.add(response.url)
            yield from self._article(response, html)
            yield from self._follow(links.links, from_article=True)
            return
        self.crawler.stats.inc_value("auto/not_article")
        self.discovery.not_articles.add(response.url)
        if self.discovery.pattern is not None and self.discovery.pattern.matches(response.url):
            # The site's own feed or sitemap shapes call this page an article: not storing it is news.
            self.report(response.url, "not_article", verdict.explain())
        nexts = list(links.next_pages)
        current = pagination_of(response.url)
        for url in links.links:  # numbered page links without rel=next: the page after this one
            shown = pagination_of(url)
            if shown is not None and shown.page == (current.page if current else 1) + 1:
                nexts.append(url)
        for url in nexts:
            self.discovery.add_next_link(response.url, url)
        yield from self._follow(nexts + links.links, from_article=False, next_pages=nexts)

    def _article(self, response: Response, html: str) -> Iterable[Any]:
        """The page's record from the parsers (the site's own when it has a profile, else the generic one)."""
        try:
            record = parse_article(html, response.url, site=self.profile_key)
        except Exception as exc:  # a parser bug on one page must not end the crawl
            logger.exception("parser failed on %s", response.url)
            self.report(response.url, "parse_error", f"{type(exc).__name__}: {exc}")
            return
        if self.too_old(record.published_at):
            self.crawler.stats.inc_value("articles/too_old")
            return
        record.site = self.site_key
        record.http_status = response.status
        record.fetched_at = datetime.now(UTC)
        yield record

    @staticmethod
    def _html(response: Response) -> str:
        return decode_html(response.body, response.headers.get("Content-Type", b"").decode("latin-1"))


def _has_own_spider(key: str) -> bool:
    try:
        return importlib.util.find_spec(f"spiders.{key}") is not None
    except (ImportError, ValueError):
        return False


def _profile_spiders() -> dict[str, type[AutoSpider]]:
    """An ``auto`` spider named after each profile with automatic discovery (``crawler crawl KEY``, schedules)."""
    classes: dict[str, type[AutoSpider]] = {}
    for key, site in SITES.items():
        if site.profile is None or not site.profile.auto or _has_own_spider(key):
            continue
        class_name = "".join(part.capitalize() for part in key.split("_")) + "AutoSpider"
        doc = f"Crawl {site.name} from its home page with automatic discovery ({site.path})."
        classes[class_name] = type(
            class_name, (AutoSpider,), {"name": key, "profile_name": key, "__module__": __name__, "__doc__": doc}
        )
    return classes


globals().update(_profile_spiders())
