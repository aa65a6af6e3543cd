"""`crawler db reader`: the least-privilege PostgreSQL role `crawler query` should connect as."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import psycopg
import pytest
from psycopg import sql
from query_roles import drop_role
from sqlalchemy.engine import make_url

from crawler.cli import main
from storage.db import ensure_schema, make_engine
from storage.query import read_only_query
from storage.reader_role import DANGEROUS_ROLES


@pytest.fixture
def store_url(postgres_url: str) -> str:
    """A migrated store, plus the scheduler's job table (which a reader must not see: it is not the store's)."""
    engine = make_engine(postgres_url)
    ensure_schema(engine)
    engine.dispose()
    with psycopg.connect(_plain(postgres_url), autocommit=True) as conn:
        conn.execute("CREATE TABLE apscheduler_jobs (id text PRIMARY KEY, job_state bytea)")
    return postgres_url


@pytest.fixture
def role(store_url: str, postgres_admin_url: str) -> Iterator[str]:
    name = f"crawler_reader_test_{uuid.uuid4().hex[:10]}"
    yield name
    drop_role(postgres_admin_url, name, [make_url(store_url).database or ""])


def _plain(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _printed_url(out: str) -> str:
    return next(line.split(None, 1)[1] for line in out.splitlines() if line.startswith("url:"))


def test_reader_role_is_least_privilege(store_url: str, role: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["db", "reader", "--db", store_url, "--role", role]) == 0
    out = capsys.readouterr().out
    assert f"role:     {role} (created)" in out
    url = _printed_url(out)
    assert make_url(url).username == role and make_url(url).password

    with psycopg.connect(_plain(store_url)) as conn:
        attributes = conn.execute(
            "SELECT rolcanlogin, rolsuper, rolcreaterole, rolcreatedb, rolreplication, rolbypassrls "
            "FROM pg_roles WHERE rolname = %s",
            [role],
        ).fetchone()
        assert attributes == (True, False, False, False, False, False)
        settings = conn.execute(
            "SELECT s.setconfig FROM pg_db_role_setting s JOIN pg_roles r ON r.oid = s.setrole WHERE r.rolname = %s",
            [role],
        ).fetchone()
        assert settings is not None and "default_transaction_read_only=on" in settings[0]
        members = [
            g for g in DANGEROUS_ROLES if conn.execute("SELECT pg_has_role(%s, %s, 'MEMBER')", [role, g]).fetchone()[0]
        ]
        assert members == []
        check = "SELECT has_table_privilege(%s, %s, %s)"
        privileges = {
            (table, privilege): conn.execute(check, [role, table, privilege]).fetchone()[0]
            for table in ("articles", "current_articles", "crawl_events", "apscheduler_jobs")
            for privilege in ("SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE")
        }
        assert {key for key, allowed in privileges.items() if allowed} == {
            ("articles", "SELECT"),
            ("current_articles", "SELECT"),
            ("crawl_events", "SELECT"),
        }
        assert conn.execute("SELECT has_schema_privilege(%s, 'public', 'CREATE')", [role]).fetchone() == (False,)

    # The printed URL is what crawler query takes, and it is not refused as powerful.
    assert main(["query", "SELECT count(*) AS n FROM articles", "--db", url, "--format", "csv"]) == 0
    assert capsys.readouterr().out.splitlines() == ["n", "0"]
    assert main(["query", "SELECT count(*) FROM apscheduler_jobs", "--db", url]) == 1
    assert "permission denied for table apscheduler_jobs" in capsys.readouterr().err


def test_running_it_again_re_tightens_and_keeps_the_password(
    store_url: str, role: str, postgres_admin_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["db", "reader", "--db", store_url, "--role", role]) == 0
    url = _printed_url(capsys.readouterr().out)
    with psycopg.connect(_plain(store_url), autocommit=True) as conn:
        conn.execute(sql.SQL("GRANT pg_read_server_files TO {}").format(sql.Identifier(role)))
        conn.execute(sql.SQL("GRANT INSERT ON articles TO {}").format(sql.Identifier(role)))
    with pytest.raises(Exception, match="pg_read_server_files"), read_only_query(url, "SELECT 1") as result:
        list(result.rows)

    assert main(["db", "reader", "--db", store_url, "--role", role]) == 0
    out = capsys.readouterr().out
    assert "existed; limits and grants re-applied" in out and "(password unchanged)" in out
    assert make_url(url).password not in out  # shown once only
    with psycopg.connect(_plain(store_url)) as conn:
        assert conn.execute("SELECT pg_has_role(%s, 'pg_read_server_files', 'MEMBER')", [role]).fetchone() == (False,)
        assert conn.execute("SELECT has_table_privilege(%s, 'articles', 'INSERT')", [role]).fetchone() == (False,)
    with read_only_query(url, "SELECT 1") as result:
        assert list(result.rows) == [(1,)]


def test_it_never_tightens_a_role_that_is_not_a_reader(
    store_url: str, role: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # The role --db connects as (here the superuser): left alone.
    assert main(["db", "reader", "--db", store_url, "--role", "postgres"]) == 1
    err = capsys.readouterr().err
    assert "role 'postgres' already exists and is the role --db connects as" in err and "choose another --role" in err
    # A role that owns tables (e.g. the crawler's writer): left alone too.
    with psycopg.connect(_plain(store_url), autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE ROLE {} LOGIN").format(sql.Identifier(role)))
        conn.execute(sql.SQL("ALTER TABLE sites OWNER TO {}").format(sql.Identifier(role)))
    assert main(["db", "reader", "--db", store_url, "--role", role]) == 1
    assert "owns objects" in capsys.readouterr().err
    with psycopg.connect(_plain(store_url), autocommit=True) as conn:
        assert conn.execute("SELECT tableowner FROM pg_tables WHERE tablename = 'sites'").fetchone() == (role,)
        conn.execute("ALTER TABLE sites OWNER TO postgres")


def test_an_empty_database_gets_a_note(postgres_url: str, postgres_admin_url: str, capsys) -> None:
    role = f"crawler_reader_test_{uuid.uuid4().hex[:10]}"
    try:
        assert main(["db", "reader", "--db", postgres_url, "--role", role]) == 0
        out = capsys.readouterr().out
        assert "no store tables yet" in out and "run `crawler db reader` again" in out
    finally:
        drop_role(postgres_admin_url, role, [make_url(postgres_url).database or ""])


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--db", "sqlite:///x.db"], "`reader` is for PostgreSQL, not sqlite"),
        (["--db", "postgresql://postgres@127.0.0.1/x", "--role", "Robert'); DROP"], "is not a plain role name"),
    ],
)
def test_usage_mistakes(argv: list[str], message: str, tmp_path, capsys, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["db", "reader", *argv]) == 2
    assert message in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []  # no SQLite file made


def test_unreachable_server(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["db", "reader", "--db", "postgresql://nobody:secret@127.0.0.1:1/none"]) == 1
    err = capsys.readouterr().err
    assert "cannot connect to postgresql://nobody:***@127.0.0.1:1/none" in err and "secret" not in err
