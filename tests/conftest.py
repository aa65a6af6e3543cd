"""Shared fixtures: databases on SQLite and on the real PostgreSQL at 127.0.0.1:5432, and Redis at :6379.

Under CI=true an unreachable PostgreSQL or Redis is a failure; elsewhere their tests skip
with a one-line reason.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest


def pytest_configure(config: pytest.Config) -> None:
    """Crawls into PostgreSQL would archive their pages in ./archive: keep test WARC files in a temporary folder."""
    if "CRAWLER_ARCHIVE_DIR" not in os.environ:
        import tempfile

        os.environ["CRAWLER_ARCHIVE_DIR"] = tempfile.mkdtemp(prefix="crawler-test-archive-")
        config.add_cleanup(lambda: shutil.rmtree(os.environ.pop("CRAWLER_ARCHIVE_DIR"), ignore_errors=True))


POSTGRES_ADMIN_URL = os.environ.get("CRAWLER_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
IN_CI = os.environ.get("CI", "").lower() == "true"


def _postgres_unavailable() -> str | None:
    """None when the server answers, else why not."""
    import psycopg

    try:
        with psycopg.connect(POSTGRES_ADMIN_URL, connect_timeout=3):
            return None
    except psycopg.Error as exc:
        return f"PostgreSQL at {POSTGRES_ADMIN_URL} unreachable: {str(exc).strip().splitlines()[0]}"


@pytest.fixture(scope="session")
def postgres_admin_url() -> str:
    """The PostgreSQL maintenance URL, or skip (fail under CI=true)."""
    reason = _postgres_unavailable()
    if reason:
        if IN_CI:
            pytest.fail(f"{reason} (CI=true: PostgreSQL tests must run)")
        pytest.skip(reason)
    return POSTGRES_ADMIN_URL


@pytest.fixture
def postgres_url(postgres_admin_url: str) -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test, dropped afterwards."""
    import psycopg
    from sqlalchemy.engine import make_url

    name = f"crawler_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(postgres_admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = make_url(postgres_admin_url).set(drivername="postgresql+psycopg", database=name)
    yield url.render_as_string(hide_password=False)
    with psycopg.connect(postgres_admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """A fresh SQLite file database for one test."""
    return f"sqlite:///{tmp_path / 'store.db'}"


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest) -> str:
    """The same test on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        return request.getfixturevalue("sqlite_url")
    return request.getfixturevalue("postgres_url")


REDIS_TEST_URL = os.environ.get("CRAWLER_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def _redis_unavailable() -> str | None:
    """None when the Redis server answers, else why not."""
    import redis

    try:
        redis.Redis.from_url(REDIS_TEST_URL, socket_connect_timeout=3).ping()
        return None
    except redis.RedisError as exc:
        return f"Redis at {REDIS_TEST_URL} unreachable: {exc}"


@pytest.fixture(scope="session")
def redis_url() -> str:
    """The Redis URL of the distributed-mode tests, or skip (fail under CI=true)."""
    reason = _redis_unavailable()
    if reason:
        if IN_CI:
            pytest.fail(f"{reason} (CI=true: Redis tests must run)")
        pytest.skip(reason)
    return REDIS_TEST_URL


@pytest.fixture
def redis_prefix(redis_url: str) -> Iterator[str]:
    """A key prefix (REDIS_KEY_PREFIX) of one test; its keys are deleted afterwards, and none may be left."""
    import redis

    prefix = f"crawler-test-{uuid.uuid4().hex[:10]}"
    yield prefix
    server = redis.Redis.from_url(redis_url)
    keys = list(server.scan_iter(match=f"{prefix}:*"))
    if keys:
        server.delete(*keys)
    server.close()
