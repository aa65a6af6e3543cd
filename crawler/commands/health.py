"""``crawler health``: the latest health checks per site; non-zero exit when any fails."""

from __future__ import annotations

import argparse

from rich.text import Text

from crawler.commands import add_db_argument
from crawler.commands.errors import CommandFailed, UsageError, first_line
from crawler.commands.output import add_format_argument, add_row, new_table, stdout_console, write_rows

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
  crawler health --format json | jq '.[] | select(.status == "fail")'

--format csv/json give one record per check: site, run_id, checked_at (UTC, ISO 8601),
check, status (ok or fail), detail.  The exit status is the same in every format.

exit status: 0 when every latest check passed (or none ran yet), 1 when any failed or the
database is missing or not a crawler store, 2 for a bad command line or an unknown site."""

RECORD_COLUMNS = ("site", "run_id", "checked_at", "check", "status", "detail")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """--site, --format, --db."""
    parser.add_argument("--site", help="only this site")
    add_format_argument(parser)
    add_db_argument(parser)


def run(args: argparse.Namespace) -> int:
    """Print one table per site; 1 when any check fails."""
    from sqlalchemy import select
    from sqlalchemy.exc import SQLAlchemyError

    from crawler.commands.runs import open_store, unknown_site
    from crawler.health import latest_results
    from storage.db import session_scope
    from storage.models import CrawlRun

    engine = open_store(args.db)
    from crawler.liveness import reap_before_reading

    reap_before_reading(engine)  # a run whose process died is shown (and checked) as killed, not running
    stored_sites: list[str] = []
    try:
        with session_scope(engine) as session:
            results = latest_results(session, args.site)
            if args.site and not results:
                stored_sites = list(session.scalars(select(CrawlRun.site).distinct()))
    except SQLAlchemyError as exc:
        raise CommandFailed(f"cannot read the health checks: {first_line(exc)}; check --db") from None
    finally:
        engine.dispose()
    if not results:
        # A mistyped --site would otherwise pass as a healthy site.
        problem = unknown_site(args.site, stored_sites) if args.site else None
        if problem:
            raise UsageError(problem)
    any_failed = any(c.status == "fail" for checks in results.values() for c in checks)
    if args.format != "table":
        records = [
            [site, c.run_id, c.checked_at, c.check, c.status, c.detail]
            for site, checks in results.items()
            for c in checks
        ]
        write_rows(RECORD_COLUMNS, records, args.format)
        return 1 if any_failed else 0
    if not results:
        print("no health checks recorded yet" + (f" for site {args.site}" if args.site else ""))
        return 0
    console = stdout_console()
    for site, checks in results.items():
        failed = [c for c in checks if c.status == "fail"]
        verdict = f"FAILING ({len(failed)} of {len(checks)})" if failed else "healthy"
        run_id = checks[0].run_id if checks else "-"
        when = checks[0].checked_at.strftime("%Y-%m-%d %H:%M:%S UTC") if checks else ""
        title = f"{site}: {verdict}, run {run_id}, checked {when}"
        table = new_table(("check", "status", "detail"), title=title, title_justify="left")
        for c in checks:
            add_row(table, (c.check, Text("FAIL", style="red") if c.status == "fail" else "ok", c.detail))
        console.print(table)
    return 1 if any_failed else 0
