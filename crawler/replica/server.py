"""ReplicaServer: the replica site over HTTP on 127.0.0.1, in a daemon thread.

Control endpoints (also disallowed in robots.txt, so a crawler never follows them):

- ``GET /__replica__/layout?name=redesign`` switches the article layout at runtime;
- ``GET /__replica__/delay?seconds=0.5`` sets a delay before every page response;
- ``GET /__replica__/state`` returns the layout, delay and request count as JSON.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from urllib.parse import parse_qs, urlsplit

from crawler.replica.model import LAYOUTS, ReplicaSite

logger = logging.getLogger(__name__)

CONTROL_PREFIX = "/__replica__/"


class ReplicaServer:
    """Serve a :class:`ReplicaSite` on ``host:port`` (port 0 picks a free port).

    Use as a context manager (``with ReplicaServer() as server: server.base_url``) or call
    :meth:`start` and :meth:`stop`.  ``layout`` and ``delay`` can change while serving,
    from this process (:meth:`set_layout`, :meth:`set_delay`) or over HTTP (module doc).
    """

    def __init__(
        self,
        site: ReplicaSite | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        layout: str = "standard",
        delay: float = 0.0,
    ) -> None:
        self.site = site if site is not None else ReplicaSite()
        self.host = host
        self.port = port
        self._lock = threading.Lock()
        if layout not in LAYOUTS:
            raise ValueError(f"unknown layout {layout!r}; choose one of {', '.join(LAYOUTS)}")
        self._layout = layout
        self._delay = 0.0
        self.set_delay(delay)
        self.hits: Counter[str] = Counter()
        """Requests per path (query included), control endpoints excluded."""
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

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

    # --- lifecycle ----------------------------------------------------------------

    @property
    def base_url(self) -> str:
        """``http://host:port`` of the running server (no trailing slash)."""
        if self._httpd is None:
            raise RuntimeError("the replica server is not running; call start() or use it as a context manager")
        return f"http://{self.host}:{self._httpd.server_address[1]}"

    def url(self, path: str) -> str:
        """Absolute URL of a site path (``/news/...html`` -> ``http://127.0.0.1:port/news/...html``)."""
        return self.base_url + path

    def start(self) -> ReplicaServer:
        """Bind and serve in a daemon thread; returns self."""
        if self._httpd is not None:
            return self
        self._httpd = _Server((self.host, self.port), _Handler)
        self._httpd.replica = self
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.1}, name="replica-server", daemon=True
        )
        self._thread.start()
        logger.info("replica serving %s (layout=%s)", self.base_url, self.layout)
        return self

    def stop(self) -> None:
        """Stop serving and release the port."""
        if self._httpd is None:
            return
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._httpd = None
        self._thread = None

    def serve_forever(self) -> None:
        """Serve in the calling thread until interrupted (the ``python -m crawler.replica`` CLI)."""
        self.start()
        try:
            while self._thread is not None and self._thread.is_alive():
                self._thread.join(timeout=0.5)
        finally:
            self.stop()

    def __enter__(self) -> ReplicaServer:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    # --- requests -----------------------------------------------------------------

    def respond(self, target: str) -> tuple[int, dict[str, str], bytes]:
        """Status, headers and body for a request target (path and query)."""
        parts = urlsplit(target)
        if parts.path.startswith(CONTROL_PREFIX):
            return self._control(parts.path[len(CONTROL_PREFIX):], parse_qs(parts.query))
        with self._lock:
            self.hits[target] += 1
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


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # Many crawler connections at once: a bigger accept queue avoids refused connections.
    request_queue_size = 128
    replica: ReplicaServer


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    server_version = "Apache"
    protocol_version = "HTTP/1.1"

    def _send(self, head_only: bool) -> None:
        status, headers, body = self.server.replica.respond(self.path)
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if not head_only:
            self.wfile.write(body)

    def version_string(self) -> str:
        return self.server_version

    def do_GET(self) -> None:  # noqa: N802 - the http.server naming
        self._send(head_only=False)

    def do_HEAD(self) -> None:  # noqa: N802 - the http.server naming
        self._send(head_only=True)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the http.server signature
        logger.debug("%s %s", self.address_string(), format % args)
