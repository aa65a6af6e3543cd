"""The database goes away in the middle of a crawl into PostgreSQL (issue 9, must show 2).

Before: 57 of 518 articles missing, the run ``ok``, exit 0, no event naming a lost article; a
crawl ending during the outage left its run ``running``.  Now the crawl waits and retries
(``STORE_RETRY_SECONDS``), keeps what it cannot write and writes it when the database is back,
and otherwise ends ``failed`` with the exact list of unwritten articles: never ``ok`` with holes.

Two ways to take the database away:

- ``CutProxy``: the crawl talks to PostgreSQL through a TCP proxy on 127.0.0.1 that the test cuts
  (connections dropped, new ones refused: what a stopped server does to its clients) and restores.
  Other sessions on the shared server are untouched, so these tests always run.
- The real thing: ``pg_ctlcluster --skip-systemctl-redirect VERSION main stop`` / ``start`` (the
  command in the machine's docs and .ci/run) for about 10 s.  It stops the server for everyone,
  so it runs only under ``CI=true`` or with ``CRAWLER_TEST_RESTART_POSTGRES=1``.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select
from sqlalchemy.engine import make_url

from crawler.replica import ReplicaServer, ReplicaSite
from storage.models import Article, CrawlEvent, CrawlRun

pytestmark = [pytest.mark.crawl, pytest.mark.postgres]

ARTICLES = 60
REAL_ARTICLES = 520  # the demo's size: the issue measured 57 of 518 articles lost with the real server stopped
IN_CI = os.environ.get("CI", "").lower() == "true"


class CutProxy:
    """A TCP proxy 127.0.0.1:port -> PostgreSQL that can be cut (all connections dropped, port closed)."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.port = 0
        self._listener: socket.socket | None = None
        self._conns: list[socket.socket] = []
        self._lock = threading.Lock()
        self.up()

    def up(self) -> None:
        """Listen again (on the same port once chosen)."""
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self.port = listener.getsockname()[1]
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def down(self) -> None:
        """Refuse new connections and drop every open one."""
        assert self._listener is not None
        try:
            self._listener.shutdown(socket.SHUT_RDWR)  # Linux: wakes the blocked accept(), stops listening
        except OSError:
            pass
        self._listener.close()
        self._listener = None
        with self._lock:
            conns, self._conns = self._conns, []
        for conn in conns:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            conn.close()

    def close(self) -> None:
        if self._listener is not None:
            self.down()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # closed by down()
            try:
                server = socket.create_connection(self.target)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._conns += [client, server]
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass


def start_crawl(db_url: str, base_url: str, *settings: str, env: dict[str, str] | None = None) -> subprocess.Popen:
    command = [sys.executable, "-m", "crawler.cli", "crawl", "syrianobserver", "--db", db_url]
    command += ["-a", f"base_url={base_url}"]
    # Small batches: the outage must find articles still to write, as one transaction per article did
    # (a batch of 50 would hold the whole 60-article replica; a batch is kept aside whole, or written).
    for setting in ("STORE_BATCH_SIZE=4", *settings):
        command += ["-s", setting]
    return subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={**os.environ, **(env or {})}
    )


def count_articles(direct_url: str) -> int:
    """Stored articles, read over a direct connection (never through the proxy)."""
    engine = create_engine(direct_url)
    try:
        with engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(Article)).scalar_one()
    except Exception:  # noqa: BLE001 - the server may be down in the real-restart test
        return -1
    finally:
        engine.dispose()


def wait_until(condition: Callable[[], bool], proc: subprocess.Popen, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert proc.poll() is None, "the crawl ended before the outage could start"
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.1)


def read_store(direct_url: str) -> tuple[list, set[str], list]:
    engine = create_engine(direct_url)
    with engine.connect() as conn:
        runs = conn.execute(select(CrawlRun).order_by(CrawlRun.id)).all()
        stored = set(conn.scalars(select(Article.canonical_url)))
        events = conn.execute(select(CrawlEvent.url, CrawlEvent.kind, CrawlEvent.reason)).all()
    engine.dispose()
    return runs, stored, events


def assert_complete(site: ReplicaSite, server: ReplicaServer, stored: set[str]) -> None:
    """Exactly one URL of each article group is stored: none missing, none twice."""
    groups = [{server.url(path) for path in group} for group in site.article_groups()]
    missing = [sorted(g) for g in groups if not g & stored]
    assert missing == [], f"{len(missing)} articles missing, e.g. {missing[:3]}"
    assert [len(g & stored) for g in groups] == [1] * len(groups)


