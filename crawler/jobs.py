"""The scheduled job: one crawl of one site in a child process, with a time limit.

``run_site_crawl`` is what APScheduler stores and calls (a module-level function taking
plain arguments, so the persistent job store can pickle a reference to it). Twisted's
reactor cannot restart, so every crawl is a fresh ``scrapy crawl`` child process.

The parent pre-creates the run's ``crawl_runs`` row and passes its id to the child
(``CRAWL_RUN_ID``): a child that crashes before recording anything still leaves a
``failed`` row, with the last lines it printed. The child closes itself at the time
limit (Scrapy's ``CLOSESPIDER_TIMEOUT``, recorded ``timed_out``); the parent kills it
after a further grace. ``request_stop`` tells every running crawl to close (SIGTERM,
which Scrapy handles gracefully: the run is recorded ``interrupted``, its stored
articles stay).
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections import deque
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from crawler.args import is_loopback
from crawler.liveness import claim_run, reap_dead_runs
from crawler.runner import project_settings
from crawler.secrets import SECRET_SETTINGS, public_settings, secret_environment
from storage.db import database_url, ensure_schema, make_engine, session_scope
from storage.repository import CrawlRunRepository, RunBusy

logger = logging.getLogger(__name__)

# Lines of a child's output kept to explain a crash in the run's finish_reason.
OUTPUT_TAIL_LINES = 12

_lock = threading.Lock()
_running: dict[str, subprocess.Popen[str]] = {}
_stopping = threading.Event()
# This process's credentials (the daemon's --db, -s and environment): never stored with a job.
_secrets: dict[str, str] = {}


@dataclass(frozen=True)
class JobResult:
    """What one job did: the run it recorded (or why it did not run)."""

    site: str
    run_id: int | None
    status: str
    detail: str = ""


def use_secrets(values: dict[str, Any]) -> None:
    """Give this process's jobs their database URL (and other secret settings) at run time.

    The daemon calls this once: its stored jobs hold the site and options only, so the job
    table never holds a password, and a changed ``--db`` applies to every job.
    """
    _secrets.clear()
    _secrets.update({name: str(values[name]) for name in SECRET_SETTINGS if values.get(name)})


def request_stop() -> None:
    """Start no new crawl and tell every running one to close gracefully (SIGTERM)."""
    _stopping.set()
    with _lock:
        children = list(_running.items())
    for site, proc in children:
        if proc.poll() is None:
            logger.info("asking the %s crawl (pid %d) to close", site, proc.pid)
            _signal(proc, signal.SIGTERM)


def kill_running() -> None:
    """Kill crawls that did not close after ``request_stop``."""
    with _lock:
        children = list(_running.items())
    for site, proc in children:
        if proc.poll() is None:
            logger.warning("killing the %s crawl (pid %d): it did not close in time", site, proc.pid)
            _signal(proc, signal.SIGKILL)


def wait_for_crawls(timeout: float) -> bool:
    """Wait up to ``timeout`` seconds for running crawls to exit; True when none is left."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with _lock:
            alive = [p for p in _running.values() if p.poll() is None]
        if not alive:
            return True
        time.sleep(0.1)
    return False


def running_sites() -> list[str]:
    """Sites with a crawl running in this process's children."""
    with _lock:
        return sorted(site for site, proc in _running.items() if proc.poll() is None)


def _signal(proc: subprocess.Popen[str], sig: int) -> None:
    try:
        proc.send_signal(sig)
    except ProcessLookupError:  # it exited meanwhile
        pass


def child_log_level(settings: dict[str, str] | None = None) -> str:
    """A scheduled crawl's LOG_LEVEL: the job's setting, else $CRAWLER_LOG_LEVEL, else WARNING.

    Quiet by default: the daemon relays every line a child prints into its own log.
    """
    return (settings or {}).get("LOG_LEVEL") or os.environ.get("CRAWLER_LOG_LEVEL") or "WARNING"


