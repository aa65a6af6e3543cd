"""Run one user SQL statement read-only, bounded in time and rows (``crawler query``).

Layers, each enough on its own for the common escapes:

1. The statement is parsed by sqlglot and must be one plain query calling only
   side-effect-free functions (storage/query_check.py).
2. SQLite: the file is opened ``mode=ro`` with ``PRAGMA query_only``; an authorizer denies
   ATTACH (which VACUUM INTO uses), every write, PRAGMA setters and load_extension; a
   progress handler stops the statement at its deadline.
3. PostgreSQL: a superuser (or a role with server file/program access) is refused unless
   the caller allows it: ``crawler db reader`` makes the least-privilege role to use.  The
   statement runs as a server-side cursor (``DECLARE ... CURSOR FOR`` admits only SELECT and
   VALUES, one statement), in a read-only transaction that is always rolled back, under
   ``statement_timeout``.

Rows are fetched in batches up to ``max_rows``; ``QueryResult.truncated`` says when more were left.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from sqlalchemy.engine import make_url

from storage.db import MissingDatabaseError, display_url, require_existing_sqlite
from storage.query_check import (
    ACTION_PRAGMAS,
    READ_PRAGMAS_WITH_ARGUMENT,
    QueryRefused,
    check_plain_query,
    explained,
    first_keyword,
    refusal,
    write_refusal,
)

__all__ = ["QueryError", "QueryRefused", "QueryResult", "first_keyword", "read_only_query"]

DEFAULT_TIMEOUT_SECONDS = 30.0
"""Library default; the CLI passes crawler.settings.QUERY_STATEMENT_TIMEOUT_SECONDS."""
DEFAULT_MAX_ROWS = 10_000
"""Library default; the CLI passes crawler.settings.QUERY_MAX_ROWS (or --max-rows)."""
_BATCH = 1000


class QueryError(Exception):
    """The statement could not run (bad SQL, missing database, time bound); the message says why."""


@dataclass
class QueryResult:
    """Column names and a row iterator, valid inside ``read_only_query``'s ``with`` block."""

    columns: list[str]
    rows: Iterator[Sequence[Any]]
    max_rows: int | None = None
    truncated: bool = False
    """True once ``rows`` stopped at ``max_rows`` with more rows left unread."""


@contextmanager
def read_only_query(
    url: str,
    sql: str,
    *,
    precheck: bool = True,
    max_rows: int | None = DEFAULT_MAX_ROWS,
    timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS,
    allow_superuser: bool = False,
) -> Iterator[QueryResult]:
    """Execute ``sql`` read-only against ``url`` and yield its result.

    Raises QueryRefused for anything but a plain query (before or by the database) and
    QueryError for anything else that stops the statement, including its time bound.
    ``max_rows`` None means no row bound.  ``allow_superuser`` lets a PostgreSQL superuser
    connect (the parser check and read-only transaction still apply).  ``precheck=False``
    skips the parser check so tests can show the database refuses by itself.
    """
    if not sql.strip():
        raise QueryError('empty SQL: pass a statement, e.g. crawler query "SELECT count(*) FROM articles"')
    if timeout_seconds <= 0:
        raise QueryError(f"the time bound must be more than 0 seconds, not {timeout_seconds:g}")
    backend = make_url(url).get_backend_name()
    if backend not in ("sqlite", "postgresql"):
        raise QueryError(f"read-only queries are implemented for SQLite and PostgreSQL, not {backend}")
    if precheck:
        check_plain_query(sql, backend)
    run = _sqlite if backend == "sqlite" else _postgresql
    with run(url, sql, timeout_seconds, allow_superuser) as (columns, fetch):
        result = QueryResult(columns, iter(()), max_rows)
        result.rows = _bounded(fetch, result)
        yield result


def _bounded(fetch: Callable[[int], list[Sequence[Any]]], result: QueryResult) -> Iterator[Sequence[Any]]:
    """Rows in batches until ``max_rows``; one row more is asked for to know whether any were left."""
    given = 0
    while True:
        want = _BATCH if result.max_rows is None else min(_BATCH, result.max_rows + 1 - given)
        batch = fetch(want)
        if not batch:
            return
        for row in batch:
            if result.max_rows is not None and given == result.max_rows:
                result.truncated = True
                return
            given += 1
            yield row


def _timeout_message(seconds: float) -> str:
    return (
        f"stopped: the statement ran longer than {seconds:g} s (the time bound; "
        "pass --timeout SECONDS, or add a LIMIT or a narrower WHERE)"
    )


# ---- SQLite -------------------------------------------------------------------------------------

