"""The monitoring daemon: APScheduler 3.x with its jobs persisted in the project's database.

One job per site, the job id is the site key; every job calls ``crawler.jobs.run_site_crawl``
with plain arguments, which runs the crawl in a child process.  The stored arguments hold no
credentials: a job runs against the daemon's own database URL, handed over at start
(``jobs.use_secrets``) and passed to the child in its environment.  ``coalesce=True`` turns
several missed runs into one, ``max_instances=1`` keeps two runs of a site from
overlapping, ``misfire_grace_time`` says how late a run may still start.

On start the schedule is synchronised with the job store: a job whose trigger and
arguments are unchanged is kept as stored (so a run missed while the daemon was down is
caught up within the grace time), a changed one is replaced, a site no longer scheduled
is removed.  SIGTERM or SIGINT stop the daemon: no new crawl starts, running crawls are
told to close (recorded ``interrupted``), and the daemon exits once they have.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from apscheduler.events import (
    EVENT_JOB_ERROR,
    EVENT_JOB_EXECUTED,
    EVENT_JOB_MAX_INSTANCES,
    EVENT_JOB_MISSED,
    JobEvent,
    JobExecutionEvent,
)
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.job import Job
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import inspect
from sqlalchemy.engine import Engine

from crawler import health, jobs
from crawler.schedule_file import ScheduleEntry
from crawler.secrets import SECRET_SETTINGS, mask_url, public_settings
from storage.db import ensure_schema, make_engine

logger = logging.getLogger(__name__)

JOBS_TABLE = "apscheduler_jobs"
JOB_FUNC = "crawler.jobs:run_site_crawl"


def job_kwargs(entry: ScheduleEntry, overrides: dict[str, str] | None = None) -> dict[str, Any]:
    """The plain arguments stored with a site's job (what ``run_site_crawl`` receives).

    No credentials: the job runs against the daemon's database (``jobs.use_secrets``), so the
    job table holds neither the database URL nor any other secret setting.
    """
    return {
        "site": entry.site,
        "base_url": entry.base_url,
        "spider_args": dict(entry.args),
        "settings": public_settings({**(overrides or {}), **entry.settings}),
        "time_limit": entry.time_limit_seconds,
        "trigger": "schedule",
    }


def job_store(engine: Engine) -> SQLAlchemyJobStore:
    """The persistent job store: table ``apscheduler_jobs`` in the project's database."""
    # Pass our engine, not the URL: APScheduler would pick the psycopg2 driver for postgresql://.
    return SQLAlchemyJobStore(engine=engine, tablename=JOBS_TABLE)


def build_scheduler(engine: Engine, settings: Any) -> BackgroundScheduler:
    """A scheduler with the persistent store and the project's job defaults (UTC)."""
    return BackgroundScheduler(
        jobstores={"default": job_store(engine)},
        executors={"default": ThreadPoolExecutor(max_workers=settings.getint("SCHEDULER_MAX_PARALLEL_CRAWLS", 4))},
        job_defaults={
            "coalesce": True,
            "max_instances": 1,
            "misfire_grace_time": settings.getint("SCHEDULER_MISFIRE_GRACE_SECONDS", 600),
        },
        timezone=UTC,
    )


def _same_job(job: Job, entry: ScheduleEntry, kwargs: dict[str, Any]) -> bool:
    return str(job.trigger) == str(entry.trigger()) and job.kwargs == kwargs and job.func_ref == JOB_FUNC


def sync_jobs(
    scheduler: BackgroundScheduler, entries: Sequence[ScheduleEntry], overrides: dict[str, str]
) -> dict[str, str]:
    """Make the stored jobs match ``entries``; return what happened to each site (kept/added/replaced/removed).

    A job stored by an older version with a database URL in its arguments differs, so it is replaced.
    """
    actions: dict[str, str] = {}
    wanted = {entry.site for entry in entries}
    for job in scheduler.get_jobs():
        if job.id not in wanted:
            scheduler.remove_job(job.id)
            actions[job.id] = "removed"
    for entry in entries:
        kwargs = job_kwargs(entry, overrides)
        stored = scheduler.get_job(entry.site)
        if stored is not None and _same_job(stored, entry, kwargs):
            actions[entry.site] = "kept"
            continue
        scheduler.add_job(
            JOB_FUNC,
            trigger=entry.trigger(),
            id=entry.site,
            name=f"crawl {entry.site}",
            kwargs=kwargs,
            replace_existing=True,
        )
        actions[entry.site] = "replaced" if stored is not None else "added"
    return actions


