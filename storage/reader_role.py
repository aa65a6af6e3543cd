"""A least-privilege PostgreSQL role for ``crawler query``, and the check that refuses powerful ones.

``create_reader_role`` makes (or re-tightens) a role that can log in and SELECT the store's
tables and views, and nothing else: not a superuser, no CREATEDB / CREATEROLE / REPLICATION /
BYPASSRLS, a member of no role (so none of pg_read_server_files, pg_write_server_files,
pg_execute_server_program, pg_signal_backend), read-only transactions and a statement
timeout by default.  ``role_dangers`` names what makes the connected role unsafe for
``crawler query``: a superuser can ``COPY ... TO PROGRAM`` even in a read-only transaction.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.engine import make_url

from storage.db import display_url
from storage.models import Base
from storage.views import FTS_TABLE, VIEWS

DANGEROUS_ROLES: tuple[str, ...] = (
    "pg_read_server_files",
    "pg_write_server_files",
    "pg_execute_server_program",
    "pg_signal_backend",
)
"""Predefined roles that reach the server's files, programs or other sessions."""

STORE_OBJECTS: tuple[str, ...] = (*sorted(Base.metadata.tables), *VIEWS, FTS_TABLE, "alembic_version")
"""What a reader may SELECT: the store's tables and views; never other software's (apscheduler_jobs)."""

DEFAULT_READER_ROLE = "crawler_reader"


class ReaderRoleError(RuntimeError):
    """The reader role cannot be made as asked; the message says why and what to do."""


@dataclass
class ReaderRole:
    """What ``create_reader_role`` did."""

    role: str
    url: str
    """The URL to query with; it carries the password only when the role was just created."""
    created: bool
    granted: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def role_dangers(conn: Any) -> list[str]:
    """Why the role ``conn`` (a psycopg connection) is logged in as is unsafe for queries; empty when safe."""
    row = conn.execute(
        "SELECT current_user, rolsuper, rolcreaterole, "
        "ARRAY(SELECT g FROM unnest(%s::text[]) AS g WHERE pg_has_role(current_user, g, 'MEMBER')) "
        "FROM pg_roles WHERE rolname = current_user",
        [list(DANGEROUS_ROLES)],
    ).fetchone()
    if row is None:
        return ["the role is not in pg_roles"]
    _name, superuser, createrole, memberships = row
    if superuser:
        return ["a superuser"]  # the rest follows from it
    dangers = []
    if createrole:
        dangers.append("allowed to CREATEROLE")
    dangers.extend(f"a member of {g}" for g in memberships)
    return dangers


