"""Issue 9, must show 1: every escape from `crawler query` is refused on its backend, and the
rows, the server's files and other sessions are untouched (SQLite and the real PostgreSQL).

Each escape runs through the CLI as a user would, against the demo store (PostgreSQL: through
the `crawler db reader` role). After each one: the same rows (counts and a digest of the
articles), no file in the probe directory the statement names (world-writable, so the
server could have written there) nor in the server's data directory, and the second
sessions opened beforehand still answer.
"""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url
from store_helpers import table_counts

from crawler.cli import main
from storage.query import QueryError, QueryRefused, read_only_query

# ---- the escapes ----------------------------------------------------------------------------------
# {probe}: a world-writable directory; {pid}: a second session of the same reader role;
# {admin_pid}: a second, superuser session.

POSTGRES_ESCAPES: list[tuple[str, str]] = [
    # Measured on main (issue 9).
    ("nested-comment-copy-to-program", "/* /* */ */ COPY (SELECT 1) TO PROGRAM 'id > out.txt'"),
    ("pg_terminate_backend", "SELECT pg_terminate_backend({pid})"),
    ("pg_read_file", "SELECT pg_read_file('/etc/passwd')"),
    # COPY in every form.
    ("copy-to-program-abs", "COPY (SELECT 1) TO PROGRAM 'id > {probe}/program.txt'"),
    ("copy-to-file", "COPY articles TO '{probe}/articles.csv'"),
    ("copy-from-file", "COPY sites FROM '/etc/hostname'"),
    ("copy-from-program", "COPY sites FROM PROGRAM 'id > {probe}/from-program.txt'"),
    ("copy-to-stdout", "COPY articles TO STDOUT"),
    ("copy-lowercase-after-line-comment", "-- just a select\ncopy (select 1) to program 'id > {probe}/lower.txt'"),
    # Functions with side effects or server access.
    ("pg_cancel_backend", "SELECT pg_cancel_backend({pid})"),
    ("terminate-all-in-where", "SELECT 1 FROM pg_stat_activity WHERE pg_terminate_backend(pid)"),
    ("terminate-admin", "SELECT pg_terminate_backend({admin_pid})"),
    ("pg_read_binary_file", "SELECT pg_read_binary_file('/etc/passwd')"),
    ("pg_ls_dir", "SELECT * FROM pg_ls_dir('.')"),
    ("pg_stat_file", "SELECT pg_stat_file('/etc/passwd')"),
    ("lo_import", "SELECT lo_import('/etc/passwd')"),
    ("lo_export", "SELECT lo_export(lo_from_bytea(0, 'x'), '{probe}/lo.txt')"),
    ("lo_from_bytea", "SELECT lo_from_bytea(0, 'kept')"),
    ("set_config", "SELECT set_config('default_transaction_read_only', 'off', false)"),
    ("dblink", "SELECT * FROM dblink('dbname=postgres', 'DELETE FROM articles') AS t(x text)"),
    ("nextval", "SELECT nextval('articles_id_seq')"),
    ("setval", "SELECT setval('articles_id_seq', 1)"),
    ("advisory-lock", "SELECT pg_advisory_lock(7236)"),
    ("txid_current", "SELECT txid_current()"),
    ("pg_notify", "SELECT pg_notify('crawler', 'x')"),
    ("query_to_xml-runs-sql", "SELECT query_to_xml('DELETE FROM articles RETURNING 1', true, true, '')"),
    ("pg_sleep", "SELECT pg_sleep(600)"),
    ("in-lateral", "SELECT * FROM sites s, LATERAL (SELECT pg_read_file('/etc/passwd')) f"),
    ("in-values", "VALUES (pg_read_file('/etc/passwd'))"),
    ("in-scalar-subquery", "SELECT (SELECT lo_import('/etc/passwd'))"),
    # Comment and quoting tricks.
    ("quoted-function-name", "SELECT \"pg_read_file\"('/etc/passwd')"),
    ("unicode-escaped-name", "SELECT U&\"\\0070g_read_file\"('/etc/passwd')"),
    ("schema-qualified", "SELECT pg_catalog.pg_read_file('/etc/passwd')"),
    ("public-qualified", "SELECT public.lower('x')"),
    ("line-comment-then-statement", "SELECT 1 -- harmless\n; DELETE FROM articles"),
    ("dollar-quoted-semicolon", "SELECT $$ ; $$; DELETE FROM articles"),
    ("tagged-dollar-quote", "SELECT $q$ $$ ; $q$; DELETE FROM articles"),
    ("backslash-in-standard-string", "SELECT 'a\\'; DELETE FROM articles; --'"),
    ("e-string", "SELECT E'\\''; DELETE FROM articles; --'"),
    # Multiple statements and statements that are not queries.
    ("two-statements", "SELECT 1; DELETE FROM articles"),
    ("select-into", "SELECT * INTO stolen FROM articles"),
    ("create-table-as", "CREATE TABLE stolen AS SELECT * FROM articles"),
    ("writable-cte-delete", "WITH d AS (DELETE FROM articles RETURNING *) SELECT count(*) FROM d"),
    ("writable-cte-update", "WITH u AS (UPDATE sites SET name = 'x' RETURNING 1) SELECT count(*) FROM u"),
    ("for-update", "SELECT * FROM articles FOR UPDATE"),
    ("for-share", "SELECT id FROM sites FOR SHARE"),
    ("set-read-write", "SET default_transaction_read_only = off"),
    ("begin-read-write", "BEGIN READ WRITE"),
    ("do-block", "DO $$BEGIN PERFORM pg_terminate_backend({pid}); END$$"),
    ("prepare", "PREPARE p AS DELETE FROM articles"),
    ("explain-analyze-delete", "EXPLAIN ANALYZE DELETE FROM articles"),
    ("truncate", "TRUNCATE articles CASCADE"),
    ("lock-table", "LOCK TABLE articles IN ACCESS EXCLUSIVE MODE"),
    ("alter-role", "ALTER ROLE CURRENT_USER SUPERUSER"),
    ("vacuum", "VACUUM articles"),
    ("notify", "NOTIFY crawler"),
]

