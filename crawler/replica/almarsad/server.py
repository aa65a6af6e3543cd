"""AlMarsadServer: the Al-Marsad replica over HTTP on 127.0.0.1, in a daemon thread (every request logged)."""

from __future__ import annotations

import logging

from crawler.replica.almarsad.site import AlMarsadSite
from crawler.replica.serving import Response, ThreadedSiteServer

logger = logging.getLogger(__name__)


class AlMarsadServer(ThreadedSiteServer):
    """Serve an :class:`AlMarsadSite` on ``host:port`` (port 0 picks a free port); a context manager."""

    thread_name = "almarsad-server"

    def __init__(self, site: AlMarsadSite | None = None, host: str = "127.0.0.1", port: int = 0) -> None:
        super().__init__(host, port)
        self.site = site if site is not None else AlMarsadSite()

    @property
    def requests(self) -> list[str]:
        """Every requested path and query, in arrival order (a copy)."""
        return self.request_log

    def respond(self, target: str) -> Response:
        """Log the request, then answer it from the site."""
        self.record(target)
        return self.site.render(target, self.base_url)

    def _started(self) -> None:
        logger.info("Al-Marsad replica serving %s (%d articles)", self.base_url, len(self.site.articles))