@pytest.fixture
def proxied(postgres_url: str) -> tuple[str, str, CutProxy]:
    """(URL through the proxy, direct URL, the proxy) for a fresh PostgreSQL database."""
    url = make_url(postgres_url)
    proxy = CutProxy((url.host or "127.0.0.1", url.port or 5432))
    yield url.set(port=proxy.port).render_as_string(hide_password=False), postgres_url, proxy
    proxy.close()


def test_connections_cut_for_10s_mid_crawl_lose_nothing(proxied: tuple[str, str, CutProxy]) -> None:
    crawl_url, direct_url, proxy = proxied
    site = ReplicaSite(articles=ARTICLES)
    with ReplicaServer(site=site, delay=0.02) as server:
        crawl = start_crawl(crawl_url, server.base_url)
        wait_until(lambda: count_articles(direct_url) >= 30, crawl)
        at_cut = count_articles(direct_url)
        proxy.down()
        time.sleep(10)
        during = count_articles(direct_url)
        proxy.up()
        stdout, stderr = crawl.communicate(timeout=300)
        runs, stored, events = read_store(direct_url)
        assert_complete(site, server, stored)

    print(f"cut 10s at {at_cut} stored: {len(stored)} stored at the end, run {runs[0].status}, exit {crawl.returncode}")
    assert during == at_cut or during - at_cut <= 1, "nothing is written while the database is away"
    assert at_cut < len(stored), "the outage really happened in the middle of the crawl"
    assert crawl.returncode == 0, f"{stdout[-2000:]}\n{stderr[-3000:]}"
    (run,) = runs
    assert (run.status, run.articles_lost) == ("ok", 0), run.finish_reason
    assert run.articles_new == len(stored)
    assert not [e for e in events if e.kind in ("unwritten", "pipeline_error")]
    assert "database unavailable" in stderr and "database back after" in stderr


def test_a_crawl_that_ends_during_the_outage_writes_everything_when_the_database_returns(
    proxied: tuple[str, str, CutProxy],
) -> None:
    """Regression: the run stayed ``running`` with 122 of 518 stored. The close waits and writes the rest."""
    crawl_url, direct_url, proxy = proxied
    site = ReplicaSite(articles=ARTICLES)
    with ReplicaServer(site=site, delay=0.02) as server:
        crawl = start_crawl(crawl_url, server.base_url, "STORE_RETRY_SECONDS=8")
        wait_until(lambda: count_articles(direct_url) >= 35, crawl)
        proxy.down()
        # The crawl waits 8 s, keeps the rest aside, fetches to the end, then waits once more at close.
        closing = threading.Event()
        lines: list[str] = []

        def watch() -> None:
            assert crawl.stderr is not None
            for line in crawl.stderr:
                lines.append(line)
                if "closing: writing" in line:
                    closing.set()

        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()
        assert closing.wait(timeout=240), "".join(lines[-30:])
        kept_aside = count_articles(direct_url)
        proxy.up()
        stdout = crawl.stdout.read() if crawl.stdout else ""
        crawl.wait(timeout=120)
        watcher.join(timeout=10)
        runs, stored, events = read_store(direct_url)
        assert_complete(site, server, stored)

    print(f"crawl closed during the outage with {kept_aside} stored: {len(stored)} at the end, run {runs[0].status}")
    assert kept_aside < len(stored), "articles were waiting when the crawl closed"
    assert crawl.returncode == 0, stdout[-2000:] + "".join(lines[-40:])
    (run,) = runs
    assert (run.status, run.articles_lost) == ("ok", 0), run.finish_reason
    assert not [e for e in events if e.kind == "unwritten"]


