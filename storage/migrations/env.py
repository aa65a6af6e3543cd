"""Alembic environment: runs migrations on the connection ``storage.db`` hands over, or on a URL.

``storage.db.upgrade`` passes an open connection in ``config.attributes["connection"]``
so the caller's lock (PostgreSQL advisory lock, SQLite ``BEGIN IMMEDIATE``) covers the
whole upgrade.  Run directly (``alembic -c alembic.ini ...``), the URL comes from
``-x db=URL``, else ``$CRAWLER_DATABASE_URL``, else ``sqlite:///crawler.db``.
"""

from __future__ import annotations

from typing import Any

from alembic import context

from storage.models import Base
from storage.views import is_extra_object

config = context.config
target_metadata = Base.metadata


def include_object(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
    """Keep autogenerate to the ORM tables: skip the scheduler's table and the search/view extras."""
    return not is_extra_object(name, type_)


def render_item(type_: str, obj: Any, autogen_context: Any) -> str | bool:
    """Render the model's UTCDateTime as a plain DateTime: a revision must not import live model code."""
    from storage.models import UTCDateTime

    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime()"
    return False


def _configure(connection: Any) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        include_object=include_object,
        render_item=render_item,
        # SQLite cannot ALTER most things: batch mode recreates the table, from the first revision on.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        compare_server_default=False,
    )


def run_migrations_online() -> None:
    """Migrate on the handed-over connection, or on a fresh engine for the configured URL."""
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    from storage.db import database_url, make_engine

    url = context.get_x_argument(as_dictionary=True).get("db") or database_url(
        config.get_main_option("sqlalchemy.url") or None
    )
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            _configure(conn)
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline (--sql) migrations are not supported: run `crawler db upgrade --db URL`")
run_migrations_online()
