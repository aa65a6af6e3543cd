"""ReplicaServer: the replica site over HTTP on 127.0.0.1, in a daemon thread.

Control endpoints (also disallowed in robots.txt, so a crawler never follows them):

- ``GET /__replica__/layout?name=redesign`` switches the article layout at runtime;
- ``GET /__replica__/delay?seconds=0.5`` sets a delay before every page response;
- ``GET /__replica__/state`` returns the layout, delay and request count as JSON.
"""

from __future__ import annotations

import json
import logging
import time
from urllib.parse import parse_qs, urlsplit

from crawler.replica.model import LAYOUTS, ReplicaSite
from crawler.replica.serving import ThreadedSiteServer

logger = logging.getLogger(__name__)

CONTROL_PREFIX = "/__replica__/"


class ReplicaServer(ThreadedSiteServer):
    """Serve a :class:`ReplicaSite` on ``host:port`` (port 0 picks a free port).

    Use as a context manager (``with ReplicaServer() as server: server.base_url``) or call
    :meth:`start` and :meth:`stop`.  ``layout`` and ``delay`` can change while serving,
    from this process (:meth:`set_layout`, :meth:`set_delay`) or over HTTP (module doc).
    ``hits`` counts page requests per path (query included), control endpoints excluded.
    """

    thread_name = "replica-server"

    def __init__(
        self,
        site: ReplicaSite | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        layout: str = "standard",
        delay: float = 0.0,
    ) -> None:
        super().__init__(host, port)
        self.site = site if site is not None else ReplicaSite()
        if layout not in LAYOUTS:
            raise ValueError(f"unknown layout {layout!r}; choose one of {', '.join(LAYOUTS)}")
        self._layout = layout
        self._delay = 0.0
        self.set_delay(delay)

    # --- state ------------------------------------------------------------------

    @property
    def layout(self) -> str:
        """The article layout currently served."""
        return self._layout

    @property
    def delay(self) -> float:
        """Seconds each page response waits before being sent."""
        return self._delay

    def set_layout(self, name: str) -> None:
        """Switch the article layout (``standard`` or ``redesign``) for the next requests."""
        if name not in LAYOUTS:
            raise ValueError(f"unknown layout {name!r}; choose one of {', '.join(LAYOUTS)}")
        with self._lock:
            self._layout = name
        logger.info("replica layout set to %s", name)

    def set_delay(self, seconds: float) -> None:
        """Delay every page response by ``seconds`` (0 disables)."""
        if seconds < 0:
            raise ValueError("delay must be >= 0")
        with self._lock:
            self._delay = float(seconds)

    @property
    def requests(self) -> int:
        """Total page requests served so far."""
        with self._lock:
            return sum(self.hits.values())

    def _started(self) -> None:
        logger.info("replica serving %s (layout=%s)", self.base_url, self.layout)

    # --- requests -----------------------------------------------------------------

    def respond(self, target: str) -> tuple[int, dict[str, str], bytes]:
        """Status, headers and body for a request target (path and query)."""
        parts = urlsplit(target)
        if parts.path.startswith(CONTROL_PREFIX):
            return self._control(parts.path[len(CONTROL_PREFIX):], parse_qs(parts.query))
        self.record(target)
        with self._lock:
            layout, delay = self._layout, self._delay
        if delay:
            time.sleep(delay)
        status, headers, body = self.site.render(parts.path, self.base_url, layout)
        return status, dict(headers), body

    def _control(self, action: str, query: dict[str, list[str]]) -> tuple[int, dict[str, str], bytes]:
        try:
            if action == "layout" and "name" in query:
                self.set_layout(query["name"][0])
            elif action == "delay" and "seconds" in query:
                self.set_delay(float(query["seconds"][0]))
            elif action != "state":
                raise ValueError("use __replica__/layout?name=..., __replica__/delay?seconds=... or __replica__/state")
        except ValueError as exc:
            return 400, {"Content-Type": "text/plain; charset=UTF-8"}, f"{exc}\n".encode()
        state = {"layout": self.layout, "delay": self.delay, "requests": self.requests, "layouts": list(LAYOUTS)}
        return 200, {"Content-Type": "application/json; charset=UTF-8"}, json.dumps(state).encode()
