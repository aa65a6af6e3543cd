"""``crawler run-now SITE``: run a site's scheduled crawl once, now, in the foreground."""

from __future__ import annotations

import argparse
import signal
import time
from typing import Any

from crawler.commands import add_db_argument
from crawler.commands.errors import CommandFailed, UsageError, checked_database_url, first_line, key_value
from crawler.runner import exit_code, print_summary, project_settings, read_outcome
from crawler.schedule_file import ScheduleError, load_schedule

NAME = "run-now"
HELP = "run one site's scheduled crawl now (child process, time limit, recorded and health-checked)"
DESCRIPTION = """\
Run SITE's job once, now, as the daemon would: in a child process with the time
limit, recorded in crawl_runs with trigger 'manual' and health-checked at the end.

The job's options (base_url, spider args, settings, time limit) come from --file,
else from the job the daemon stored in the database, else from the site profile.
It refuses to start while another run of the site is still going."""
EPILOG = """\
examples:
  crawler run-now syrianobserver
  crawler run-now syrianobserver --file schedule.toml

exit status: 0 when the crawl completed, 1 when it failed, timed out or could not
start (another run of the site is going, the database cannot be opened or is behind),
2 for a bad command line or schedule file (unknown site, missing file), 130 when interrupted."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """SITE, --file, --db, -s."""
    parser.add_argument("site", metavar="SITE", help="site key (see `crawler sites` or `crawler jobs`)")
    parser.add_argument("--file", metavar="SCHEDULE.toml", help="take the job's options from this schedule file")
    add_db_argument(parser)
    parser.add_argument(
        "-s", dest="settings", action="append", type=key_value("-s DOWNLOAD_DELAY=2"),
        metavar="NAME=VALUE", help="setting override",
    )


def job_options(site: str, path: str | None, db_url: str) -> dict[str, Any]:
    """The site's job options from the file, the stored job, or the profile (in that order)."""
    from crawler.scheduler import stored_jobs
    from storage.db import make_engine

    if path:
        for entry in load_schedule(path):
            if entry.site == site:
                return {
                    "base_url": entry.base_url,
                    "spider_args": entry.args,
                    "settings": entry.settings,
                    "time_limit": entry.time_limit_seconds,
                }
        raise ScheduleError(f"{path}: no entry [sites.{site}]; add one or leave out --file")
    from sqlalchemy.exc import SQLAlchemyError

    engine = make_engine(db_url)
    try:
        stored = {job.id: job for job in stored_jobs(engine)}
    except SQLAlchemyError as exc:
        raise CommandFailed(f"cannot read the stored jobs: {first_line(exc)}; check --db") from None
    finally:
        engine.dispose()
    if site in stored:
        kwargs = stored[site].kwargs
        return {k: kwargs.get(k) for k in ("base_url", "spider_args", "settings", "time_limit")}
    return {}


def run(args: argparse.Namespace) -> int:
    """Run the job, forward Ctrl-C/SIGTERM to the crawl, print the run's summary."""
    from crawler import jobs
    from crawler.commands.schedule import configure_logging
    from crawler.sites import SITES
    from storage.db import SchemaError

    if args.site not in SITES:
        raise UsageError(f"unknown site {args.site!r}; known sites: {', '.join(sorted(SITES))} (see `crawler sites`)")
    overrides = dict(args.settings or [])
    db_url = project_settings(args.db, overrides).get("DATABASE_URL")
    if "DATABASE_URL" in overrides:
        checked_database_url(db_url, option="-s DATABASE_URL=")  # the --db check, for this spelling too
    try:
        options = job_options(args.site, args.file, db_url)
    except ScheduleError as exc:
        raise UsageError(str(exc)) from None
    options["settings"] = {**(options.get("settings") or {}), **overrides}
    # The crawl's own level: asking it for INFO must also let its relayed lines through here.
    configure_logging(jobs.child_log_level(options["settings"]))
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda _signum, _frame: jobs.request_stop())
    started = time.monotonic()
    try:
        result = jobs.run_site_crawl(args.site, db_url, trigger="manual", **options)
    except SchemaError as exc:
        raise CommandFailed(str(exc)) from None
    if result.run_id is None:
        raise CommandFailed(f"{args.site} not started: {result.detail}")
    if result.status == "enqueued":
        # Distributed mode (REDIS_URL): the job only enqueues; `crawler crawl SITE` workers do the crawl.
        print(f"run {result.run_id}: {result.detail} (start them with `crawler crawl {args.site}` on any machine)")
        return 0
    outcome = read_outcome(db_url, result.run_id, time.monotonic() - started)
    print_summary(outcome)
    return exit_code(outcome)
