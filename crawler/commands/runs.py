"""``crawler runs``: the run history (crawl_runs), newest first.

Also home of ``open_store`` and ``unknown_site``, which the other read-only monitoring
commands (``crawler health``, ``crawler jobs``) share.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import inspect, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from crawler.commands import add_db_argument
from crawler.commands.errors import CommandFailed, UsageError, first_line, int_range
from crawler.commands.output import add_format_argument, add_row, new_table, stdout_console, write_rows

NAME = "runs"
HELP = ("list recent crawl runs: trigger, status, pages, articles new/updated/unchanged/duplicate/dropped, "
        "skipped (known, not re-checked) / not modified (304), errors")
EPILOG = """\
examples:
  crawler runs
  crawler runs --site syrianobserver --last 5
  crawler runs --format csv --last 100 > runs.csv
  crawler runs --format json | jq '.[] | select(.status != "ok") | .id'

--format csv/json give one record per run with raw figures: started_at/finished_at (UTC, ISO 8601),
seconds, bytes_fetched, errors_by_kind (an object) and failed_checks (a list).

exit status: 0 after printing (also when no run is recorded yet), 1 when the database is missing or
not a crawler store, 2 for a bad command line or an unknown site."""

# The tables the monitoring commands read: they exist from the first schema revision on.
STORE_TABLES = ("crawl_runs", "health_checks")


class StoreError(CommandFailed):
    """The database cannot be read as a crawler store; the message names it and what to do (exit 1)."""


def open_store(db: str | None, tables: Iterable[str] = STORE_TABLES) -> Engine:
    """A read-only-minded engine on an existing crawler store, or raise StoreError saying what to do.

    Never creates anything: SQLite would create a missing file on connect, so a
    mistyped path is refused before connecting.
    """
    from crawler.secrets import mask_url
    from storage.db import (
        MissingDatabaseError,
        current_state,
        database_url,
        display_url,
        read_engine,
        require_existing_sqlite,
    )

    url = database_url(db)
    try:
        shown = display_url(url)
        require_existing_sqlite(url)
    except ArgumentError as exc:
        raise StoreError(f"--db {mask_url(url)!r} is not a database URL ({exc}); e.g. sqlite:///crawler.db") from None
    except MissingDatabaseError as exc:
        raise StoreError(f"no crawler store at {shown}: {exc}") from None
    engine = read_engine(url)
    try:
        state = current_state(engine)
        present = set(inspect(engine).get_table_names())
    except SQLAlchemyError as exc:
        engine.dispose()
        raise StoreError(f"cannot open the database {shown}: {first_line(exc)}; check --db") from None
    missing = [t for t in tables if t not in present]
    problem = None
    if state.status == "empty":
        problem = f"no crawler store at {shown}: the database has no tables; run a crawl first or pass --db"
    elif state.status == "unknown":
        problem = (
            f"the database {shown} is at schema revision {state.current}, which this crawler does not know "
            f"(its newest is {state.head}): it was migrated by a newer version; upgrade the crawler"
        )
    elif missing:
        problem = (
            f"{shown} is not a crawler store (table(s) {', '.join(missing)} missing): "
            "point --db at the database your crawls write to"
        )
    if problem:
        engine.dispose()
        raise StoreError(problem)
    return engine


def unknown_site(site: str, stored: Iterable[str]) -> str | None:
    """An error message when ``site`` is neither a profile in crawler.sites nor in ``stored``; else None."""
    from crawler.sites import SITES

    known = sorted(set(SITES) | set(stored))
    if site in known:
        return None
    return f"unknown site {site!r}; known sites: {', '.join(known)} (see `crawler sites`)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """--site, --last, --format, --db."""
    parser.add_argument("--site", help="only this site's runs")
    parser.add_argument(
        "--last", type=int_range(1), default=20, metavar="N", help="the last N runs (default 20)"
    )
    add_format_argument(parser)
    add_db_argument(parser)


def _duration(started: datetime, finished: datetime | None) -> str:
    if finished is None:
        return "-"
    seconds = (finished - started).total_seconds()
    return f"{seconds:.0f}s" if seconds < 120 else f"{seconds / 60:.1f}m"


# --format csv/json: one record per run, raw figures (the table's columns are abbreviated).
RECORD_COLUMNS = (
    "id", "site", "trigger", "status", "finish_reason", "started_at", "finished_at", "seconds",
    "pages_fetched", "articles_new", "articles_updated", "articles_unchanged", "articles_duplicate",
    "articles_dropped", "errors", "errors_by_kind", "bytes_fetched", "failed_checks",
    "articles_skipped", "articles_not_modified", "articles_removed",
)
TABLE_COLUMNS = (
    "id", "site", "trigger", "status", "started", "took", "pages", "new", "upd", "same", "dup", "drop",
    "skip", "304", "errors", "KB", "health",
)
NUMERIC = ("id", "pages", "new", "upd", "same", "dup", "drop", "skip", "304", "KB")


def run_record(r: Any, failed_checks: list[str]) -> list[Any]:
    """One run as a RECORD_COLUMNS row."""
    seconds = (r.finished_at - r.started_at).total_seconds() if r.finished_at else None
    return [
        r.id, r.site, r.trigger, r.status, r.finish_reason, r.started_at, r.finished_at, seconds,
        r.pages_fetched, r.articles_new, r.articles_updated, r.articles_unchanged, r.articles_duplicate,
        r.articles_dropped, r.errors, dict(r.errors_by_kind or {}), r.bytes_fetched, failed_checks,
        r.articles_skipped, r.articles_not_modified, r.articles_removed,
    ]


def run(args: argparse.Namespace) -> int:
    """Print the runs as a table, CSV or JSON."""
    from storage.db import session_scope
    from storage.models import CrawlRun, HealthCheck

    engine = open_store(args.db)
    from crawler.liveness import reap_before_reading

    reap_before_reading(engine)  # a run whose process died is shown (and checked) as killed, not running
    stmt = select(CrawlRun).order_by(CrawlRun.id.desc()).limit(args.last)
    if args.site:
        stmt = stmt.where(CrawlRun.site == args.site)
    stored_sites: list[str] = []
    try:
        with session_scope(engine) as session:
            runs = list(session.scalars(stmt))
            failing: dict[int, list[str]] = {}
            if runs:
                rows = session.execute(
                    select(HealthCheck.run_id, HealthCheck.check).where(
                        HealthCheck.run_id.in_([r.id for r in runs]), HealthCheck.status == "fail"
                    )
                )
                for run_id, check in rows:
                    failing.setdefault(run_id, []).append(check)
            elif args.site:
                stored_sites = list(session.scalars(select(CrawlRun.site).distinct()))
    except SQLAlchemyError as exc:
        raise CommandFailed(f"cannot read the run history: {first_line(exc)}; check --db") from None
    finally:
        engine.dispose()
    if not runs:
        # A mistyped --site would otherwise look like a site that never ran.
        problem = unknown_site(args.site, stored_sites) if args.site else None
        if problem:
            raise UsageError(problem)
    if args.format != "table":
        write_rows(RECORD_COLUMNS, [run_record(r, failing.get(r.id, [])) for r in runs], args.format)
        return 0
    if not runs:
        print("no crawl runs recorded" + (f" for site {args.site}" if args.site else ""))
        return 0
    table = new_table(TABLE_COLUMNS, title="Crawl runs (newest first; times UTC)", right=NUMERIC)
    for r in runs:
        kinds = ", ".join(f"{k} {v}" for k, v in sorted((r.errors_by_kind or {}).items()))
        add_row(table, (
            r.id,
            r.site,
            r.trigger,
            r.status,
            r.started_at.strftime("%Y-%m-%d %H:%M:%S"),
            _duration(r.started_at, r.finished_at),
            r.pages_fetched,
            r.articles_new,
            r.articles_updated,
            r.articles_unchanged,
            r.articles_duplicate,
            r.articles_dropped,
            r.articles_skipped,
            r.articles_not_modified,
            f"{r.errors}" + (f" ({kinds})" if kinds else ""),
            f"{r.bytes_fetched / 1024:.0f}",
            ("FAIL " + ", ".join(failing[r.id])) if r.id in failing else "ok",
        ))
    stdout_console().print(table)
    return 0
