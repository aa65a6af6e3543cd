"""Run one user SQL statement over a read-only connection (``crawler query``).

Read-only is enforced by the database, not by parsing SQL:

- SQLite: the file is opened with ``mode=ro`` and ``PRAGMA query_only=ON``;
  the sqlite3 module runs one statement per call.
- PostgreSQL: the session defaults to read-only transactions, the transaction is
  set ``READ ONLY`` and takes its snapshot before the user's statement (after
  which it cannot be switched back to read-write), the statement goes through the
  extended protocol (one statement, no ``; DELETE ...`` piggyback), and the
  transaction is always rolled back.

A keyword check in front only turns the common mistake into a clearer message.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from sqlalchemy.engine import make_url

from storage.db import MissingDatabaseError, display_url, require_existing_sqlite

# Statements that change data or schema; the database refuses them anyway.
WRITE_KEYWORDS = frozenset(
    "insert update delete merge upsert replace create drop alter truncate grant revoke "
    "reindex vacuum attach detach copy comment cluster refresh lock call do".split()
)
# PRAGMAs whose "(argument)" names what to read, not a value to set.
READ_PRAGMAS_WITH_ARGUMENT = frozenset(
    "table_info table_xinfo table_list index_info index_xinfo index_list foreign_key_list "
    "foreign_key_check integrity_check quick_check".split()
)
# PRAGMAs that act even without an argument.
ACTION_PRAGMAS = frozenset("optimize wal_checkpoint incremental_vacuum".split())
_PRAGMA = re.compile(r"pragma\s+(?:\w+\s*\.\s*)?(?P<name>\w+)\s*(?P<op>[=(])?", re.I)
_LEADING_COMMENTS = re.compile(r"^\s*(?:(?:--[^\n]*\n?)|(?:/\*.*?\*/)|\s)*", re.S)


class QueryRefused(Exception):
    """The statement would write to the database; nothing was changed."""


class QueryError(Exception):
    """The statement could not run (bad SQL, missing database); the message says why."""


@dataclass
class QueryResult:
    """Column names and a row iterator, valid inside ``read_only_query``'s ``with`` block."""

    columns: list[str]
    rows: Iterator[Sequence[Any]]


def first_keyword(sql: str) -> str:
    """The statement's first word, lower-cased, after leading comments."""
    body = _LEADING_COMMENTS.sub("", sql, count=1)
    match = re.match(r"[A-Za-z]+", body)
    return match.group(0).lower() if match else ""


def check_not_write(sql: str) -> None:
    """Raise QueryRefused for a statement that plainly writes (INSERT, DELETE, DROP, PRAGMA x=y ...)."""
    keyword = first_keyword(sql)
    if keyword in WRITE_KEYWORDS:
        raise QueryRefused(_refusal(keyword.upper()))
    pragma = pragma_write(sql)
    if pragma:
        raise QueryRefused(_refusal(pragma))


def pragma_write(sql: str) -> str | None:
    """``"PRAGMA name"`` when ``sql`` is a PRAGMA that sets or does something, None for reads.

    Reads stay allowed: ``PRAGMA journal_mode``, ``PRAGMA table_info(articles)``.
    A read-only SQLite connection fails setters with odd errors ("disk I/O error").
    """
    match = _PRAGMA.match(_LEADING_COMMENTS.sub("", sql, count=1))
    if not match:
        return None
    name, operator = match.group("name").lower(), match.group("op")
    if operator == "=" or (operator == "(" and name not in READ_PRAGMAS_WITH_ARGUMENT) or name in ACTION_PRAGMAS:
        return f"PRAGMA {name}"
    return None


def _what(sql: str) -> str:
    keyword = first_keyword(sql)
    if keyword in WRITE_KEYWORDS:
        return keyword.upper()
    return pragma_write(sql) or "this statement"


def _refusal(what: str) -> str:
    return (
        f"refused: {what} would change the database, and `crawler query` is read-only. "
        "Nothing was changed. Change data with the crawler's own commands, or connect with a "
        "database client (sqlite3, psql) if you really mean to."
    )