SQLITE_ESCAPES: list[tuple[str, str]] = [
    # Measured on main (issue 9).
    ("leading-semicolon-vacuum-into", ";VACUUM INTO '{probe}/copy.db'"),
    ("vacuum-into", "VACUUM INTO '{probe}/copy2.db'"),
    ("vacuum-after-comment", "/* c */ VACUUM"),
    ("attach-new-file", "ATTACH DATABASE '{probe}/new.db' AS evil"),
    ("attach-memory", "ATTACH ':memory:' AS m"),
    ("writable_schema", "PRAGMA writable_schema=1"),
    ("writable_schema-on", "pragma writable_schema = ON"),
    ("journal_mode-setter", "PRAGMA main.journal_mode=DELETE"),
    ("load_extension", "SELECT load_extension('{probe}/evil.so')"),
    ("quoted-load_extension", "SELECT \"load_extension\"('{probe}/evil.so')"),
    ("writefile", "SELECT writefile('{probe}/w.txt', 'x')"),
    ("fts3_tokenizer", "SELECT fts3_tokenizer('simple')"),
    ("two-statements", "SELECT 1; DELETE FROM articles"),
    ("line-comment-then-statement", "SELECT 1 -- harmless\n; DROP TABLE article_tags"),
    ("comment-hides-semicolon", "/* ; */ DELETE FROM articles"),
    ("cte-then-delete", "WITH d AS (SELECT 1) DELETE FROM articles"),
    ("replace-into", "REPLACE INTO sites (id, key, name, base_url, created_at) VALUES (1, 'x', 'x', 'x', '2020')"),
    ("create-table-as", "CREATE TABLE stolen AS SELECT * FROM articles"),
    ("create-temp-table", "CREATE TEMP TABLE t(x)"),
    ("drop-view", "DROP VIEW current_articles"),
    ("begin-exclusive", "BEGIN EXCLUSIVE"),
    ("savepoint", "SAVEPOINT s"),
    ("analyze", "ANALYZE"),
    ("reindex", "REINDEX"),
    ("select-then-attach", "SELECT * FROM pragma_table_info('articles'); ATTACH '{probe}/x.db' AS x"),
]