def crawl_command(
    site: str,
    run_id: int,
    trigger: str,
    time_limit: int,
    base_url: str | None = None,
    spider_args: dict[str, str] | None = None,
    settings: dict[str, str] | None = None,
) -> list[str]:
    """The child's command line: ``scrapy crawl SITE`` with the run's settings.

    It holds no credentials (every user can read it in ``ps``): the database URL and the
    other secret settings reach the child through ``crawl_environment``.
    """
    overrides = {"LOG_LEVEL": child_log_level(settings)}
    if base_url and is_loopback(base_url):
        overrides["AUTOTHROTTLE_ENABLED"] = "False"  # politeness delays are pointless on 127.0.0.1
    overrides.update(public_settings(settings))
    overrides.update(
        CRAWL_TRIGGER=trigger,
        CRAWL_RUN_ID=str(run_id),
        CLOSESPIDER_TIMEOUT=str(time_limit),
    )
    command = [sys.executable, "-m", "scrapy", "crawl", site]
    args = dict(spider_args or {})
    if base_url:
        args["base_url"] = base_url
    for key, value in args.items():
        command += ["-a", f"{key}={value}"]
    for key, value in overrides.items():
        command += ["-s", f"{key}={value}"]
    return command


def crawl_environment(db_url: str, proj: Any) -> dict[str, str]:
    """The child's environment: ours, plus the database URL and secret settings (crawler/settings.py reads them)."""
    secrets = {name: proj.get(name) for name in SECRET_SETTINGS}
    secrets["DATABASE_URL"] = db_url
    return dict(os.environ, SCRAPY_SETTINGS_MODULE="crawler.settings", **secret_environment(secrets))


def reap_abandoned(engine: Any, now: datetime, max_age: timedelta, settings: Any = None) -> list[int]:
    """Close as ``killed`` the running runs whose process is gone or whose heartbeat is older than
    ``max_age`` (a daemon killed with SIGKILL, a machine reboot), health-checking each. Returns their ids."""
    settings = settings if settings is not None else project_settings(None, {})
    return [run.run_id for run in reap_dead_runs(engine, now, max_age, settings=settings)]


def run_site_crawl(
    site: str,
    db_url: str | None = None,
    base_url: str | None = None,
    spider_args: dict[str, str] | None = None,
    settings: dict[str, str] | None = None,
    time_limit: int | None = None,
    trigger: str = "schedule",
) -> JobResult:
    """Crawl ``site`` once in a child process and make sure its run row ends with a final status.

    ``db_url`` is given by ``crawler run-now``; a scheduled job has none and uses the daemon's
    (``use_secrets``), else ``$CRAWLER_DATABASE_URL``.  Returns without crawling when the
    process is stopping or another run of the site (from another process, e.g.
    ``crawler run-now``) is still going.
    """
    if _stopping.is_set():
        return JobResult(site, None, "skipped", "the scheduler is stopping")
    db_url = db_url or _secrets.get("DATABASE_URL") or database_url()
    secret_overrides = {k: v for k, v in _secrets.items() if k != "DATABASE_URL"}
    proj = project_settings(db_url, {**dict(settings or {}), **secret_overrides})
    limit = time_limit or proj.getint("SCHEDULER_CRAWL_TIME_LIMIT")
    kill_after = limit + proj.getint("SCHEDULER_KILL_GRACE_SECONDS")
    now = datetime.now(UTC)
    engine = make_engine(db_url)
    try:
        ensure_schema(engine)
        run_args = {k: v for k, v in {**(spider_args or {}), "base_url": base_url or ""}.items() if v}
        # The atomic claim (one running run per site, enforced by the database); the child takes it over.
        try:
            run_id = claim_run(engine, site, site, trigger, now, run_args, proj)
        except RunBusy as busy:
            logger.warning("%s: %s; not starting another", site, busy)
            return JobResult(site, None, "skipped", str(busy))
        command = crawl_command(site, run_id, trigger, limit, base_url, spider_args, settings)
        # Distributed mode: the daemon only enqueues (its child opens the run and seeds the shared
        # queue, then leaves); the workers, started on any machine with `crawler crawl SITE`, crawl.
        enqueue_only = bool(proj.get("REDIS_URL"))
        if enqueue_only:
            command += ["-s", "REDIS_ENQUEUE_ONLY=True"]
        env = crawl_environment(db_url, proj)
        returncode, killed_for_time, tail = _supervise(site, run_id, command, env, kill_after)
        return _finish(engine, proj, site, run_id, returncode, killed_for_time, tail, enqueue_only)
    finally:
        engine.dispose()


