"""``crawler runs``: the run history (crawl_runs), newest first."""

from __future__ import annotations

import argparse
from datetime import datetime

from rich.console import Console
from rich.table import Table
from sqlalchemy import select

NAME = "runs"
HELP = "list recent crawl runs: trigger, status, pages, articles new/updated/unchanged/duplicate/dropped, errors"
EPILOG = """\
examples:
  crawler runs
  crawler runs --site syrianobserver --last 5"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """--site, --last, --db."""
    parser.add_argument("--site", help="only this site's runs")
    parser.add_argument("--last", type=int, default=20, metavar="N", help="the last N runs (default 20)")
    parser.add_argument("--db", metavar="URL", help="SQLAlchemy database URL (default: $CRAWLER_DATABASE_URL)")


def _duration(started: datetime, finished: datetime | None) -> str:
    if finished is None:
        return "-"
    seconds = (finished - started).total_seconds()
    return f"{seconds:.0f}s" if seconds < 120 else f"{seconds / 60:.1f}m"


def run(args: argparse.Namespace) -> int:
    """Print the table."""
    from storage.db import make_engine, session_scope
    from storage.models import CrawlRun, HealthCheck

    if args.last < 1:
        print("crawler runs: --last must be 1 or more")
        return 2
    engine = make_engine(args.db)
    stmt = select(CrawlRun).order_by(CrawlRun.id.desc()).limit(args.last)
    if args.site:
        stmt = stmt.where(CrawlRun.site == args.site)
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
    engine.dispose()
    if not runs:
        print("no crawl runs recorded" + (f" for site {args.site}" if args.site else ""))
        return 0
    table = Table(title="Crawl runs (newest first; times UTC)")
    for column in (
        "id",
        "site",
        "trigger",
        "status",
        "started",
        "took",
        "pages",
        "new",
        "upd",
        "same",
        "dup",
        "drop",
        "errors",
        "KB",
        "health",
    ):
        table.add_column(
            column, justify="right" if column in ("id", "pages", "new", "upd", "same", "dup", "drop", "KB") else "left"
        )
    for r in runs:
        kinds = ", ".join(f"{k} {v}" for k, v in sorted((r.errors_by_kind or {}).items()))
        table.add_row(
            str(r.id),
            r.site,
            r.trigger,
            r.status,
            r.started_at.strftime("%Y-%m-%d %H:%M:%S"),
            _duration(r.started_at, r.finished_at),
            str(r.pages_fetched),
            str(r.articles_new),
            str(r.articles_updated),
            str(r.articles_unchanged),
            str(r.articles_duplicate),
            str(r.articles_dropped),
            f"{r.errors}" + (f" ({kinds})" if kinds else ""),
            f"{r.bytes_fetched / 1024:.0f}",
            ("FAIL " + ", ".join(failing[r.id])) if r.id in failing else "ok",
        )
    Console(width=200).print(table)
    return 0
