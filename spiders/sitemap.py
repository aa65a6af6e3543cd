"""SitemapSpider (``sitemap``): the articles of a site's sitemaps.

``scrapy crawl sitemap -a url=https://news.example/`` reads robots.txt's ``Sitemap:`` lines
(``/sitemap.xml`` when it has none); ``-a url=.../sitemap_index.xml`` starts from that sitemap.
Indexes are followed (children last modified before ``-a since=`` skipped), news sitemaps give
each article's publication date, and entries older than ``since`` (news date, else ``lastmod``)
are skipped.  The site is resolved as by ``feed``.  Navigation only.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlsplit

import scrapy

from spiders.feed import resolve_site
from spiders.generic import GenericNewsSpider


class SitemapSpider(GenericNewsSpider):
    """Crawl the articles a site's sitemaps list."""

    name = "sitemap"
    ARGUMENTS_HELP = "-a url=SITE_OR_SITEMAP_URL, -a site=KEY, -a base_url=URL, -a since=YYYY-MM-DD|Nd"

    def __init__(self, url: str | None = None, site: str | None = None, base_url: str | None = None,
                 **kwargs: Any) -> None:
        self.start_url, self.site_key, base_url = resolve_site("url", url, site, base_url)
        super().__init__(base_url=base_url, **kwargs)
        self.setup_navigation()
        self.site_hosts.add((urlsplit(self.start_url).hostname or "").lower())
        self.run_args["url"] = self.start_url

    async def start(self) -> AsyncIterator[Any]:
        """robots.txt for a site URL, else the sitemap itself."""
        if urlsplit(self.start_url).path in ("", "/"):
            yield scrapy.Request(
                f"{self.start_url.rstrip('/')}/robots.txt",
                callback=self.parse_robots,
                errback=self.on_error,
                meta={"fallback_sitemap": True},
            )
        else:
            request = self.sitemap_request(self.start_url)
            if request is not None:
                yield request
