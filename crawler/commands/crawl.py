"""``crawler crawl SPIDER``: one manual crawl with a live progress line and a summary."""

from __future__ import annotations

import argparse
import os
import sys

from crawler.commands import add_db_argument
from crawler.commands.errors import CommandFailed, UsageError, checked_database_url, key_value
from crawler.runner import (
    CrawlSetupError,
    check_overrides,
    exit_code,
    print_summary,
    project_settings,
    run_crawl,
)

NAME = "crawl"
HELP = "run one crawl of a site into the database, with progress and a summary"
DESCRIPTION = """\
Run one crawl now (recorded in crawl_runs with trigger 'manual').

Spider arguments (-a KEY=VALUE):
  base_url=URL        crawl this copy of the site instead of the live one (e.g. the replica)
  since=YYYY-MM-DD    stop paging past articles older than this date; since=7d: the last 7 days
  max_pages=N         follow at most N listing pages in this run
  start_url=URL       the `auto` spider: any site from its home page (feeds, sitemaps, listings discovered)

Any Scrapy setting can be overridden with -s NAME=VALUE (see crawler/settings.py).

Distributed mode (REDIS_URL, env CRAWLER_REDIS_URL): the request queue and the dupefilter live in
Redis, and every `crawler crawl SITE` started with the same Redis and database, on this machine or
another, joins the site's running run as one more worker (README: "Several workers").
--workers N starts N such workers here, waits for them and prints the run's combined summary
(the sum of every worker's figures) and one line per worker. It needs REDIS_URL and a database
several processes can write at once (PostgreSQL); SQLite is refused with more than one worker.
A worker killed mid-crawl loses no request: the others take back what it held and finish the site.
A refused command line (unknown spider, bad -a or -s, malformed --db) touches nothing:
no database file is created."""
EPILOG = """\
examples:
  crawler crawl syrianobserver
  crawler crawl syrianobserver -a since=2025-01-01 --db postgresql://127.0.0.1/test
  crawler crawl syrianobserver -a base_url=http://127.0.0.1:8000 -a max_pages=3
  crawler crawl auto -a start_url=https://levantpost.example/
  CRAWLER_REDIS_URL=redis://127.0.0.1:6379/0 crawler crawl syrianobserver --workers 2 --db postgresql://127.0.0.1/test

exit status: 0 when the crawl completed (page errors are counted, not fatal),
1 when it failed (an article lost counts: see crawl_events), timed out, or could not start (the database
cannot be opened, another run of the site is going), 2 for a bad command line (unknown spider, bad -a/-s,
malformed --db), 130 when interrupted."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """SPIDER, --db, -a, -s, --log-level."""
    parser.add_argument("spider", metavar="SPIDER", help="spider name (see `crawler sites` or `scrapy list`)")
    add_db_argument(parser)
    parser.add_argument(
        "-a", dest="spider_args", action="append", type=key_value("-a since=2024-01-01"),
        metavar="KEY=VALUE", help="spider argument",
    )
    parser.add_argument(
        "-s", dest="settings", action="append", type=key_value("-s DOWNLOAD_DELAY=2"),
        metavar="NAME=VALUE", help="setting override",
    )
    parser.add_argument(
        "--workers", type=positive_int, default=1, metavar="N",
        help="start N local worker processes on one shared Redis run (needs REDIS_URL and PostgreSQL); default 1",
    )
    parser.add_argument(
        "--log-level",
        type=str.upper,
        choices=("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"),
        default=os.environ.get("CRAWLER_LOG_LEVEL", "WARNING").upper(),
        help="log level on stderr (default $CRAWLER_LOG_LEVEL, else WARNING: problems only)",
    )


def check_command_line(spider: str, db: str | None, spider_args: dict[str, str], overrides: dict[str, str]) -> None:
    """Refuse a crawl that cannot start (UsageError) before anything connects or creates a file."""
    from scrapy.spiderloader import get_spider_loader

    try:
        check_overrides(overrides)
    except CrawlSetupError as exc:
        raise UsageError(str(exc)) from None
    settings = project_settings(db, overrides)
    if "DATABASE_URL" in overrides:
        # -s DATABASE_URL=... gets the --db check too.
        checked_database_url(settings.get("DATABASE_URL"), option="-s DATABASE_URL=")
    loader = get_spider_loader(settings)
    try:
        spider_class = loader.load(spider)
    except KeyError:
        known = ", ".join(sorted(loader.list()))
        raise UsageError(f"unknown spider {spider!r}; known spiders: {known} (see `crawler sites`)") from None
    try:
        # Spiders check their -a arguments when built; building one touches neither network nor database.
        spider_class(**spider_args)
    except (ValueError, TypeError) as exc:
        raise UsageError(str(exc)) from None


def run(args: argparse.Namespace) -> int:
    """Check the command line, crawl, print the summary, exit by the run's status."""
    from crawler.sites import SITES

    len(SITES)  # load the site profiles first: a bad one is refused (crawler.cli) before the store or a request
    spider_args = dict(args.spider_args or [])
    overrides = dict(args.settings or [])
    overrides.setdefault("LOG_LEVEL", args.log_level)
    check_command_line(args.spider, args.db, spider_args, overrides)
    if args.workers > 1:
        return run_several(args, spider_args, overrides)
    try:
        outcome = run_crawl(args.spider, args.db, spider_args, overrides)
    except CrawlSetupError as exc:
        # The command line passed its checks: what is left is the database or the crawl itself.
        raise CommandFailed(str(exc)) from None
    if outcome.status == "busy":
        print(f"crawler crawl: {args.spider} not started: {outcome.finish_reason}", file=sys.stderr)
        return exit_code(outcome)
    print_summary(outcome)
    return exit_code(outcome)


def positive_int(value: str) -> int:
    """``--workers``: a whole number of at least 1."""
    if not value.isdigit() or int(value) < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, got {value!r}")
    return int(value)


def run_several(args: argparse.Namespace, spider_args: dict[str, str], overrides: dict[str, str]) -> int:
    """``--workers N``: N local workers on one shared run; the run's summary and one line per worker."""
    from scrapy.spiderloader import get_spider_loader

    from crawler.workers import WorkersRefused, check_workers, print_workers, run_workers

    settings = project_settings(args.db, overrides)
    try:
        check_workers(settings, args.workers)
    except WorkersRefused as exc:
        raise UsageError(str(exc)) from None
    spider = get_spider_loader(settings).load(args.spider)(**spider_args)
    tail = [args.spider, "--log-level", args.log_level]
    tail += ["--db", args.db] if args.db else []
    tail += [part for key, value in spider_args.items() for part in ("-a", f"{key}={value}")]
    tail += [part for key, value in overrides.items() if key != "LOG_LEVEL" for part in ("-s", f"{key}={value}")]
    try:
        outcome, workers = run_workers(settings, spider, args.workers, tail)
    except CrawlSetupError as exc:
        raise CommandFailed(str(exc)) from None
    print_workers(workers)
    print_summary(outcome)
    return exit_code(outcome)
