"""``crawler sites``: the monitored sites."""

from __future__ import annotations

import argparse

from rich.console import Console
from rich.table import Table

from crawler.sites import SITES

NAME = "sites"
HELP = "list the monitored sites (key, name, base URL, parser, default schedule)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """No options."""


def run(args: argparse.Namespace) -> int:
    """Print the site table."""
    table = Table(title="Monitored sites")
    table.add_column("key", no_wrap=True)  # what the user types: never cut
    for column in ("name", "base URL", "parser", "schedule"):
        table.add_column(column, overflow="fold")
    for profile in SITES.values():
        table.add_row(profile.key, profile.name, profile.base_url, profile.parser, profile.schedule or "-")
    Console().print(table)
    return 0
