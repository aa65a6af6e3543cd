"""``crawler schedule``: the monitoring daemon (APScheduler 3.x, jobs persisted in the database)."""

from __future__ import annotations

import argparse
import logging
import sys

from crawler.commands import add_db_argument
from crawler.commands.errors import CommandFailed, UsageError, checked_database_url, key_value
from crawler.runner import project_settings
from crawler.schedule_file import ScheduleEntry, ScheduleError, load_schedule, profile_schedule

NAME = "schedule"
HELP = "run the monitoring daemon: crawl every scheduled site on time, check its health, alert"
DESCRIPTION = """\
Run the monitoring daemon until SIGTERM or Ctrl-C.

Jobs come from --file SCHEDULE.toml (see schedule.example.toml: per site a cron
expression or interval_seconds, base_url, spider args, time limit), else from the
site profiles' default cron (`crawler sites`). They are kept in the database
(table apscheduler_jobs): a restart keeps unchanged jobs and their next run times,
replaces changed ones and removes sites no longer scheduled.

Each crawl runs in its own child process with a time limit (SCHEDULER_CRAWL_TIME_LIMIT),
recorded in crawl_runs with trigger 'schedule' and health-checked when it ends.
Runs of one site never overlap; missed runs are coalesced into one if still within
SCHEDULER_MISFIRE_GRACE_SECONDS. On SIGTERM/SIGINT running crawls are told to close
(recorded 'interrupted', their stored articles stay) and the daemon exits."""
EPILOG = """\
examples:
  crawler schedule --file schedule.toml
  crawler schedule --file schedule.toml --check     validate the schedule, print the jobs, exit
  crawler schedule --db postgresql://127.0.0.1/news  the site profiles' default schedules

exit status: 0 after a clean stop, 1 when the database cannot be used (unreachable, behind, not a
store), 2 for a bad command line or schedule file (also a malformed --db URL)."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """--file, --db, -s, --check, --log-level."""
    parser.add_argument("--file", metavar="SCHEDULE.toml", help="schedule file (default: the site profiles)")
    add_db_argument(parser)
    parser.add_argument(
        "-s", dest="settings", action="append", type=key_value("-s SCHEDULER_CRAWL_TIME_LIMIT=1800"),
        metavar="NAME=VALUE", help="setting override",
    )
    parser.add_argument("--check", action="store_true", help="validate the schedule, print the jobs and exit")
    parser.add_argument(
        "--log-level",
        type=str.upper,
        choices=("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"),
        default="INFO",
        help="daemon log level on stderr (default INFO)",
    )


def configure_logging(level: str) -> None:
    """Timestamped log lines on stderr for the daemon and its relayed crawl output, credentials masked."""
    from crawler.secrets import install_secret_filter

    logging.basicConfig(
        level=level.upper(), stream=sys.stderr, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    install_secret_filter()
    # Our job listener logs what matters; alembic would log every schema check of every run.
    for noisy in ("apscheduler", "alembic"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def load_entries(path: str | None) -> list[ScheduleEntry]:
    """The schedule file's entries, else the site profiles' defaults."""
    return load_schedule(path) if path else profile_schedule()


def run(args: argparse.Namespace) -> int:
    """Validate the schedule, then serve until a signal."""
    from rich.console import Console
    from rich.table import Table

    from crawler.health import webhook_problem
    from crawler.scheduler import MonitorDaemon
    from crawler.secrets import holds_password
    from storage.db import SchemaError

    try:
        entries = load_entries(args.file)
    except ScheduleError as exc:
        raise UsageError(str(exc)) from None
    if args.db and holds_password(args.db):
        # The daemon runs for months: its command line stays readable by every user (ps).
        print(
            "crawler schedule: warning: the --db URL holds a password, which every user of this machine "
            "can read in the daemon's command line; set $CRAWLER_DATABASE_URL instead",
            file=sys.stderr,
        )
    overrides = dict(args.settings or [])
    settings = project_settings(args.db, overrides)
    db_url = settings.get("DATABASE_URL")
    if "DATABASE_URL" in overrides:
        checked_database_url(db_url, option="-s DATABASE_URL=")  # the --db check, for this spelling too
    if args.check:
        table = Table(title=f"Schedule {args.file or '(site profiles)'}: {len(entries)} job(s)")
        for column in ("site", "when", "base URL", "time limit", "spider args"):
            table.add_column(column)
        limit = settings.getint("SCHEDULER_CRAWL_TIME_LIMIT")
        for e in entries:
            args_text = " ".join(f"{k}={v}" for k, v in e.args.items()) or "-"
            table.add_row(e.site, e.describe(), e.base_url or "(site)", f"{e.time_limit_seconds or limit}s", args_text)
        Console().print(table)
        problem = webhook_problem(settings.get("HEALTH_WEBHOOK_URL"))
        if problem:
            print(f"crawler schedule: warning: {problem}", file=sys.stderr)
        return 0
    configure_logging(args.log_level)
    try:
        daemon = MonitorDaemon(db_url, entries, settings, overrides)
        return daemon.run_forever()
    except SchemaError as exc:
        raise CommandFailed(str(exc)) from None
