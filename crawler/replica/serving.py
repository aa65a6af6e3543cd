"""The HTTP machinery every replica server shares: a threaded server on 127.0.0.1 and a request log.

A replica server subclasses :class:`ThreadedSiteServer` and implements :meth:`respond`
(``target`` -> status, headers, body); this module binds the port, runs the server in a
daemon thread, answers GET and HEAD, and offers :meth:`record` to count a request.
Every 200 page carries an ``ETag`` (a fingerprint of its bytes; ``Last-Modified`` where the site
gives one), and a conditional request whose validators match gets ``304 Not Modified`` (set
``conditional = False`` for a server that ignores them).
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections import Counter
from email.message import Message
from email.utils import parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Self

logger = logging.getLogger(__name__)

Response = tuple[int, dict[str, str], bytes]


class ThreadedSiteServer:
    """Serve :meth:`respond`'s answers on ``host:port`` (port 0 picks a free port) in a daemon thread.

    Use as a context manager or call :meth:`start` and :meth:`stop`.  ``hits`` counts the
    targets (path and query) a subclass passed to :meth:`record`; ``request_log`` keeps them in order.
    """

    thread_name = "site-server"
    """Name of the serving thread (shows in thread dumps)."""
    handler_class: type[BaseHTTPRequestHandler] | None = None
    """The request handler (default: answer :meth:`respond`); a server that misbehaves on purpose sets its own."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.host = host
        self.port = port
        self._lock = threading.Lock()
        self.hits: Counter[str] = Counter()
        """Requests per target (path and query included)."""
        self._log: list[str] = []
        self.conditional = True
        """Answer 304 to a conditional request whose ETag or Last-Modified matches (False: always send the page)."""
        self.not_modified: Counter[str] = Counter()
        """304 answers per target."""
        self._httpd: _Server | None = None
        self._thread: threading.Thread | None = None

    # --- request log ----------------------------------------------------------------

    def record(self, target: str) -> None:
        """Count one request for ``target`` (path and query) in ``hits`` and the ordered log."""
        with self._lock:
            self.hits[target] += 1
            self._log.append(target)

    def count_not_modified(self, target: str) -> None:
        """Count one 304 answer for ``target``."""
        with self._lock:
            self.not_modified[target] += 1

    @property
    def request_log(self) -> list[str]:
        """Every recorded target, in arrival order (a copy)."""
        with self._lock:
            return list(self._log)

    # --- lifecycle ----------------------------------------------------------------

    @property
    def base_url(self) -> str:
        """``http://host:port`` of the running server (no trailing slash)."""
        if self._httpd is None:
            raise RuntimeError("the replica server is not running; call start() or use it as a context manager")
        return f"http://{self.host}:{self._httpd.server_address[1]}"

    def url(self, path: str) -> str:
        """Absolute URL of a site path (``/news/1-a`` -> ``http://127.0.0.1:port/news/1-a``)."""
        return self.base_url + path

    def start(self) -> Self:
        """Bind and serve in a daemon thread; returns self."""
        if self._httpd is not None:
            return self
        self._httpd = _Server((self.host, self.port), self.handler_class or _Handler)
        self._httpd.replica = self
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.1}, name=self.thread_name, daemon=True
        )
        self._thread.start()
        self._started()
        return self

    def _started(self) -> None:
        """Hook run once the server is bound (subclasses log what they serve)."""
        logger.info("%s serving %s", type(self).__name__, self.base_url)

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
        """Serve in the calling thread until interrupted (the ``python -m crawler.replica...`` CLIs)."""
        self.start()
        try:
            while self._thread is not None and self._thread.is_alive():
                self._thread.join(timeout=0.5)
        finally:
            self.stop()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    # --- requests -------------------------------------------------------------------

    def respond(self, target: str) -> Response:
        """Status, headers and body for a request target (path and query); subclasses implement it."""
        raise NotImplementedError


def entity_tag(body: bytes) -> str:
    """A strong ETag of the page: a fingerprint of its bytes (any change of the page changes it)."""
    return '"' + hashlib.sha1(body, usedforsecurity=False).hexdigest()[:20] + '"'


def not_modified(request_headers: Message, response_headers: dict[str, str]) -> bool:
    """True when the request's validators match the page (RFC 9110: If-None-Match wins over If-Modified-Since)."""
    if_none_match = request_headers.get("If-None-Match")
    if if_none_match is not None:
        tags = {t.strip().removeprefix("W/") for t in if_none_match.split(",")}
        return "*" in tags or response_headers.get("ETag", "").removeprefix("W/") in tags
    since, modified = request_headers.get("If-Modified-Since"), response_headers.get("Last-Modified")
    if not since or not modified:
        return False
    try:
        return parsedate_to_datetime(modified) <= parsedate_to_datetime(since)
    except (TypeError, ValueError):
        return False  # an unreadable date: send the page


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # Many crawler connections at once: a bigger accept queue avoids refused connections.
    request_queue_size = 128
    replica: ThreadedSiteServer


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    server_version = "Apache"
    protocol_version = "HTTP/1.1"

    def _send(self, head_only: bool) -> None:
        replica = self.server.replica
        status, headers, body = replica.respond(self.path)
        if status == 200 and replica.conditional:
            headers = {**headers}
            headers.setdefault("ETag", entity_tag(body))
            if not_modified(self.headers, headers):
                replica.count_not_modified(self.path)
                self.send_response(304)
                for name in ("ETag", "Last-Modified"):
                    if name in headers:
                        self.send_header(name, headers[name])
                self.end_headers()
                return
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
