"""SiteSpider (``site``): a site crawled from its profile's feeds, sitemaps and listings together.

``scrapy crawl site -a site=KEY`` (or the spider named after the key, see ``spiders.profiles``).
Listing chains page by path (``.../page/N/``), query (``?page=N``) or the page's "next" link;
``{slug}`` in a listing URL is a template whose slugs are listed in the profile or learned from
the links of fetched pages.  ``since`` stops a chain at a page whose dated teasers are all older,
and skips older feed, sitemap and teaser entries; ``max_pages`` bounds the listing pages of the
run (and leaves the whole-archive sitemaps out).  Navigation only.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterable
from datetime import datetime, timedelta, tzinfo
from typing import Any
from urllib.parse import parse_qs, urljoin, urlsplit
from zoneinfo import ZoneInfo

import scrapy
from parsel import Selector
from scrapy.http import Response
from w3lib.url import add_or_replace_parameter

from crawler.parsers.dates import parse_date
from crawler.profiles import Discovery, Listing, selector_xpath
from crawler.sites import SITES
from crawler.urls import strip_tracking
from spiders.base import SpiderArgumentError
from spiders.generic import GenericNewsSpider

NEXT_PAGE = (
    'link[rel="next"]::attr(href), a[rel="next"]::attr(href), a.next::attr(href), '
    '.pagination a.next::attr(href), a.next-page::attr(href)'
)
TEASER_LEVELS = 3
"""Ancestors of an article link searched for its teaser's ``<time>`` (the closest with exactly one wins)."""


def template_regex(template: str) -> re.Pattern[str]:
    """The path regex of a listing template: ``/category/{slug}/`` -> ``^/category/(?P<slug>[^/?#]+)/?$``."""
    path = urlsplit(template).path or "/"
    pattern = re.escape(path.rstrip("/")).replace(re.escape("{slug}"), r"(?P<slug>[^/?#]+)")
    return re.compile(f"^{pattern}/?$")


