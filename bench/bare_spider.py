"""The bare baseline of ``bench/crawl.py``: plain Scrapy following the syrianobserver crawl's URLs, extracting nothing.

It starts where the project's spider starts (home page, feed, sitemap), follows the same
article and listing links (the same patterns: first pages of listings from any page, deeper
pages by "next" links) and stores nothing: what is left is Scrapy's own cost of the crawl.
Plain Scrapy settings, with the project's concurrency, user agent and robots.txt rule.
It imports nothing from the project, so its memory and start-up are Scrapy's alone.

    python bench/bare_spider.py http://127.0.0.1:8000 --stats stats.json
"""

from __future__ import annotations

import argparse
import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy.crawler import CrawlerProcess
from scrapy.http import Response

# The syrianobserver spider's URL contract (spiders/syrianobserver.py; tests/test_bench_crawl.py keeps them equal).
ARTICLE_PATH = re.compile(r"^/[a-z0-9-]+/(?:\d+/)?[^/]+\.html$")
LISTING_PATH = re.compile(r"^/(?:category|tag)/[^/]+/?(?:page/\d+/?)?$")
DATE_ARCHIVE_PATH = re.compile(r"^/(?P<year>\d{4})/(?P<month>\d{2})/?(?:page/\d+/?)?$")
NEXT_PAGE = 'a.next::attr(href), link[rel="next"]::attr(href), a[rel="next"]::attr(href)'

SETTINGS: dict[str, Any] = {
    # The project's (crawler/settings.py), so both crawls ask the server the same way.
    "CONCURRENT_REQUESTS": 16,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 8,
    "ROBOTSTXT_OBEY": True,
    "USER_AGENT": "news-monitor-crawler/0.1 (+https://github.com/; news monitoring)",
    "AUTOTHROTTLE_ENABLED": False,  # the project turns it off on 127.0.0.1 too (crawler/runner.py)
    "HTTPERROR_ALLOWED_CODES": [404, 410],
    "TELNETCONSOLE_ENABLED": False,
    "LOG_LEVEL": "ERROR",
    "REQUEST_FINGERPRINTER_IMPLEMENTATION": "2.7",
}


class BareSpider(scrapy.Spider):
    """Follow the syrianobserver crawl's listing and article URLs; count article pages, keep nothing."""

    name = "bare"

    def __init__(self, base_url: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.base_url = base_url.rstrip("/")
        self.host = urlsplit(self.base_url).hostname

    async def start(self) -> Any:
        """Home page, feed and sitemap, as the project's spider starts."""
        yield scrapy.Request(f"{self.base_url}/", callback=self.parse_listing)
        yield scrapy.Request(f"{self.base_url}/feed/", callback=self.parse_feed)
        yield scrapy.Request(f"{self.base_url}/sitemap.xml", callback=self.parse_sitemap)

    def _path(self, url: str) -> str | None:
        parts = urlsplit(url)
        return parts.path if parts.hostname == self.host else None

    def is_article(self, url: str) -> bool:
        """An article URL of the site."""
        path = self._path(url)
        return bool(path and ARTICLE_PATH.match(path))

    def is_listing(self, url: str) -> bool:
        """A category, tag or date-archive listing of the site."""
        path = self._path(url)
        return bool(path and (LISTING_PATH.match(path) or DATE_ARCHIVE_PATH.match(path)))

    def article_request(self, url: str) -> scrapy.Request:
        """An article page, fragment and query dropped as the project's spider strips tracking."""
        return scrapy.Request(url.split("#", 1)[0].split("?", 1)[0], callback=self.parse_article)

    def parse_listing(self, response: Response) -> Iterable[scrapy.Request]:
        """Every article and first listing page linked, then the next page."""
        for href in response.css("a::attr(href)").getall():
            url = response.urljoin(href)
            if self.is_article(url):
                yield self.article_request(url)
            elif self.is_listing(url) and "/page/" not in url:
                yield scrapy.Request(url, callback=self.parse_listing)
        next_href = response.css(NEXT_PAGE).get()
        if next_href:
            yield scrapy.Request(response.urljoin(next_href), callback=self.parse_listing)

    def parse_article(self, response: Response) -> None:
        """Count the page; extract nothing."""
        if response.status == 200:
            self.crawler.stats.inc_value("bare/articles")

    def parse_feed(self, response: Response) -> Iterable[scrapy.Request]:
        """The feed's article links."""
        response.selector.remove_namespaces()
        for link in response.xpath("//item/link/text()").getall():
            if self.is_article(link.strip()):
                yield self.article_request(link.strip())

    def parse_sitemap(self, response: Response) -> Iterable[scrapy.Request]:
        """The sitemap's article links."""
        response.selector.remove_namespaces()
        for loc in response.xpath("//url/loc/text()").getall():
            if self.is_article(loc.strip()):
                yield self.article_request(loc.strip())


def crawl(base_url: str) -> dict[str, Any]:
    """Crawl ``base_url`` in this process (once: Twisted's reactor does not restart); return Scrapy's stats."""
    process = CrawlerProcess(SETTINGS, install_root_handler=True)
    crawler = process.create_crawler(BareSpider)
    process.crawl(crawler, base_url=base_url)
    process.start()
    return dict(crawler.stats.get_stats())


def main(argv: list[str] | None = None) -> int:
    """Crawl the given site and write the page counts as JSON."""
    parser = argparse.ArgumentParser(description="Bare Scrapy baseline crawl of a replica (bench/crawl.py).")
    parser.add_argument("base_url", help="the replica's base URL, e.g. http://127.0.0.1:8000")
    parser.add_argument("--stats", metavar="PATH", help="write {pages, articles} as JSON here")
    args = parser.parse_args(argv)
    stats = crawl(args.base_url)
    figures = {"pages": stats.get("response_received_count", 0), "articles": stats.get("bare/articles", 0)}
    if args.stats:
        Path(args.stats).write_text(json.dumps(figures) + "\n", encoding="utf-8")
    else:
        print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
