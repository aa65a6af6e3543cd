"""What discovery found on a site: feeds, sitemaps, listings with their pagination, the article pattern.

Filled by the ``auto`` spider while it crawls; read by ``crawler check-site`` and ``crawler add-site``.
Pure data: no Scrapy, no network.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from crawler.discovery.links import Pagination, UrlPattern, pagination_of


@dataclass
class DiscoveryReport:
    """Discovery's findings on one site, URLs absolute."""

    start_url: str
    feeds: list[str] = field(default_factory=list)
    """Feeds that answered with at least one entry."""
    sitemaps: list[str] = field(default_factory=list)
    """Sitemaps (and indexes) that answered with at least one entry."""
    child_sitemaps: set[str] = field(default_factory=set)
    """Sitemaps named by a sitemap index."""
    robots_sitemaps: list[str] = field(default_factory=list)
    """``Sitemap:`` lines of robots.txt (a profile need not list these: they are read anyway)."""
    disallowed: list[str] = field(default_factory=list)
    """robots.txt ``Disallow:`` rules for every agent."""
    site_name: str | None = None
    """The home page's ``og:site_name`` (else its title)."""
    language: str | None = None
    """The home page's ``<html lang>``."""
    feed_urls: set[str] = field(default_factory=set)
    sitemap_urls: set[str] = field(default_factory=set)
    pattern: UrlPattern | None = None
    listings: Counter[tuple[str, str, str | None]] = field(default_factory=Counter)
    """(style, first-page path, query parameter) -> times seen on a listing page's next link."""
    home_next: bool = False
    """The home page itself links a next page."""
    articles: set[str] = field(default_factory=set)
    """URLs classified as articles."""
    not_articles: set[str] = field(default_factory=set)
    """URLs classified as not articles (listings, hubs, author and tag pages)."""

    @property
    def top_sitemaps(self) -> list[str]:
        """The sitemaps that answered and no index names (robots.txt's, or found at a usual path)."""
        return [url for url in self.sitemaps if url not in self.child_sitemaps]

    def add_next_link(self, url: str, next_url: str) -> None:
        """Remember how the listing at ``url`` pages (by its next link)."""
        pagination = pagination_of(next_url)
        if pagination is not None:
            self.listings[(pagination.style, pagination.base, pagination.param)] += 1
        elif url.rstrip("/") == self.start_url.rstrip("/"):
            self.home_next = True

    def listing_patterns(self, limit: int = 12) -> list[Pagination]:
        """The listings seen paging, most often seen first (page 1 each)."""
        return [Pagination(style, base, 1, param) for (style, base, param), _ in self.listings.most_common(limit)]

    def pagination_styles(self) -> Counter[str]:
        """How many listings page by ``path``, by ``query`` and by a plain next link."""
        styles: Counter[str] = Counter()
        for (style, _, _), n in self.listings.items():
            styles[style] += n
        return styles
