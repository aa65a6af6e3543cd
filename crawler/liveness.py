"""No run left hanging: who owns a ``running`` run, whether that process still lives, the claim of a site.

A running run carries the pid and hostname of the crawl that owns it and a heartbeat the crawl
refreshes every ``RUN_HEARTBEAT_SECONDS``.  A run is *dead* when its process is gone (its pid no
longer lives on this host) or its heartbeat is older than ``RUN_STALE_SECONDS`` (a process on
another host, or one that hangs).  ``reap_dead_runs`` closes such runs as ``killed`` and health-checks
them, so they are reported and block nothing; it runs before every claim (``crawler crawl``,
``run-now``, the daemon's jobs) and in ``crawler runs`` / ``crawler health``.

``claim_run`` is the one way a run starts: reap the site's dead runs, then insert the new run;
the partial unique index ``uq_crawl_runs_site_running`` refuses a second running run of a site
atomically (no check-then-insert race between processes).
"""

from __future__ import annotations

import logging
import os
import socket
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine

from crawler.retry import describe
from storage.db import session_scope
from storage.models import CrawlRun
from storage.repository import CrawlRunRepository

logger = logging.getLogger(__name__)


def this_process() -> tuple[int, str]:
    """(pid, hostname) of this process: the owner recorded on the runs it claims."""
    return os.getpid(), socket.gethostname()


def process_alive(pid: int) -> bool:
    """True when process ``pid`` exists on this host and is not a zombie (killed, not yet reaped)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: alive
        return True
    try:
        # Field 3 of /proc/PID/stat is the state; Z = exited, waiting for its parent to reap it.
        stat = Path(f"/proc/{pid}/stat").read_text()
        return stat.rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True  # no /proc (not Linux): os.kill said it exists


@dataclass(frozen=True)
class DeadRun:
    """A running run whose owner is gone, and why we think so."""

    run_id: int
    site: str
    reason: str


def why_dead(run: CrawlRun, now: datetime, stale_after: timedelta, host: str | None = None) -> str | None:
    """Why ``run`` (status running) has no live owner, or None when it may still be going."""
    host = host or socket.gethostname()
    if run.pid and run.hostname == host and not process_alive(run.pid):
        return f"killed: its process {run.pid} on {host} is gone"
    last = run.heartbeat_at or run.started_at
    if now - last > stale_after:
        who = f"process {run.pid} on {run.hostname}" if run.pid else "its process"
        return f"killed: no heartbeat from {who} for {(now - last).total_seconds():.0f}s (hung or gone)"
    return None


def reap_dead_runs(
    engine: Engine, now: datetime, stale_after: timedelta, site: str | None = None, settings: Any = None
) -> list[DeadRun]:
    """Close as ``killed`` the running runs (of ``site``) whose owner is gone; health-check each."""
    from crawler import health

    dead: list[DeadRun] = []
    with session_scope(engine) as session:
        for run in CrawlRunRepository(session).running(site):
            reason = why_dead(run, now, stale_after)
            if reason is None:
                continue
            run.status = "killed"
            run.finish_reason = reason[:200]
            run.finished_at = now
            dead.append(DeadRun(run.id, run.site, reason))
    for run in dead:
        logger.warning("run %d of %s closed as killed: %s", run.run_id, run.site, run.reason)
        if settings is not None:
            health.after_run(engine, run.run_id, settings, now)
    return dead


def stale_after(settings: Any) -> timedelta:
    """``RUN_STALE_SECONDS`` as a timedelta."""
    return timedelta(seconds=settings.getfloat("RUN_STALE_SECONDS"))


def claim_run(
    engine: Engine,
    site: str,
    spider: str,
    trigger: str,
    now: datetime,
    args: dict[str, str],
    settings: Any,
    owner: tuple[int, str] | None = None,
) -> int:
    """Start a run of ``site`` owned by ``owner`` (default: this process); raise RunBusy if one is going.

    Dead runs (of every site: whichever crawl comes next cleans up) are closed first, so a crawl
    killed earlier blocks nothing.
    """
    reap_dead_runs(engine, now, stale_after(settings), settings=settings)
    with session_scope(engine) as session:
        run = CrawlRunRepository(session).start(site, spider, trigger, now, args, owner or this_process())
        return run.id


def reap_before_reading(engine: Engine) -> list[DeadRun]:
    """For ``crawler runs`` / ``crawler health``: close dead runs first, so what they show is true.

    Never raises: a read-only command still shows what it can when it may not write.
    """
    from sqlalchemy.exc import SQLAlchemyError

    from crawler.runner import project_settings

    settings = project_settings(None, {})
    try:
        return reap_dead_runs(engine, datetime.now(UTC), stale_after(settings), settings=settings)
    except SQLAlchemyError as exc:
        logger.info("dead runs not closed (%s)", describe(exc))
        return []