@contextmanager
def read_only_query(url: str, sql: str, *, precheck: bool = True) -> Iterator[QueryResult]:
    """Execute ``sql`` read-only against ``url`` and yield its result.

    Raises QueryRefused for a write (before or by the database) and QueryError
    for anything else that stops the statement.  ``precheck=False`` skips the
    keyword check so tests can show the database itself refuses.
    """
    if not sql.strip():
        raise QueryError('empty SQL: pass a statement, e.g. crawler query "SELECT count(*) FROM articles"')
    if precheck:
        check_not_write(sql)
    backend = make_url(url).get_backend_name()
    if backend == "sqlite":
        with _sqlite(url, sql) as result:
            yield result
    elif backend == "postgresql":
        with _postgresql(url, sql) as result:
            yield result
    else:
        raise QueryError(f"read-only queries are implemented for SQLite and PostgreSQL, not {backend}")


@contextmanager
def _sqlite(url: str, sql: str) -> Iterator[QueryResult]:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise QueryError(f"{url} is an in-memory database: pass the URL of a database file")
    try:
        require_existing_sqlite(url)
    except MissingDatabaseError as exc:
        raise QueryError(str(exc)) from None
    path = Path(database)
    # mode=ro: SQLite itself refuses every write; query_only also covers ATTACHed files.
    conn = sqlite3.connect(f"file:{quote(str(path.resolve()))}?mode=ro", uri=True, timeout=30)
    try:
        conn.execute("PRAGMA query_only=ON")
        try:
            cursor = conn.execute(sql)
        except sqlite3.OperationalError as exc:
            if "readonly" in str(exc) or "read-only" in str(exc):
                raise QueryRefused(_refusal(_what(sql))) from None
            raise QueryError(f"SQL error: {exc}{_sqlite_hint(conn, exc)}") from None
        except (sqlite3.ProgrammingError, sqlite3.Warning) as exc:
            raise QueryError(f"SQL error: {exc} (crawler query runs one statement at a time)") from None
        except sqlite3.DatabaseError as exc:
            raise QueryError(f"SQL error: {exc}") from None
        columns = [d[0] for d in cursor.description or ()]
        yield QueryResult(columns, _sqlite_rows(cursor, sql))
    finally:
        conn.rollback()
        conn.close()


def _sqlite_rows(cursor: sqlite3.Cursor, sql: str) -> Iterator[Sequence[Any]]:
    try:
        while batch := cursor.fetchmany(1000):
            yield from batch
    except sqlite3.OperationalError as exc:
        # A write can surface on the first step of the statement, i.e. on fetch.
        if "readonly" in str(exc) or "read-only" in str(exc):
            raise QueryRefused(_refusal(_what(sql))) from None
        raise QueryError(f"SQL error: {exc}") from None


def _sqlite_hint(conn: sqlite3.Connection, exc: Exception) -> str:
    if "no such table" not in str(exc):
        return ""
    names = [row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type IN ('table','view') ORDER BY 1")]
    public = [n for n in names if not n.startswith(("sqlite_", "articles_fts_")) and n != "alembic_version"]
    return f" (tables and views: {', '.join(public)}; see docs/schema.md)"


@contextmanager
def _postgresql(url: str, sql: str) -> Iterator[QueryResult]:
    import psycopg

    conninfo = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    try:
        conn = psycopg.connect(conninfo, options="-c default_transaction_read_only=on", connect_timeout=10)
    except psycopg.Error as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise QueryError(f"cannot connect to {display_url(url)}: {first}; check --db") from None
    try:
        with conn.cursor() as cursor:
            cursor.execute("SET TRANSACTION READ ONLY")
            # Take the snapshot now: afterwards SET TRANSACTION READ WRITE is an error.
            cursor.execute("SELECT 1")
            try:
                # prepare=True: the extended protocol accepts exactly one statement.
                cursor.execute(sql, prepare=True)  # type: ignore[arg-type]
            except psycopg.Error as exc:
                message = exc.diag.message_primary or str(exc)
                # 25006 read_only_sql_transaction; 25001 e.g. "SET TRANSACTION READ WRITE" after a query.
                if exc.sqlstate in ("25006", "25001"):
                    raise QueryRefused(_refusal(_what(sql))) from None
                hint = " (crawler query runs one statement at a time)" if "multiple commands" in message else ""
                if exc.sqlstate == "42P01":
                    hint = " (see docs/schema.md for the tables and views)"
                raise QueryError(f"SQL error: {message}{hint}") from None
            columns = [d.name for d in cursor.description or ()]
            yield QueryResult(columns, iter(cursor.fetchall() if cursor.description else ()))
    finally:
        conn.rollback()
        conn.close()