# Authorizer actions a plain read needs.  Everything else (writes, ATTACH/DETACH, which VACUUM INTO
# uses, transactions, savepoints, ANALYZE, REINDEX, virtual tables) is denied.
_SQLITE_READ_ACTIONS = frozenset({sqlite3.SQLITE_SELECT, sqlite3.SQLITE_READ, sqlite3.SQLITE_RECURSIVE})
_SQLITE_DENIED_FUNCTIONS = frozenset(
    "load_extension readfile writefile edit fts3_tokenizer zipfile sqlar_compress sqlar_uncompress".split()
)
_SQLITE_ACTION_NAMES = {
    sqlite3.SQLITE_ATTACH: "ATTACH (which VACUUM INTO also uses)",
    sqlite3.SQLITE_DETACH: "DETACH",
    sqlite3.SQLITE_INSERT: "INSERT",
    sqlite3.SQLITE_UPDATE: "UPDATE",
    sqlite3.SQLITE_DELETE: "DELETE",
    sqlite3.SQLITE_TRANSACTION: "a transaction statement",
    sqlite3.SQLITE_SAVEPOINT: "SAVEPOINT",
    sqlite3.SQLITE_ANALYZE: "ANALYZE",
    sqlite3.SQLITE_REINDEX: "REINDEX",
    sqlite3.SQLITE_ALTER_TABLE: "ALTER TABLE",
}


class _SqliteAuthorizer:
    """Allows reads only; remembers the first thing it denied, for the refusal."""

    def __init__(self) -> None:
        self.denied: str | None = None

    def __call__(self, action: int, arg1: str | None, arg2: str | None, db: str | None, _inner: str | None) -> int:
        if action in _SQLITE_READ_ACTIONS:
            return sqlite3.SQLITE_OK
        if action == sqlite3.SQLITE_FUNCTION:
            if (arg2 or "").lower() not in _SQLITE_DENIED_FUNCTIONS:
                return sqlite3.SQLITE_OK
            return self._deny(f"{arg2}()")
        if action == sqlite3.SQLITE_PRAGMA:
            name = (arg1 or "").lower()
            if name not in ACTION_PRAGMAS and (arg2 is None or name in READ_PRAGMAS_WITH_ARGUMENT):
                return sqlite3.SQLITE_OK
            return self._deny(f"PRAGMA {name}" + (f"={arg2}" if arg2 is not None else ""))
        if action == sqlite3.SQLITE_UPDATE and arg1 == "sqlite_master" and db == "main":
            # SQLite's own schema load for a virtual table (FTS5, pragma_table_info) asks this; the
            # file is read-only (mode=ro, query_only), so it can never write.
            return sqlite3.SQLITE_OK
        what = _SQLITE_ACTION_NAMES.get(action, f"authorizer action {action}")
        if action in (sqlite3.SQLITE_INSERT, sqlite3.SQLITE_UPDATE, sqlite3.SQLITE_DELETE) and arg1:
            what += f" on {arg1}"
        return self._deny(what)

    def _deny(self, what: str) -> int:
        self.denied = self.denied or what
        return sqlite3.SQLITE_DENY


@contextmanager
def _sqlite(
    url: str, sql: str, timeout_seconds: float, _allow_superuser: bool
) -> Iterator[tuple[list[str], Callable[[int], list[Sequence[Any]]]]]:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise QueryError(f"{url} is an in-memory database: pass the URL of a database file")
    try:
        require_existing_sqlite(url)
    except MissingDatabaseError as exc:
        raise QueryError(str(exc)) from None
    path = Path(database)
    # mode=ro: SQLite itself refuses every write to the file; query_only covers the temp database too.
    conn = sqlite3.connect(f"file:{quote(str(path.resolve()))}?mode=ro", uri=True, timeout=30)
    try:
        conn.execute("PRAGMA query_only=ON")
        authorizer = _SqliteAuthorizer()
        conn.set_authorizer(authorizer)
        deadline = time.monotonic() + timeout_seconds
        conn.set_progress_handler(lambda: int(time.monotonic() > deadline), 1000)

        def fail(exc: sqlite3.Error) -> Exception:
            if authorizer.denied:
                return QueryRefused(refusal(authorizer.denied, "was refused by SQLite's authorizer"))
            text = str(exc)
            if "interrupted" in text:
                return QueryError(_timeout_message(timeout_seconds))
            if "readonly" in text or "read-only" in text:
                return QueryRefused(write_refusal("this statement"))
            if isinstance(exc, sqlite3.ProgrammingError | sqlite3.Warning):
                return QueryError(f"SQL error: {exc} (crawler query runs one statement at a time)")
            return QueryError(f"SQL error: {exc}{_sqlite_hint(conn, exc)}")

        try:
            cursor = conn.execute(sql)
        except sqlite3.Error as exc:
            raise fail(exc) from None

        def fetch(n: int) -> list[Sequence[Any]]:
            try:
                return cursor.fetchmany(n)
            except sqlite3.Error as exc:
                # A statement does its work on its first steps, i.e. on fetch.
                raise fail(exc) from None

        yield [d[0] for d in cursor.description or ()], fetch
    finally:
        conn.close()