def test_a_database_gone_at_close_fails_the_run_with_the_exact_list_of_unwritten_articles(
    proxied: tuple[str, str, CutProxy], tmp_path: Path
) -> None:
    crawl_url, direct_url, proxy = proxied
    site = ReplicaSite(articles=ARTICLES)
    with ReplicaServer(site=site, delay=0.02) as server:
        crawl = start_crawl(crawl_url, server.base_url, "STORE_RETRY_SECONDS=2", f"UNWRITTEN_DIR={tmp_path}")
        wait_until(lambda: count_articles(direct_url) >= 35, crawl)
        proxy.down()
        stdout, stderr = crawl.communicate(timeout=300)
        runs, stored, events = read_store(direct_url)
        files = list(tmp_path.glob("unwritten-syrianobserver-run*.json"))
        assert len(files) == 1, stderr[-3000:]
        report = json.loads(files[0].read_text())
        lost = [a["url"] for a in report["lost_articles"]]
        # Every article is stored or on the list: nothing missing without a trace.
        groups = [{server.url(path) for path in group} for group in site.article_groups()]
        unaccounted = [sorted(g) for g in groups if not g & (stored | set(lost))]

    print(f"database gone at close: {len(stored)} stored, {len(lost)} listed unwritten in {files[0].name}")
    assert unaccounted == []
    assert lost and not set(lost) & stored and len(lost) == len(set(lost))
    assert {a["kind"] for a in report["lost_articles"]} == {"unwritten"}
    assert report["run"]["status"] == "failed" and report["run"]["articles_lost"] == len(lost)
    assert report["run_row_updated"] is False
    # The CLI says it: exit 1, the count, the file.
    assert crawl.returncode == 1, stdout[-2000:]
    assert f"{len(lost)} articles were not stored" in stdout and str(files[0]) in stdout.replace("\n", "")
    for url in lost:
        assert url in stderr  # every lost URL is in the log
    # The run row could not be closed by the crawl; the next reader closes it as killed, not running.
    (run,) = runs
    assert run.status == "running"
    shown = subprocess.run(
        [sys.executable, "-m", "crawler.cli", "runs", "--db", direct_url], capture_output=True, text=True, check=False
    )
    assert shown.returncode == 0, shown.stderr
    runs, _, _ = read_store(direct_url)
    assert runs[0].status == "killed" and "is gone" in runs[0].finish_reason


# --- the real server stopped and started ------------------------------------------------


def postgres_version() -> str | None:
    root = Path("/etc/postgresql")
    versions = sorted(p.name for p in root.iterdir()) if root.is_dir() else []
    return versions[-1] if versions else None


def pg_ctl(action: str) -> None:
    version = postgres_version()
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", str(version), "main", action], check=True, timeout=120
    )


def restart_allowed() -> str | None:
    """None when this test may stop the server; else why not."""
    if not shutil.which("pg_ctlcluster") or postgres_version() is None:
        return "pg_ctlcluster or /etc/postgresql not found"
    if not (IN_CI or os.environ.get("CRAWLER_TEST_RESTART_POSTGRES") == "1"):
        return "stops the shared PostgreSQL server: runs under CI=true or CRAWLER_TEST_RESTART_POSTGRES=1"
    return None


def test_postgresql_stopped_for_10s_mid_crawl(postgres_url: str) -> None:
    """The server itself stopped and started again: no article missing, or a failed run with the exact count."""
    reason = restart_allowed()
    if reason:
        if IN_CI and "not found" in reason:
            pytest.fail(reason)
        pytest.skip(reason)
    site = ReplicaSite(articles=REAL_ARTICLES)
    with ReplicaServer(site=site) as server:
        crawl = start_crawl(postgres_url, server.base_url)
        try:
            wait_until(lambda: count_articles(postgres_url) >= 100, crawl)
            at_stop = count_articles(postgres_url)
            pg_ctl("stop")
            stopped_at = time.monotonic()
            time.sleep(10)
        finally:
            pg_ctl("start")
        down_for = time.monotonic() - stopped_at
        stdout, stderr = crawl.communicate(timeout=300)
        for _ in range(100):  # the server accepts connections a moment after start returns
            if count_articles(postgres_url) >= 0:
                break
            time.sleep(0.2)
        runs, stored, events = read_store(postgres_url)
        groups = [{server.url(path) for path in group} for group in site.article_groups()]
        missing = [g for g in groups if not g & stored]

    (run,) = runs
    unwritten = [e for e in events if e.kind == "unwritten"]
    print(
        f"PostgreSQL stopped {down_for:.1f}s at {at_stop} stored: {len(stored)} stored of {len(groups)}, "
        f"{len(missing)} missing, run {run.status}, {run.articles_lost} lost, exit {crawl.returncode}"
    )
    assert down_for >= 10
    if run.status == "ok":
        assert missing == [] and run.articles_lost == 0 and crawl.returncode == 0
    else:  # never ok with holes: a failed run counting exactly what is missing
        assert run.status == "failed" and crawl.returncode == 1
        assert run.articles_lost == len(unwritten) == len(missing), (run.finish_reason, len(missing))
