"""``crawler check-site KEY|URL``: crawl a small sample of a site and report what it gets."""

from __future__ import annotations

import argparse
import os
import sys

from crawler.sitecheck import SiteCheckError, format_report, run_sample

NAME = "check-site"
HELP = "crawl a small sample of a site (no storing) and report fields, examples and discovery"
DESCRIPTION = """\
Crawl a small sample of one site, store nothing, and print:
  - what discovery found: feeds, sitemaps (robots.txt's too), robots.txt rules, the article
    URL pattern learned from the feed and sitemap URLs, the paginated listings seen;
  - per field, how many sample articles got a value (title, body_text, published_at ...);
  - two example records.

KEY is a site profile (see `crawler sites`): its profile drives the sample, or the `auto`
spider when its discovery is automatic. URL is any site's home page: the `auto` spider
discovers everything from it."""
EPILOG = """\
examples:
  crawler check-site https://levantpost.example/
  crawler check-site syrianobserver --base-url http://127.0.0.1:8000 --sample 20
  crawler check-site http://127.0.0.1:8001/ --sample 5

exit status: 0 when at least one sample article was extracted, 1 when none was,
2 for a bad command line (unknown key, not a URL)."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """KEY|URL, --sample, --base-url, --log-level."""
    parser.add_argument("target", metavar="KEY|URL", help="a site key (see `crawler sites`) or a home page URL")
    parser.add_argument("--sample", type=positive_int, default=10, metavar="N",
                        help="articles to extract (default 10)")
    parser.add_argument("--base-url", metavar="URL", help="for a KEY: crawl this copy of the site (e.g. the replica)")
    parser.add_argument(
        "--log-level",
        type=str.upper,
        choices=("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"),
        default=os.environ.get("CRAWLER_LOG_LEVEL", "ERROR").upper(),
        help="log level on stderr (default $CRAWLER_LOG_LEVEL, else ERROR)",
    )


def positive_int(value: str) -> int:
    """An argparse type: a whole number of 1 or more."""
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number: e.g. --sample 10") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"{value!r} must be 1 or more")
    return number


def run(args: argparse.Namespace) -> int:
    """Run the sample, print the report."""
    try:
        result = run_sample(args.target, args.sample, base_url=args.base_url, log_level=args.log_level)
    except SiteCheckError as exc:
        print(f"crawler check-site: {exc}", file=sys.stderr)
        return 2
    print(format_report(result))
    return 0 if result.records else 1
