"""``crawler changes``: what changed in the store: new versions of articles, and articles the sites removed."""

from __future__ import annotations

import argparse

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from crawler.commands import add_db_argument
from crawler.commands.errors import CommandFailed, UsageError, first_line, int_range
from crawler.commands.output import add_format_argument, write_rows
from crawler.commands.search import since_argument

NAME = "changes"
HELP = "list what changed: new article versions (with the fields that changed) and removed articles"
DESCRIPTION = """\
List the changes re-crawls found, newest first: each new version of an article (version 2 and
later) with the fields that changed (title, summary, body_text, tags, authors, dates, image, source ...),
and each article a re-check found gone (HTTP 404/410: `removed`). `crawler history ID` shows one
article's versions with a diff."""
EPILOG = """\
examples:
  crawler changes
  crawler changes --site syrianobserver --since 1d
  crawler changes --since 2024-05-01 --format csv > changes.csv
  crawler changes --format json | jq '.[] | select(.changed_fields | index("title"))'

exit status: 0 after printing (also when nothing changed), 1 when the database is missing or not a
crawler store, 2 for a bad command line or an unknown --site."""

COLUMNS = ("at", "site", "article_id", "change", "version", "changed_fields", "title", "url")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """--site, --since, --limit, --format, --db."""
    parser.add_argument("--site", metavar="KEY", help="only this site (see `crawler sites`)")
    parser.add_argument("--since", type=since_argument, metavar="DATE",
                        help="changes found on or after YYYY-MM-DD (UTC), or in the last Nd days (e.g. 7d)")
    parser.add_argument("--limit", type=int_range(1), default=100, metavar="N",
                        help="at most N changes (default 100)")
    add_format_argument(parser)
    add_db_argument(parser)


def run(args: argparse.Namespace) -> int:
    """Print the changes as a table, CSV or JSON."""
    from crawler.commands.runs import open_store, unknown_site
    from storage.db import session_scope
    from storage.history import changes
    from storage.models import Article

    engine = open_store(args.db, tables=("articles", "article_versions"))
    try:
        with session_scope(engine) as session:
            rows = list(changes(session, site=args.site, since=args.since, limit=args.limit))
            stored_sites = list(session.scalars(select(Article.site).distinct())) if args.site and not rows else []
    except SQLAlchemyError as exc:
        raise CommandFailed(f"cannot read the changes: {first_line(exc)}; check --db") from None
    finally:
        engine.dispose()
    if not rows and args.site:
        problem = unknown_site(args.site, stored_sites)
        if problem:
            raise UsageError(problem)
    records = [(c.at, c.site, c.article_id, c.kind, c.version, c.changed_fields, c.title, c.url) for c in rows]
    if args.format == "table":
        if not records:
            print("no changes recorded" + (f" for site {args.site}" if args.site else ""))
            return 0
        records = [(f"{at:%Y-%m-%d %H:%M}", s, i, k, v, ", ".join(f), t, u) for at, s, i, k, v, f, t, u in records]
    write_rows(COLUMNS, records, args.format, title="Changes (newest first; times UTC)")
    return 0