def stored_jobs(engine: Engine) -> list[Job]:
    """The jobs in the database's job store, read without starting a scheduler."""
    if JOBS_TABLE not in inspect(engine).get_table_names():
        return []
    return job_store(engine).get_all_jobs()


class MonitorDaemon:
    """The ``crawler schedule`` process: a scheduler, its jobs, and a clean stop on a signal."""

    def __init__(
        self, db_url: str, entries: Sequence[ScheduleEntry], settings: Any, overrides: dict[str, str] | None = None
    ) -> None:
        self.db_url = db_url
        self.entries = list(entries)
        self.settings = settings
        self.overrides = dict(overrides or {})
        self.engine = make_engine(db_url)
        self.scheduler = build_scheduler(self.engine, settings)
        self._stop = threading.Event()

    def start(self) -> dict[str, str]:
        """Prepare the database, sync the jobs, start firing; return the sync actions."""
        ensure_schema(self.engine)
        # The jobs read the database URL (and other secrets) from here at run time, not from the job store.
        jobs.use_secrets({**{name: self.settings.get(name) for name in SECRET_SETTINGS}, "DATABASE_URL": self.db_url})
        # Said once at start, not discovered at the first failing check hours later.
        health.warn_webhook(self.settings.get("HEALTH_WEBHOOK_URL"))
        limit = self.settings.getint("SCHEDULER_CRAWL_TIME_LIMIT") + self.settings.getint(
            "SCHEDULER_KILL_GRACE_SECONDS"
        )
        abandoned = jobs.reap_abandoned(self.engine, datetime.now(UTC), timedelta(seconds=limit))
        if abandoned:
            logger.warning("marked %d abandoned run(s) failed: %s", len(abandoned), abandoned)
        self.scheduler.add_listener(
            self._on_event, EVENT_JOB_ERROR | EVENT_JOB_EXECUTED | EVENT_JOB_MISSED | EVENT_JOB_MAX_INSTANCES
        )
        # Paused first: jobs are compared with the stored ones before anything fires.
        self.scheduler.start(paused=True)
        actions = sync_jobs(self.scheduler, self.entries, self.overrides)
        for site, action in sorted(actions.items()):
            job = self.scheduler.get_job(site)
            when = job.next_run_time.isoformat() if job and job.next_run_time else "-"
            logger.info("job %s %s (%s); next run %s", site, action, job.trigger if job else "", when)
        self.scheduler.resume()
        return actions

    def stop(self, signum: int | None = None) -> None:
        """Ask the daemon to stop (safe from a signal handler)."""
        if signum is not None:
            logger.info("received %s: stopping", signal.Signals(signum).name)
        self._stop.set()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until a stop is asked (or ``timeout``); True when stopping."""
        return self._stop.wait(timeout)

    def shutdown(self) -> None:
        """Stop firing, tell running crawls to close, wait for them (bounded), then exit."""
        self.scheduler.pause()
        jobs.request_stop()
        timeout = self.settings.getfloat("SCHEDULER_STOP_TIMEOUT", 30)
        if not jobs.wait_for_crawls(timeout):
            jobs.kill_running()
        # The job threads now only write the final status of their runs.
        self.scheduler.shutdown(wait=True)
        self.engine.dispose()
        logger.info("scheduler stopped")

    def run_forever(self) -> int:
        """Start, serve until SIGTERM/SIGINT, stop cleanly; the process exit status."""
        signal.signal(signal.SIGTERM, lambda signum, _frame: self.stop(signum))
        signal.signal(signal.SIGINT, lambda signum, _frame: self.stop(signum))
        self.start()
        logger.info(
            "scheduler running %d job(s) on %s; SIGTERM or Ctrl-C stops it", len(self.entries), mask_url(self.db_url)
        )
        while not self.wait(1.0):
            pass
        self.shutdown()
        return 0

    def _on_event(self, event: JobEvent) -> None:
        now = datetime.now(UTC)
        if event.code == EVENT_JOB_MISSED:
            logger.warning(
                "job %s missed its run at %s by more than the grace time",
                event.job_id,
                getattr(event, "scheduled_run_time", "?"),
            )
        elif event.code == EVENT_JOB_MAX_INSTANCES:
            logger.warning("job %s skipped at %s: its previous run is still going", event.job_id, now.isoformat())
        elif event.code == EVENT_JOB_ERROR:
            assert isinstance(event, JobExecutionEvent)
            logger.error("job %s raised: %r", event.job_id, event.exception, exc_info=event.exception)
        elif event.code == EVENT_JOB_EXECUTED:
            assert isinstance(event, JobExecutionEvent)
            logger.info("job %s done: %s", event.job_id, event.retval)
