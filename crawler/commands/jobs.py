"""``crawler jobs``: the scheduled jobs stored in the database and their next run times."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime

from rich.console import Console
from rich.table import Table
from sqlalchemy import select

from crawler.commands import add_db_argument

NAME = "jobs"
HELP = "list the daemon's scheduled jobs (one per site) with their next run times and last run"
EPILOG = """\
exit status: 0 after printing (also when no job is stored yet), 1 when the database is not a crawler store."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """--db."""
    add_db_argument(parser)


def _in(delta_seconds: float) -> str:
    if delta_seconds < 0:
        return "due"
    if delta_seconds < 120:
        return f"in {delta_seconds:.0f}s"
    if delta_seconds < 7200:
        return f"in {delta_seconds / 60:.0f}m"
    return f"in {delta_seconds / 3600:.1f}h"


def run(args: argparse.Namespace) -> int:
    """Print the table."""
    from sqlalchemy.exc import SQLAlchemyError

    from crawler.commands.runs import StoreError, first_line, open_store
    from crawler.scheduler import stored_jobs
    from storage.db import session_scope
    from storage.models import CrawlRun

    try:
        engine = open_store(args.db, tables=("crawl_runs",))
    except StoreError as exc:
        print(f"crawler jobs: {exc}", file=sys.stderr)
        return 1
    last: dict[str, CrawlRun] = {}
    try:
        jobs = stored_jobs(engine)
        with session_scope(engine) as session:
            for job in jobs:
                run = session.scalars(
                    select(CrawlRun).where(CrawlRun.site == job.id).order_by(CrawlRun.id.desc()).limit(1)
                ).first()
                if run is not None:
                    last[job.id] = run
    except SQLAlchemyError as exc:
        print(f"crawler jobs: cannot read the stored jobs: {first_line(exc)}; check --db", file=sys.stderr)
        return 1
    finally:
        engine.dispose()
    now = datetime.now(UTC)
    if not jobs:
        print("no scheduled jobs stored in this database: start `crawler schedule` to create them")
        return 0
    table = Table(title="Scheduled jobs (times UTC)")
    for column in ("site", "trigger", "next run", "", "base URL", "last run"):
        table.add_column(column)
    for job in jobs:
        nxt = job.next_run_time
        when = nxt.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S") if nxt else "paused"
        relative = _in((nxt - now).total_seconds()) if nxt else ""
        prev = last.get(job.id)
        prev_text = f"#{prev.id} {prev.status} {prev.started_at:%Y-%m-%d %H:%M}" if prev else "-"
        table.add_row(job.id, str(job.trigger), when, relative, job.kwargs.get("base_url") or "(site)", prev_text)
    Console(width=160).print(table)
    return 0
