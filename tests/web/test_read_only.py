"""No request changes the store: other methods are refused, crafted arguments are only data, the connection
itself is read-only; a missing or old store is a page that names the command to run."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from crawler.web import create_app
from storage.db import alembic_config, make_engine
from web.seeding import SeededStore, count_rows

PATHS = [
    "/", "/sites/levantpost", "/runs/1", "/articles", "/articles/1", "/api/", "/api/sites",
    "/api/sites/levantpost", "/api/sites/levantpost/runs", "/api/runs/1", "/api/articles", "/api/articles/1",
    "/metrics", "/static/style.css", "/no/such/page",
]

# Arguments a visitor could craft: SQL in every parameter the views read, and a few odd shapes.
CRAFTED = [
    "/articles?q=%27%3B+DROP+TABLE+articles%3B+--",
    "/articles?q=bread&site=x%27+OR+1%3D1+--",
    "/articles?q=bread&source=%27%29%3B+DELETE+FROM+articles%3B+--",
    "/articles?tag=x%27%3B+DELETE+FROM+article_tags%3B+--",
    "/articles?author=%5B%5D%27%3B+UPDATE+articles+SET+title%3D%27x%27%3B+--",
    "/articles?q=bread&page=1%3B+DROP+TABLE+articles",
    "/articles?from=2020-01-01%27%3B+--",
    "/articles?q=NEAR%28a+b%29+OR+%22x%22+*+%5E",
    "/runs/2?kind=x%27%3B+DELETE+FROM+crawl_events%3B+--",
    "/?sort=id%3B+DELETE+FROM+crawl_runs&desc=1",
    "/articles/1?a=1%3B+DELETE&b=2",
    "/api/articles?q=%27%29+UNION+SELECT+1%2C2%2C3+--&author=%22x%22",
    "/sites/levantpost%27%3B+DROP+TABLE+sites%3B+--",
]


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH"])
def test_writing_methods_are_refused_and_change_nothing(client: FlaskClient, seeded: SeededStore, method: str) -> None:
    before = count_rows(seeded.url)
    for path in PATHS:
        response = client.open(path, method=method, data={"title": "x"}, json=None)
        assert response.status_code == 405, (method, path)
        assert "read-only" in response.get_data(as_text=True)
    assert count_rows(seeded.url) == before


def test_crafted_arguments_are_data_not_sql(client: FlaskClient, seeded: SeededStore) -> None:
    before = count_rows(seeded.url)
    for path in CRAFTED:
        response = client.get(path)
        assert response.status_code in (200, 400, 404), (path, response.status_code)
        assert "Traceback" not in response.get_data(as_text=True)
    assert count_rows(seeded.url) == before
    assert client.get("/api/articles/1").status_code == 200  # the tables are all still there


def test_the_connection_itself_refuses_writes(client: FlaskClient, seeded: SeededStore) -> None:
    client.get("/")  # the store is opened by the first request
    engine = client.application.extensions["crawler_store"].engine
    with pytest.raises(DBAPIError, match="(?i)read-only|readonly"), engine.begin() as conn:
        conn.execute(text("UPDATE articles SET title = 'changed'"))
    with pytest.raises(DBAPIError, match="(?i)read-only|readonly"), engine.begin() as conn:
        conn.execute(text("DELETE FROM crawl_runs"))
    assert count_rows(seeded.url)["crawl_runs"] == 2


def test_a_missing_sqlite_file_is_a_page_naming_the_command_and_is_not_created(tmp_path) -> None:
    path = tmp_path / "typo.db"
    app = create_app(f"sqlite:///{path}")
    response = app.test_client().get("/")
    body = response.get_data(as_text=True)
    assert response.status_code == 503
    assert "no database file at" in body and "crawler demo --db" in body
    api = app.test_client().get("/api/sites")
    assert api.status_code == 503 and api.get_json()["command"].startswith("crawler demo")
    assert not path.exists()


def test_an_empty_database_is_a_page_naming_a_crawl(db_url: str) -> None:
    engine = make_engine(db_url)
    with engine.connect():
        pass  # creates the SQLite file, empty
    engine.dispose()
    response = create_app(db_url).test_client().get("/articles")
    body = response.get_data(as_text=True)
    assert response.status_code == 503 and "is empty" in body and "crawler crawl SITE --db" in body


def test_a_store_behind_the_schema_is_a_page_naming_the_upgrade(db_url: str) -> None:
    from alembic import command

    engine = make_engine(db_url)
    with engine.begin() as conn:
        command.upgrade(alembic_config(conn), "0002")
    engine.dispose()
    app = create_app(db_url)
    response = app.test_client().get("/")
    body = response.get_data(as_text=True)
    assert response.status_code == 503 and "crawler db upgrade --db" in body and "behind" in body
    # Once the user has run the command, the same app shows the store (no restart needed).
    engine = make_engine(db_url)
    with engine.begin() as conn:
        command.upgrade(alembic_config(conn), "head")
    engine.dispose()
    assert app.test_client().get("/").status_code == 200
    app.extensions["crawler_store"].dispose()
