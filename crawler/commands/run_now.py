"""``crawler run-now SITE``: run a site's scheduled crawl once, now, in the foreground."""

from __future__ import annotations

import argparse
import signal
import sys
import time
from typing import Any

from crawler.commands import add_db_argument
from crawler.runner import exit_code, parse_pairs, print_summary, project_settings, read_outcome
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
start, 2 for a bad command line or schedule, 130 when interrupted."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """SITE, --file, --db, -s."""
    parser.add_argument("site", metavar="SITE", help="site key (see `crawler sites` or `crawler jobs`)")
    parser.add_argument("--file", metavar="SCHEDULE.toml", help="take the job's options from this schedule file")
    add_db_argument(parser)
    parser.add_argument("-s", dest="settings", action="append", metavar="NAME=VALUE", help="setting override")


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
    engine = make_engine(db_url)
    try:
        stored = {job.id: job for job in stored_jobs(engine)}
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
        print(f"crawler run-now: unknown site {args.site!r}; known sites: {', '.join(sorted(SITES))}", file=sys.stderr)
        return 2
    overrides = parse_pairs(args.settings, "-s")
    db_url = project_settings(args.db, overrides).get("DATABASE_URL")
    try:
        options = job_options(args.site, args.file, db_url)
    except ScheduleError as exc:
        print(f"crawler run-now: {exc}", file=sys.stderr)
        return 2
    options["settings"] = {**(options.get("settings") or {}), **overrides}
    # The crawl's own level: asking it for INFO must also let its relayed lines through here.
    configure_logging(jobs.child_log_level(options["settings"]))
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda _signum, _frame: jobs.request_stop())
    started = time.monotonic()
    try:
        result = jobs.run_site_crawl(args.site, db_url, trigger="manual", **options)
    except SchemaError as exc:
        print(f"crawler run-now: {exc}", file=sys.stderr)
        return 2
    if result.run_id is None:
        print(f"crawler run-now: {args.site} not started: {result.detail}", file=sys.stderr)
        return 1
    outcome = read_outcome(db_url, result.run_id, time.monotonic() - started)
    print_summary(outcome)
    return exit_code(outcome)
