"""Migrations: models and migrations agree, a new database is set up, a behind one is refused, on both backends."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text

from storage.db import (
    MIGRATIONS_DIR,
    SchemaError,
    alembic_config,
    current_state,
    ensure_schema,
    head_revision,
    make_engine,
    session_scope,
    upgrade,
)
from storage.models import Base
from storage.repository import SiteRepository
from storage.views import VIEWS, is_extra_object

NOW = datetime(2026, 1, 2, tzinfo=UTC)
# Tables a later revision created (0006: the page archive index and the syndicated copies).
ADDED_AFTER_0001 = {"archived_pages", "syndicated_copies"}


def shipped_revisions() -> list[str]:
    """The revision numbers of the migration files, in order."""
    return sorted(p.name[:4] for p in (MIGRATIONS_DIR / "versions").glob("0*.py"))


def migrate_to(engine, revision: str) -> None:
    with engine.begin() as conn:
        command.upgrade(alembic_config(conn), revision)


def test_autogenerate_finds_no_difference_between_models_and_migrations(db_url: str) -> None:
    engine = make_engine(db_url)
    ensure_schema(engine)
    with engine.connect() as conn:
        context = MigrationContext.configure(
            conn,
            opts={
                "include_object": lambda obj, name, type_, *_: not is_extra_object(name, type_),
                "compare_type": True,
            },
        )
        diff = compare_metadata(context, Base.metadata)
    engine.dispose()
    assert diff == []


def test_first_revision_creates_exactly_the_model_tables(db_url: str) -> None:
    engine = make_engine(db_url)
    migrate_to(engine, "0001")
    tables = set(inspect(engine).get_table_names()) - {"alembic_version"}
    engine.dispose()
    assert tables == set(Base.metadata.tables) - ADDED_AFTER_0001


def test_a_new_database_is_migrated_to_head_with_search_index_and_views(db_url: str) -> None:
    engine = make_engine(db_url)
    assert current_state(engine).status == "empty"
    ensure_schema(engine)
    ensure_schema(engine)  # idempotent
    state = current_state(engine)
    assert (state.status, state.current) == ("current", head_revision())
    inspector = inspect(engine)
    assert set(VIEWS) <= set(inspector.get_view_names())
    assert "articles_fts" in inspector.get_table_names()
    engine.dispose()


def test_downgrade_to_base_and_back(db_url: str) -> None:
    engine = make_engine(db_url)
    ensure_schema(engine)
    with engine.begin() as conn:
        command.downgrade(alembic_config(conn), "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    migrate_to(engine, "head")
    assert current_state(engine).status == "current"
    engine.dispose()


def test_a_database_behind_head_is_refused_with_the_command_to_run(db_url: str) -> None:
    engine = make_engine(db_url)
    migrate_to(engine, "0001")
    with pytest.raises(SchemaError) as refused:
        ensure_schema(engine)
    message = str(refused.value)
    assert "0001" in message and head_revision() in message
    assert "crawler db upgrade --db " in message
    # Nothing was changed by the refusal; the upgrade then works and keeps the data.
    with session_scope(engine) as session:
        SiteRepository(session).ensure("syrianobserver", "The Syrian Observer", "http://x", NOW)
    before, after = upgrade(engine)
    after_first = tuple(r for r in shipped_revisions() if r != "0001")  # numbered in chain order
    assert (before.status, before.pending, after.status) == ("behind", after_first, "current")
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM sites")).scalar_one() == 1
    ensure_schema(engine)
    engine.dispose()


def test_a_store_made_before_migrations_is_refused_then_adopted(db_url: str) -> None:
    engine = make_engine(db_url)
    # The tables the foundation commit's create_all made (= revision 0001), without migration history.
    migrate_to(engine, "0001")
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE alembic_version"))
    with session_scope(engine) as session:
        SiteRepository(session).ensure("syrianobserver", "The Syrian Observer", "http://x", NOW)
    assert current_state(engine).status == "untracked"
    with pytest.raises(SchemaError, match="no migration history"):
        ensure_schema(engine)
    before, after = upgrade(engine)
    assert (before.status, after.status) == ("untracked", "current")
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM sites")).scalar_one() == 1
    engine.dispose()


def test_a_database_from_a_newer_crawler_is_refused(db_url: str) -> None:
    engine = make_engine(db_url)
    ensure_schema(engine)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    assert current_state(engine).status == "unknown"
    with pytest.raises(SchemaError, match="newer version"):
        ensure_schema(engine)
    with pytest.raises(SchemaError, match="upgrade the crawler"):
        upgrade(engine)
    engine.dispose()


def test_the_scheduler_job_table_alone_still_counts_as_a_new_database(db_url: str) -> None:
    engine = make_engine(db_url)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE apscheduler_jobs (id VARCHAR(191) PRIMARY KEY, next_run_time FLOAT)"))
    ensure_schema(engine)
    assert current_state(engine).status == "current"
    engine.dispose()


def test_concurrent_first_writers_migrate_a_new_database_once(db_url: str) -> None:
    errors: list[BaseException] = []

    def writer() -> None:
        engine = make_engine(db_url)
        try:
            ensure_schema(engine)
        except BaseException as exc:  # noqa: BLE001 - collected for the assertion
            errors.append(exc)
        finally:
            engine.dispose()

    threads = [threading.Thread(target=writer) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    engine = make_engine(db_url)
    assert current_state(engine).status == "current"
    engine.dispose()


def test_migrations_ship_inside_the_package() -> None:
    # Found relative to storage/, so a non-editable install finds them too (package data in pyproject).
    assert (MIGRATIONS_DIR / "env.py").is_file()
    assert (MIGRATIONS_DIR / "script.py.mako").is_file()
    assert {"0001", "0002", "0003", "0004", "0005", "0006"} <= set(shipped_revisions())
    assert head_revision() in shipped_revisions()
