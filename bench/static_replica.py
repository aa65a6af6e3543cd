"""Serve a replica for ``bench/crawl.py`` from a server that is not the bottleneck.

:func:`write_static` renders every page a crawl can reach to files; :class:`NginxSite` serves
them with nginx (a non-daemon child on a generated config and a free 127.0.0.1 port) and
counts requests from its access log; :class:`ProjectSite` is the fallback when nginx is
absent: the project's own ``ReplicaServer`` in this process, whose rate :func:`server_rate`
measures so the report can say whether it limited the crawl.  Both give the same figures:
``requests`` served so far and ``cpu_seconds`` the server has used.
"""

from __future__ import annotations

import http.client
import os
import pwd
import resource
import shutil
import socket
import subprocess
import threading
import time
from pathlib import Path
from types import TracebackType
from typing import Protocol, Self

from crawler.replica import ReplicaServer, ReplicaSite

NGINX_TYPES = {"html": "text/html", "rss": "application/rss+xml", "xml": "application/xml", "txt": "text/plain"}
NOT_FOUND_FILE = "/__404.html"


class BenchServer(Protocol):
    """What the benchmark reads from its server."""

    base_url: str
    name: str

    def requests(self) -> int:
        """Requests answered so far."""
        ...

    def cpu_seconds(self) -> float:
        """CPU time the server has used so far (user + system)."""
        ...


