"""``crawler export``: stream articles to JSON Lines, CSV or Parquet."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from crawler.commands import add_db_argument
from crawler.commands.search import since_argument

NAME = "export"
HELP = "export articles as JSON Lines, CSV or Parquet (streamed: constant memory)"
DESCRIPTION = """\
Write every stored article (current version, with tags and authors) in one of:
  jsonl     one JSON object per line (default; to stdout unless --output)
  csv       a header row, lists joined by "; " (to stdout unless --output)
  parquet   typed columns, zstd-compressed (needs --output)

Rows stream from the database in batches, so memory stays flat on any store size.
Dates are UTC. --since keeps articles published on or after a date, or in the
last N days with Nd (e.g. 7d); undated articles: first seen on or after it."""
EPILOG = """\
examples:
  crawler export > articles.jsonl
  crawler export --format csv --since 2019-08-01 --output august.csv
  crawler export --format parquet --site syrianobserver --output so.parquet
  crawler export --db postgresql://127.0.0.1/news --format jsonl | gzip > news.jsonl.gz

exit status: 0 ok, 1 database or file problem, 2 bad usage (also an unknown --site)."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """--format, --output, --since, --site, --with-html, --db."""
    parser.add_argument("--format", choices=("jsonl", "csv", "parquet"), default="jsonl", help="default jsonl")
    parser.add_argument("--output", "-o", metavar="PATH", help="write here instead of stdout (required for parquet)")
    parser.add_argument(
        "--since",
        metavar="YYYY-MM-DD|Nd",
        type=since_argument,
        help="only articles published on or after this date (UTC), or in the last N days (e.g. 7d)",
    )
    parser.add_argument("--site", metavar="KEY", help="only this site (see `crawler sites`)")
    parser.add_argument("--with-html", action="store_true", help="include the cleaned body HTML (body_html)")
    add_db_argument(parser)


def run(args: argparse.Namespace) -> int:
    """Export, then report the count on stderr."""
    from sqlalchemy.exc import SQLAlchemyError

    from crawler.secrets import mask_url
    from crawler.sites import SITES
    from storage.db import (
        SchemaError,
        UnknownSiteError,
        current_state,
        database_url,
        display_url,
        read_engine,
        require_existing_sqlite,
        require_known_site,
        schema_message,
    )
    from storage.export import export

    if args.format == "parquet" and not args.output:
        print("crawler export: parquet is a binary file format: pass --output FILE.parquet", file=sys.stderr)
        return 2
    url = database_url(args.db)
    try:
        # Exporting must not leave an empty database file behind a mistyped --db.
        require_existing_sqlite(url)
    except SchemaError as exc:
        print(f"crawler export: {exc}", file=sys.stderr)
        return 1
    except (SQLAlchemyError, ValueError) as exc:
        print(
            f"crawler export: bad database URL {mask_url(url)!r}: {exc}; pass --db sqlite:///PATH or postgresql://HOST/DB",
            file=sys.stderr,
        )
        return 2
    engine = read_engine(url)
    target = Path(args.output) if args.output else None
    partial = target.with_name(target.name + ".partial") if target else None
    try:
        state = current_state(engine)
        # Older revisions still have the article tables, so behind and pre-migration stores export.
        if state.status in ("empty", "foreign", "unknown"):
            raise SchemaError(schema_message(state, url))
        if args.site:
            with engine.connect() as conn:
                require_known_site(conn, args.site, SITES)
        if partial:
            # Write beside the target and rename at the end: a failed export leaves no half file.
            with partial.open("wb") as out:
                count = export(engine, out, args.format, site=args.site, since=args.since, with_html=args.with_html)
            partial.replace(target)
        else:
            count = export(
                engine, sys.stdout.buffer, args.format, site=args.site, since=args.since, with_html=args.with_html
            )
            sys.stdout.buffer.flush()
    except SchemaError as exc:
        print(f"crawler export: {exc}", file=sys.stderr)
        return 1
    except UnknownSiteError as exc:
        print(f"crawler export: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        # The reader stopped early (`| head`): not an error; silence the final flush.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except OSError as exc:
        print(f"crawler export: cannot write {args.output or 'stdout'}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    except SQLAlchemyError as exc:
        first = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        print(f"crawler export: cannot read {display_url(url)}: {first}; check --db", file=sys.stderr)
        return 1
    finally:
        engine.dispose()
        if partial and partial.exists():
            partial.unlink()
    where = f" to {target}" if target else ""
    print(f"exported {count} article{'s' if count != 1 else ''} as {args.format}{where}", file=sys.stderr)
    return 0