# ---- what must stay untouched ----------------------------------------------------------------------


@pytest.fixture
def probe() -> Iterator[Path]:
    """An empty directory the database server could write to (so a file there would prove an escape)."""
    path = Path(tempfile.mkdtemp(prefix="crawler-query-probe-", dir="/tmp"))
    path.chmod(0o777)
    yield path
    shutil.rmtree(path, ignore_errors=True)


def _rows_digest(url: str) -> tuple[dict[str, int], str]:
    """Row counts per table and a digest of every article's id, URL, title and hash."""
    from sqlalchemy import text

    from storage.db import make_engine

    engine = make_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT id, url, title, content_hash FROM articles ORDER BY id")).all()
    engine.dispose()
    return table_counts(url), hashlib.sha256(repr(rows).encode()).hexdigest()


class PostgresSessions:
    """A second session of the reader role and a superuser session, both opened before the escape."""

    def __init__(self, reader_url: str, admin_url: str) -> None:
        import psycopg

        def plain(url: str) -> str:
            return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)

        self.reader = psycopg.connect(plain(reader_url), autocommit=True)
        self.admin = psycopg.connect(plain(admin_url), autocommit=True)
        self.pid = self.reader.info.backend_pid
        self.admin_pid = self.admin.info.backend_pid

    def alive(self) -> bool:
        """Both sessions still answer, as the same backends."""
        return [
            self.reader.execute("SELECT pg_backend_pid()").fetchone(),
            self.admin.execute("SELECT pg_backend_pid()").fetchone(),
        ] == [(self.pid,), (self.admin_pid,)]

    def close(self) -> None:
        self.reader.close()
        self.admin.close()


@pytest.fixture
def pg_sessions(demo_postgres_reader_url: str, demo_postgres_url: str) -> Iterator[PostgresSessions]:
    sessions = PostgresSessions(demo_postgres_reader_url, demo_postgres_url)
    yield sessions
    sessions.close()


