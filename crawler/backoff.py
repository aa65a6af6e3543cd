"""Retries that wait: Scrapy's RetryMiddleware with exponential backoff and Retry-After honoured (bounded).

Scrapy retries a 5xx, a timeout or a reset connection at once: a server that asks for a few seconds
(``503`` + ``Retry-After: 5``) gets its three attempts within a second and the page is lost.  Here the
retry request is returned only after a pause: the response's ``Retry-After`` (seconds or an HTTP date),
at most ``RETRY_AFTER_MAX_SECONDS``; else ``RETRY_BACKOFF_SECONDS`` doubled per retry, at most
``RETRY_BACKOFF_MAX_SECONDS``.  The pause holds no download slot of the site: other pages go on.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.http import Response
from scrapy.utils.defer import deferred_to_future

logger = logging.getLogger(__name__)


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds a ``Retry-After`` header asks for (delta-seconds or an HTTP date), None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def backoff_seconds(retry_number: int, base: float, cap: float) -> float:
    """The pause before retry ``retry_number`` (1 for the first): ``base`` doubled each time, at most ``cap``."""
    return min(cap, base * 2 ** max(0, retry_number - 1))


class BackoffRetryMiddleware(RetryMiddleware):
    """RetryMiddleware whose retries wait (module docstring); the retried request keeps its meta."""

    def __init__(self, settings: Any) -> None:
        super().__init__(settings)
        self.base = settings.getfloat("RETRY_BACKOFF_SECONDS")
        self.cap = settings.getfloat("RETRY_BACKOFF_MAX_SECONDS")
        self.retry_after_cap = settings.getfloat("RETRY_AFTER_MAX_SECONDS")

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> BackoffRetryMiddleware:
        middleware = cls(crawler.settings)
        middleware.crawler = crawler
        return middleware

    def pause_for(self, retry: Request, response: Response | None) -> float:
        """Seconds to wait before ``retry``: the server's Retry-After (bounded), else the backoff."""
        if response is not None:
            header = response.headers.get("Retry-After")
            asked = retry_after_seconds(header.decode("latin-1") if header else None)
            if asked is not None:
                if asked > self.retry_after_cap:
                    logger.info("%s asks to retry after %.0fs; waiting the maximum %.0fs (RETRY_AFTER_MAX_SECONDS)",
                                retry.url, asked, self.retry_after_cap)
                self.crawler.stats.inc_value("retry/retry_after")
                return min(asked, self.retry_after_cap)
        return backoff_seconds(retry.meta.get("retry_times", 1), self.base, self.cap)

    async def _wait(self, seconds: float) -> None:
        if seconds <= 0:
            return
        from twisted.internet import reactor, task

        await deferred_to_future(task.deferLater(reactor, seconds, lambda: None))

    async def process_response(  # type: ignore[override]
        self, request: Request, response: Response, spider: Any = None
    ) -> Request | Response:
        """Scrapy's decision; a retry comes back after its pause."""
        result = super().process_response(request, response)
        if isinstance(result, Request):
            await self._wait(self.pause_for(result, response))
        return result

    async def process_exception(  # type: ignore[override]
        self, request: Request, exception: Exception, spider: Any = None
    ) -> Request | Response | None:
        """Scrapy's decision for a timeout or lost connection; a retry comes back after its pause."""
        result = super().process_exception(request, exception)
        if isinstance(result, Request):
            await self._wait(self.pause_for(result, None))
        return result
