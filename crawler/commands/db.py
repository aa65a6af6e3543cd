"""``crawler db upgrade|current|reader``: the store's schema migrations, and a read-only role for queries."""

from __future__ import annotations

import argparse
import re
import sys

from crawler.commands import add_db_argument

NAME = "db"
HELP = "show or upgrade the database schema (Alembic migrations)"
DESCRIPTION = """\
The store's schema changes only by migrations shipped with the crawler.

  current   print the database's schema revision and whether it is up to date
  upgrade   apply the pending migrations (back up a shared store first)
  reader    PostgreSQL: create (or re-tighten) a least-privilege role for
            `crawler query` (LOGIN, not a superuser, SELECT on the store's tables
            and views only, no server file/program access, read-only
            transactions) and print the URL to query with; run it again after
            `crawler db upgrade` so new tables are readable

A crawl sets up a brand-new, empty database by itself; it refuses to write to a
database whose schema is behind, and names the `crawler db upgrade` to run."""
EPILOG = """\
examples:
  crawler db current
  crawler db upgrade --db sqlite:///crawler.db
  crawler db upgrade --db postgresql://crawler@db.example.org/news
  CRAWLER_DATABASE_URL=postgresql://127.0.0.1/news crawler db current
  crawler db reader --db postgresql://postgres@db.example.org/news --role news_reader

exit status: 0 up to date (or upgraded, or reader ready), 1 behind (current), upgrade or
reader failed, 2 bad usage."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """ACTION and --db."""
    parser.add_argument(
        "action",
        choices=("upgrade", "current", "reader"),
        help="upgrade: migrate to the newest schema; current: show the schema revision; "
        "reader: make a read-only PostgreSQL role for crawler query",
    )
    parser.add_argument(
        "--role",
        default="crawler_reader",
        metavar="NAME",
        help="reader: the role's name (default crawler_reader)",
    )
    add_db_argument(parser)


_ROLE_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")


def _reader(url: str, role: str) -> int:
    """`crawler db reader`: create the role, print the URL to query with."""
    from crawler import settings
    from storage.db import display_url
    from storage.reader_role import ReaderRoleError, create_reader_role

    try:
        made = create_reader_role(url, role, statement_timeout_seconds=settings.QUERY_STATEMENT_TIMEOUT_SECONDS)
    except ReaderRoleError as exc:
        print(f"crawler db: {exc}", file=sys.stderr)
        return 1
    print(f"role:     {made.role} ({'created' if made.created else 'existed; limits and grants re-applied'})")
    print(f"grants:   SELECT on {', '.join(made.granted) or '(no store tables yet)'}")
    for note in made.notes:
        print(f"note:     {note}")
    if made.created:
        print(f"url:      {made.url}")
        print("          (the password is shown once: keep the URL, e.g. in CRAWLER_DATABASE_URL for crawler query)")
    else:
        print(f"url:      {display_url(made.url)} (password unchanged)")
    print(f'query:    crawler query "SELECT count(*) FROM articles" --db {display_url(made.url)}')
    return 0


def run(args: argparse.Namespace) -> int:
    """Show or upgrade; errors name the database and what to do."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import SQLAlchemyError

    from storage.db import (
        SchemaError,
        current_state,
        database_url,
        display_url,
        make_engine,
        require_existing_sqlite,
        upgrade,
    )

    url = database_url(args.db)
    shown = display_url(url)
    if args.action == "reader":
        try:
            backend = make_url(url).get_backend_name()
        except (SQLAlchemyError, ValueError) as exc:
            print(f"crawler db: bad database URL {shown!r}: {exc}", file=sys.stderr)
            return 2
        if backend != "postgresql":
            print(
                f"crawler db: `reader` is for PostgreSQL, not {backend}: `crawler query` already opens a SQLite "
                "file read-only; pass --db postgresql://ADMIN@HOST/DB",
                file=sys.stderr,
            )
            return 2
        if not _ROLE_NAME.fullmatch(args.role):
            print(
                f"crawler db: --role {args.role!r} is not a plain role name: use lower-case letters, digits and _, "
                "starting with a letter or _ (at most 63)",
                file=sys.stderr,
            )
            return 2
        return _reader(url, args.role)
    if args.action == "current":
        try:
            # `current` only reads: a mistyped path must not become an empty database file.
            require_existing_sqlite(url)
        except SchemaError as exc:
            print(f"crawler db: {exc}", file=sys.stderr)
            return 1
        except (SQLAlchemyError, ValueError) as exc:
            print(f"crawler db: bad database URL {shown!r}: {exc}", file=sys.stderr)
            return 2
    try:
        engine = make_engine(url)
    except (SQLAlchemyError, ValueError) as exc:
        print(f"crawler db: bad database URL {shown!r}: {exc}", file=sys.stderr)
        return 2
    try:
        if args.action == "current":
            state = current_state(engine)
            print(f"database: {shown}")
            print(f"revision: {state.current or '(none)'}")
            print(f"newest:   {state.head}")
            if state.status == "current":
                print("status:   up to date")
                return 0
            if state.status == "empty":
                print("status:   empty database; the first crawl (or `crawler db upgrade`) creates the schema")
                return 0
            if state.status == "unknown":
                print("status:   migrated by a newer crawler; upgrade the crawler")
                return 1
            if state.status == "foreign":
                # Not a store: `db upgrade` refuses it, so do not suggest running it.
                print(
                    f"status:   not a crawler store: it has other tables ({', '.join(state.missing)} missing); "
                    "`crawler db upgrade` will not change it"
                )
                print("advice:   point --db at a crawler store, or at a new or empty database to start one")
                return 1
            what = "no migration history (made before migrations)" if state.status == "untracked" else "behind"
            print(f"status:   {what}; pending: {', '.join(state.pending)}")
            print(f"run:      crawler db upgrade --db {shown}")
            return 1
        before, after = upgrade(engine)
        if before.status == "current":
            print(f"{shown} is already at the newest schema revision {after.current}")
        else:
            print(
                f"upgraded {shown} from {before.current or '(empty)'} to {after.current}"
                f" (applied {', '.join(before.pending)})"
            )
        return 0
    except SchemaError as exc:
        print(f"crawler db: {exc}", file=sys.stderr)
        return 1
    except SQLAlchemyError as exc:
        first = str(exc.orig if getattr(exc, "orig", None) else exc).strip().splitlines()[0]
        print(
            f"crawler db: cannot use the database {shown}: {first}; check --db and that the server runs",
            file=sys.stderr,
        )
        return 1
    finally:
        engine.dispose()
