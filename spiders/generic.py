"""GenericNewsSpider: feed, sitemap and robots.txt navigation shared by the generic spiders.

Navigation only.  Which URLs are articles: the profile's ``article_pattern`` on the URL path
(on the site's hosts); without a pattern, any URL of the site a feed or sitemap lists.
Documents are read by the pure helpers of :mod:`crawler.discovery`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import urljoin, urlsplit

import scrapy
from scrapy.http import Response

from crawler.discovery.feeds import parse_feed
from crawler.discovery.sitemaps import parse_sitemap, robots_sitemaps
from crawler.sites import SITES, SiteProfile
from crawler.urls import strip_tracking
from spiders.base import NewsSpider, SpiderArgumentError

REDIRECT_CODES = [301, 302, 303, 307, 308]


def host_key(url: str) -> str:
    """A site key for a host without a profile: ``news.example.org`` -> ``news_example_org``."""
    host = (urlsplit(url).hostname or "").lower().removeprefix("www.")
    return re.sub(r"[^a-z0-9]+", "_", host).strip("_") or "unknown"


class GenericNewsSpider(NewsSpider):
    """Base of ``site``, ``feed`` and ``sitemap``: the site is a profile key, or a bare host."""

    def site_profile(self) -> SiteProfile | None:
        """The profile of ``site_key`` when there is one (generic spiders also run without)."""
        return SITES.get(self.site_key) if self.site_key else None

    def setup_navigation(self) -> None:
        """Article pattern and hosts from the profile (call after ``NewsSpider.__init__``)."""
        profile = self.site_profile()
        discovery = profile.profile.discovery if profile is not None and profile.profile else None
        pattern = discovery.article_pattern if discovery is not None else None
        self.article_re: re.Pattern[str] | None = re.compile(pattern) if pattern else None
        hosts = {urlsplit(self.base_url).hostname or ""}
        if profile is not None and not self.run_args.get("base_url"):
            hosts |= set(profile.hosts)
        self.site_hosts = {h.lower() for h in hosts if h}
        self.sitemaps_seen: set[str] = set()

    @staticmethod
    def check_url(name: str, value: str | None) -> str:
        """An http(s) URL argument (``-a url=...``)."""
        if not value:
            raise SpiderArgumentError(f"-a {name}=URL is required, e.g. -a {name}=https://news.example/feed.xml")
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise SpiderArgumentError(f"-a {name}={value!r} is not an http(s) URL: e.g. -a {name}=https://news.example/")
        return value

    # --- URL classification -------------------------------------------------------------
    def on_site(self, url: str) -> bool:
        """True for a URL on one of the site's hosts."""
        host = (urlsplit(url).hostname or "").lower()
        return host in self.site_hosts or host.removeprefix("www.") in self.site_hosts

    def is_article(self, url: str) -> bool:
        """An article URL: on the site and matching ``article_pattern`` (any site URL without one)."""
        if not self.on_site(url):
            return False
        if self.article_re is None:
            return True
        return bool(self.article_re.search(urlsplit(url).path))

    def article_request(self, url: str, **meta: Any) -> scrapy.Request:
        """A request for an article page, tracking parameters and fragment removed."""
        return scrapy.Request(
            strip_tracking(url),
            callback=self.parse_article,
            errback=self.on_error,
            # Redirects of article URLs come to the spider: each is recorded, then followed.
            meta={"handle_httpstatus_list": REDIRECT_CODES, **meta},
        )

    def parse_article(self, response: Response) -> Iterable[Any]:
        """Follow (and record) an article's redirect, else hand the page to the parser."""
        if response.status in REDIRECT_CODES:
            location = response.headers.get("Location", b"").decode("latin-1")
            target = response.urljoin(location) if location else ""
            self.report(response.url, "redirect", f"HTTP {response.status} to {target or '(no Location)'}")
            if target and self.is_article(target):
                yield self.article_request(target)
            return
        yield from super().parse_article(response)

    # --- feeds ----------------------------------------------------------------------------
    def feed_request(self, url: str) -> scrapy.Request:
        """A request for an RSS, Atom or JSON feed."""
        return scrapy.Request(urljoin(self.base_url + "/", url), callback=self.parse_feed, errback=self.on_error)

    def parse_feed(self, response: Response) -> Iterable[scrapy.Request]:
        """A feed: its entries that are articles, those older than ``since`` skipped."""
        if not self.check_response(response):
            return
        entries = parse_feed(response.body, response.url)
        if not entries:
            self.report(response.url, "parse_error", "not a readable RSS, Atom or JSON feed (no entries)")
            return
        for entry in entries:
            if self.too_old(entry.published):
                self.crawler.stats.inc_value("discovery/too_old")
                continue
            if self.is_article(entry.url):
                yield self.article_request(entry.url)

    # --- sitemaps ---------------------------------------------------------------------------
    def robots_request(self) -> scrapy.Request:
        """robots.txt, for its ``Sitemap:`` lines."""
        return scrapy.Request(f"{self.base_url}/robots.txt", callback=self.parse_robots, errback=self.on_error)

    def parse_robots(self, response: Response) -> Iterable[scrapy.Request]:
        """The sitemaps robots.txt names (or ``/sitemap.xml`` when ``fallback_sitemap`` and it names none)."""
        found = robots_sitemaps(response.body, response.url) if response.status < 400 else []
        if not found and response.meta.get("fallback_sitemap"):
            found = [f"{self.base_url}/sitemap.xml"]
        for url in found:
            request = self.sitemap_request(url)
            if request is not None:
                yield request

    def sitemap_request(self, url: str) -> scrapy.Request | None:
        """A request for a sitemap or sitemap index (each one once per run)."""
        url = urljoin(self.base_url + "/", url)
        if url in self.sitemaps_seen:
            return None
        self.sitemaps_seen.add(url)
        return scrapy.Request(url, callback=self.parse_sitemap, errback=self.on_error)

    def parse_sitemap(self, response: Response) -> Iterable[scrapy.Request]:
        """A sitemap index (its children, those last modified before ``since`` skipped) or a urlset."""
        if not self.check_response(response):
            return
        sitemap = parse_sitemap(response.body, response.url)
        if not sitemap.sitemaps and not sitemap.urls:
            self.report(response.url, "parse_error", "not a readable sitemap (no <url> or <sitemap> entries)")
            return
        for loc, lastmod in sitemap.sitemaps:
            if self.too_old(lastmod):
                continue
            request = self.sitemap_request(loc)
            if request is not None:
                yield request
        for entry in sitemap.urls:
            if self.too_old(entry.published):
                self.crawler.stats.inc_value("discovery/too_old")
                continue
            if self.is_article(entry.url):
                yield self.article_request(entry.url)
