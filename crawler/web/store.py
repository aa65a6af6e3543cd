"""The web view's connection to the store: opened read-only, its state checked before any page.

SQLite is opened through a ``mode=ro`` URI (the file is never created nor written) and
PostgreSQL sessions start with ``default_transaction_read_only``: even a bug in a view
cannot change the store.  The state check is the CLI's (``storage.db.schema_state`` and
``schema_message``), so a missing or old database gets the same advice as in a terminal.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from sqlalchemy import Engine, create_engine, inspect
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from storage.db import (
    MissingDatabaseError,
    current_state,
    display_url,
    require_existing_sqlite,
    schema_message,
)

# The tables every page reads: a store without them is not one the view can show.
WEB_TABLES = ("sites", "articles", "crawl_runs", "crawl_events", "health_checks", "article_versions",
              "syndicated_copies")


@dataclass(frozen=True)
class StoreProblem:
    """Why the store cannot be shown, and the command that fixes it."""

    message: str
    command: str


def read_only_engine(url: str) -> Engine:
    """An engine on ``url`` that cannot write: SQLite ``mode=ro`` URI, PostgreSQL read-only transactions."""
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        database = parsed.database or ""
        uri = database if database.startswith("file:") else "file:" + quote(str(Path(database).resolve()))
        if "mode=" not in uri:
            uri += ("&" if "?" in uri else "?") + "mode=ro"
        # uri=true in the URL: SQLAlchemy hands the file: URI to SQLite as is, so mode=ro applies.
        return create_engine(
            f"sqlite+pysqlite:///{uri}&uri=true",
            connect_args={"check_same_thread": False, "timeout": 5},
        )
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    # Every transaction of every pooled connection is read-only; a write fails in the server itself.
    return create_engine(
        parsed,
        connect_args={"options": "-c default_transaction_read_only=on"},
        pool_pre_ping=True,
    )


class Store:
    """The store one app shows: its URL, its read-only engine (made lazily) and its checked state.

    A store found usable stays so for the process; a problem is checked again on the next
    request, so the page clears by itself once the user has run the command it shows.
    """

    def __init__(self, url: str) -> None:
        self.url = url
        self.shown_url = display_url(url)
        self._engine: Engine | None = None
        self._usable = False
        self._lock = threading.Lock()

    @property
    def engine(self) -> Engine:
        """The read-only engine (created on first use, never for a missing SQLite file)."""
        with self._lock:
            if self._engine is None:
                self._engine = read_only_engine(self.url)
            return self._engine

    def problem(self) -> StoreProblem | None:
        """None when the store can be shown, else what is wrong and the command to run."""
        if self._usable:
            return None
        found = self._check()
        self._usable = found is None
        return found

    def _check(self) -> StoreProblem | None:
        shown = self.shown_url
        try:
            require_existing_sqlite(self.url)
        except MissingDatabaseError as exc:
            return StoreProblem(str(exc), f"crawler demo --db {shown}")
        try:
            state = current_state(self.engine)
            present = set(inspect(self.engine).get_table_names())
        except SQLAlchemyError as exc:
            first = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
            return StoreProblem(
                f"cannot open the database {shown}: {first}; check --db or $CRAWLER_DATABASE_URL",
                f"crawler db current --db {shown}",
            )
        if state.status == "current":
            missing = [t for t in WEB_TABLES if t not in present]
            if not missing:
                return None
            return StoreProblem(f"{shown} lacks the table(s) {', '.join(missing)}", f"crawler db upgrade --db {shown}")
        commands = {
            "empty": f"crawler crawl SITE --db {shown}",
            "behind": f"crawler db upgrade --db {shown}",
            "untracked": f"crawler db upgrade --db {shown}",
            "unknown": "pip install --upgrade news-monitor-crawler",
            "foreign": "crawler web --db URL-OF-YOUR-CRAWLER-STORE",
        }
        return StoreProblem(schema_message(state, self.url), commands.get(state.status, "crawler db current"))

    def dispose(self) -> None:
        """Close pooled connections."""
        with self._lock:
            if self._engine is not None:
                self._engine.dispose()

