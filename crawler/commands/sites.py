"""``crawler sites``: every site profile (bundled or the user's), its discovery and schedule."""

from __future__ import annotations

import argparse
import json

from rich.table import Table

from crawler.commands.output import add_format_argument, add_row, stdout_console, write_rows
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
  CRAWLER_SITE_PROFILES=~/news-profiles crawler sites --format json
  crawler sites --format csv | cut -d, -f1,3       keys and base URLs

--format json gives each profile whole (hosts, discovery, schedule); csv one flat row per site.

exit status: 0 after printing, 2 for a bad command line or a bad profile."""

CSV_COLUMNS = ("key", "name", "base_url", "source", "file", "parser", "discovery", "schedule")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """--format."""
    add_format_argument(parser)


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


def parser_name(site: SiteProfile) -> str:
    """The parser class, ``profile rules`` or ``generic``."""
    return site.parser or ("profile rules" if site.profile and site.profile.extracts else "generic")


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
    rows = [
        (
            site.key, site.name, site.base_url, "bundled" if site.bundled else "user", str(site.path or ""),
            parser_name(site), describe_discovery(site), describe_schedule(site),
        )
        for site in SITES.values()
    ]
    if args.format == "csv":
        write_rows(CSV_COLUMNS, rows, "csv")
        return 0
    table = Table(title="Site profiles")
    table.add_column("key", no_wrap=True)  # what the user types: never cut
    for column in ("name", "base URL", "profile", "parser", "discovery", "schedule"):
        table.add_column(column, overflow="fold")
    for key, name, base_url, source, path, parser, discovery, schedule in rows:
        add_row(table, (key, name, base_url, f"{source}: {path}", parser, discovery, schedule))
    stdout_console().print(table)
    return 0
