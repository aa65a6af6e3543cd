"""A crawl killed with SIGKILL leaves no run hanging (issue 9, must show 3).

Before: the run stayed ``running`` forever and blocked ``run-now`` and every scheduled run of the
site for an hour; health said nothing.  Now the run carries its owner's pid, hostname and a
heartbeat; the next claim (or ``crawler runs`` / ``health``) sees the process gone and closes the
run as ``killed``, the next crawl starts at once, and its health checks report the killed run.

Three kill points (early, midway, late, by stored articles), each in a fresh store, then a restart:
- early: ``crawler crawl`` killed alone, restarted with ``crawler run-now``;
- midway: ``crawler run-now`` killed together with its crawl child (a daemon killed with its crawl),
  restarted with ``crawler crawl``;
- late: ``crawler crawl`` killed alone, restarted with ``crawler crawl``.
Each store then equals the store of one uninterrupted crawl, row for row.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import func, select

from crawler.replica import ReplicaServer, ReplicaSite
from storage.db import make_engine
from storage.models import Article, ArticleTag, ArticleVersion, CrawlEvent, CrawlRun, HealthCheck

pytestmark = pytest.mark.crawl

ARTICLES = 50
# Small batches, so the store grows in steps the kill points fall between (a batch commits whole
# or not at all: what a kill loses is fetched again by the restart).
BATCH = "STORE_BATCH_SIZE=4"
CONTENT = (
    "canonical_url", "url", "title", "summary", "source", "body_text", "body_html", "disclaimer", "category",
    "authors", "language", "published_at", "published_raw", "modified_at", "image_url", "image_caption",
    "content_hash", "version",
)  # fmt: skip


def cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "crawler.cli", *args]


def crawl_command(db_url: str, base_url: str) -> list[str]:
    return cli("crawl", "syrianobserver", "--db", db_url, "-a", f"base_url={base_url}", "-s", BATCH)


def run_now_command(db_url: str, schedule: Path) -> list[str]:
    return cli("run-now", "syrianobserver", "--db", db_url, "--file", str(schedule))


def query(db_url: str, stmt):  # noqa: ANN001, ANN201 - a test helper over any select
    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            return conn.execute(stmt).all()
    finally:
        engine.dispose()


def stored_count(db_url: str) -> int:
    try:
        return query(db_url, select(func.count()).select_from(Article))[0][0]
    except Exception:  # noqa: BLE001 - the store may not exist yet
        return 0


def snapshot(db_url: str) -> dict[str, tuple]:
    """The articles table's content (no ids, no timestamps of this crawl), with tags, by canonical URL."""
    rows = query(db_url, select(Article.id, *(getattr(Article, c) for c in CONTENT)))
    tags: dict[int, list[str]] = {}
    for article_id, tag in query(db_url, select(ArticleTag.article_id, ArticleTag.tag).order_by(ArticleTag.position)):
        tags.setdefault(article_id, []).append(tag)
    return {row[1]: (*row[1:], tuple(tags.get(row[0], []))) for row in rows}


def wait_until(condition: Callable[[], bool], proc: subprocess.Popen, timeout: float = 240) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert proc.poll() is None, "the crawl ended before the kill point"
        assert time.monotonic() < deadline, "timed out waiting for the kill point"
        time.sleep(0.05)


@pytest.fixture(scope="module")
def replica() -> tuple[ReplicaSite, ReplicaServer]:
    site = ReplicaSite(articles=ARTICLES)
    # A few milliseconds per page keeps the crawl going long enough to kill it where we want.
    with ReplicaServer(site=site, delay=0.02) as server:
        yield site, server


