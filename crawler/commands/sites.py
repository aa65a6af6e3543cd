"""``crawler sites``: the monitored sites."""

from __future__ import annotations

import argparse

from crawler.commands.output import add_format_argument, add_row, stdout_console, write_rows
from crawler.sites import SITES

NAME = "sites"
HELP = "list the monitored sites (key, name, base URL, parser, default schedule)"
EPILOG = """\
examples:
  crawler sites
  crawler sites --format csv | cut -d, -f1,3       keys and base URLs
  crawler sites --format json

--format csv/json give one record per site: key, name, base_url, parser, schedule (empty: none).

exit status: 0 after printing, 2 for a bad command line."""

RECORD_COLUMNS = ("key", "name", "base_url", "parser", "schedule")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """--format."""
    add_format_argument(parser)


def run(args: argparse.Namespace) -> int:
    """Print the sites as a table, CSV or JSON."""
    records = [[p.key, p.name, p.base_url, p.parser, p.schedule] for p in SITES.values()]
    if args.format != "table":
        write_rows(RECORD_COLUMNS, records, args.format)
        return 0
    from rich.table import Table

    table = Table(title="Monitored sites")
    table.add_column("key", no_wrap=True)  # what the user types: never cut
    for column in ("name", "base URL", "parser", "schedule"):
        table.add_column(column, overflow="fold")
    for record in records:
        add_row(table, [*record[:4], record[4] or "-"])
    stdout_console().print(table)
    return 0
