"""How commands print rows: a table for people, CSV or JSON for programs (``--format``).

``query``, ``runs``, ``jobs``, ``health`` and ``sites`` share it, so ``--format csv`` means the
same everywhere: a header row, then one row per record; ``--format json`` an array of objects
with plain JSON values (dates ISO 8601, lists and objects as such).  A table written to a pipe
or a file is never wrapped or cut to a terminal width: each row stays on one line.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

FORMATS = ("table", "csv", "json")

# A pipe has no width: wide enough that rich never wraps a cell, tables keep their natural width.
PIPE_WIDTH = 100_000


def add_format_argument(parser: argparse.ArgumentParser, default: str = "table") -> None:
    """The ``--format table|csv|json`` option."""
    parser.add_argument(
        "--format",
        choices=FORMATS,
        default=default,
        help=f"output: a table to read, or csv / json to pipe into other tools (default {default})",
    )


def plain(value: Any) -> Any:
    """A JSON-ready value."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, bytes | memoryview):
        return bytes(value).hex()
    return value


def cell(value: Any) -> str:
    """A value as one CSV or table cell: empty for NULL, JSON for lists and objects."""
    if value is None:
        return ""
    value = plain(value)
    return json.dumps(value, ensure_ascii=False) if isinstance(value, list | dict) else str(value)


def write_csv(columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """A header row, then the rows, to stdout."""
    writer = csv.writer(sys.stdout)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([cell(v) for v in row])


def write_json(columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """A JSON array of objects, to stdout."""
    # Written row by row: a large result never sits in memory as one string.
    sys.stdout.write("[")
    for i, row in enumerate(rows):
        record = {c: plain(v) for c, v in zip(columns, row, strict=True)}
        sys.stdout.write(("," if i else "") + "\n  " + json.dumps(record, ensure_ascii=False, default=str))
    sys.stdout.write("\n]\n")


class _PipeConsole(Console):
    def on_broken_pipe(self) -> None:
        # Rich would exit 1; a reader that stops early (`| head`) is not an error (see crawler.cli).
        self.quiet = True
        raise BrokenPipeError


def stdout_console() -> Console:
    """A console on stdout: the terminal's width there, unbounded in a pipe or file (no wrapped rows)."""
    console = _PipeConsole()
    if not console.is_terminal:
        console = _PipeConsole(width=PIPE_WIDTH)
    return console


def new_table(columns: Sequence[str], title: str | None = None, right: Iterable[str] = (), **kwargs: Any) -> Table:
    """A table with ``columns`` (those in ``right`` right-aligned, e.g. counts)."""
    table = Table(title=title, **kwargs)
    right = set(right)
    for column in columns:
        table.add_column(column, justify="right" if column in right else "left")
    return table


def add_row(table: Table, values: Iterable[Any]) -> None:
    """One row of plain text: brackets in a URL or message are never read as rich markup."""
    table.add_row(*(v if isinstance(v, Text) else Text(cell(v)) for v in values))


def write_table(columns: Sequence[str], rows: Iterable[Sequence[Any]], title: str | None = None) -> int:
    """The rows as one table on stdout; returns how many."""
    table = new_table(columns, title)
    count = 0
    for row in rows:
        add_row(table, row)
        count += 1
    stdout_console().print(table)
    return count


def write_rows(
    columns: Sequence[str], rows: Iterable[Sequence[Any]], fmt: str, title: str | None = None, count: bool = False
) -> None:
    """The rows in ``fmt`` (table, csv or json); ``count`` adds "(N rows)" under a table."""
    if fmt == "csv":
        write_csv(columns, rows)
    elif fmt == "json":
        write_json(columns, rows)
    else:
        n = write_table(columns, rows, title)
        if count:
            stdout_console().print(f"({n} row{'s' if n != 1 else ''})", style="dim")
    sys.stdout.flush()
