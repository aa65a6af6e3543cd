"""The Syrian Observer (a WordPress site): listings, feed and sitemap to article pages.

Navigation only: which URLs are articles, which are listings, where the next page is.
Article pages go to the site parser through NewsSpider.parse_article.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterable
from datetime import date
from functools import cached_property
from typing import Any
from urllib.parse import urljoin, urlsplit

import scrapy
from scrapy.http import Response

from crawler.urls import strip_tracking
from spiders.base import NewsSpider

REDIRECT_CODES = [301, 302, 303, 307, 308]


class SyrianObserverSpider(NewsSpider):
    """Crawl syrianobserver.com, or its replica with ``-a base_url=http://127.0.0.1:PORT``."""

    name = "syrianobserver"
    site_key = "syrianobserver"

    # The site's URL contract (see shared/site-model.md).
    ARTICLE_PATH = re.compile(r"^/[a-z0-9-]+/(?:\d+/)?[^/]+\.html$")
    LISTING_PATH = re.compile(r"^/(?:category|tag)/[^/]+/?(?:page/\d+/?)?$")
    DATE_ARCHIVE_PATH = re.compile(r"^/(?P<year>\d{4})/(?P<month>\d{2})/?(?:page/\d+/?)?$")
    NEXT_PAGE = 'a.next::attr(href), link[rel="next"]::attr(href), a[rel="next"]::attr(href)'
    LISTING_ITEM = "main article, .site-main article"
    LISTING_ITEM_LINK = ".entry-title a::attr(href), a[rel=bookmark]::attr(href)"
    LISTING_ITEM_DATE = "time::attr(datetime)"

    async def start(self) -> AsyncIterator[Any]:
        """Home page (listing links), feed and, unless the run is bounded, the sitemap."""
        yield scrapy.Request(f"{self.base_url}/", callback=self.parse_home, errback=self.on_error)
        yield scrapy.Request(f"{self.base_url}/feed/", callback=self.parse_feed, errback=self.on_error)
        if self.max_pages is None:
            # The sitemap lists the whole archive in one page: no use in a bounded run.
            yield scrapy.Request(f"{self.base_url}/sitemap.xml", callback=self.parse_sitemap, errback=self.on_error)

    # --- URL classification ---------------------------------------------------
    def _local_path(self, url: str) -> str | None:
        parts = urlsplit(url)
        if parts.hostname != self._base_host:
            return None
        return parts.path

    @cached_property
    def _base_host(self) -> str | None:
        return urlsplit(self.base_url).hostname

    def is_article(self, url: str) -> bool:
        """True for an article URL: /{category}/{id}/{slug}.html or /{category}/{slug}.html."""
        path = self._local_path(url)
        return bool(path and self.ARTICLE_PATH.match(path))

    def is_listing(self, url: str) -> bool:
        """True for a category, tag or date-archive listing page."""
        path = self._local_path(url)
        return bool(path and (self.LISTING_PATH.match(path) or self.DATE_ARCHIVE_PATH.match(path)))

    def archive_too_old(self, url: str) -> bool:
        """A date archive whose whole month is before ``since``."""
        match = self.DATE_ARCHIVE_PATH.match(self._local_path(url) or "")
        if not match or self.since is None:
            return False
        year, month = int(match["year"]), int(match["month"])
        last_day = date(year + month // 12, month % 12 + 1, 1)
        return last_day <= self.since

    def article_request(self, url: str) -> scrapy.Request:
        """A request for an article page, tracking parameters and fragment removed."""
        return scrapy.Request(
            strip_tracking(url),
            callback=self.parse_article,
            errback=self.on_error,
            # Redirects of article URLs come to the spider, so each one is recorded even when
            # the target was already fetched (the dupe filter would otherwise hide it).
            meta={"handle_httpstatus_list": REDIRECT_CODES},
        )

    def listing_request(self, url: str) -> scrapy.Request | None:
        """A request for a listing page, or None when the run's bounds say stop."""
        if self.archive_too_old(url) or not self.allow_listing_page(url):
            return None
        return scrapy.Request(url, callback=self.parse_listing, errback=self.on_error)

    # --- callbacks ------------------------------------------------------------
    def parse_article(self, response: Response) -> Iterable[Any]:
        """Follow an article's redirect (recorded), else hand the page to the parser."""
        if response.status in REDIRECT_CODES:
            location = response.headers.get("Location", b"").decode("latin-1")
            target = response.urljoin(location) if location else ""
            self.report(response.url, "redirect", f"HTTP {response.status} to {target or '(no Location)'}")
            if target and self.is_article(target):
                yield self.article_request(target)
            return
        yield from super().parse_article(response)

    def parse_home(self, response: Response) -> Iterable[scrapy.Request]:
        """The home page: every listing it links to, and any article."""
        if not self.check_response(response):
            return
        yield from self._follow_links(response)

    def parse_listing(self, response: Response) -> Iterable[scrapy.Request]:
        """A listing page: its articles (those older than ``since`` skipped), other listings, the next page."""
        if not self.check_response(response):
            return
        dates: list[date] = []
        skipped: set[str] = set()
        for entry in response.css(self.LISTING_ITEM):
            href, stamp = entry.css(self.LISTING_ITEM_LINK).get(), entry.css(self.LISTING_ITEM_DATE).get("")
            try:
                published = date.fromisoformat(stamp[:10])
            except ValueError:
                continue
            dates.append(published)
            if href and self.too_old(published):
                skipped.add(response.urljoin(href))
        yield from self._follow_links(response, skip=skipped)
        if dates and all(self.too_old(d) for d in dates):
            self.logger.info("stop paging at %s: every article is older than %s", response.url, self.since)
            return
        next_href = response.css(self.NEXT_PAGE).get()
        if next_href:
            request = self.listing_request(response.urljoin(next_href))
            if request is not None:
                yield request

    def _follow_links(self, response: Response, skip: set[str] | None = None) -> Iterable[scrapy.Request]:
        for href in response.css("a::attr(href)").getall():
            url = response.urljoin(href)
            if skip and url in skip:
                continue
            if self.is_article(url):
                yield self.article_request(url)
            elif self.is_listing(url) and "/page/" not in url:
                # Only first pages here: deeper pages are reached by "next" links, counted by max_pages.
                request = self.listing_request(url)
                if request is not None:
                    yield request

    def parse_feed(self, response: Response) -> Iterable[scrapy.Request]:
        """RSS: the newest articles."""
        if not self.check_response(response):
            return
        response.selector.remove_namespaces()
        for item in response.xpath("//item"):
            link = item.xpath("link/text()").get("").strip()
            published = item.xpath("pubDate/text()").get()
            if self.since and published and self._feed_date_too_old(published):
                continue
            if link and self.is_article(urljoin(self.base_url, link)):
                yield self.article_request(urljoin(self.base_url, link))

    def _feed_date_too_old(self, value: str) -> bool:
        from email.utils import parsedate_to_datetime

        try:
            return self.too_old(parsedate_to_datetime(value))
        except (TypeError, ValueError):
            return False

    def parse_sitemap(self, response: Response) -> Iterable[scrapy.Request]:
        """sitemap.xml (or a sitemap index): every article, filtered by ``since`` on lastmod."""
        if not self.check_response(response):
            return
        response.selector.remove_namespaces()
        for loc in response.xpath("//sitemap/loc/text()").getall():
            yield scrapy.Request(loc.strip(), callback=self.parse_sitemap, errback=self.on_error)
        for entry in response.xpath("//url"):
            loc = entry.xpath("loc/text()").get("").strip()
            lastmod = entry.xpath("lastmod/text()").get("")
            if lastmod[:10] and self.since:
                try:
                    if self.too_old(date.fromisoformat(lastmod[:10])):
                        continue
                except ValueError:
                    pass
            if loc and self.is_article(loc):
                yield self.article_request(loc)
