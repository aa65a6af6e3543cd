"""Output people can pipe: ``--format table|csv|json`` on runs, jobs, health and sites; tables that
never wrap in a pipe; export's format from ``-o``'s extension; ``crawler --version``.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from scrapy.settings import Settings

from crawler import settings as project_settings_module
from crawler.cli import main
from crawler.health import CheckResult, store_results
from crawler.schedule_file import ScheduleEntry
from crawler.scheduler import build_scheduler, sync_jobs
from crawler.sites import SITES
from storage.db import ensure_schema, make_engine, session_scope
from storage.repository import CrawlRunRepository

STARTED = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
FINISHED = datetime(2025, 3, 1, 12, 1, 30, tzinfo=UTC)
LONG_URL = "http://127.0.0.1:1/" + "a-very-long-path-segment/" * 8 + "page.html"
# Enough kinds that the runs table's errors cell alone is wider than a 200-column console.
ERROR_KINDS = {f"{kind}_error": 1 for kind in ("network", "http", "parse", "robots", "timeout", "dns", "tls", "size",
                                                  "encoding", "redirect_loop", "storage", "pipeline", "quota")}


def out_of(argv: list[str], capsys: pytest.CaptureFixture[str], code: int = 0) -> str:
    """stdout of ``crawler ARGV``, checking its exit code."""
    assert main(argv) == code
    return capsys.readouterr().out


@pytest.fixture
def store(sqlite_url: str) -> str:
    """A store with two runs of syrianobserver: #1 ok, #2 failed with a failing check naming a long URL."""
    engine = make_engine(sqlite_url)
    ensure_schema(engine)
    with session_scope(engine) as session:
        runs = CrawlRunRepository(session)
        first = runs.start("syrianobserver", "syrianobserver", "manual", STARTED, {})
        first.status, first.finished_at, first.pages_fetched, first.articles_new = "ok", FINISHED, 12, 7
        second = runs.start("syrianobserver", "syrianobserver", "schedule", FINISHED, {})
        second.status, second.finished_at, second.errors = "failed", FINISHED, len(ERROR_KINDS)
        second.errors_by_kind = ERROR_KINDS
        session.flush()
        store_results(session, second.id, [
            CheckResult("syrianobserver", "run_status", "fail", f"run failed: first error at {LONG_URL}",
                        second.id, FINISHED),
            CheckResult("syrianobserver", "error_rate", "ok", "0 errors", second.id, FINISHED),
        ])
    engine.dispose()
    return sqlite_url


def test_runs_as_csv_and_json_carry_the_raw_figures(store: str, capsys: pytest.CaptureFixture[str]) -> None:
    records = json.loads(out_of(["runs", "--db", store, "--format", "json"], capsys))
    assert [r["id"] for r in records] == [2, 1]  # newest first, as in the table
    failed, ok = records
    assert ok["status"] == "ok" and ok["pages_fetched"] == 12 and ok["articles_new"] == 7
    assert ok["seconds"] == (FINISHED - STARTED).total_seconds()
    assert datetime.fromisoformat(ok["started_at"]).replace(tzinfo=UTC) == STARTED
    assert failed["errors_by_kind"] == ERROR_KINDS and failed["failed_checks"] == ["run_status"]

    rows = list(csv.DictReader(io.StringIO(out_of(["runs", "--db", store, "--format", "csv", "--last", "1"], capsys))))
    assert len(rows) == 1 and rows[0]["id"] == "2" and rows[0]["status"] == "failed"
    assert json.loads(rows[0]["errors_by_kind"]) == ERROR_KINDS
    assert list(rows[0]) == list(records[0])  # the same columns in both formats


def test_health_as_json_keeps_the_exit_status(store: str, capsys: pytest.CaptureFixture[str]) -> None:
    records = json.loads(out_of(["health", "--db", store, "--format", "json"], capsys, code=1))
    by_check = {r["check"]: r for r in records}
    assert by_check["run_status"]["status"] == "fail" and LONG_URL in by_check["run_status"]["detail"]
    assert by_check["error_rate"]["status"] == "ok"
    assert {r["site"] for r in records} == {"syrianobserver"} and {r["run_id"] for r in records} == {2}
    rows = list(csv.DictReader(io.StringIO(out_of(["health", "--db", store, "--format", "csv"], capsys, code=1))))
    assert sorted(r["check"] for r in rows) == ["error_rate", "run_status"]


def test_sites_as_csv_and_json(capsys: pytest.CaptureFixture[str]) -> None:
    records = json.loads(out_of(["sites", "--format", "json"], capsys))
    assert [r["key"] for r in records] == list(SITES)
    assert all(r["base_url"] == SITES[r["key"]].base_url for r in records)
    rows = list(csv.DictReader(io.StringIO(out_of(["sites", "--format", "csv"], capsys))))
    assert [r["key"] for r in rows] == list(SITES)


