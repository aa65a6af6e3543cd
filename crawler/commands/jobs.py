"""``crawler jobs``: the scheduled jobs stored in the database and their next run times."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime

from sqlalchemy import select

from crawler.commands import add_db_argument
from crawler.commands.errors import CommandFailed, first_line
from crawler.commands.output import add_format_argument, add_row, new_table, stdout_console, write_rows

NAME = "jobs"
HELP = "list the daemon's scheduled jobs (one per site) with their next run times and last run"
EPILOG = """\
examples:
  crawler jobs
  crawler jobs --db postgresql://127.0.0.1/news
  crawler jobs --format json | jq -r '.[] | "\\(.site) \\(.next_run_at)"'

--format csv/json give one record per job: next_run_at (UTC, ISO 8601; null or empty when paused),
base_url (empty: the site's own), last_run_id, last_run_status, last_run_started_at.

exit status: 0 after printing (also when no job is stored yet), 1 when the database is missing or
not a crawler store, 2 for a bad command line."""

RECORD_COLUMNS = (
    "site", "trigger", "next_run_at", "base_url", "last_run_id", "last_run_status", "last_run_started_at",
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """--format, --db."""
    add_format_argument(parser)
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

    from crawler.commands.runs import open_store
    from crawler.scheduler import stored_jobs
    from storage.db import session_scope
    from storage.models import CrawlRun

    engine = open_store(args.db, tables=("crawl_runs",))
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
        raise CommandFailed(f"cannot read the stored jobs: {first_line(exc)}; check --db") from None
    finally:
        engine.dispose()
    if args.format != "table":
        records = []
        for job in jobs:
            prev = last.get(job.id)
            records.append([
                job.id,
                str(job.trigger),
                job.next_run_time.astimezone(UTC) if job.next_run_time else None,
                job.kwargs.get("base_url"),
                prev.id if prev else None,
                prev.status if prev else None,
                prev.started_at if prev else None,
            ])
        write_rows(RECORD_COLUMNS, records, args.format)
        return 0
    now = datetime.now(UTC)
    if not jobs:
        print("no scheduled jobs stored in this database: start `crawler schedule` to create them")
        return 0
    table = new_table(("site", "trigger", "next run", "", "base URL", "last run"), title="Scheduled jobs (times UTC)")
    for job in jobs:
        nxt = job.next_run_time
        when = nxt.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S") if nxt else "paused"
        relative = _in((nxt - now).total_seconds()) if nxt else ""
        prev = last.get(job.id)
        prev_text = f"#{prev.id} {prev.status} {prev.started_at:%Y-%m-%d %H:%M}" if prev else "-"
        add_row(table, (job.id, str(job.trigger), when, relative, job.kwargs.get("base_url") or "(site)", prev_text))
    stdout_console().print(table)
    return 0
