"""FeedSpider (``feed``): the articles of one RSS, Atom or JSON feed.

``scrapy crawl feed -a url=https://news.example/feed.xml``.  The site is the profile whose hosts
hold the feed's host (or ``-a site=KEY``; then the URL may be a path of its base URL), else the
bare host (key ``news_example``).  Entries older than ``-a since=`` are skipped.  Navigation only.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urljoin, urlsplit

from crawler.sites import SITES, site_for_url
from spiders.base import SpiderArgumentError
from spiders.generic import GenericNewsSpider, host_key


def resolve_site(name: str, url: str | None, site: str | None, base_url: str | None) -> tuple[str, str, str | None]:
    """``(absolute url, site key, base_url)`` of a generic spider's ``-a url=`` / ``-a site=`` pair."""
    if site is not None:
        if site not in SITES:
            known = ", ".join(sorted(SITES))
            raise SpiderArgumentError(f"-a site={site!r} is not a site profile; known sites: {known}")
        base = base_url or SITES[site].base_url
        if not url:
            raise SpiderArgumentError(f"-a {name}=URL is required (a URL or a path of {base})")
        return urljoin(base.rstrip("/") + "/", url), site, base_url
    url = GenericNewsSpider.check_url(name, url)
    profile = site_for_url(url)
    if profile is not None:
        return url, profile.key, base_url or _origin(url)
    return url, host_key(url), base_url or _origin(url)


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


class FeedSpider(GenericNewsSpider):
    """Crawl the articles one feed lists."""

    name = "feed"
    ARGUMENTS_HELP = "-a url=FEED_URL, -a site=KEY, -a base_url=URL, -a since=YYYY-MM-DD|Nd and -a max_pages=N"

    def __init__(self, url: str | None = None, site: str | None = None, base_url: str | None = None,
                 **kwargs: Any) -> None:
        self.start_url, self.site_key, base_url = resolve_site("url", url, site, base_url)
        super().__init__(base_url=base_url, **kwargs)
        self.setup_navigation()
        self.site_hosts.add((urlsplit(self.start_url).hostname or "").lower())
        self.run_args["url"] = self.start_url

    async def start(self) -> AsyncIterator[Any]:
        """The feed."""
        yield self.feed_request(self.start_url)
