"""Reader roles for the query tests (importable: pytest puts this folder on sys.path).

Roles are cluster-wide and other test runs share the server: every role gets a unique name
and is dropped afterwards, its grants first.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager


def drop_role(admin_url: str, role: str, databases: list[str]) -> None:
    """Drop a test role: its grants in each database first (roles are cluster-wide, shared with other runs)."""
    import psycopg
    from psycopg import sql
    from sqlalchemy.engine import make_url

    for database in databases:
        url = make_url(admin_url).set(drivername="postgresql", database=database).render_as_string(hide_password=False)
        try:
            with psycopg.connect(url, autocommit=True) as conn:
                conn.execute(sql.SQL("DROP OWNED BY {}").format(sql.Identifier(role)))
        except psycopg.Error:
            pass  # the database is already gone, and its grants with it
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(role)))


@contextmanager
def reader_role(db_url: str, admin_url: str) -> Iterator[str]:
    """A `crawler db reader` role with a unique name on ``db_url``'s database; yields its URL, then drops it."""
    from sqlalchemy.engine import make_url

    from storage.reader_role import create_reader_role

    role = f"crawler_reader_test_{uuid.uuid4().hex[:10]}"
    try:
        made = create_reader_role(db_url, role)
        yield make_url(made.url).set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    finally:
        drop_role(admin_url, role, [make_url(db_url).database or ""])
