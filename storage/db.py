"""Engines, sessions and the schema's migration state. The caller owns the transaction.

The schema changes only by Alembic migrations in ``storage/migrations/``.
``ensure_schema`` is what a writer (a crawl) calls first: a brand-new, empty
database is migrated to the newest revision; a database whose schema is behind
is refused with the command that upgrades it (``crawler db upgrade --db URL``).
Every command words a database's state with ``schema_message``, so the advice
(crawl, upgrade the store, upgrade the crawler, or point --db elsewhere) is the
same everywhere and true for that state.
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from sqlalchemy import Connection, Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from storage.views import FOREIGN_TABLES

DEFAULT_DATABASE_URL = "sqlite:///crawler.db"
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
BASELINE_REVISION = "0001"
"""The first revision: exactly the tables the pre-migration ``create_all`` made."""

# Any fixed 64-bit number: the PostgreSQL advisory lock that serializes schema upgrades.
_SCHEMA_LOCK_KEY = 0x6E657773_6D6F6E  # "newsmon"

CRAWLER_TABLES: tuple[str, ...] = ("articles", "crawl_runs", "sites")
"""Tables every crawler store has had since the baseline: what tells a store from another application's database."""

SchemaStatus = Literal["empty", "current", "behind", "untracked", "foreign", "unknown"]
"""empty: no tables; current: at the newest revision; behind: older revision (upgradeable);
untracked: a crawler store made before migrations (upgradeable); foreign: another
application's tables, not a crawler store (never upgraded); unknown: a revision from a
newer crawler."""


class SchemaError(RuntimeError):
    """The database's schema is not the one this crawler writes; the message says what to run."""


class MissingDatabaseError(SchemaError):
    """A read-only command was pointed at a SQLite file that does not exist; nothing was created.

    A SchemaError, so commands that already report schema problems report this one too.
    """


@dataclass(frozen=True)
class SchemaState:
    """Where a database stands against the migrations this crawler ships."""

    status: SchemaStatus
    current: str | None
    head: str
    pending: tuple[str, ...] = ()
    """Revisions ``crawler db upgrade`` would apply, oldest first."""
    missing: tuple[str, ...] = ()
    """For ``foreign``: the crawler tables the database lacks."""


# How long a SQLite writer waits for another (two crawls, or a crawl and the daemon, on one file).
SQLITE_BUSY_SECONDS = 30

def database_url(explicit: str | None = None) -> str:
    """The database URL: ``explicit``, else ``$CRAWLER_DATABASE_URL``, else ``sqlite:///crawler.db``."""
    return explicit or os.environ.get("CRAWLER_DATABASE_URL") or DEFAULT_DATABASE_URL


class DatabaseURLError(ValueError):
    """A database URL this crawler cannot use (syntax, backend or driver); the message says how to write it."""


# The drivers this project installs, per backend (make_engine maps plain postgresql:// to psycopg 3).
_SUPPORTED_DRIVERS = {"sqlite": ("", "pysqlite"), "postgresql": ("", "psycopg")}


def check_database_url(url: str) -> None:
    """Raise DatabaseURLError unless ``url`` is a SQLite or PostgreSQL URL this crawler can open.

    Checks the text only (no connection, no file created): the usual slips get a message
    with the corrected URL, e.g. ``sqlite://x.db`` (two slashes: a host, not a path),
    ``postgres://`` (SQLAlchemy spells it ``postgresql://``) or a bare file path.
    """
    from sqlalchemy.exc import ArgumentError

    try:
        parsed = make_url(url)
    except ArgumentError:
        if url.strip() and not any(c in url for c in ":@"):  # a bare file path
            raise DatabaseURLError(
                f"not a database URL: for a SQLite file write sqlite:///{url}, for PostgreSQL postgresql://USER@HOST/DB"
            ) from None
        raise DatabaseURLError(
            "not a database URL: use sqlite:///PATH (e.g. sqlite:///crawler.db) or postgresql://USER@HOST/DB"
        ) from None
    backend, _, driver = parsed.drivername.partition("+")
    if backend == "postgres":
        fixed = parsed.set(drivername="postgresql" + (f"+{driver}" if driver else ""))
        raise DatabaseURLError(
            f"postgres:// is spelled postgresql:// in SQLAlchemy: {fixed.render_as_string(hide_password=True)}"
        )
    if backend not in _SUPPORTED_DRIVERS:
        raise DatabaseURLError(f"{backend} is not supported: use sqlite:///PATH or postgresql://USER@HOST/DB")
    if driver not in _SUPPORTED_DRIVERS[backend]:
        raise DatabaseURLError(
            f"the {backend} driver {driver!r} is not installed: write {backend}://... without +{driver}"
        )
    if backend == "sqlite" and (parsed.host or parsed.port or parsed.username):
        # sqlite://x.db parses as host "x.db" and no path: SQLite would quietly use memory, or fail.
        path = "/".join(p for p in (parsed.host, parsed.database) if p)
        raise DatabaseURLError(
            f"a SQLite URL needs three slashes for a relative path (sqlite:///{path}) "
            f"or four for an absolute one (sqlite:////{path})"
        )


