"""Downloader middlewares of the crawler.

``RobotsTxtMiddleware``: Scrapy 2.19's, fixed for requests that wait on a robots.txt another
request is already fetching.  Scrapy awaits the shared Deferred of that fetch through
``Deferred.asFuture`` (asyncio reactor), which consumes its result: the first waiter gets the
parser, every other gets ``None`` and goes through as if the site had no robots.txt
(scrapy/scrapy#6802 dropped the callback that passed the result on).  A crawl's first requests
all wait at once, so disallowed start URLs were fetched.  Each waiter here gets its own Deferred.
"""

from __future__ import annotations

from typing import Any

from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware as ScrapyRobotsTxtMiddleware
from scrapy.http import Request
from scrapy.robotstxt import RobotParser
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.defer import Deferred


class RobotsTxtMiddleware(ScrapyRobotsTxtMiddleware):
    """Scrapy's RobotsTxtMiddleware, every request waiting on a robots.txt fetch getting its parser."""

    async def robot_parser(self, request: Request) -> RobotParser | None:
        """The site's robots.txt parser (``None`` when it could not be fetched), fetched once per netloc."""
        pending = self._parsers.get(urlparse_cached(request).netloc)
        if isinstance(pending, Deferred):
            waiter: Deferred[Any] = Deferred()

            def pass_on(result: Any) -> Any:
                waiter.callback(result)
                return result  # keep the result for the next waiter

            pending.addBoth(pass_on)
            return await maybe_deferred_to_future(waiter)
        return await super().robot_parser(request)