def _server_state(admin_url: str) -> dict[str, object]:
    """What an escape could change on the server beyond the store's rows."""
    import psycopg

    plain = make_url(admin_url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(plain) as conn:
        return {
            "large_objects": conn.execute("SELECT count(*) FROM pg_largeobject_metadata").fetchone(),
            "relations": conn.execute(
                "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = 'public'"
            ).fetchone(),
            "advisory_locks": conn.execute(
                "SELECT count(*) FROM pg_locks l JOIN pg_database d ON d.oid = l.database "
                "WHERE l.locktype = 'advisory' AND d.datname = current_database()"
            ).fetchone(),
            "sequence": conn.execute("SELECT last_value FROM articles_id_seq").fetchone(),
            "data_directory": conn.execute("SHOW data_directory").fetchone(),
        }


def _one_line_refusal(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert lines[0].startswith("crawler query: refused: "), err
    assert "Nothing was changed." in lines[0], err
    return lines[0]


# ---- PostgreSQL -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "sql"), POSTGRES_ESCAPES, ids=[n for n, _ in POSTGRES_ESCAPES])
def test_postgresql_escape_is_refused_and_changes_nothing(
    name: str,
    sql: str,
    demo_postgres_reader_url: str,
    demo_postgres_url: str,
    pg_sessions: PostgresSessions,
    probe: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    statement = sql.format(probe=probe, pid=pg_sessions.pid, admin_pid=pg_sessions.admin_pid)
    rows_before = _rows_digest(demo_postgres_url)
    server_before = _server_state(demo_postgres_url)

    code = main(["query", statement, "--db", demo_postgres_reader_url])

    _one_line_refusal(capsys.readouterr().err)
    assert code == 1
    assert _rows_digest(demo_postgres_url) == rows_before
    assert _server_state(demo_postgres_url) == server_before
    assert list(probe.iterdir()) == []
    data_directory = Path(str(server_before["data_directory"][0]))  # type: ignore[index]
    assert not (data_directory / "out.txt").exists()
    assert pg_sessions.alive()


@pytest.mark.parametrize(
    "sql",
    [
        "/* /* */ */ COPY (SELECT 1) TO PROGRAM 'id > {probe}/superuser.txt'",
        "SELECT pg_read_file('/etc/passwd')",
        "SELECT pg_terminate_backend({pid})",
        "WITH d AS (DELETE FROM articles RETURNING *) SELECT count(*) FROM d",
    ],
)
def test_allow_superuser_keeps_the_parser_check(
    sql: str, demo_postgres_url: str, pg_sessions: PostgresSessions, probe: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--allow-superuser lets a superuser connect; the statement check and read-only transaction still hold."""
    before = _rows_digest(demo_postgres_url)
    statement = sql.format(probe=probe, pid=pg_sessions.pid)
    assert main(["query", statement, "--db", demo_postgres_url, "--allow-superuser"]) == 1
    _one_line_refusal(capsys.readouterr().err)
    assert _rows_digest(demo_postgres_url) == before
    assert list(probe.iterdir()) == []
    assert pg_sessions.alive()


def test_a_superuser_connection_is_refused_unless_allowed(
    demo_postgres_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["query", "SELECT count(*) FROM articles", "--db", demo_postgres_url]) == 1
    line = _one_line_refusal(capsys.readouterr().err)
    assert "a superuser" in line and "crawler db reader" in line and "--allow-superuser" in line
    assert main(["query", "SELECT count(*) AS n FROM articles", "--db", demo_postgres_url, "--allow-superuser",
                 "--format", "csv"]) == 0  # fmt: skip
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "n" and int(out[1]) > 0


@pytest.mark.parametrize(
    ("grant", "named"),
    [
        ("GRANT pg_read_server_files TO {role}", "a member of pg_read_server_files"),
        ("GRANT pg_write_server_files TO {role}", "a member of pg_write_server_files"),
        ("GRANT pg_execute_server_program TO {role}", "a member of pg_execute_server_program"),
        ("ALTER ROLE {role} CREATEROLE", "allowed to CREATEROLE"),
    ],
)
def test_a_role_with_server_access_is_refused(
    grant: str, named: str, demo_postgres_url: str, postgres_admin_url: str
) -> None:
    import uuid

    import psycopg
    from psycopg import sql
    from query_roles import drop_role

    role = f"crawler_powerful_test_{uuid.uuid4().hex[:10]}"
    database = make_url(demo_postgres_url).database or ""
    with psycopg.connect(postgres_admin_url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE ROLE {} LOGIN").format(sql.Identifier(role)))
        conn.execute(sql.SQL(grant.format(role="{}")).format(sql.Identifier(role)))
    try:
        url = make_url(demo_postgres_url).set(username=role).render_as_string(hide_password=False)
        with pytest.raises(QueryRefused, match=named), read_only_query(url, "SELECT 1") as result:
            list(result.rows)
    finally:
        drop_role(postgres_admin_url, role, [database])


# The database alone, without the parser check: the reader role and read-only transaction refuse.
POSTGRES_SERVER_REFUSES = [
    "SELECT pg_read_file('/etc/passwd')",
    "SELECT pg_ls_dir('.')",
    "SELECT lo_import('/etc/passwd')",
    "SELECT nextval('articles_id_seq')",
    "SELECT pg_terminate_backend({admin_pid})",
    "WITH d AS (DELETE FROM articles RETURNING *) SELECT count(*) FROM d",
    "SELECT * FROM articles FOR UPDATE",
    "COPY (SELECT 1) TO PROGRAM 'id > {probe}/declare.txt'",
    "SELECT 1; DELETE FROM articles",
]


@pytest.mark.parametrize("sql", POSTGRES_SERVER_REFUSES)
def test_postgresql_refuses_without_the_parser_check(
    sql: str,
    demo_postgres_reader_url: str,
    demo_postgres_url: str,
    pg_sessions: PostgresSessions,
    probe: Path,
) -> None:
    rows_before = _rows_digest(demo_postgres_url)
    server_before = _server_state(demo_postgres_url)
    statement = sql.format(probe=probe, admin_pid=pg_sessions.admin_pid)
    with (
        pytest.raises((QueryRefused, QueryError)),
        read_only_query(demo_postgres_reader_url, statement, precheck=False) as result,
    ):
        list(result.rows)
    assert _rows_digest(demo_postgres_url) == rows_before
    assert _server_state(demo_postgres_url) == server_before
    assert list(probe.iterdir()) == []
    assert pg_sessions.alive()


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT lo_from_bytea(0, 'kept')",
        "SELECT set_config('default_transaction_read_only', 'off', false)",
    ],
)
def test_what_the_server_alone_would_run_is_rolled_back(
    sql: str, demo_postgres_reader_url: str, demo_postgres_url: str
) -> None:
    """Without the parser, PostgreSQL runs these in the read-only transaction; the rollback keeps nothing."""
    rows_before, server_before = _rows_digest(demo_postgres_url), _server_state(demo_postgres_url)
    with read_only_query(demo_postgres_reader_url, sql, precheck=False) as result:
        assert len(list(result.rows)) == 1
    assert _rows_digest(demo_postgres_url) == rows_before
    assert _server_state(demo_postgres_url) == server_before
    with read_only_query(demo_postgres_reader_url, "SELECT current_setting('default_transaction_read_only')",
                         precheck=False) as result:  # fmt: skip
        assert list(result.rows) == [("on",)]


@pytest.mark.parametrize(
    "sql",
    [
        "COPY (SELECT 1) TO PROGRAM 'id > {probe}/psql.txt'",
        "COPY articles TO '{probe}/psql.csv'",
        "COPY sites FROM '/etc/hostname'",
        "SELECT pg_read_file('/etc/passwd')",
        "SELECT lo_import('/etc/passwd')",
        "SELECT pg_terminate_backend({admin_pid})",
        "DELETE FROM articles",
    ],
)
def test_the_reader_role_holds_for_any_client(
    sql: str, demo_postgres_reader_url: str, demo_postgres_url: str, pg_sessions: PostgresSessions, probe: Path
) -> None:
    """Connected as the reader with psycopg directly (as psql would), even after switching read-only off."""
    import psycopg

    before = _rows_digest(demo_postgres_url)
    plain = make_url(demo_postgres_reader_url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(plain, autocommit=True) as conn:
        assert conn.execute("SHOW default_transaction_read_only").fetchone() == ("on",)
        conn.execute("SET default_transaction_read_only = off")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(sql.format(probe=probe, admin_pid=pg_sessions.admin_pid))
    assert _rows_digest(demo_postgres_url) == before
    assert list(probe.iterdir()) == []
    assert pg_sessions.alive()


def test_postgresql_statement_timeout(demo_postgres_reader_url: str, pg_sessions: PostgresSessions) -> None:
    """A statement that would run for hours stops at the time bound; other sessions go on."""
    endless = "SELECT count(*) FROM generate_series(1, 1000000000000)"
    with pytest.raises(QueryError, match="ran longer than 1 s"), read_only_query(
        demo_postgres_reader_url, endless, timeout_seconds=1
    ) as result:  # fmt: skip
        list(result.rows)
    # pg_sleep is refused by the parser; without it, statement_timeout stops it.
    with pytest.raises(QueryRefused, match="pg_sleep"):
        with read_only_query(demo_postgres_reader_url, "SELECT pg_sleep(600)") as result:
            list(result.rows)
    with pytest.raises(QueryError, match="ran longer than 1 s"), read_only_query(
        demo_postgres_reader_url, "SELECT pg_sleep(600)", timeout_seconds=1, precheck=False
    ) as result:  # fmt: skip
        list(result.rows)
    assert pg_sessions.alive()


# ---- SQLite --------------------------------------------------------------------------------------


@pytest.fixture
def sqlite_store(demo_sqlite_url: str, tmp_path: Path) -> str:
    """A private copy of the demo SQLite store (an escape that worked must not spoil other tests)."""
    source = sqlite3.connect(make_url(demo_sqlite_url).database or "")
    target_path = tmp_path / "store.db"
    target = sqlite3.connect(target_path)
    source.backup(target)
    source.close()
    target.execute("PRAGMA journal_mode=WAL")
    target.close()
    return f"sqlite:///{target_path}"


def _sqlite_writer_can_lock(url: str) -> bool:
    """Another session can still take the write lock at once (no lock was left behind)."""
    conn = sqlite3.connect(make_url(url).database or "", timeout=0, isolation_level=None)
    try:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("ROLLBACK")
        return True
    except sqlite3.OperationalError:
        return False
    finally:
        conn.close()


def _sqlite_files(url: str) -> dict[str, str]:
    """The store's main file and the pragmas an escape could flip."""
    conn = sqlite3.connect(make_url(url).database or "")
    try:
        return {
            "journal_mode": conn.execute("PRAGMA journal_mode").fetchone()[0],
            "schema": repr(conn.execute("SELECT type, name, sql FROM sqlite_master ORDER BY name").fetchall()),
            "databases": repr([row[1] for row in conn.execute("PRAGMA database_list")]),
        }
    finally:
        conn.close()


@pytest.mark.parametrize(("name", "sql"), SQLITE_ESCAPES, ids=[n for n, _ in SQLITE_ESCAPES])
def test_sqlite_escape_is_refused_and_changes_nothing(
    name: str, sql: str, sqlite_store: str, probe: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    statement = sql.format(probe=probe)
    rows_before, files_before = _rows_digest(sqlite_store), _sqlite_files(sqlite_store)
    store_dir = sorted(p.name for p in Path(make_url(sqlite_store).database or "").parent.iterdir())

    code = main(["query", statement, "--db", sqlite_store])

    _one_line_refusal(capsys.readouterr().err)
    assert code == 1
    assert _rows_digest(sqlite_store) == rows_before
    assert _sqlite_files(sqlite_store) == files_before
    assert list(probe.iterdir()) == []
    assert sorted(p.name for p in Path(make_url(sqlite_store).database or "").parent.iterdir()) == store_dir
    assert _sqlite_writer_can_lock(sqlite_store)


@pytest.mark.parametrize(
    "sql",
    [
        ";VACUUM INTO '{probe}/copy.db'",
        "VACUUM INTO '{probe}/copy.db'",
        "ATTACH DATABASE '{probe}/new.db' AS evil",
        "PRAGMA writable_schema=1",
        "SELECT load_extension('{probe}/evil.so')",
        "INSERT INTO sites (key, name, base_url, created_at) VALUES ('x', 'x', 'x', '2020')",
        "CREATE TEMP TABLE t(x)",
        "BEGIN EXCLUSIVE",
        "ANALYZE",
    ],
)
def test_sqlite_refuses_without_the_parser_check(sql: str, sqlite_store: str, probe: Path) -> None:
    """The authorizer and the read-only file alone refuse; the refusal names what was denied."""
    rows_before, files_before = _rows_digest(sqlite_store), _sqlite_files(sqlite_store)
    with pytest.raises(QueryRefused), read_only_query(sqlite_store, sql.format(probe=probe), precheck=False) as result:
        list(result.rows)
    assert _rows_digest(sqlite_store) == rows_before
    assert _sqlite_files(sqlite_store) == files_before
    assert list(probe.iterdir()) == []
    assert _sqlite_writer_can_lock(sqlite_store)


def test_sqlite_time_bound_stops_an_endless_recursive_cte(sqlite_store: str, capsys) -> None:
    endless = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT count(*) FROM n"
    with pytest.raises(QueryError, match="ran longer than 1 s"), read_only_query(
        sqlite_store, endless, timeout_seconds=1
    ) as result:  # fmt: skip
        list(result.rows)
    assert main(["query", endless, "--db", sqlite_store, "--timeout", "0.5"]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("crawler query: stopped: the statement ran longer than 0.5 s") and "\n" not in err
    assert _sqlite_writer_can_lock(sqlite_store)


# ---- both backends -----------------------------------------------------------------------------


def test_plain_selects_still_run(demo_reader_url: str) -> None:
    """What a user asks day to day passes every layer, on both backends."""
    queries = [
        "SELECT count(*) FROM articles",
        "WITH t AS (SELECT tag, count(*) AS n FROM article_tags GROUP BY tag) SELECT tag FROM t ORDER BY n DESC, tag",
        "SELECT site, title FROM current_articles ORDER BY published_at DESC LIMIT 5",
        "SELECT lower(title), length(body_text), coalesce(summary, '') FROM articles ORDER BY id LIMIT 3",
        "VALUES (1), (2)",
        "SELECT key FROM sites UNION SELECT site FROM articles",
        "/* a comment */ SELECT status, count(*) FROM crawl_runs GROUP BY status -- and another",
        "SELECT 'it''s; DELETE FROM articles' AS text",
    ]
    for sql in queries:
        with read_only_query(demo_reader_url, sql) as result:
            assert list(result.rows), sql


def test_plain_explain_runs_and_explain_analyze_is_refused(demo_reader_url: str) -> None:
    backend = make_url(demo_reader_url).get_backend_name()
    explain = "EXPLAIN QUERY PLAN" if backend == "sqlite" else "EXPLAIN"
    with read_only_query(demo_reader_url, f"{explain} SELECT title FROM articles WHERE site = 'x'") as result:
        assert list(result.rows)
    for sql in ("EXPLAIN ANALYZE SELECT 1", "EXPLAIN (ANALYZE, BUFFERS) SELECT 1", "EXPLAIN SELECT pg_sleep(60)"):
        with pytest.raises(QueryRefused), read_only_query(demo_reader_url, sql) as result:
            list(result.rows)


@pytest.mark.parametrize("backend_url", ["demo_sqlite_url", "demo_postgres_reader_url"])
def test_row_bound(backend_url: str, request: pytest.FixtureRequest, capsys: pytest.CaptureFixture[str]) -> None:
    url = request.getfixturevalue(backend_url)
    sql = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 25) SELECT i FROM n"
    with read_only_query(url, sql, max_rows=20) as result:
        rows = [row[0] for row in result.rows]
    assert rows == list(range(1, 21)) and result.truncated
    with read_only_query(url, sql, max_rows=25) as result:
        assert len(list(result.rows)) == 25 and not result.truncated
    assert main(["query", sql, "--db", url, "--max-rows", "20", "--format", "csv"]) == 0
    captured = capsys.readouterr()
    assert captured.out.splitlines()[1:] == [str(i) for i in range(1, 21)]
    assert "stopped after 20 rows (--max-rows 20); more rows were left out" in captured.err
    assert main(["query", sql, "--db", url, "--max-rows", "0", "--format", "csv"]) == 0
    captured = capsys.readouterr()
    assert len(captured.out.splitlines()) == 26 and captured.err == ""


def test_unparseable_sql_is_refused_with_the_parsers_reason(demo_reader_url: str) -> None:
    with pytest.raises(QueryRefused, match=r"could not be parsed as \w+ SQL \(.+ at line 1, column \d+\)"):
        with read_only_query(demo_reader_url, "SELECT (1 FROM articles") as result:
            list(result.rows)


def test_settings_match_the_library_defaults() -> None:
    from crawler import settings
    from storage.query import DEFAULT_MAX_ROWS, DEFAULT_TIMEOUT_SECONDS

    assert settings.QUERY_STATEMENT_TIMEOUT_SECONDS == DEFAULT_TIMEOUT_SECONDS
    assert settings.QUERY_MAX_ROWS == DEFAULT_MAX_ROWS


def test_bad_bounds_are_usage_errors(demo_sqlite_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    for argv in (["--max-rows", "-1"], ["--max-rows", "many"], ["--timeout", "0"], ["--timeout", "soon"]):
        with pytest.raises(SystemExit) as exited:
            main(["query", "SELECT 1", "--db", demo_sqlite_url, *argv])
        assert exited.value.code == 2
        assert argv[0] in capsys.readouterr().err
