"""``crawler health``: the latest health checks per site; non-zero exit when any fails."""

from __future__ import annotations

import argparse
import sys

from rich.console import Console
from rich.table import Table

from crawler.commands import add_db_argument

NAME = "health"
HELP = "show each site's latest health checks; exit 1 when any check fails"
DESCRIPTION = """\
Every crawl run (scheduled or manual) is checked when it ends; this prints, per site,
the checks of its most recent checked run:

  run_status        the run failed (an article lost counts), timed out, or was killed (process died or hung)
  killed_runs       runs just before this one were closed as killed (reported once)
  no_new_articles   no new article in HEALTH_NO_NEW_RUNS completed runs of a site that usually has some
  error_rate        errors per fetched page above HEALTH_MAX_ERROR_RATE
  coverage:FIELD    the share of article pages with FIELD filled fell HEALTH_COVERAGE_DROP below
                    the site's recent median (the parser broke after a redesign)

Failing checks are also logged and POSTed as JSON to $CRAWLER_HEALTH_WEBHOOK when they happen."""
EPILOG = """\
examples:
  crawler health
  crawler health --site syrianobserver || echo "a site needs attention"

exit status: 0 when every latest check passed (or none ran yet), 1 when any failed or the
database is not a crawler store, 2 for an unknown site."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """--site, --db."""
    parser.add_argument("--site", help="only this site")
    add_db_argument(parser)


def run(args: argparse.Namespace) -> int:
    """Print one table per site; 1 when any check fails."""
    from sqlalchemy import select
    from sqlalchemy.exc import SQLAlchemyError

    from crawler.commands.runs import StoreError, first_line, open_store, unknown_site
    from crawler.health import latest_results
    from storage.db import session_scope
    from storage.models import CrawlRun

    try:
        engine = open_store(args.db)
    except StoreError as exc:
        print(f"crawler health: {exc}", file=sys.stderr)
        return 1
    from crawler.liveness import reap_before_reading

    reap_before_reading(engine)  # a run whose process died is shown (and checked) as killed, not running
    stored_sites: list[str] = []
    try:
        with session_scope(engine) as session:
            results = latest_results(session, args.site)
            if args.site and not results:
                stored_sites = list(session.scalars(select(CrawlRun.site).distinct()))
    except SQLAlchemyError as exc:
        print(f"crawler health: cannot read the health checks: {first_line(exc)}; check --db", file=sys.stderr)
        return 1
    finally:
        engine.dispose()
    if not results:
        # A mistyped --site would otherwise pass as a healthy site.
        problem = unknown_site(args.site, stored_sites) if args.site else None
        if problem:
            print(f"crawler health: {problem}", file=sys.stderr)
            return 2
        print("no health checks recorded yet" + (f" for site {args.site}" if args.site else ""))
        return 0
    console = Console(width=160)
    any_failed = False
    for site, checks in results.items():
        failed = [c for c in checks if c.status == "fail"]
        any_failed = any_failed or bool(failed)
        verdict = f"FAILING ({len(failed)} of {len(checks)})" if failed else "healthy"
        run_id = checks[0].run_id if checks else "-"
        when = checks[0].checked_at.strftime("%Y-%m-%d %H:%M:%S UTC") if checks else ""
        table = Table(title=f"{site}: {verdict}, run {run_id}, checked {when}", title_justify="left")
        table.add_column("check")
        table.add_column("status")
        table.add_column("detail")
        for c in checks:
            table.add_row(c.check, "[red]FAIL[/red]" if c.status == "fail" else "ok", c.detail)
        console.print(table)
    return 1 if any_failed else 0