def _supervise(
    site: str, run_id: int, command: list[str], env: dict[str, str], kill_after: float
) -> tuple[int, bool, list[str]]:
    """Run the child, relaying its output to the log; kill it after ``kill_after`` seconds."""
    logger.info("%s: run %d starting: %s", site, run_id, " ".join(command[2:]))
    # Own session: a Ctrl-C at the daemon's terminal must not reach the child twice (Scrapy
    # would force an unclean shutdown); the daemon forwards one SIGTERM itself.
    proc = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env, start_new_session=True
    )
    with _lock:
        _running[site] = proc
    if _stopping.is_set():  # a stop arrived while the child was starting
        _signal(proc, signal.SIGTERM)
    tail: deque[str] = deque(maxlen=OUTPUT_TAIL_LINES)
    relay = threading.Thread(target=_relay, args=(proc, site, run_id, tail), name=f"relay-{site}", daemon=True)
    relay.start()
    killed_for_time = False
    try:
        proc.wait(timeout=kill_after)
    except subprocess.TimeoutExpired:
        killed_for_time = True
        logger.error("%s: run %d exceeded its time limit by the grace; killing it", site, run_id)
        _signal(proc, signal.SIGKILL)
        proc.wait()
    finally:
        with _lock:
            if _running.get(site) is proc:
                del _running[site]
    relay.join(timeout=5)
    return proc.returncode, killed_for_time, list(tail)


def _relay(proc: subprocess.Popen[str], site: str, run_id: int, tail: deque[str]) -> None:
    assert proc.stdout is not None
    for line in proc.stdout:
        line = line.rstrip()
        if line:
            tail.append(line)
            logger.info("[%s run %d] %s", site, run_id, line)


def _finish(
    engine: Any, proj: Any, site: str, run_id: int, returncode: int, killed_for_time: bool, tail: list[str],
    enqueue_only: bool = False,
) -> JobResult:
    """Give the run a final status if the child left it ``running``; health-check it then.

    An enqueue-only child (distributed mode) that exited 0 leaves the run running on purpose:
    the workers close it.
    """
    from crawler import health

    now = datetime.now(UTC)
    with session_scope(engine) as session:
        run = CrawlRunRepository(session).get(run_id)
        assert run is not None
        if enqueue_only and returncode == 0 and run.status == "running":
            logger.info("%s: run %d enqueued; the workers crawl it", site, run_id)
            return JobResult(site, run_id, "enqueued", "start requests queued in Redis for the workers")
        recorded_by_child = run.status != "running"
        if not recorded_by_child:
            if killed_for_time:
                run.status, reason = "timed_out", "killed after the time limit and grace"
            elif _stopping.is_set():
                run.status, reason = "interrupted", "the scheduler stopped"
            else:
                run.status = "failed"
                last = tail[-1] if tail else "no output"
                reason = f"crawl process exited with code {returncode}: {last}"
            run.finish_reason = reason[:200]
            run.finished_at = now
        status, detail = run.status, run.finish_reason or ""
    if not recorded_by_child:
        # The child's recorder never ran its checks: do it here so the failure is alerted.
        health.after_run(engine, run_id, proj, now)
        if status == "failed":
            logger.error("%s: run %d failed; its last output:\n%s", site, run_id, "\n".join(tail))
    log = logger.info if status in ("ok", "interrupted") else logger.error
    log("%s: run %d ended %s (%s)", site, run_id, status, detail)
    return JobResult(site, run_id, status, detail)
