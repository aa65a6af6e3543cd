"""LevantPostServer: The Levant Post replica over HTTP on 127.0.0.1, in a daemon thread.

Every request is logged (``hits`` per path and query, ``requests`` in order), robots.txt
and disallowed paths included, so a test can prove a polite crawler never asked for them.
"""

from __future__ import annotations

import logging
import time

from crawler.replica.levantpost.site import LevantPostSite
from crawler.replica.serving import Response, ThreadedSiteServer

logger = logging.getLogger(__name__)


class LevantPostServer(ThreadedSiteServer):
    """Serve a :class:`LevantPostSite` on ``host:port`` (port 0 picks a free port).

    Use as a context manager (``with LevantPostServer(site) as server: server.base_url``) or
    call :meth:`start` and :meth:`stop`.  ``delay`` seconds are waited before each response.
    """

    thread_name = "levantpost-server"

    def __init__(
        self, site: LevantPostSite | None = None, host: str = "127.0.0.1", port: int = 0, delay: float = 0.0
    ) -> None:
        super().__init__(host, port)
        if delay < 0:
            raise ValueError(f"delay must be >= 0 seconds, got {delay}")
        self.site = site if site is not None else LevantPostSite()
        self.delay = delay

    @property
    def requests(self) -> list[str]:
        """Every requested path and query, in arrival order (a copy)."""
        return self.request_log

    def respond(self, target: str) -> Response:
        """Log the request, then answer it from the site."""
        self.record(target)
        if self.delay:
            time.sleep(self.delay)
        return self.site.render(target, self.base_url)

    def _started(self) -> None:
        logger.info("The Levant Post replica serving %s (%d articles)", self.base_url, len(self.site.articles))
