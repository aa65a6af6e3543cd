"""``crawler query "SQL"``: run one SQL statement read-only and print the rows."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from crawler.commands import add_db_argument
from crawler.commands.output import add_format_argument, stdout_console, write_rows

NAME = "query"
HELP = "run one read-only SQL statement on the store and print the rows (table, CSV or JSON)"
DESCRIPTION = """\
Run one SQL statement over a read-only connection: SQLite is opened read-only,
PostgreSQL runs it in a read-only transaction. A statement that would write
(INSERT, UPDATE, DELETE, DROP ...) is refused and nothing changes.

Tables, views and a cookbook of questions answered in SQL: docs/schema.md.
The SQL dialect is your database's (SQLite or PostgreSQL)."""
EPILOG = """\
examples:
  crawler query "SELECT count(*) FROM articles"
  crawler query "SELECT site, title, tags FROM current_articles ORDER BY published_at DESC LIMIT 10"
  crawler query "SELECT * FROM latest_crawl_runs" --format json
  crawler query --file weekly.sql --format csv > weekly.csv
  crawler query "SELECT tag, count(*) AS n FROM article_tags GROUP BY tag ORDER BY n DESC" --db postgresql://127.0.0.1/news

exit status: 0 ok, 1 SQL error or refused write, 2 bad usage."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """SQL | --file, --format, --db."""
    parser.add_argument("sql", nargs="?", metavar="SQL", help="the statement (or use --file)")
    parser.add_argument("--file", "-f", metavar="PATH", help="read the statement from a file ('-' for stdin)")
    add_format_argument(parser)
    add_db_argument(parser)


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
        with read_only_query(database_url(args.db), sql) as result:
            if args.format == "table" and not result.columns:
                stdout_console().print("(statement returned no rows)")
            else:
                write_rows(result.columns, result.rows, args.format, count=True)
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