@pytest.fixture(scope="module")
def reference(replica: tuple[ReplicaSite, ReplicaServer], tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The store of one uninterrupted crawl."""
    _, server = replica
    db_url = f"sqlite:///{tmp_path_factory.mktemp('reference') / 'store.db'}"
    done = subprocess.run(crawl_command(db_url, server.base_url), capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    return snapshot(db_url)


@pytest.mark.parametrize(
    ("point", "killed", "restart"),
    [(0.05, "crawl", "run-now"), (0.5, "run-now+child", "crawl"), (0.9, "crawl", "crawl")],
    ids=["early", "midway", "late"],
)
def test_a_sigkilled_crawl_blocks_nothing_and_the_restart_completes_the_store(
    replica: tuple[ReplicaSite, ReplicaServer],
    reference: dict,
    tmp_path: Path,
    point: float,
    killed: str,
    restart: str,
) -> None:
    site, server = replica
    db_url = f"sqlite:///{tmp_path / 'store.db'}"
    schedule = tmp_path / "schedule.toml"
    key, value = BATCH.split("=")
    schedule.write_text(f'[sites.syrianobserver]\ninterval_seconds = 3600\nbase_url = "{server.base_url}"\n'
                        f'settings = {{ {key} = "{value}" }}\n')
    kill_at = max(1, int(len(reference) * point))

    command = crawl_command(db_url, server.base_url) if killed == "crawl" else run_now_command(db_url, schedule)
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_until(lambda: stored_count(db_url) >= kill_at, proc)
    victims = [proc.pid]
    if killed == "run-now+child":
        # The run row names its owner: the crawl child that took it over from run-now.
        (owner,) = query(db_url, select(CrawlRun.pid).where(CrawlRun.status == "running"))[0]
        assert owner != proc.pid
        victims.append(owner)
    for pid in victims:
        os.kill(pid, signal.SIGKILL)
    proc.wait(timeout=30)
    for pid in victims[1:]:
        _wait_gone(pid)
    at_kill = stored_count(db_url)
    (before,) = query(db_url, select(CrawlRun.status, CrawlRun.pid).order_by(CrawlRun.id))
    assert before.status == "running" and before.pid == victims[-1]  # the dead run, as the kill left it

    command = crawl_command(db_url, server.base_url) if restart == "crawl" else run_now_command(db_url, schedule)
    done = subprocess.run(command, capture_output=True, text=True, timeout=300)
    # The restart was not refused ("busy") and completed.
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert "not started" not in done.stderr

    runs = query(db_url, select(CrawlRun.id, CrawlRun.status, CrawlRun.finish_reason).order_by(CrawlRun.id))
    assert [r.status for r in runs] == ["killed", "ok"]  # no run left running
    assert f"its process {victims[-1]} on " in runs[0].finish_reason and "is gone" in runs[0].finish_reason
    # Health reports the killed run: its own run_status, and the next run's killed_runs check.
    checks = dict(
        query(db_url, select(HealthCheck.check, HealthCheck.status).where(HealthCheck.run_id == runs[0].id))
    )
    assert checks["run_status"] == "fail"
    next_checks = query(
        db_url, select(HealthCheck.status, HealthCheck.detail).where(
            HealthCheck.run_id == runs[1].id, HealthCheck.check == "killed_runs"
        )
    )
    assert next_checks[0].status == "fail" and f"run {runs[0].id}" in next_checks[0].detail

    # The store equals an uninterrupted crawl's, row for row (one version each: nothing changed twice).
    # Of an article and its republished near-copy the earlier published (the original) is kept, in
    # any crawl order: when the copy was stored first, the original took its row (one more version,
    # and a `replaced` event). Every other row must be equal.
    assert 0 < at_kill < len(reference)
    pair = {server.url(path) for copy, original in site.near_copies.items() for path in (copy, original)}
    originals = {server.url(original) for original in site.near_copies.values()}
    store = snapshot(db_url)
    assert pair & set(store) == pair & set(reference) == originals
    assert {k: v for k, v in store.items() if k not in pair} == {k: v for k, v in reference.items() if k not in pair}
    replaced = query(db_url, select(func.count()).select_from(CrawlEvent).where(CrawlEvent.kind == "replaced"))[0][0]
    assert query(db_url, select(func.count()).select_from(ArticleVersion))[0][0] == len(reference) + replaced


def _wait_gone(pid: int) -> None:
    """Wait until a process that is not our child has exited."""
    from crawler.liveness import process_alive

    deadline = time.monotonic() + 30
    while process_alive(pid):
        assert time.monotonic() < deadline, f"process {pid} survived SIGKILL"
        time.sleep(0.05)
