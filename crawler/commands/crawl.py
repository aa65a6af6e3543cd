"""``crawler crawl SPIDER``: one manual crawl with a live progress line and a summary."""

from __future__ import annotations

import argparse
import os
import sys

from crawler.commands import add_db_argument
from crawler.runner import CrawlSetupError, exit_code, parse_pairs, print_summary, run_crawl

NAME = "crawl"
HELP = "run one crawl of a site into the database, with progress and a summary"
DESCRIPTION = """\
Run one crawl now (recorded in crawl_runs with trigger 'manual').

Spider arguments (-a KEY=VALUE):
  base_url=URL        crawl this copy of the site instead of the live one (e.g. the replica)
  since=YYYY-MM-DD    stop paging past articles older than this date; since=7d: the last 7 days
  max_pages=N         follow at most N listing pages in this run

Any Scrapy setting can be overridden with -s NAME=VALUE (see crawler/settings.py)."""
EPILOG = """\
examples:
  crawler crawl syrianobserver
  crawler crawl syrianobserver -a since=2025-01-01 --db postgresql://127.0.0.1/test
  crawler crawl syrianobserver -a base_url=http://127.0.0.1:8000 -a max_pages=3

exit status: 0 when the crawl completed (page errors are counted, not fatal),
1 when it failed (an article lost counts: see crawl_events), timed out, or did not start because
another run of the site is going, 2 for a bad command line, 130 when interrupted."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """SPIDER, --db, -a, -s, --log-level."""
    parser.add_argument("spider", metavar="SPIDER", help="spider name (see `crawler sites` or `scrapy list`)")
    add_db_argument(parser)
    parser.add_argument("-a", dest="spider_args", action="append", metavar="KEY=VALUE", help="spider argument")
    parser.add_argument("-s", dest="settings", action="append", metavar="NAME=VALUE", help="setting override")
    parser.add_argument(
        "--log-level",
        type=str.upper,
        choices=("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"),
        default=os.environ.get("CRAWLER_LOG_LEVEL", "WARNING").upper(),
        help="log level on stderr (default $CRAWLER_LOG_LEVEL, else WARNING: problems only)",
    )


def run(args: argparse.Namespace) -> int:
    """Crawl, print the summary, exit by the run's status."""
    from crawler.sites import SITES

    len(SITES)  # load the site profiles first: a bad one is refused (crawler.cli) before the store or a request
    overrides = parse_pairs(args.settings, "-s")
    overrides.setdefault("LOG_LEVEL", args.log_level)
    try:
        outcome = run_crawl(args.spider, args.db, parse_pairs(args.spider_args, "-a"), overrides)
    except CrawlSetupError as exc:
        print(f"crawler crawl: {exc}", file=sys.stderr)
        return 2
    if outcome.status == "busy":
        print(f"crawler crawl: {args.spider} not started: {outcome.finish_reason}", file=sys.stderr)
        return exit_code(outcome)
    print_summary(outcome)
    return exit_code(outcome)
