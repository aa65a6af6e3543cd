"""``crawler query "SQL"``: run one SQL statement read-only and print the rows."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from crawler import settings
from crawler.commands import add_db_argument
from crawler.commands.output import add_format_argument, stdout_console, write_csv, write_json, write_table

NAME = "query"
HELP = "run one read-only SQL statement on the store and print the rows (table, CSV or JSON)"
DESCRIPTION = """\
Run one plain query (SELECT, WITH ... SELECT, VALUES, a plain EXPLAIN of one;
on SQLite also a PRAGMA that reads) over a read-only connection. The statement is parsed first: anything
else, a second statement, or a function with side effects (signalling sessions,
changing settings, server files or programs) is refused and nothing changes.
SQLite is opened read-only and guarded by an authorizer; PostgreSQL runs it in a
read-only transaction and refuses a superuser connection: make a least-privilege
role with `crawler db reader` and use the URL it prints.

Bounds: at most --timeout seconds and --max-rows rows (the output says when
rows were left out).

Tables, views and a cookbook of questions answered in SQL: docs/schema.md.
The SQL dialect is your database's (SQLite or PostgreSQL)."""
EPILOG = """\
examples:
  crawler query "SELECT count(*) FROM articles"
  crawler query "SELECT site, title, tags FROM current_articles ORDER BY published_at DESC LIMIT 10"
  crawler query "SELECT * FROM latest_crawl_runs" --format json
  crawler query --file weekly.sql --format csv > weekly.csv
  crawler query "SELECT tag, count(*) AS n FROM article_tags GROUP BY tag ORDER BY n DESC" --db postgresql://127.0.0.1/news
  crawler query "SELECT url FROM articles" --max-rows 0 --format csv > urls.csv
  crawler db reader --db postgresql://postgres@127.0.0.1/news   # then query with the URL it prints

exit status: 0 ok (also when --max-rows cut the output; stderr says so),
1 SQL error, refused statement or time bound hit, 2 bad usage."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """SQL | --file, --format, --db."""
    parser.add_argument("sql", nargs="?", metavar="SQL", help="the statement (or use --file)")
    parser.add_argument("--file", "-f", metavar="PATH", help="read the statement from a file ('-' for stdin)")
    add_format_argument(parser)
    parser.add_argument(
        "--max-rows",
        type=_rows,
        default=settings.QUERY_MAX_ROWS,
        metavar="N",
        help=f"print at most N rows, 0 for no bound (default {settings.QUERY_MAX_ROWS})",
    )
    parser.add_argument(
        "--timeout",
        type=_seconds,
        default=settings.QUERY_STATEMENT_TIMEOUT_SECONDS,
        metavar="SECONDS",
        help=f"stop the statement after this long (default {settings.QUERY_STATEMENT_TIMEOUT_SECONDS})",
    )
    parser.add_argument(
        "--allow-superuser",
        action="store_true",
        help="PostgreSQL: query even as a superuser or a role with server file/program access "
        "(the statement is still checked and read-only); prefer `crawler db reader`",
    )
    add_db_argument(parser)


def _rows(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--max-rows takes a whole number of rows, not {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"--max-rows must be 0 (no bound) or more, not {value}")
    return value


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--timeout takes a number of seconds, not {text!r}") from None
    if not 0 < value <= 86_400:
        raise argparse.ArgumentTypeError(f"--timeout must be more than 0 and at most 86400 seconds, not {text}")
    return value


def run(args: argparse.Namespace) -> int:
    """Read the SQL, execute it read-only, print."""
    from storage.db import database_url
    from storage.query import QueryError, QueryRefused, read_only_query

    if args.sql and args.file:
        print("crawler query: give the SQL as an argument or with --file, not both", file=sys.stderr)
        return 2
    if not args.sql and not args.file:
        print(
            'crawler query: give the SQL as an argument or with --file, e.g. crawler query "SELECT 1"', file=sys.stderr
        )
        return 2
    sql = args.sql
    if args.file:
        try:
            sql = sys.stdin.read() if args.file == "-" else Path(args.file).read_text(encoding="utf-8")
        except OSError as exc:
            print(f"crawler query: cannot read {args.file}: {exc.strerror}", file=sys.stderr)
            return 2
    try:
        with read_only_query(
            database_url(args.db),
            sql,
            max_rows=args.max_rows or None,
            timeout_seconds=args.timeout,
            allow_superuser=args.allow_superuser,
        ) as result:
            if args.format == "csv":
                write_csv(result.columns, result.rows)
            elif args.format == "json":
                write_json(result.columns, result.rows)
            else:
                _table(result.columns, result.rows, result.truncated)
            sys.stdout.flush()
            if result.truncated:
                print(
                    f"crawler query: stopped after {result.max_rows} rows (--max-rows {result.max_rows}); "
                    "more rows were left out: add a LIMIT, narrow the WHERE, or pass a larger --max-rows (0: all)",
                    file=sys.stderr,
                )
    except BrokenPipeError:
        # The reader stopped early (`| head`): not an error; silence the final flush at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except QueryRefused as exc:
        print(f"crawler query: {exc}", file=sys.stderr)
        return 1
    except QueryError as exc:
        print(f"crawler query: {exc}", file=sys.stderr)
        return 1
    return 0


def _table(columns: list[str], rows: Iterable[Sequence[Any]], truncated: bool) -> None:
    if not columns:
        stdout_console().print("(statement returned no rows)")
        return
    count = write_table(columns, rows)
    cut = ", more left out: see --max-rows" if truncated else ""
    stdout_console().print(f"({count} row{'s' if count != 1 else ''}{cut})", style="dim")