def display_url(url: str | Engine) -> str:
    """The URL with any password masked, for messages."""
    parsed = url.url if isinstance(url, Engine) else make_url(url)
    return parsed.render_as_string(hide_password=True)


def make_engine(url: str | None = None, **kwargs: object) -> Engine:
    """An engine for ``url``; SQLite gets WAL mode, foreign keys, a busy timeout and write-locking transactions."""
    url = database_url(url)
    parsed = make_url(url)
    if parsed.drivername == "postgresql":
        # psycopg 3 is the one PostgreSQL driver this project installs.
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() == "sqlite":
        kwargs.setdefault("connect_args", {"timeout": SQLITE_BUSY_SECONDS})
    engine = create_engine(parsed, **kwargs)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin_immediate)
    return engine


def _sqlite_pragmas(dbapi_connection: object, _record: object) -> None:
    # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin (see _sqlite_begin_immediate).
    dbapi_connection.isolation_level = None  # type: ignore[attr-defined]
    cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
    # WAL lets readers (crawler query) run while a crawl writes.  Switching a new file to WAL
    # can answer "database is locked" at once, without the busy timeout, while another
    # process sets the same file up: retry for as long as the busy timeout would wait.
    deadline = time.monotonic() + SQLITE_BUSY_SECONDS
    while True:
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            break
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_begin_immediate(connection: Connection) -> None:
    # Take the write lock up front: a read-then-write transaction racing another crawl would
    # otherwise fail with SQLITE_BUSY_SNAPSHOT instead of waiting for the busy timeout.
    # Readers opt out with execution_options(sqlite_begin="DEFERRED") (see read_engine).
    mode = connection.get_execution_options().get("sqlite_begin", "IMMEDIATE")
    connection.exec_driver_sql(f"BEGIN {'DEFERRED' if mode == 'DEFERRED' else 'IMMEDIATE'}")


def require_existing_sqlite(url: str | None = None) -> None:
    """Raise MissingDatabaseError if ``url`` is a SQLite file URL whose file does not exist.

    Read-only commands (query, search, export, db current, runs, health, jobs) call this
    before connecting: opening a missing SQLite path would silently create an empty
    database file there, e.g. after a typo in ``--db``.  Other backends, in-memory
    SQLite and existing files pass.  ``url`` defaults like ``database_url``.
    """
    url = database_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return
    database = parsed.database
    if not database or database == ":memory:" or database.startswith("file:"):
        # In-memory, or a SQLite URI whose mode (e.g. ro) decides creation itself.
        return
    path = Path(database)
    if not path.exists():
        raise MissingDatabaseError(
            f"no database file at {path.resolve()}: run a crawl first (crawler crawl / crawler demo) or pass --db"
        )


class UnknownSiteError(ValueError):
    """A ``--site`` key that is neither configured nor in the store; the message lists the known keys."""


def require_known_site(connection: Connection, site: str, configured: Collection[str]) -> None:
    """Raise UnknownSiteError unless ``site`` is ``configured`` (the caller's site table) or has a row in ``sites``.

    A filter on a mistyped key would otherwise match nothing and look like an empty result.
    Stored keys count too: a store may hold sites that this crawler no longer configures.
    """
    if site in configured:
        return
    stored = [row[0] for row in connection.execute(text("SELECT key FROM sites ORDER BY key"))]
    if site in stored:
        return
    known = ", ".join(sorted(set(configured) | set(stored)))
    raise UnknownSiteError(f"unknown site {site!r}; known sites: {known} (see `crawler sites`)")


def read_engine(url: str | None = None) -> Engine:
    """An engine for long reads (export, search): on SQLite its transactions take no write lock."""
    return make_engine(url).execution_options(sqlite_begin="DEFERRED")


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A session whose transaction commits on success and rolls back on error."""
    factory = sessionmaker(engine, expire_on_commit=False)
    with factory() as session, session.begin():
        yield session


# --- migrations ---------------------------------------------------------------


def alembic_config(connection: Connection | None = None):  # noqa: ANN201 - alembic.config.Config
    """An Alembic config for the shipped migrations, optionally bound to an open connection."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    """The newest revision this crawler ships."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None, f"no migrations found in {MIGRATIONS_DIR}"
    return head