def create_reader_role(
    admin_url: str, role: str = DEFAULT_READER_ROLE, *, statement_timeout_seconds: float = 30
) -> ReaderRole:
    """Create ``role`` (or re-apply its limits) on the database of ``admin_url`` and grant it SELECT on the store.

    ``admin_url`` must connect as a role allowed to create roles and grant on the store's
    tables (their owner, or a superuser).  An existing role is only re-tightened if it looks
    like a reader: never a superuser, the connecting role, or a role that owns objects here.
    """
    import psycopg
    from psycopg import sql

    parsed = make_url(admin_url)
    conninfo = parsed.set(drivername="postgresql").render_as_string(hide_password=False)
    try:
        conn = psycopg.connect(conninfo, autocommit=True, connect_timeout=10)
    except psycopg.Error as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ReaderRoleError(f"cannot connect to {display_url(admin_url)}: {first}; check --db") from None
    ident = sql.Identifier(role)
    notes: list[str] = []
    try:
        database = conn.execute("SELECT current_database()").fetchone()[0]  # type: ignore[index]
        existing = conn.execute(
            "SELECT r.rolsuper OR r.rolcreaterole OR r.rolcreatedb OR r.rolreplication OR r.rolbypassrls, "
            "r.rolname = current_user, "
            "EXISTS (SELECT 1 FROM pg_class c WHERE c.relowner = r.oid) "
            "OR EXISTS (SELECT 1 FROM pg_namespace n WHERE n.nspowner = r.oid) "
            "OR EXISTS (SELECT 1 FROM pg_database d WHERE d.datdba = r.oid) "
            "FROM pg_roles r WHERE r.rolname = %s",
            [role],
        ).fetchone()
        if existing is not None:
            powerful, is_me, owns = existing
            why = (
                "is the role --db connects as"
                if is_me
                else "has powers a reader must not have (superuser, CREATEROLE, CREATEDB, ...)"
                if powerful
                else "owns objects (tables, schemas or databases)"
                if owns
                else None
            )
            if why:
                raise ReaderRoleError(
                    f"role {role!r} already exists and {why}; it is not a reader role, so it was left unchanged: "
                    "choose another --role"
                )
        password = None
        with conn.transaction():
            if existing is None:
                password = secrets.token_urlsafe(18)
                conn.execute(sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}").format(ident, sql.Literal(password)))
            conn.execute(
                sql.SQL("ALTER ROLE {} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS").format(
                    ident
                )
            )
            # No memberships at all: pg_read_server_files and friends come only through them.
            for (group,) in conn.execute(
                "SELECT g.rolname FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid "
                "JOIN pg_roles r ON r.oid = m.member WHERE r.rolname = %s",
                [role],
            ).fetchall():
                conn.execute(sql.SQL("REVOKE {} FROM {}").format(sql.Identifier(group), ident))
            conn.execute(sql.SQL("ALTER ROLE {} SET default_transaction_read_only = on").format(ident))
            timeout_ms = max(1, int(statement_timeout_seconds * 1000))
            conn.execute(sql.SQL("ALTER ROLE {} SET statement_timeout = {}").format(ident, sql.Literal(timeout_ms)))
            conn.execute(sql.SQL("REVOKE ALL ON DATABASE {} FROM {}").format(sql.Identifier(database), ident))
            conn.execute(sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(sql.Identifier(database), ident))
            conn.execute(sql.SQL("REVOKE ALL ON SCHEMA public FROM {}").format(ident))
            conn.execute(sql.SQL("GRANT USAGE ON SCHEMA public TO {}").format(ident))
            conn.execute(sql.SQL("REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {}").format(ident))
            conn.execute(sql.SQL("REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM {}").format(ident))
            granted = [
                name
                for name in STORE_OBJECTS
                if conn.execute("SELECT to_regclass(%s)", [f"public.{name}"]).fetchone()[0] is not None  # type: ignore[index]
            ]
            for name in granted:
                conn.execute(sql.SQL("GRANT SELECT ON TABLE {} TO {}").format(sql.Identifier("public", name), ident))
        if not granted:
            notes.append("the database has no store tables yet: run `crawler db reader` again after the first crawl")
        temp, create = conn.execute(
            "SELECT has_database_privilege(%s, current_database(), 'TEMP'), "
            "has_schema_privilege(%s, 'public', 'CREATE')",
            [role, role],
        ).fetchone()  # type: ignore[misc]
        if create:
            notes.append(
                "every role (PUBLIC) may CREATE in schema public here (PostgreSQL before 15): "
                "`REVOKE CREATE ON SCHEMA public FROM PUBLIC` closes it"
            )
        if temp:
            notes.append("PUBLIC may create temporary tables; crawler query's read-only transactions cannot")
    except psycopg.Error as exc:
        message = exc.diag.message_primary or str(exc)
        raise ReaderRoleError(
            f"cannot set up role {role!r} on {display_url(admin_url)}: {message}; --db must connect as a role "
            "that may create roles and owns the store's tables (or a superuser)"
        ) from None
    finally:
        conn.close()
    url = parsed.set(drivername="postgresql", username=role, password=password)
    return ReaderRole(
        role=role,
        url=url.render_as_string(hide_password=False),
        created=password is not None,
        granted=granted,
        notes=notes,
    )
