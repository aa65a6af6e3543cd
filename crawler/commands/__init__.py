"""Subcommands of the ``crawler`` CLI, one module each (see crawler/cli.py)."""

from __future__ import annotations

import argparse


def add_db_argument(parser: argparse.ArgumentParser) -> None:
    """The ``--db URL`` option every command that reads or writes the store shares."""
    parser.add_argument(
        "--db",
        metavar="URL",
        help="SQLAlchemy database URL (default: $CRAWLER_DATABASE_URL, else sqlite:///crawler.db)",
    )
