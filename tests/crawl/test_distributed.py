"""Distributed mode (crawler/distributed.py): workers sharing Redis and PostgreSQL crawl one site together.

- Two workers (``crawler crawl --workers 2``) fetch no page twice (counted at the replica server)
  and store every article once, in one run whose figures are both workers' summed.
- Two workers, one SIGKILLed midway: the other takes back the requests the dead one held and
  completes the site, every article stored once; the run closes ``ok``.
- The scheduler's job (``crawler run-now``, as the daemon runs it) only enqueues; a worker started
  afterwards joins that run and crawls it.
Every Redis key of the test is gone afterwards (the last worker deletes the run's keys).
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis
from sqlalchemy import select

from crawler.replica import ReplicaServer, ReplicaSite
from storage.db import make_engine
from storage.models import Article, CrawlRun

pytestmark = [pytest.mark.crawl, pytest.mark.postgres, pytest.mark.redis]

ARTICLES = 120


def worker_env(redis_url: str) -> dict[str, str]:
    return dict(os.environ, CRAWLER_REDIS_URL=redis_url)


def crawl_args(db_url: str, base_url: str, prefix: str) -> list[str]:
    return [
        "syrianobserver", "--db", db_url, "-a", f"base_url={base_url}",
        "-s", f"REDIS_KEY_PREFIX={prefix}", "-s", "REDIS_WORKER_TIMEOUT_SECONDS=3",
        "-s", "REDIS_WORKER_HEARTBEAT_SECONDS=0.5",
    ]  # fmt: skip


def read_store(db_url: str) -> tuple[list[str], list[CrawlRun]]:
    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            stored = list(conn.scalars(select(Article.canonical_url)))
            runs = list(conn.execute(select(CrawlRun).order_by(CrawlRun.id)))
    finally:
        engine.dispose()
    return stored, runs


def stored_count(db_url: str) -> int:
    try:
        return len(read_store(db_url)[0])
    except Exception:  # noqa: BLE001 - the schema may not exist yet
        return 0


def assert_every_article_once(stored: list[str], site: ReplicaSite, server: ReplicaServer) -> None:
    groups = [{server.url(path) for path in group} for group in site.article_groups()]
    assert len(stored) == len(set(stored)), "a duplicate row"
    # One URL of each article group (an article, or an article and its republished near-copy): none missing.
    assert [len(group & set(stored)) for group in groups] == [1] * len(groups)
    assert set(stored) <= set().union(*groups)


def no_keys_left(redis_url: str, prefix: str) -> list[bytes]:
    client = redis.Redis.from_url(redis_url)
    try:
        return list(client.scan_iter(match=f"{prefix}:*"))
    finally:
        client.close()


def test_two_workers_fetch_no_page_twice_and_store_every_article_once(
    postgres_url: str, redis_url: str, redis_prefix: str
) -> None:
    site = ReplicaSite(articles=ARTICLES)
    with ReplicaServer(site=site, delay=0.005) as server:
        command = [sys.executable, "-m", "crawler.cli", "crawl", "--workers", "2",
                   *crawl_args(postgres_url, server.base_url, redis_prefix)]
        done = subprocess.run(command, capture_output=True, text=True, timeout=600, env=worker_env(redis_url))
        hits = dict(server.hits)
        stored, runs = read_store(postgres_url)
        assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
        assert_every_article_once(stored, site, server)

    # No page fetched twice. robots.txt is read by each worker (its rules are per process), so once per worker.
    assert hits.pop("/robots.txt") == 2
    assert {path: n for path, n in hits.items() if n > 1} == {}
    # One run for both workers, its figures both workers' summed: every fetch and every new article counted once.
    assert [(r.status, r.pid) for r in runs] == [("ok", None)], [(r.id, r.status, r.finish_reason) for r in runs]
    assert runs[0].pages_fetched == sum(hits.values()) + 2
    assert runs[0].articles_new == len(stored)  # one new per stored row
    assert "2 workers" in runs[0].finish_reason
    # Both workers did part of the work, and the summary says what each fetched.
    pages = [int(n) for n in re.findall(r"│ [12]\s+│\s+\d+ │\s+0 │\s+(\d+) │", done.stdout)]
    assert len(pages) == 2 and all(n > 0 for n in pages) and sum(pages) == runs[0].pages_fetched, done.stdout
    assert f"Crawl run {runs[0].id}: ok" in done.stdout
    assert no_keys_left(redis_url, redis_prefix) == []


def test_a_worker_killed_midway_loses_nothing_the_other_completes_the_site(
    postgres_url: str, redis_url: str, redis_prefix: str
) -> None:
    site = ReplicaSite(articles=ARTICLES)
    # A few milliseconds per page: requests are in flight when the kill comes.
    with ReplicaServer(site=site, delay=0.03) as server:
        args = crawl_args(postgres_url, server.base_url, redis_prefix)
        command = [sys.executable, "-m", "crawler.cli", "crawl", *args]
        env = worker_env(redis_url)
        victim = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
        time.sleep(1.0)  # the victim opens the run and seeds it; the survivor joins
        survivor = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        deadline = time.monotonic() + 240
        while stored_count(postgres_url) < ARTICLES // 2:
            assert victim.poll() is None and survivor.poll() is None, "a worker ended before the kill point"
            assert time.monotonic() < deadline, "timed out waiting for the kill point"
            time.sleep(0.05)
        victim.send_signal(signal.SIGKILL)
        victim.wait(timeout=30)
        at_kill = stored_count(postgres_url)
        out, err = survivor.communicate(timeout=300)
        stored, runs = read_store(postgres_url)
        assert survivor.returncode == 0, out[-3000:] + err[-3000:]
        assert_every_article_once(stored, site, server)

    assert ARTICLES // 2 <= at_kill < len(stored)  # killed midway; the survivor stored the rest
    (run,) = runs
    # The site was completed: the run is ok, not killed; the dead worker's held requests were queued again.
    assert run.status == "ok", run.finish_reason
    assert re.search(r"2 workers; 1 gone, their [1-9]\d* requests re-queued", run.finish_reason), run.finish_reason
    # Every stored row was counted new once, by whichever worker stored it (the dead one's counts are kept).
    assert run.articles_new == len(stored)
    assert "worker done" not in out and f"Crawl run {run.id}: ok" in out
    assert no_keys_left(redis_url, redis_prefix) == []


def test_the_daemons_job_only_enqueues_and_a_worker_started_later_crawls_the_run(
    postgres_url: str, redis_url: str, redis_prefix: str, tmp_path: Path
) -> None:
    site = ReplicaSite(articles=40)
    with ReplicaServer(site=site) as server:
        schedule = tmp_path / "schedule.toml"
        schedule.write_text(f'[sites.syrianobserver]\ninterval_seconds = 3600\nbase_url = "{server.base_url}"\n')
        env = worker_env(redis_url)
        job = [sys.executable, "-m", "crawler.cli", "run-now", "syrianobserver", "--db", postgres_url,
               "--file", str(schedule), "-s", f"REDIS_KEY_PREFIX={redis_prefix}"]
        enqueued = subprocess.run(job, capture_output=True, text=True, timeout=300, env=env)
        assert enqueued.returncode == 0, enqueued.stdout[-2000:] + enqueued.stderr[-2000:]
        assert "start requests queued in Redis for the workers" in enqueued.stdout
        assert server.requests == 0  # the job fetched nothing, not even robots.txt
        (run,) = read_store(postgres_url)[1]
        assert run.status == "running" and run.trigger == "manual"

        worker = [sys.executable, "-m", "crawler.cli", "crawl"]
        worker += crawl_args(postgres_url, server.base_url, redis_prefix)
        done = subprocess.run(worker, capture_output=True, text=True, timeout=300, env=env)
        assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
        stored, runs = read_store(postgres_url)
        assert_every_article_once(stored, site, server)
        assert {path: n for path, n in server.hits.items() if n > 1} == {}
    # The worker joined the job's run (no second run) and closed it.
    assert [(r.id, r.status) for r in runs] == [(run.id, "ok")]
    assert runs[0].articles_new == len(stored)
    assert no_keys_left(redis_url, redis_prefix) == []
