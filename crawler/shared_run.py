"""The run several workers share through Redis: joining it, or opening it (see ``crawler/distributed.py``).

Under the site's Redis lock (``<prefix>:<site>:lock``) a worker finds the run the site's pointer
(``<prefix>:<site>:run``) names while its ``crawl_runs`` row is running, or starts one: it shares the
row ``CRAWL_RUN_ID`` names (``crawler crawl --workers N``, the daemon's jobs) or claims a new one, with
no owning process (the workers' heartbeats keep it alive).  A pointer to a run that is over is
removed with the run's keys.
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from scrapy.crawler import Crawler

from crawler.liveness import reap_dead_runs, stale_after
from storage.db import ensure_schema, make_engine, session_scope
from storage.models import CrawlRun
from storage.repository import CrawlRunRepository

logger = logging.getLogger(__name__)


@dataclass
class SharedRun:
    """This worker's membership of a run shared through Redis."""

    server: Any
    site_key: str
    """``<prefix>:<site>``: the site's run pointer and lock."""
    namespace: str
    """``<prefix>:<site>:run<id>``: the run's keys."""
    run_id: int
    worker: str
    seeder: bool
    last: bool = False
    """Set when this worker leaves: True when it was the last one (it closes the run)."""
    merged: dict[str, int] = field(default_factory=dict)
    """The run's stats summed over every worker (read by the last worker when it leaves)."""
    reasons: dict[str, str] = field(default_factory=dict)
    """Each worker that left and its Scrapy close reason."""
    dead: dict[str, int] = field(default_factory=dict)
    """Workers found dead during the run, and how many requests each held (read by the last worker)."""

    def add_stat(self, key: str, count: int) -> None:
        """Add to the run's shared counter ``key``."""
        self.server.hincrby(f"{self.namespace}:stats", key, count)

    def mark_seeded(self) -> None:
        """The start requests are all in the queue."""
        self.server.set(f"{self.namespace}:seeded", b"1")

    def delete_keys(self) -> None:
        """Remove every key of the run and the site's pointer to it (the run is over)."""
        keys = list(self.server.scan_iter(match=f"{self.namespace}:*", count=500))
        if keys:
            self.server.delete(*keys)
        if (self.server.get(f"{self.site_key}:run") or b"").decode() == str(self.run_id):
            self.server.delete(f"{self.site_key}:run")


def worker_id() -> str:
    """``host:pid:random``: unique even when a pid is reused."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


def join(crawler: Crawler, spider: Any, server: Any) -> SharedRun:
    """Join the site's running shared run, or start one (claim a row, or share ``CRAWL_RUN_ID``'s).

    Raises RunBusy when a run of the site that is not shared (no Redis) is going.
    """
    settings = crawler.settings
    enqueue_only = settings.getbool("REDIS_ENQUEUE_ONLY")
    site_key, run_id, worker, seeder = open_shared_run(settings, spider, server, register=not enqueue_only)
    site = site_key.split(":", 1)[1]
    logger.info("worker %s joined run %d of %s%s", worker, run_id, site, " (it enqueues the start requests)" * seeder)
    return SharedRun(server, site_key, f"{site_key}:run{run_id}", run_id, worker, seeder)


def open_shared_run(settings: Any, spider: Any, server: Any, register: bool = False) -> tuple[str, int, str, bool]:
    """Under the site's Redis lock: the site's running shared run, else a new (or ``CRAWL_RUN_ID``'s) one.

    Returns (site key, run id, worker id, seeder); with ``register`` this process joins as a worker
    (``crawler crawl --workers N`` opens the run without being one); without it, under
    ``REDIS_ENQUEUE_ONLY``, it may still be the seeder.  Raises RunBusy.
    """
    site = getattr(spider, "site_key", "") or spider.name
    site_key = f"{settings.get('REDIS_KEY_PREFIX') or 'crawler'}:{site}"
    engine = make_engine(settings.get("DATABASE_URL"))
    worker, seeder = "", False
    try:
        ensure_schema(engine)
        with server.lock(f"{site_key}:lock", timeout=60, blocking_timeout=60):
            run_id = _current_run(server, engine, site_key)
            if run_id is None:
                run_id = _start_run(engine, settings, site, spider)
                server.set(f"{site_key}:run", str(run_id))
            namespace = f"{site_key}:run{run_id}"
            if register:
                worker = worker_id()
                ttl = int(settings.getfloat("REDIS_WORKER_TIMEOUT_SECONDS") * 1000)
                server.set(f"{namespace}:alive:{worker}", b"1", px=ttl)
                server.sadd(f"{namespace}:workers", worker)
                seeder = bool(server.set(f"{namespace}:seeder", worker, nx=True))
            elif settings.getbool("REDIS_ENQUEUE_ONLY"):
                worker = f"enqueuer:{worker_id()}"
                seeder = bool(server.set(f"{namespace}:seeder", worker, nx=True))
    finally:
        engine.dispose()
    return site_key, run_id, worker, seeder


def _current_run(server: Any, engine: Any, site_key: str) -> int | None:
    """The run the site's pointer names while it is running; a stale pointer and its keys are removed."""
    raw = server.get(f"{site_key}:run")
    if not raw:
        return None
    run_id = int(raw)
    with session_scope(engine) as session:
        run = CrawlRunRepository(session).get(run_id)
        if run is not None and run.status == "running":
            return run_id
    stale = list(server.scan_iter(match=f"{site_key}:run{run_id}:*", count=500))
    if stale:
        server.delete(*stale)
    server.delete(f"{site_key}:run")
    return None


def _start_run(engine: Any, settings: Any, site: str, spider: Any) -> int:
    """Share the run ``CRAWL_RUN_ID`` names, or claim a new one; either way with no owning process."""
    now = datetime.now(UTC)
    given = settings.getint("CRAWL_RUN_ID")
    if given:
        with session_scope(engine) as session:
            run = session.get(CrawlRun, given)
            if run is not None and run.status == "running":
                run.pid, run.hostname, run.heartbeat_at = None, None, now
                return given
    reap_dead_runs(engine, now, stale_after(settings), settings=settings)
    with session_scope(engine) as session:
        args = dict(getattr(spider, "run_args", {}))
        run = CrawlRunRepository(session).start(site, spider.name, settings.get("CRAWL_TRIGGER", "manual"), now, args)
        return run.id