def test_jobs_as_json(sqlite_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    ensure_schema(make_engine(sqlite_url))
    assert json.loads(out_of(["jobs", "--db", sqlite_url, "--format", "json"], capsys)) == []
    assert out_of(["jobs", "--db", sqlite_url, "--format", "csv"], capsys).splitlines() == [
        "site,trigger,next_run_at,base_url,last_run_id,last_run_status,last_run_started_at"
    ]
    engine = make_engine(sqlite_url)
    scheduler = build_scheduler(engine, Settings(dict(vars(project_settings_module))))
    scheduler.start(paused=True)
    try:
        sync_jobs(scheduler, [ScheduleEntry("syrianobserver", interval_seconds=60, base_url=LONG_URL)], {})
    finally:
        scheduler.shutdown(wait=False)
        engine.dispose()
    [job] = json.loads(out_of(["jobs", "--db", sqlite_url, "--format", "json"], capsys))
    assert job["site"] == "syrianobserver" and job["base_url"] == LONG_URL and job["last_run_id"] is None
    assert datetime.fromisoformat(job["next_run_at"]).tzinfo is not None
    # The table, in a pipe, keeps the long base URL whole on its row.
    table = out_of(["jobs", "--db", sqlite_url], capsys)
    assert any(LONG_URL in line and "syrianobserver" in line for line in table.splitlines()), table


@pytest.mark.parametrize("command", ["runs", "health"])
def test_tables_do_not_wrap_in_a_pipe(
    command: str, store: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A narrow $COLUMNS does not matter when stdout is not a terminal: every row stays one line."""
    monkeypatch.setenv("COLUMNS", "60")
    table = out_of([command, "--db", store], capsys, code=0 if command == "runs" else 1)
    lines = table.splitlines()
    if command == "runs":
        kinds = ", ".join(f"{k} {v}" for k, v in sorted(ERROR_KINDS.items()))
        assert len(f"{len(ERROR_KINDS)} ({kinds})") > 200  # wider than the old fixed Console(width=200)
        rows = [line for line in lines if "syrianobserver" in line]
        assert len(rows) == 2, table
        assert any(f"{len(ERROR_KINDS)} ({kinds})" in r and "FAIL run_status" in r for r in rows), table
    else:
        assert any(LONG_URL in line and "run_status" in line and "FAIL" in line for line in lines), table


def test_sites_table_in_a_pipe_keeps_each_site_on_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("COLUMNS", "40")
    lines = out_of(["sites"], capsys).splitlines()
    from crawler.commands.sites import parser_name

    for profile in SITES.values():
        assert any(
            profile.key in line and profile.base_url in line and parser_name(profile) in line for line in lines
        )


def test_version_is_the_installed_package_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--version"])
    assert exited.value.code == 0
    assert capsys.readouterr().out == f"crawler {version('news-monitor-crawler')}\n"


@pytest.fixture
def empty_store(sqlite_url: str) -> str:
    engine = make_engine(sqlite_url)
    ensure_schema(engine)
    engine.dispose()
    return sqlite_url


@pytest.mark.parametrize(
    ("name", "fmt"),
    [("x.parquet", "parquet"), ("x.PQ", "parquet"), ("x.csv", "csv"), ("x.jsonl", "jsonl"), ("x.ndjson", "jsonl"),
     ("x.txt", "jsonl"), ("x", "jsonl")],
)
def test_export_takes_the_format_from_the_output_name(
    name: str, fmt: str, empty_store: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / name
    assert main(["export", "-o", str(target), "--db", empty_store]) == 0
    assert f"exported 0 articles as {fmt} to {target}" in capsys.readouterr().err
    data = target.read_bytes()
    if fmt == "parquet":
        assert data[:4] == b"PAR1" and pq.read_table(target).num_rows == 0
    elif fmt == "csv":
        assert data.decode().splitlines()[0].startswith("id,")
    else:
        assert data == b""  # JSON Lines of no article


def test_export_refuses_a_format_that_contradicts_the_name(
    empty_store: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "x.parquet"
    assert main(["export", "--format", "jsonl", "-o", str(target), "--db", empty_store]) == 2
    assert "--format jsonl contradicts --output" in capsys.readouterr().err
    assert not [p for p in tmp_path.iterdir() if p.name.startswith("x.")]  # no x.parquet, no .partial
    # Agreeing --format and extension, and --format with a neutral name, are fine.
    assert main(["export", "--format", "parquet", "-o", str(target), "--db", empty_store]) == 0
    assert main(["export", "--format", "jsonl", "-o", str(tmp_path / "x.json"), "--db", empty_store]) == 0
