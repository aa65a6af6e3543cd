"""``crawler sites``: every site profile (bundled or the user's), its discovery and schedule."""

from __future__ import annotations

import argparse
import json

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from crawler.sites import SITES, SiteProfile

NAME = "sites"
HELP = "list the site profiles: key, name, file, parser, discovery and schedule"
DESCRIPTION = """\
List every site profile: the bundled ones (crawler/profiles/*.toml) and the user's own
(the directory in $CRAWLER_SITE_PROFILES, setting SITE_PROFILES_DIR), which add sites and
override a bundled profile of the same key. A profile that does not validate is refused with
one line per problem (file, key, what was expected, fix); see docs/profiles.md."""
EPILOG = """\
examples:
  crawler sites
  CRAWLER_SITE_PROFILES=~/news-profiles crawler sites --format json"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """--format."""
    parser.add_argument("--format", choices=("table", "json"), default="table", help="output format (default table)")


def describe_discovery(site: SiteProfile) -> str:
    """``auto``, or the feeds, sitemaps, listings and article pattern of the profile."""
    profile = site.profile
    if profile is None or profile.auto:
        return "auto"
    d = profile.discovery
    assert d is not None
    parts = [f"feed {u}" for u in d.feeds] + [f"sitemap {u}" for u in d.sitemaps]
    if d.robots_sitemaps:
        parts.append("robots.txt sitemaps")
    parts += [f"listing {ls.url} ({ls.pagination})" for ls in d.listings]
    if d.article_pattern:
        parts.append(f"articles {d.article_pattern}")
    return "; ".join(parts) or "-"


def describe_schedule(site: SiteProfile) -> str:
    """``cron 0 */2 * * * since=3d`` or ``-``."""
    if not site.schedule and not site.schedule_interval:
        return "-"
    args = " ".join(f"{k}={v}" for k, v in site.schedule_args)
    when = f"cron {site.schedule}" if site.schedule else f"every {site.schedule_interval}s"
    return when + (f" {args}" if args else "")


def run(args: argparse.Namespace) -> int:
    """Print the site table (ProfileError is reported by crawler.cli, one line per problem)."""
    if args.format == "json":
        rows = [
            {
                "key": s.key, "name": s.name, "base_url": s.base_url, "hosts": list(s.hosts),
                "source": "bundled" if s.bundled else "user", "file": str(s.path) if s.path else None,
                "parser": s.parser or ("profile" if s.profile and s.profile.extracts else "generic"),
                "discovery": s.profile.discovery.model_dump() if s.profile and s.profile.discovery else "auto",
                "schedule": s.profile.schedule.model_dump() if s.profile and s.profile.schedule else None,
            }
            for s in SITES.values()
        ]
        print(json.dumps(rows, indent=2))
        return 0
    table = Table(title="Site profiles")
    table.add_column("key", no_wrap=True)  # what the user types: never cut
    for column in ("name", "base URL", "profile", "parser", "discovery", "schedule"):
        table.add_column(column, overflow="fold")
    for site in SITES.values():
        source = f"{'bundled' if site.bundled else 'user'}: {site.path}"
        parser = site.parser or ("profile rules" if site.profile and site.profile.extracts else "generic")
        cells = (site.key, site.name, site.base_url, source, parser, describe_discovery(site), describe_schedule(site))
        table.add_row(*(escape(cell) for cell in cells))  # patterns hold [...]: not rich markup
    Console().print(table)
    return 0
