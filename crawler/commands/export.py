"""``crawler export``: stream articles to JSON Lines, CSV or Parquet."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from crawler.commands import add_db_argument
from crawler.commands.errors import CommandFailed, UsageError, first_line
from crawler.commands.search import since_argument

NAME = "export"
HELP = "export articles as JSON Lines, CSV or Parquet (streamed: constant memory)"
DESCRIPTION = """\
Write every stored article (current version, with tags and authors) in one of:
  jsonl     one JSON object per line (default; to stdout unless --output)
  csv       a header row, lists joined by "; " (to stdout unless --output)
  parquet   typed columns, zstd-compressed (needs --output)

Without --format the format is --output's extension: .jsonl or .ndjson, .csv, .parquet or .pq
(any other name: jsonl). A --format that contradicts the extension is refused.

Rows stream from the database in batches, so memory stays flat on any store size.
Dates are UTC. --since keeps articles published on or after a date, or in the
last N days with Nd (e.g. 7d); undated articles: first seen on or after it."""
EPILOG = """\
examples:
  crawler export > articles.jsonl
  crawler export --since 2019-08-01 --output august.csv          CSV, from the extension
  crawler export --site syrianobserver -o so.parquet
  crawler export --db postgresql://127.0.0.1/news --format jsonl | gzip > news.jsonl.gz

exit status: 0 ok, 1 database problem (missing, not a store) or the file cannot be written,
2 bad usage (also an unknown --site, a --format contradicting --output's extension)."""

# --output's extension -> format, when --format is not given.
EXTENSIONS = {".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv", ".parquet": "parquet", ".pq": "parquet"}


def output_format(explicit: str | None, output: str | None) -> str:
    """The format to write: ``--format``, else ``--output``'s extension, else jsonl; UsageError on a contradiction."""
    suffix = Path(output).suffix.lower() if output else ""
    implied = EXTENSIONS.get(suffix)
    if explicit and implied and explicit != implied:
        raise UsageError(
            f"--format {explicit} contradicts --output {output} (a {implied} name): "
            f"name the file {Path(output).stem}.{explicit}, or leave out --format"
        )
    if not explicit and not implied and suffix == ".json":
        # .json promises one JSON document; JSON Lines in it would not load as one.
        raise UsageError(
            f"--output {output}: export writes JSON Lines, not one JSON document: "
            "name the file .jsonl, or pass --format jsonl to write JSON Lines under this name"
        )
    fmt = explicit or implied or "jsonl"
    if fmt == "parquet" and not output:
        raise UsageError("parquet is a binary file format: pass --output FILE.parquet")
    return fmt


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """--format, --output, --since, --site, --with-html, --db."""
    parser.add_argument(
        "--format", choices=("jsonl", "csv", "parquet"),
        help="default: from --output's extension (.jsonl, .csv, .parquet), else jsonl",
    )
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

    fmt = output_format(args.format, args.output)
    url = database_url(args.db)
    try:
        # Exporting must not leave an empty database file behind a mistyped --db.
        require_existing_sqlite(url)
    except SchemaError as exc:
        raise CommandFailed(str(exc)) from None
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
                count = export(engine, out, fmt, site=args.site, since=args.since, with_html=args.with_html)
            partial.replace(target)
        else:
            count = export(engine, sys.stdout.buffer, fmt, site=args.site, since=args.since, with_html=args.with_html)
            sys.stdout.buffer.flush()
    except SchemaError as exc:
        raise CommandFailed(str(exc)) from None
    except UnknownSiteError as exc:
        raise UsageError(str(exc)) from None
    except BrokenPipeError:
        raise  # the reader stopped early (`| head`): crawler.cli ends quietly with 0
    except OSError as exc:
        raise CommandFailed(f"cannot write {args.output or 'stdout'}: {exc.strerror or exc}") from None
    except SQLAlchemyError as exc:
        raise CommandFailed(f"cannot read {display_url(url)}: {first_line(exc)}; check --db") from None
    finally:
        engine.dispose()
        if partial and partial.exists():
            partial.unlink()
    where = f" to {target}" if target else ""
    print(f"exported {count} article{'s' if count != 1 else ''} as {fmt}{where}", file=sys.stderr)
    return 0
