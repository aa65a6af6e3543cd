"""Fixtures of the web tests: the seeded store (web/seeding.py) on SQLite and PostgreSQL, and a client."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask.testing import FlaskClient

from crawler.web import create_app
from web.seeding import SeededStore, seed


@pytest.fixture
def seeded(db_url: str) -> SeededStore:
    """The seeded store on SQLite, then on PostgreSQL."""
    return seed(db_url)


@pytest.fixture
def client(seeded: SeededStore) -> Iterator[FlaskClient]:
    """A test client of the app over the seeded store."""
    app = create_app(seeded.url)
    yield app.test_client()
    app.extensions["crawler_store"].dispose()
