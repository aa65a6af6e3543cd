"""HostileServer: the replica of The Syrian Observer with a hostile web mixed in, on 127.0.0.1.

Next to a normal replica (its articles, listings, feed and special cases) it serves, in the site's
own URL scheme (so both ``crawler crawl syrianobserver -a base_url=...`` and ``crawler crawl auto
-a start_url=...`` meet them, linked from the home page and the sitemap):

- extra articles a crawl must store once, intact: one behind ``503 + Retry-After``, one behind a reset
  connection, one behind two 500s, one that stalls once past the download timeout, one in
  windows-1256 whose HTTP header says UTF-8 (its ``<meta charset>`` is right), one followed by 3 MB of
  comments, one declaring another stored article as its canonical, one declaring an off-site canonical;
- pages a crawl must refuse, each with a counted event: 60 MB streamed, a gzip bomb, a 200 database
  error page, a permanent 500, a page that never answers, a redirect off the site, an endless redirect
  chain to fresh URLs;
- traps (:data:`crawler.replica.hostile_pages.TRAP_PREFIXES`): endless pagination, an endless calendar
  dated today, session ids, repeated path segments, a growing query string, a 5,000-link farm, a
  sitemap index that lists itself and an endless chain of fresh sitemap indexes, XML entity bombs (a
  sitemap and a feed);
- with ``deep_pages=N`` a category of N listing pages, one new story each, reachable only through its
  pagination (a real archive is that deep and must be crawled whole).

Off-site targets point at ``offsite_base`` (``http://localhost:PORT`` of a :class:`DecoyServer` in the
tests: still loopback, but another host, so any request that reaches it is an off-site request).
"""

from __future__ import annotations

import re
import socket
import struct
import threading
import time
from dataclasses import dataclass
from datetime import date
from urllib.parse import parse_qs, urlsplit
from uuid import uuid4

from crawler.replica.hostile_pages import HUGE_BYTES, LINK_FARM_SIZE, HostileContent, billion_laughs
from crawler.replica.model import ReplicaSite
from crawler.replica.serving import Response, ThreadedSiteServer, _Handler

HTML = "text/html; charset=UTF-8"
RETRY_AFTER_SECONDS = 3
STALL_SECONDS = 40.0
"""How long the stall-once page keeps its first request waiting (past any sane download timeout)."""
_CALENDAR = re.compile(r"^/(?P<year>20[3-9]\d)/(?P<month>\d{2})/?$")
_ENDLESS = re.compile(r"^/category/endless-pages/(?:page/(?P<page>\d+)/?)?$")
_DEEP = re.compile(r"^/category/deep-archive/(?:page/(?P<page>\d+)/?)?$")
_CHAIN = re.compile(r"^/news/990000/moved-(?P<n>\d+)\.html$")
_FARM = re.compile(r"^/links/(?P<n>\d+)/$")


@dataclass(frozen=True)
class Misbehave:
    """An answer that is no plain response: ``reset`` the connection, ``stall`` (seconds), ``stream`` (bytes)."""

    action: str
    amount: float = 0.0
    head: bytes = b""


