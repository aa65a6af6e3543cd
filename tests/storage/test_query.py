"""`crawler query`: read-only on both backends; a write is refused and changes nothing."""

from __future__ import annotations

import json

import pytest
from store_helpers import table_counts

from crawler.cli import main
from storage.db import ensure_schema, make_engine, session_scope
from storage.query import QueryError, QueryRefused, first_keyword, read_only_query


def test_delete_from_articles_is_refused_and_deletes_nothing(demo_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    before = table_counts(demo_url)
    assert before["articles"] > 0

    code = main(["query", "DELETE FROM articles", "--db", demo_url])

    err = capsys.readouterr().err
    assert code == 1
    assert "refused" in err and "read-only" in err and "Nothing was changed" in err
    assert table_counts(demo_url) == before


@pytest.mark.parametrize(
    "sql",
    [
        "DELETE FROM articles",
        "UPDATE articles SET title = 'x'",
        "DROP TABLE article_tags",
        "INSERT INTO sites (key, name, base_url, created_at) VALUES ('x', 'x', 'x', '2020-01-01')",
        "/* sneaky */ DELETE FROM articles",
    ],
)
def test_the_database_itself_refuses_writes(demo_reader_url: str, demo_url: str, sql: str) -> None:
    """Without the parser check, SQLite (mode=ro, authorizer) and PostgreSQL (reader role, cursor, READ ONLY) refuse."""
    before = table_counts(demo_url)
    with pytest.raises(QueryRefused), read_only_query(demo_reader_url, sql, precheck=False) as result:
        list(result.rows)
    assert table_counts(demo_url) == before


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT 1; DELETE FROM articles",
        "WITH gone AS (DELETE FROM articles RETURNING id) SELECT count(*) FROM gone",
        "SET TRANSACTION READ WRITE",
        "SELECT set_config('transaction_read_only', 'off', false)",
    ],
)
def test_tricks_to_get_a_write_through_fail(demo_reader_url: str, demo_url: str, sql: str) -> None:
    before = table_counts(demo_url)
    with pytest.raises((QueryRefused, QueryError)), read_only_query(demo_reader_url, sql, precheck=False) as result:
        list(result.rows)
    assert table_counts(demo_url) == before


def test_select_returns_columns_and_rows(demo_reader_url: str) -> None:
    with read_only_query(demo_reader_url, "SELECT site, count(*) AS n FROM articles GROUP BY site") as result:
        rows = list(result.rows)
    assert result.columns == ["site", "n"]
    assert rows[0][0] == "syrianobserver" and rows[0][1] > 0


