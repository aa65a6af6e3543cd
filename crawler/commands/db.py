"""``crawler db upgrade|current``: the store's schema migrations."""

from __future__ import annotations

import argparse
import sys

from crawler.commands import add_db_argument

NAME = "db"
HELP = "show or upgrade the database schema (Alembic migrations)"
DESCRIPTION = """\
The store's schema changes only by migrations shipped with the crawler.

  current   print the database's schema revision and whether it is up to date
  upgrade   apply the pending migrations (back up a shared store first)

A crawl sets up a brand-new, empty database by itself; it refuses to write to a
database whose schema is behind, and names the `crawler db upgrade` to run."""
EPILOG = """\
examples:
  crawler db current
  crawler db upgrade --db sqlite:///crawler.db
  crawler db upgrade --db postgresql://crawler@db.example.org/news
  CRAWLER_DATABASE_URL=postgresql://127.0.0.1/news crawler db current

exit status: 0 up to date (or upgraded), 1 behind (current) or upgrade failed, 2 bad usage."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """ACTION and --db."""
    parser.add_argument(
        "action",
        choices=("upgrade", "current"),
        help="upgrade: migrate to the newest schema; current: show the schema revision",
    )
    add_db_argument(parser)


def run(args: argparse.Namespace) -> int:
    """Show or upgrade; errors name the database and what to do."""
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