class SiteSpider(GenericNewsSpider):
    """Crawl a site from its profile: ``-a site=KEY`` (the per-key spiders set it themselves)."""

    name = "site"
    ARGUMENTS_HELP = "-a site=KEY, -a base_url=URL, -a since=YYYY-MM-DD|Nd and -a max_pages=N"

    def __init__(self, site: str | None = None, **kwargs: Any) -> None:
        if self.site_key and site and site != self.site_key:
            raise SpiderArgumentError(f"-a site={site!r}: this spider crawls {self.site_key!r}; leave -a site out")
        if not self.site_key:
            if not site:
                raise SpiderArgumentError(f"-a site=KEY is required; known sites: {', '.join(sorted(SITES))}")
            if site not in SITES:
                known = ", ".join(sorted(SITES))
                raise SpiderArgumentError(f"-a site={site!r} is not a site profile; known sites: {known}")
            self.site_key = site
        super().__init__(**kwargs)
        self.setup_navigation()
        profile = SITES[self.site_key]
        assert profile.profile is not None
        discovery = profile.profile.discovery
        if discovery is None or discovery.mode == "auto":
            raise SpiderArgumentError(
                f"site {self.site_key!r} has automatic discovery (no [discovery] in {profile.path}): "
                f"crawl it with `crawler crawl auto -a start_url={self.base_url}/`, or add [discovery] to the profile"
            )
        self.discovery: Discovery = discovery
        self.tz: tzinfo | None = ZoneInfo(profile.profile.timezone) if profile.profile.timezone else None
        self.templates = [
            (i, template_regex(listing.url)) for i, listing in enumerate(discovery.listings) if "{slug}" in listing.url
        ]
        self.chains_started: set[str] = set()
        self.listings_requested: set[str] = set()

    # --- start --------------------------------------------------------------------------
    async def start(self) -> AsyncIterator[Any]:
        """Feeds, sitemaps (robots.txt's too) unless the run is bounded, and each listing's first page."""
        for feed in self.discovery.feeds:
            yield self.feed_request(feed)
        if self.max_pages is None:
            # Sitemaps list the whole archive: no use in a run bounded to a few listing pages.
            for url in self.discovery.sitemaps:
                request = self.sitemap_request(url)
                if request is not None:
                    yield request
            if self.discovery.robots_sitemaps:
                yield self.robots_request()
        needs_hub = False
        for index, listing in enumerate(self.discovery.listings):
            if "{slug}" not in listing.url:
                request = self.start_chain(index, urljoin(self.base_url + "/", listing.url))
            elif listing.slugs:
                for slug in listing.slugs:
                    request = self.start_chain(index, urljoin(self.base_url + "/", listing.url.format(slug=slug)))
                    if request is not None:
                        yield request
                continue
            else:
                needs_hub, request = True, None
            if request is not None:
                yield request
        if needs_hub and not any(p == "/" for p in self._plain_listing_paths()):
            # Template slugs are learned from links: the home page links to the sections.
            yield scrapy.Request(f"{self.base_url}/", callback=self.parse_listing, errback=self.on_error)

    def _plain_listing_paths(self) -> list[str]:
        return [urlsplit(urljoin(self.base_url + "/", ls.url)).path or "/" for ls in self.discovery.listings
                if "{slug}" not in ls.url]

    # --- listing chains -----------------------------------------------------------------
    def start_chain(self, index: int, url: str) -> scrapy.Request | None:
        """The first page of a listing chain (each chain once per run)."""
        if url in self.chains_started:
            return None
        self.chains_started.add(url)
        return self.listing_request(url, index, first=url, page=1)

    def listing_request(
        self, url: str, index: int, first: str, page: int, probe: bool = False
    ) -> scrapy.Request | None:
        """A listing page, or None once the chain's or the run's bound is reached."""
        if page > self.discovery.max_listing_pages or url in self.listings_requested:
            return None
        if not self.allow_listing_page():
            return None
        self.listings_requested.add(url)
        meta: dict[str, Any] = {"listing": index, "first": first, "page": page, "probe": probe}
        if probe:
            meta["handle_httpstatus_list"] = [404, 410]
        return scrapy.Request(url, callback=self.parse_listing, errback=self.on_error, meta=meta)

    def page_url(self, listing: Listing, first: str, page: int) -> str | None:
        """Page ``page`` of a chain for path and query pagination."""
        if listing.pagination == "query":
            return add_or_replace_parameter(first, listing.param, str(page))
        if listing.pagination == "path":
            parts = urlsplit(first)
            return parts._replace(path=f"{parts.path.rstrip('/')}/page/{page}/").geturl()
        return None

    def page_number(self, listing: Listing, first: str, url: str) -> int | None:
        """The page number of ``url`` when it is a page (2 or more) of the chain starting at ``first``."""
        parts, head = urlsplit(url), urlsplit(first)
        if listing.pagination == "query":
            if parts.path.rstrip("/") != head.path.rstrip("/"):
                return None
            values = parse_qs(parts.query).get(listing.param)
            return int(values[0]) if values and values[0].isdigit() else None
        if listing.pagination == "path":
            match = re.fullmatch(re.escape(head.path.rstrip("/")) + r"/page/(\d+)/?", parts.path)
            return int(match[1]) if match else None
        return None

    def parse_listing(self, response: Response) -> Iterable[scrapy.Request]:
        """A listing page: its articles (older than ``since`` skipped), listings it links to, its next page."""
        probe = response.meta.get("probe", False)
        if probe and response.status in (404, 410):
            return  # probed one page past the end of a chain that does not link its pages
        if not self.check_response(response):
            return
        dated: list[datetime] = []
        new_articles = 0
        for url, published in self.article_links(response):
            if published is not None:
                dated.append(published)
            if self.too_old(published):
                self.crawler.stats.inc_value("discovery/too_old")
                continue
            new_articles += 1
            yield self.article_request(url)
        yield from self.template_links(response)
        index = response.meta.get("listing")
        if index is None:
            return  # the home page read for template slugs
        if dated and all(self.too_old(d) for d in dated):
            self.logger.info("stop paging at %s: every dated article is older than %s", response.url, self.since)
            return
        next_request = self.next_page(response, index, new_articles)
        if next_request is not None:
            yield next_request

    def next_page(self, response: Response, index: int, new_articles: int) -> scrapy.Request | None:
        """The chain's next page: the linked one, else (path/query) a probe when this page had articles."""
        listing = self.discovery.listings[index]
        first, page = response.meta["first"], response.meta["page"]
        if listing.pagination == "none":
            return None
        if listing.pagination == "next":
            href = response.css(NEXT_PAGE).get()
            if not href:
                return None
            return self.listing_request(response.urljoin(href), index, first, page + 1)
        number = page + 1 if page > 1 else listing.first_page
        url = self.page_url(listing, first, number)
        if url is None:
            return None
        hrefs = [response.urljoin(h) for h in response.css("a::attr(href)").getall()]
        linked = any(_same_page(h, url) for h in hrefs)
        # A page that links other pages of its chain but not the next one is the last page.
        links_chain = any(self.page_number(listing, first, h) is not None for h in hrefs)
        if not linked and (links_chain or not new_articles):
            return None
        return self.listing_request(url, index, first, number, probe=not linked)

    def article_links(self, response: Response) -> Iterable[tuple[str, datetime | None]]:
        """Each article link of a page once, with its teaser's date when one is near."""
        seen: set[str] = set()
        index = response.meta.get("listing")
        date_selector = self.discovery.listings[index].date if index is not None else None
        date_xpath = selector_xpath(date_selector) if date_selector else None  # relative: descendant-or-self::
        for anchor in response.css("a[href]"):
            url = strip_tracking(response.urljoin(anchor.attrib["href"])).split("#", 1)[0]
            if url in seen or not self.is_article(url):
                continue
            seen.add(url)
            yield url, self.teaser_date(anchor, date_xpath)

    def teaser_date(self, anchor: Selector, date_xpath: str | None) -> datetime | None:
        """The date of the closest ancestor of the link holding exactly one (``<time datetime>``, or the
        listing's ``date`` selector), as the end of its day: a teaser's day is the site's, not UTC's."""
        query = f"({date_xpath})" if date_xpath else ".//time/@datetime"
        for level in range(1, TEASER_LEVELS + 1):
            found = anchor.xpath(f"ancestor::*[{level}]").xpath(query)
            values = {" ".join(v.split()) for v in _strings(found)} - {""}
            if len(values) == 1:
                parsed = parse_date(values.pop(), default_tz=self.tz)
                # Day granularity: an article of that day may be up to a day later in UTC.
                return parsed + timedelta(days=1) if parsed is not None else None
            if len(values) > 1:
                return None  # this ancestor holds several teasers: no date belongs to the link
        return None

    def template_links(self, response: Response) -> Iterable[scrapy.Request]:
        """First pages of the template listings (``{slug}``) this page links to."""
        if not self.templates:
            return
        for href in response.css("a::attr(href)").getall():
            url = strip_tracking(response.urljoin(href)).split("#", 1)[0]
            if not self.on_site(url) or urlsplit(url).query:
                continue
            path = urlsplit(url).path
            for index, regex in self.templates:
                if regex.match(path):
                    request = self.start_chain(index, url)
                    if request is not None:
                        yield request


def _strings(found: list[Selector]) -> list[str]:
    return [sel.root if isinstance(sel.root, str) else " ".join(sel.xpath(".//text()").getall()) for sel in found]


def _same_page(a: str, b: str) -> bool:
    pa, pb = urlsplit(a), urlsplit(b)
    return (pa.path.rstrip("/"), sorted(pa.query.split("&"))) == (pb.path.rstrip("/"), sorted(pb.query.split("&")))