def test_query_formats(demo_sqlite_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    sql = "SELECT id, title, published_at FROM articles ORDER BY id LIMIT 2"
    assert main(["query", sql, "--db", demo_sqlite_url, "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [sorted(r) for r in rows] == [["id", "published_at", "title"]] * 2
    assert main(["query", sql, "--db", demo_sqlite_url, "--format", "csv"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "id,title,published_at" and len(lines) == 3
    assert main(["query", sql, "--db", demo_sqlite_url]) == 0
    assert "(2 rows)" in capsys.readouterr().out


def test_query_from_a_file_on_postgresql(
    demo_postgres_reader_url: str, tmp_path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "q.sql"
    path.write_text("-- tags in use\nSELECT count(DISTINCT tag) AS tags FROM article_tags;\n", encoding="utf-8")
    assert main(["query", "--file", str(path), "--db", demo_postgres_reader_url, "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["tags"] > 0


def test_clear_errors(tmp_path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = f"sqlite:///{tmp_path / 'nope.db'}"
    assert main(["query", "SELECT 1", "--db", missing]) == 1
    assert "no database file at" in capsys.readouterr().err
    assert not (tmp_path / "nope.db").exists()  # a read never creates a database

    url = f"sqlite:///{tmp_path / 'store.db'}"
    ensure_schema(make_engine(url))
    assert main(["query", "SELECT * FROM no_such_table", "--db", url]) == 1
    err = capsys.readouterr().err
    assert "no such table: no_such_table" in err and "current_articles" in err
    assert main(["query", "--db", url]) == 2
    assert main(["query", "SELECT 1", "--file", "x.sql", "--db", url]) == 2
    assert main(["query", "--file", str(tmp_path / "missing.sql"), "--db", url]) == 2
    assert "cannot read" in capsys.readouterr().err


def test_reading_while_a_writer_holds_the_lock(sqlite_url: str) -> None:
    """WAL: a query answers while a crawl's transaction is open."""
    engine = make_engine(sqlite_url)
    ensure_schema(engine)
    with session_scope(engine) as session:
        session.execute(make_sites_insert())
        with read_only_query(sqlite_url, "SELECT count(*) FROM sites") as result:
            assert list(result.rows) == [(0,)]
    engine.dispose()


def make_sites_insert():
    from sqlalchemy import text

    return text("INSERT INTO sites (key, name, base_url, created_at) VALUES ('a', 'A', 'http://a', '2020-01-01')")


def test_first_keyword_skips_comments() -> None:
    assert first_keyword("-- note\n /* c */ delete from x") == "delete"
    assert first_keyword("  WITH x AS (SELECT 1) SELECT * FROM x") == "with"


@pytest.mark.parametrize("fmt", ["csv", "json", "table"])
def test_a_reader_that_stops_early_is_not_an_error(db_url: str, fmt: str) -> None:
    """`crawler query ... | head -2`: no BrokenPipeError traceback, exit 0."""
    import subprocess
    import sys

    make_engine(db_url).connect().close()  # the SQLite file exists
    # Far more than a pipe buffer, so the writer is still writing when the reader leaves.
    sql = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200000) SELECT i FROM n"
    rows = "20000" if fmt == "table" else "200000"  # rich renders a table whole: keep it quick
    sql = sql.replace("200000", rows)
    # The fresh PostgreSQL test database belongs to the superuser; no row bound, as before --max-rows.
    command = [sys.executable, "-m", "crawler.cli", "query", sql, "--format", fmt, "--db", db_url]
    command += ["--allow-superuser", "--max-rows", "0"]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as proc:
        assert proc.stdout is not None and proc.stderr is not None
        proc.stdout.readline()
        proc.stdout.readline()
        proc.stdout.close()  # what `head -2` does after two lines
        err = proc.stderr.read().decode()
        assert proc.wait(timeout=120) == 0, err
    assert "Traceback" not in err and "BrokenPipeError" not in err, err


def test_sql_and_file_together_is_refused_with_not_both(sqlite_url: str, tmp_path, capsys) -> None:
    ensure_schema(make_engine(sqlite_url))
    sql_file = tmp_path / "q.sql"
    sql_file.write_text("SELECT 1", encoding="utf-8")
    assert main(["query", "SELECT 2", "--file", str(sql_file), "--db", sqlite_url]) == 2
    assert "give the SQL as an argument or with --file, not both" in capsys.readouterr().err
    assert main(["query", "--db", sqlite_url]) == 2
    assert 'e.g. crawler query "SELECT 1"' in capsys.readouterr().err


@pytest.mark.parametrize(
    "sql",
    [
        "PRAGMA journal_mode=DELETE",
        "pragma main.journal_mode = delete",
        "PRAGMA journal_mode(DELETE)",
        "/* c */ PRAGMA user_version=7",
        "PRAGMA wal_checkpoint",
        "PRAGMA optimize",
    ],
)
def test_pragma_writes_are_refused_as_writes(demo_url: str, sql: str, capsys) -> None:
    assert main(["query", sql, "--db", demo_url]) == 1
    err = capsys.readouterr().err
    assert "refused: PRAGMA " in err and "`crawler query` is read-only. Nothing was changed." in err, err
    assert "disk I/O" not in err


def test_pragma_reads_stay_allowed(demo_sqlite_url: str) -> None:
    for sql in ("PRAGMA journal_mode", "PRAGMA table_info(articles)", "PRAGMA main.index_list(articles)"):
        with read_only_query(demo_sqlite_url, sql) as result:
            rows = list(result.rows)
        assert rows, sql
    with read_only_query(demo_sqlite_url, "PRAGMA journal_mode") as result:
        assert list(result.rows) == [("wal",)]  # the refused setters changed nothing
