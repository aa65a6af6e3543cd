"""The demo store: a real crawl of the replica, built once per test session.

SQLite: the crawl runs in a child process (Twisted's reactor cannot restart) into
a temporary file, followed by a crawl of a dead address (a failed run) and one
correction of an article through the repository (a second version), so every
cookbook question in docs/schema.md has rows to find.  PostgreSQL: the same rows
copied into a fresh, migrated database (the triggers index them for search).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from query_roles import reader_role
from sqlalchemy import select, text
from store_helpers import CORRECTION, DEMO_ARTICLES, crawl


@pytest.fixture(scope="session")
def demo_sqlite_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A SQLite store from a real crawl of the replica, plus a failed run and a corrected article."""
    from crawler.items import ArticleRecord
    from crawler.parsers.text import content_hash
    from crawler.replica import ReplicaServer, ReplicaSite
    from storage.db import make_engine, session_scope
    from storage.models import Article
    from storage.repository import ArticleRepository

    path: Path = tmp_path_factory.mktemp("demo") / "demo.db"
    url = f"sqlite:///{path}"
    with ReplicaServer(site=ReplicaSite(articles=DEMO_ARTICLES)) as server:
        done = crawl(url, server.base_url)
    assert done.returncode == 0, f"demo crawl failed:\n{done.stdout}\n{done.stderr}"
    # Port 9 (discard) is closed on 127.0.0.1: a crawl that fetches nothing and is recorded as failed.
    crawl(url, "http://127.0.0.1:9", timeout=60)

    engine = make_engine(url)
    with session_scope(engine) as session:
        article = session.scalars(select(Article).where(Article.title.like("%Russian Soldiers%"))).first()
        assert article is not None, "the replica's seed article is missing from the demo crawl"
        body = article.body_text + CORRECTION
        corrected = ArticleRecord(
            url=article.url,
            canonical_url=article.canonical_url,
            site=article.site,
            title=article.title,
            summary=article.summary,
            body_text=body,
            tags=[t.tag for t in article.tags],
            authors=list(article.authors),
            published_at=article.published_at,
            content_hash=content_hash(body),
        )
        outcome = ArticleRepository(session).upsert(corrected, None, datetime.now(UTC))
        assert outcome.outcome == "updated"
    engine.dispose()
    return url


@pytest.fixture(scope="session")
def demo_postgres_url(demo_sqlite_url: str, postgres_admin_url: str) -> Iterator[str]:
    """The demo store's rows copied into a fresh PostgreSQL database at the newest schema."""
    import psycopg
    from sqlalchemy.engine import make_url

    from storage.db import ensure_schema, make_engine
    from storage.models import Base

    name = f"crawler_demo_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(postgres_admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = make_url(postgres_admin_url).set(drivername="postgresql+psycopg", database=name)
    pg_url = url.render_as_string(hide_password=False)
    source, target = make_engine(demo_sqlite_url), make_engine(pg_url)
    ensure_schema(target)
    with source.connect() as src, target.begin() as dst:
        # Reflect the SQLite side raw (strings for datetimes would not bind): copy through the ORM tables.
        for table in Base.metadata.sorted_tables:
            rows = [dict(row._mapping) for row in src.execute(select(table))]
            if rows:
                dst.execute(table.insert(), rows)
            if "id" in table.c:
                sequence = f"pg_get_serial_sequence('{table.name}', 'id')"
                dst.execute(text(f"SELECT setval({sequence}, (SELECT max(id) FROM {table.name}))"))
    source.dispose()
    target.dispose()
    yield pg_url
    with psycopg.connect(postgres_admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", "postgresql"])
def demo_url(request: pytest.FixtureRequest) -> str:
    """The demo store on each backend."""
    return request.getfixturevalue("demo_sqlite_url" if request.param == "sqlite" else "demo_postgres_url")


@pytest.fixture(scope="session")
def demo_postgres_reader_url(demo_postgres_url: str, postgres_admin_url: str) -> Iterator[str]:
    """The demo PostgreSQL store through a least-privilege reader role, as `crawler db reader` makes it."""
    with reader_role(demo_postgres_url, postgres_admin_url) as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def demo_reader_url(request: pytest.FixtureRequest) -> str:
    """The demo store on each backend, as `crawler query` should reach it (PostgreSQL: the reader role)."""
    return request.getfixturevalue("demo_sqlite_url" if request.param == "sqlite" else "demo_postgres_reader_url")
