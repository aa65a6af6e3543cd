"""``crawler runs``, ``crawler health`` and ``crawler jobs`` on a database that is not a crawler store.

Read-only commands must say in one line what is wrong (exit 1), never print a
traceback, and never create the SQLite file a mistyped ``--db`` names.  A mistyped
``--site`` is an error naming the known sites (exit 2), not an empty success.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from crawler.cli import main
from crawler.health import CheckResult, store_results
from storage.db import ensure_schema, make_engine, session_scope
from storage.repository import CrawlRunRepository

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
COMMANDS = ("runs", "health", "jobs")


def store_with_run(url: str, site: str = "syrianobserver") -> None:
    """A crawler store holding one finished, health-checked run of ``site``."""
    engine = make_engine(url)
    ensure_schema(engine)
    with session_scope(engine) as session:
        run = CrawlRunRepository(session).start(site, site, "manual", NOW, {})
        run.status = "ok"
        run.finished_at = NOW
        store_results(session, run.id, [CheckResult(site, "run_status", "ok", "run ok", run.id, NOW)])
    engine.dispose()


def one_line_error(capsys: pytest.CaptureFixture[str], command: str) -> str:
    """The command's stderr, checked to be one clear line and no traceback."""
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert err.startswith(f"crawler {command}: ") and err.count("\n") == 1, err
    return err


@pytest.mark.parametrize("command", COMMANDS)
def test_a_missing_sqlite_file_is_an_error_and_is_not_created(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    path = tmp_path / "typo.db"
    assert main([command, "--db", f"sqlite:///{path}"]) == 1
    err = one_line_error(capsys, command)
    assert f"no crawler store at sqlite:///{path}" in err
    assert "run a crawl first" in err and "--db" in err
    assert not path.exists()


@pytest.mark.parametrize("command", COMMANDS)
def test_an_empty_database_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str) -> None:
    path = tmp_path / "empty.db"
    path.touch()
    assert main([command, "--db", f"sqlite:///{path}"]) == 1
    assert "no crawler store" in one_line_error(capsys, command)


@pytest.mark.parametrize("command", COMMANDS)
def test_a_foreign_database_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str) -> None:
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY)")
    assert main([command, "--db", f"sqlite:///{path}"]) == 1
    err = one_line_error(capsys, command)
    assert "is not a crawler store" in err and "crawl_runs" in err


@pytest.mark.parametrize("command", COMMANDS)
def test_a_file_that_is_not_a_database_is_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    path = tmp_path / "notes.db"
    path.write_text("not a database\n" * 100, encoding="utf-8")
    assert main([command, "--db", f"sqlite:///{path}"]) == 1
    assert "cannot open the database" in one_line_error(capsys, command)


@pytest.mark.parametrize("command", ("runs", "health"))
def test_an_unknown_site_is_an_error_naming_the_known_sites(
    sqlite_url: str, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    store_with_run(sqlite_url)
    assert main([command, "--db", sqlite_url, "--site", "nosuch"]) == 2
    err = one_line_error(capsys, command)
    assert "unknown site 'nosuch'" in err and "syrianobserver" in err


@pytest.mark.parametrize("command", ("runs", "health"))
def test_a_known_site_without_rows_and_a_stored_site_without_profile_are_fine(
    sqlite_url: str, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    store_with_run(sqlite_url, site="retired")
    assert main([command, "--db", sqlite_url, "--site", "syrianobserver"]) == 0
    assert "recorded" in capsys.readouterr().out
    assert main([command, "--db", sqlite_url, "--site", "retired"]) == 0
    assert "retired" in capsys.readouterr().out


def test_runs_health_and_jobs_read_a_store(sqlite_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    store_with_run(sqlite_url)
    assert main(["runs", "--db", sqlite_url]) == 0
    assert "syrianobserver" in capsys.readouterr().out
    assert main(["health", "--db", sqlite_url]) == 0
    assert "healthy" in capsys.readouterr().out
    assert main(["jobs", "--db", sqlite_url]) == 0
    assert "no scheduled jobs" in capsys.readouterr().out