class HostileServer(ThreadedSiteServer):
    """Serve the hostile replica (module docstring); ``hits`` counts every request by target."""

    thread_name = "hostile-replica"

    def __init__(self, articles: int = 40, deep_pages: int = 0, slow: bool = True,
                 offsite_base: str = "http://localhost:9", today: date | None = None, port: int = 0) -> None:
        super().__init__("127.0.0.1", port)
        self.site = ReplicaSite(articles=articles)
        self.content = HostileContent(self.site, deep_pages=deep_pages, slow=slow)
        self.offsite_base = offsite_base.rstrip("/")
        self.today = today or date.today()
        self.stopping = threading.Event()
        self._first_hit: dict[str, float] = {}
        self.handler_class = _HostileHandler

    def stop(self) -> None:
        """Release stalled requests, then stop serving."""
        self.stopping.set()
        super().stop()

    @property
    def requests(self) -> int:
        """Requests served so far."""
        with self._lock:
            return sum(self.hits.values())

    # --- what a complete crawl stores ---------------------------------------------------------
    def valid_paths(self) -> set[str]:
        """Every path a complete crawl stores once: the replica's valid articles and the extra valid ones."""
        return set(self.site.valid_article_urls) | self.content.valid_paths()

    # --- routing ------------------------------------------------------------------------------------
    def respond(self, target: str) -> Response | Misbehave:  # type: ignore[override]
        """The answer for a request target (path and query)."""
        self.record(target)
        parts = urlsplit(target)
        path, query = parts.path or "/", parse_qs(parts.query)
        base = self.base_url
        hostile = self.content.hostile.get(path)
        if hostile is not None:
            return self._hostile(path, hostile.behaviour, base)
        deep = self.content.deep_by_path.get(path)
        if deep is not None:
            return 200, {"Content-Type": HTML}, self.content.article_html(deep, base).encode()
        trap = self._trap(path, query, base)
        if trap is not None:
            return trap
        if path == "/":
            status, headers, body = self.site.render(path, base)
            html = body.decode().replace("</main>", self.content.nav(base) + "</main>", 1).replace(
                "</head>", f'<link rel="alternate" type="application/rss+xml" href="{base}/feed/bomb.xml">\n</head>', 1)
            return status, headers, html.encode()
        return self.site.render(path, base)

    def _first(self, path: str) -> tuple[float, bool]:
        """Seconds since the path's first request, and whether this is that first request."""
        now = time.monotonic()
        with self._lock:
            first = path not in self._first_hit
            started = self._first_hit.setdefault(path, now)
        return now - started, first

    def _hostile(self, path: str, behaviour: str, base: str) -> Response | Misbehave:
        article = self.content.hostile[path].article
        page = self.content.article_html(article, base).encode()
        since, first = self._first(path)
        if behaviour == "retry_after" and since < RETRY_AFTER_SECONDS:
            return 503, {"Content-Type": HTML, "Retry-After": str(RETRY_AFTER_SECONDS)}, b"<h1>Busy</h1>"
        if behaviour == "reset_once" and first:
            return Misbehave("reset")
        if behaviour == "fail_twice" and self.hits[path] <= 2:
            return 500, {"Content-Type": HTML}, b"<h1>Internal Server Error</h1>"
        if behaviour == "stall_once" and first:
            return Misbehave("stall", STALL_SECONDS)
        if behaviour == "mislabelled_arabic":
            return 200, {"Content-Type": HTML}, self.content.arabic_html(article, base)
        if behaviour == "stray_bytes":
            return 200, {"Content-Type": HTML}, page.replace("\u00d7".encode(), b"\x97", 1)
        if behaviour == "long_tail":
            return 200, {"Content-Type": HTML}, self.content.long_tail_html(article, base)
        if behaviour == "hijack_canonical":
            page = self.content.article_html(article, base, canonical=base + self.content.victim.path).encode()
        if behaviour == "offsite_canonical":
            page = self.content.article_html(article, base, canonical=f"{self.offsite_base}/news/1/a.html").encode()
        if behaviour == "huge":
            return Misbehave("stream", HUGE_BYTES, page.split(b"</body>")[0])
        if behaviour == "gzip_bomb":
            return 200, {"Content-Type": HTML, "Content-Encoding": "gzip"}, self.content.gzip_bomb()
        if behaviour == "soft_error":
            return 200, {"Content-Type": HTML}, self.content.soft_error_html()
        if behaviour == "always_500":
            return 500, {"Content-Type": HTML}, b"<h1>Internal Server Error</h1>"
        if behaviour == "stall_forever":
            return Misbehave("stall", 3600.0)
        if behaviour == "offsite_redirect":
            return 302, {"Location": f"{self.offsite_base}/news/1/a.html", "Content-Type": HTML}, b""
        if behaviour == "redirect_chain":
            return 302, {"Location": f"{base}/news/990000/moved-1.html", "Content-Type": HTML}, b""
        return 200, {"Content-Type": HTML}, page

    def _trap(self, path: str, query: dict[str, list[str]], base: str) -> Response | None:
        content, html = self.content, None
        if match := _CHAIN.match(path):
            return 302, {"Location": f"{base}/news/990000/moved-{int(match['n']) + 1}.html", "Content-Type": HTML}, b""
        if match := _ENDLESS.match(path):
            html = content.endless_page(base, int(match["page"] or 1), self.today)
        elif match := _DEEP.match(path):
            html = content.deep_listing(base, int(match["page"] or 1))
        elif match := _CALENDAR.match(path):
            html = content.calendar_page(base, int(match["year"]), int(match["month"]), self.today)
        elif path.startswith("/shop/"):
            html = content.plain_page(base, "Shop", [f"{base}/shop/?sid={uuid4().hex}",
                                                     f"{base}/shop/item/?sid={uuid4().hex}"])
        elif path.startswith("/archive/"):
            html = content.plain_page(base, "Archive", ["archive/", "more/"])  # relative: grows on every page
        elif path.startswith("/search/"):
            terms = "&".join(f"{k}={v}" for k, values in query.items() for v in values) or "q=syria"
            html = content.plain_page(base, "Search", [f"{base}/search/?{terms}&sort=new"])
        elif path == "/links/":
            html = content.plain_page(base, "Links", [f"{base}/links/{n}/" for n in range(LINK_FARM_SIZE)])
        elif _FARM.match(path):
            html = content.plain_page(base, "A link", [])
        elif path in ("/sitemap.xml", "/sitemap-loop.xml"):
            n = int((query.get("v") or ["0"])[0] or 0) if path == "/sitemap-loop.xml" else 0
            children = [f"{base}/sitemap.xml", f"{base}/sitemap-loop.xml?v={n + 1}"]
            if path == "/sitemap.xml":
                children += [f"{base}/sitemap-articles.xml", f"{base}/sitemap-bomb.xml"]
            xml = "".join(f"<sitemap><loc>{c}</loc></sitemap>" for c in children)
            body = f'<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{xml}' \
                   "</sitemapindex>"
            return 200, {"Content-Type": "application/xml"}, body.encode()
        elif path == "/sitemap-articles.xml":
            status, headers, body = self.site.render("/sitemap.xml", base)
            extra = "".join(f"<url><loc>{base}{p}</loc></url>" for p in content.hostile)
            return status, headers, body.replace(b"</urlset>", extra.encode() + b"</urlset>")
        elif path == "/sitemap-bomb.xml":
            return 200, {"Content-Type": "application/xml"}, billion_laughs("urlset")
        elif path == "/feed/bomb.xml":
            return 200, {"Content-Type": "application/rss+xml"}, billion_laughs("rss")
        if html is None:
            return None
        return 200, {"Content-Type": HTML}, html.encode()