def _sqlite_hint(conn: sqlite3.Connection, exc: Exception) -> str:
    if "no such table" not in str(exc):
        return ""
    conn.set_authorizer(None)
    names = [row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type IN ('table','view') ORDER BY 1")]
    public = [n for n in names if not n.startswith(("sqlite_", "articles_fts_")) and n != "alembic_version"]
    return f" (tables and views: {', '.join(public)}; see docs/schema.md)"


# ---- PostgreSQL ---------------------------------------------------------------------------------

# SQLSTATEs that mean the database refused the statement (nothing ran).
_PG_REFUSALS = {
    "25006": "was refused: the transaction is read-only",  # read_only_sql_transaction
    "25001": "was refused: the transaction is read-only",  # e.g. SET TRANSACTION READ WRITE after a query
    "42501": "was refused: the role lacks the privilege",  # insufficient_privilege
    "0A000": "was refused by the server",  # e.g. DECLARE CURSOR with a data-modifying WITH
}


@contextmanager
def _postgresql(
    url: str, sql: str, timeout_seconds: float, allow_superuser: bool
) -> Iterator[tuple[list[str], Callable[[int], list[Sequence[Any]]]]]:
    import psycopg

    from storage.reader_role import role_dangers

    timeout_ms = max(1, int(timeout_seconds * 1000))
    conninfo = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    try:
        conn = psycopg.connect(
            conninfo,
            options=f"-c default_transaction_read_only=on -c statement_timeout={timeout_ms}",
            connect_timeout=10,
        )
    except psycopg.Error as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise QueryError(f"cannot connect to {display_url(url)}: {first}; check --db") from None
    try:
        dangers = role_dangers(conn)
        if dangers and not allow_superuser:
            user = make_url(url).username or "the connecting role"
            raise QueryRefused(
                f"refused: connecting as {user}, {' and '.join(dangers)}: a query could run programs or read "
                "files on the database server. Make a least-privilege role with `crawler db reader --db URL` and "
                "query with the URL it prints, or pass --allow-superuser if you really mean to. Nothing was changed."
            )
        conn.execute("SET TRANSACTION READ ONLY")
        # Take the snapshot now: afterwards SET TRANSACTION READ WRITE is an error.
        conn.execute("SELECT 1")
        deadline = time.monotonic() + timeout_seconds
        if explained(sql, "postgresql") is None:
            # A server-side cursor: DECLARE admits one SELECT or VALUES, nothing else.
            cursor: Any = conn.cursor(name="crawler_query")
            execute_options: dict[str, Any] = {}
        else:
            # EXPLAIN cannot be declared as a cursor; prepare=True: the extended protocol takes one statement.
            cursor = conn.cursor()
            execute_options = {"prepare": True}

        def fail(exc: psycopg.Error) -> Exception:
            message = exc.diag.message_primary or str(exc)
            if exc.sqlstate == "57014":  # query_canceled: statement_timeout
                return QueryError(_timeout_message(timeout_seconds))
            if exc.sqlstate == "42601":
                # DECLARE's grammar rejects anything but a query; say what it was when we can.
                try:
                    check_plain_query(sql, "postgresql")
                except QueryRefused as refused:
                    return refused
            if exc.sqlstate in _PG_REFUSALS:
                return QueryRefused(refusal(f"this statement ({message})", _PG_REFUSALS[exc.sqlstate]))
            hint = " (see docs/schema.md for the tables and views)" if exc.sqlstate == "42P01" else ""
            return QueryError(f"SQL error: {message}{hint}")

        try:
            cursor.execute(sql, **execute_options)
        except psycopg.Error as exc:
            raise fail(exc) from None

        def fetch(n: int) -> list[Sequence[Any]]:
            if time.monotonic() > deadline:
                raise QueryError(_timeout_message(timeout_seconds))
            try:
                return cursor.fetchmany(n)
            except psycopg.Error as exc:
                raise fail(exc) from None

        yield [d.name for d in cursor.description or ()], fetch
    finally:
        try:
            conn.rollback()
        finally:
            conn.close()