def free_port() -> int:
    """A port on 127.0.0.1 nobody listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def site_paths(site: ReplicaSite) -> list[str]:
    """Every path a crawl of the replica can fetch with status 200: start pages, articles, copies, listings."""
    paths = ["/", "/feed/", "/sitemap.xml", "/robots.txt"]
    paths += [a.path for a in site.articles] + sorted(site.near_copies)
    return paths + site.listing_paths()


def file_for(path: str) -> str:
    """The file (relative to the root) holding ``path``: a directory path gets its index file."""
    if path == "/feed/":
        return "feed/index.rss"  # served as RSS: an HTML parser would empty the feed's <link> elements
    if path.endswith("/"):
        return path.lstrip("/") + "index.html"
    return path.lstrip("/")


def write_static(site: ReplicaSite, root: Path, base_url: str) -> int:
    """Render every reachable page with absolute links to ``base_url`` under ``root``; return the file count."""
    count = 0
    for path in [*site_paths(site), NOT_FOUND_FILE]:
        status, _, body = site.render(path, base_url)
        target = root / file_for(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(body)
        article = site.article(path)
        if article is not None and status == 200:
            stamp = article.modified.timestamp()  # nginx's Last-Modified is the file's mtime, as WordPress sends it
            os.utime(target, (stamp, stamp))
        count += 1
    return count


def nginx_config(folder: Path, port: int, site: ReplicaSite, base_url: str) -> str:
    """An nginx config serving ``folder/site`` on 127.0.0.1:``port``, logging one line per request."""
    types = " ".join(f"{kind} {ext};" for ext, kind in NGINX_TYPES.items())
    redirects = "".join(
        f"    location = {old} {{ return 301 {base_url}{new}; }}\n" for old, new in sorted(site.redirects.items())
    )
    temp = "".join(
        f"  {name}_temp_path {folder}/tmp/{name};\n" for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    # Started as root, nginx's workers would become "nobody", who cannot read a private temporary folder.
    user = f"user {pwd.getpwuid(os.geteuid()).pw_name};\n" if os.geteuid() == 0 else ""
    return f"""daemon off;
{user}worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
events {{ worker_connections 1024; }}
http {{
  types {{ {types} }}
  default_type text/html;
  charset utf-8;
  charset_types text/html text/plain application/xml application/rss+xml;
  log_format bench '$msec $status $request_uri';
  access_log {folder}/access.log bench;
{temp}  sendfile on;
  keepalive_requests 100000;
  server_tokens off;
  server {{
    listen 127.0.0.1:{port};
    root {folder}/site;
    index index.html index.rss;
    error_page 404 {NOT_FOUND_FILE};
    location = {NOT_FOUND_FILE} {{ internal; }}
{redirects}  }}
}}
"""


def nginx_binary() -> str | None:
    """The nginx executable, if installed."""
    return shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if os.access(p, os.X_OK)), None)


def _tree_cpu_seconds(pid: int) -> float:
    """User + system CPU of a process and its children (nginx's master and workers), from /proc."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # the process ended meanwhile
        if int(entry.name) == pid or int(fields[1]) == pid:
            total += (int(fields[11]) + int(fields[12])) / ticks
    return total


class NginxSite:
    """nginx serving a static copy of ``site`` from ``folder``, as a child process of this one."""

    name = "nginx (static files)"

    def __init__(self, site: ReplicaSite, folder: Path, binary: str) -> None:
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.folder = folder
        self.files = write_static(site, folder / "site", self.base_url)
        for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
            (folder / "tmp" / name).mkdir(parents=True, exist_ok=True)
        (folder / "nginx.conf").write_text(nginx_config(folder, self.port, site, self.base_url), encoding="utf-8")
        (folder / "access.log").touch()
        self.command = [binary, "-p", str(folder), "-c", str(folder / "nginx.conf"), "-e", str(folder / "error.log")]
        self._process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Self:
        self._process = subprocess.Popen(self.command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(f"nginx exited: {self._process.stderr.read().decode()[-2000:]}")  # type: ignore[union-attr]
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"nginx did not listen on {self.base_url} within 10 s")

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._process is not None:
            self._process.terminate()  # SIGTERM: nginx's fast shutdown, workers included
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
            self._process = None

    def requests(self) -> int:
        """Access-log lines so far (nginx writes each request's line as it ends)."""
        with (self.folder / "access.log").open("rb") as log:
            return sum(chunk.count(b"\n") for chunk in iter(lambda: log.read(1 << 20), b""))

    def cpu_seconds(self) -> float:
        """CPU time of nginx's master and worker so far."""
        assert self._process is not None
        return _tree_cpu_seconds(self._process.pid)


class ProjectSite:
    """The fallback without nginx: the project's ``ReplicaServer`` in a thread of this process."""

    name = "the project's ReplicaServer (no nginx)"

    def __init__(self, site: ReplicaSite) -> None:
        self.server = ReplicaServer(site)
        self.base_url = ""

    def __enter__(self) -> Self:
        self.server.start()
        self.base_url = self.server.base_url
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.server.stop()

    def requests(self) -> int:
        """Page requests the server answered so far."""
        return self.server.requests

    def cpu_seconds(self) -> float:
        """This process's CPU so far: it only serves while a crawl child runs (an upper bound of the server's)."""
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return usage.ru_utime + usage.ru_stime


def check_serving(base_url: str, paths: list[str]) -> None:
    """Fail unless the server answers 200 for each of ``paths`` (a misconfigured server would bench nothing)."""
    host, port = base_url.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=30)
    try:
        for path in paths:
            conn.request("GET", path)
            response = conn.getresponse()
            response.read()
            if response.status != 200:
                raise RuntimeError(f"{base_url}{path} answered {response.status}, not 200")
    finally:
        conn.close()


def server_rate(base_url: str, paths: list[str], clients: int = 8) -> float:
    """Pages/s the server answers to ``clients`` keep-alive connections fetching ``paths`` (no parsing)."""
    host, port = base_url.removeprefix("http://").split(":")
    queue = list(paths)
    lock = threading.Lock()

    def client() -> None:
        conn = http.client.HTTPConnection(host, int(port), timeout=30)
        while True:
            with lock:
                if not queue:
                    break
                path = queue.pop()
            conn.request("GET", path)
            conn.getresponse().read()
        conn.close()

    started = time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return len(paths) / (time.perf_counter() - started)