def schema_state(connection: Connection) -> SchemaState:
    """Compare the database on ``connection`` with the shipped migrations."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config())
    head = script.get_current_head()
    assert head is not None
    current = MigrationContext.configure(connection).get_current_revision()
    if current is None:
        tables = set(inspect(connection).get_table_names()) - set(FOREIGN_TABLES) - {"alembic_version"}
        if not tables:
            return SchemaState("empty", None, head, _pending(script, None))
        missing = tuple(t for t in CRAWLER_TABLES if t not in tables)
        if missing:
            # Someone else's tables: adopting them as a store would be wrong, so nothing is pending.
            return SchemaState("foreign", None, head, missing=missing)
        return SchemaState("untracked", None, head, _pending(script, BASELINE_REVISION))
    if current == head:
        return SchemaState("current", current, head)
    try:
        pending = _pending(script, current)
    except Exception:  # noqa: BLE001 - alembic raises several kinds for an unknown revision
        return SchemaState("unknown", current, head)
    return SchemaState("behind", current, head, pending)


def _pending(script: object, current: str | None) -> tuple[str, ...]:
    revisions = script.iterate_revisions("head", current)  # type: ignore[attr-defined]
    return tuple(reversed([rev.revision for rev in revisions]))


def ensure_schema(engine: Engine) -> None:
    """Make ``engine``'s database ready for writing, or raise SchemaError saying what to run.

    A brand-new database (no tables) is migrated to the newest revision, so a crawl
    into an empty file or an empty PostgreSQL database just works.  A database
    behind the newest revision is refused: upgrading a shared store is the user's
    decision (``crawler db upgrade --db URL``), not a side effect of a crawl.
    """
    _check_reachable(engine)
    with _schema_lock(engine) as conn:
        state = schema_state(conn)
        if state.status == "current":
            return
        if state.status == "empty":
            _run_upgrade(conn)
            return
    raise SchemaError(schema_message(state, engine))


def _check_reachable(engine: Engine) -> None:
    """Raise SchemaError naming the database when it cannot be opened at all."""
    try:
        with engine.connect():
            pass
    except OperationalError as exc:
        first = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        raise SchemaError(
            f"cannot open the database {display_url(engine)}: {first}; check --db or $CRAWLER_DATABASE_URL "
            "(SQLite: that the folder exists; PostgreSQL: that the server runs and the database exists)"
        ) from exc


def upgrade(engine: Engine) -> tuple[SchemaState, SchemaState]:
    """Migrate the database to the newest revision; return its state before and after.

    A store created before migrations existed (tables but no ``alembic_version``) is
    adopted: it is stamped with the baseline revision, then upgraded.
    """
    _check_reachable(engine)
    with _schema_lock(engine) as conn:
        before = schema_state(conn)
        if before.status in ("unknown", "foreign"):
            raise SchemaError(schema_message(before, engine))
        if before.status == "untracked":
            from alembic import command

            command.stamp(alembic_config(conn), BASELINE_REVISION)
        if before.status != "current":
            _run_upgrade(conn)
        after = schema_state(conn)
    return before, after


def current_state(engine: Engine) -> SchemaState:
    """The database's migration state, read without changing anything."""
    with engine.connect() as conn:
        return schema_state(conn)


def _run_upgrade(conn: Connection) -> None:
    from alembic import command

    command.upgrade(alembic_config(conn), "head")


@contextmanager
def _schema_lock(engine: Engine) -> Iterator[Connection]:
    """One transaction that holds the schema lock: two crawls starting on a new database migrate it once."""
    with engine.connect() as conn:
        sqlite = conn.dialect.name == "sqlite"
        if sqlite:
            # SQLite batch migrations recreate tables; with foreign keys on, dropping the old
            # table would cascade-delete child rows.  The pragma is a no-op inside a transaction.
            conn.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")  # type: ignore[union-attr]
        try:
            with conn.begin():
                if conn.dialect.name == "postgresql":
                    conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _SCHEMA_LOCK_KEY})
                yield conn
                if sqlite:
                    problems = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                    if problems:
                        raise SchemaError(f"migration left rows with broken foreign keys: {problems[:5]}")
        finally:
            if sqlite:
                conn.connection.driver_connection.execute("PRAGMA foreign_keys=ON")  # type: ignore[union-attr]


def schema_message(state: SchemaState, url: str | Engine) -> str:
    """What is wrong with a database in ``state`` and what to do: the one wording every command uses.

    Each status gets advice that works for it: only ``behind`` and ``untracked`` are
    sent to ``crawler db upgrade`` (the only states it changes); a foreign database is
    sent elsewhere, an empty one to a crawl, a newer one to a crawler upgrade.
    """
    url = display_url(url)
    if state.status == "unknown":
        return (
            f"the database {url} is at schema revision {state.current}, which this crawler does not know "
            f"(its newest is {state.head}): it was migrated by a newer version; upgrade the crawler"
        )
    if state.status == "foreign":
        return (
            f"the database {url} has tables but not this crawler's ({', '.join(state.missing)} missing): "
            "it is not a crawler store, and `crawler db upgrade` will not change it; "
            "point --db at a crawler store, or at a new or empty database to start one"
        )
    if state.status == "empty":
        return (
            f"the database {url} is empty (no crawler tables yet): "
            f"crawl into it first (`crawler crawl SITE --db {url}`), or point --db at a crawler store"
        )
    if state.status == "current":
        return f"the database {url} is at this crawler's newest schema revision {state.head}"
    if state.status == "untracked":
        what = "has this crawler's tables but no migration history (it predates migrations)"
    else:
        what = f"is at schema revision {state.current}, behind this crawler's {state.head}"
    return f"the database {url} {what}: back it up, then run `crawler db upgrade --db {url}`"