class _HostileHandler(_Handler):
    """Sends plain answers as usual; resets, stalls and streams for :class:`Misbehave` ones."""

    def finish(self) -> None:
        try:
            super().finish()
        except OSError:
            pass  # the connection was reset on purpose, or the client gave up

    def handle(self) -> None:
        try:
            super().handle()
        except OSError:
            pass  # a client that went away (a download timeout, DOWNLOAD_MAXSIZE): what it should do

    def _send(self, head_only: bool) -> None:
        server = self.server.replica
        assert isinstance(server, HostileServer)
        answer = server.respond(self.path)
        if not isinstance(answer, Misbehave):
            status, headers, body = answer
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if not head_only:
                self.wfile.write(body)
            return
        self.close_connection = True
        if answer.action == "reset":
            # SO_LINGER 0: close() sends a TCP reset instead of a clean end.
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
            return
        if answer.action == "stall":
            server.stopping.wait(answer.amount)
            return
        self.send_response(200)
        self.send_header("Content-Type", HTML)
        self.send_header("Connection", "close")  # no length: the body runs until the connection closes
        self.end_headers()
        try:
            self.wfile.write(answer.head)
            chunk, sent = b"<p>" + b"padding " * 8190 + b"</p>\n", len(answer.head)
            while sent < answer.amount and not server.stopping.is_set():
                self.wfile.write(chunk)
                sent += len(chunk)
        except OSError:
            return  # the client gave up (DOWNLOAD_MAXSIZE): what it should do


class DecoyServer(ThreadedSiteServer):
    """Another host on loopback (``http://localhost:PORT``): every request it gets is an off-site request."""

    thread_name = "offsite-decoy"

    @property
    def requests(self) -> int:
        """Requests served so far."""
        with self._lock:
            return sum(self.hits.values())

    def respond(self, target: str) -> Response:
        """A page for anything, counted."""
        self.record(target)
        return 200, {"Content-Type": HTML}, b"<html><body><h1>Another site</h1><p>Off-site page.</p></body></html>"

    @property
    def offsite_base(self) -> str:
        """``http://localhost:PORT``: the decoy under another host name than 127.0.0.1."""
        return self.base_url.replace("127.0.0.1", "localhost")


def main(argv: list[str] | None = None) -> int:
    """``python -m crawler.replica.hostile``: serve the hostile replica in the foreground until Ctrl-C."""
    import argparse

    parser = argparse.ArgumentParser(
        prog="python -m crawler.replica.hostile",
        description="Serve the replica of The Syrian Observer with traps, bombs and flaky pages on 127.0.0.1.",
        epilog="example:\n  python -m crawler.replica.hostile --port 8003\n"
               "  crawler crawl syrianobserver -a base_url=http://127.0.0.1:8003",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--port", type=int, default=8003, help="port to bind, 0 for any (default: %(default)s)")
    parser.add_argument("--deep-pages", type=int, default=0, help="listing pages of the deep-archive category")
    parser.add_argument("--fast", action="store_true", help="leave out the pages that stall (download timeouts)")
    args = parser.parse_args(argv)
    server = HostileServer(deep_pages=args.deep_pages, slow=not args.fast, port=args.port)
    server.start()
    print(f"Hostile replica at {server.base_url}/ ({len(server.valid_paths())} valid articles). Ctrl-C to stop.")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
