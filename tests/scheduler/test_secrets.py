"""Secrets stay secret: no database password in a log line, a process's argument list or the job store.

The end-to-end test runs the daemon against a PostgreSQL database owned by a role with a
password (the server here trusts local connections, so the password is not checked, but it
is in the URL: enough to see where it leaks), watches every process's command line while the
scheduled crawl runs, then searches the daemon's log (the child's relayed lines included) and
the pickled job in ``apscheduler_jobs``.
"""

from __future__ import annotations

import logging
import os
import pickle
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from daemon_support import STOP_BOUND, rows, wait_until, write_schedule
from scrapy.settings import Settings

from crawler import jobs
from crawler import settings as project_settings_module
from crawler.replica import ReplicaServer, ReplicaSite
from crawler.schedule_file import ScheduleEntry
from crawler.scheduler import build_scheduler, job_kwargs, stored_jobs, sync_jobs
from crawler.secrets import SecretFilter, mask_secrets, mask_url
from storage.db import make_engine

PASSWORD = "S3cret-unit"
URL = f"postgresql+psycopg://reader:{PASSWORD}@127.0.0.1:5432/news"


# --- masking --------------------------------------------------------------------------------
def test_mask_secrets_hides_url_and_keyword_passwords_and_keeps_the_rest() -> None:
    text = f"connecting to {URL} (dsn host=db password={PASSWORD} user=x) and sqlite:///x.db, http://h:8080/a@b"
    masked = mask_secrets(text)
    assert PASSWORD not in masked
    assert "postgresql+psycopg://reader:***@127.0.0.1:5432/news" in masked
    assert "password=*** user=x" in masked
    assert "sqlite:///x.db, http://h:8080/a@b" in masked  # no credentials there: untouched
    assert mask_url(URL) == "postgresql+psycopg://reader:***@127.0.0.1:5432/news"
    assert PASSWORD not in mask_url(f"not a url {URL}")


def test_a_daemon_given_a_password_on_its_command_line_warns(capsys: pytest.CaptureFixture[str]) -> None:
    from crawler.cli import main

    assert main(["schedule", "--check", "--db", "postgresql://reader@127.0.0.1/news"]) == 0
    assert "warning: the --db URL holds a password" not in capsys.readouterr().err
    assert main(["schedule", "--check", "--db", URL]) == 0
    err = capsys.readouterr().err
    assert "warning: the --db URL holds a password" in err and "CRAWLER_DATABASE_URL" in err
    assert PASSWORD not in err


def test_the_log_filter_masks_messages_arguments_and_tracebacks() -> None:
    record = logging.LogRecord("scrapy.crawler", logging.INFO, __file__, 1, "settings: %(s)s", None, None)
    record.args = {"s": {"DATABASE_URL": URL}}
    try:
        raise ValueError(f"Could not parse SQLAlchemy URL from string '{URL}'")
    except ValueError:
        record.exc_info = sys.exc_info()
    assert SecretFilter().filter(record) is True
    formatted = logging.Formatter().format(record)
    assert PASSWORD not in formatted
    assert "reader:***@127.0.0.1" in formatted and "Could not parse SQLAlchemy URL" in formatted


# --- command line, environment, job arguments -------------------------------------------------
def test_the_child_gets_the_database_url_through_its_environment_never_argv() -> None:
    settings = {"DATABASE_URL": URL, "HEALTH_WEBHOOK_URL": f"https://x:{PASSWORD}@hooks", "DOWNLOAD_DELAY": "1"}
    command = jobs.crawl_command("syrianobserver", 3, "schedule", 60, "http://127.0.0.1:1", {"since": "3d"}, settings)
    assert not any(PASSWORD in part for part in command)
    assert "DOWNLOAD_DELAY=1" in command and not any("DATABASE_URL" in part for part in command)
    env = jobs.crawl_environment(URL, Settings({"HEALTH_WEBHOOK_URL": settings["HEALTH_WEBHOOK_URL"]}))
    assert env["CRAWLER_DATABASE_URL"] == URL
    assert env["CRAWLER_HEALTH_WEBHOOK"] == settings["HEALTH_WEBHOOK_URL"]


def test_job_arguments_hold_no_database_url_nor_secret_settings() -> None:
    entry = ScheduleEntry("syrianobserver", interval_seconds=60, base_url="http://127.0.0.1:1")
    kwargs = job_kwargs(entry, {"DATABASE_URL": URL, "HEALTH_WEBHOOK_URL": URL, "DOWNLOAD_DELAY": "2"})
    assert "db_url" not in kwargs and PASSWORD not in repr(kwargs)
    assert kwargs["settings"] == {"DOWNLOAD_DELAY": "2"}


def test_a_schedule_entry_may_not_carry_a_secret_setting(tmp_path: Path) -> None:
    from crawler.schedule_file import ScheduleError, load_schedule

    path = tmp_path / "schedule.toml"
    path.write_text(
        '[sites.syrianobserver]\ncron = "0 * * * *"\nsettings = { HEALTH_WEBHOOK_URL = "https://h/t0ken" }\n'
    )
    with pytest.raises(ScheduleError, match=r"HEALTH_WEBHOOK_URL is set by the daemon.*CRAWLER_HEALTH_WEBHOOK"):
        load_schedule(str(path))


def test_a_job_stored_with_a_url_by_an_older_version_is_replaced_without_it(sqlite_url: str) -> None:
    settings = Settings(dict(vars(project_settings_module)))
    entry = ScheduleEntry("syrianobserver", interval_seconds=60, base_url="http://127.0.0.1:1")
    engine = make_engine(sqlite_url)
    scheduler = build_scheduler(engine, settings)
    scheduler.start(paused=True)
    try:
        legacy = {**job_kwargs(entry), "db_url": URL}
        scheduler.add_job(jobs.__name__ + ":run_site_crawl", entry.trigger(), id=entry.site, kwargs=legacy)
        assert sync_jobs(scheduler, [entry], {}) == {"syrianobserver": "replaced"}
    finally:
        scheduler.shutdown(wait=False)
    [raw] = [r["job_state"] for r in rows(sqlite_url, "SELECT job_state FROM apscheduler_jobs")]
    assert PASSWORD.encode() not in raw
    [job] = stored_jobs(engine)
    assert "db_url" not in job.kwargs
    engine.dispose()


# --- a scheduled run against a password-protected PostgreSQL URL ----------------------------------
@pytest.fixture
def password_url(postgres_admin_url: str) -> Iterator[tuple[str, str]]:
    """A database owned by a fresh role with a password; the URL (password in it) and the password."""
    import psycopg
    from sqlalchemy.engine import make_url

    tag = uuid.uuid4().hex[:12]
    role, password, name = f"crawler_pw_{tag}", f"S3cret-{tag}", f"crawler_pw_{tag}"
    with psycopg.connect(postgres_admin_url, autocommit=True) as conn:
        conn.execute(f"CREATE ROLE \"{role}\" LOGIN PASSWORD '{password}'")
        conn.execute(f'CREATE DATABASE "{name}" OWNER "{role}"')
    url = make_url(postgres_admin_url).set(
        drivername="postgresql+psycopg", username=role, password=password, database=name
    )
    try:
        yield url.render_as_string(hide_password=False), password
    finally:
        with psycopg.connect(postgres_admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'DROP ROLE IF EXISTS "{role}"')


def _rows_or_none(url: str, sql: str) -> list[dict]:
    """The rows, or [] while the daemon has not created the tables yet."""
    try:
        return rows(url, sql)
    except Exception as exc:
        if "does not exist" in str(exc):
            return []
        raise


def _process_table() -> dict[int, tuple[int, bytes]]:
    """pid -> (parent pid, raw argument list) of every process we can see."""
    table: dict[int, tuple[int, bytes]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            cmdline = Path(f"/proc/{entry}/cmdline").read_bytes()
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:  # the process ended meanwhile
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        table[int(entry)] = (parent, cmdline)
    return table


def _descendants(table: dict[int, tuple[int, bytes]], root: int) -> set[int]:
    found, frontier = set(), {root}
    while frontier:
        frontier = {pid for pid, (parent, _) in table.items() if parent in frontier} - found
        found |= frontier
    return found


@pytest.mark.crawl
def test_no_password_in_logs_process_arguments_or_the_job_store_during_a_scheduled_run(
    tmp_path: Path, password_url: tuple[str, str]
) -> None:
    url, password = password_url
    secret = password.encode()
    log = tmp_path / "daemon.log"
    leaked_argv: list[bytes] = []
    child_argv: list[bytes] = []
    child_env_has_url = False
    child_log = tmp_path / "child.log"
    # A credential in a setting Scrapy prints in its settings dump: the child's own log filter must mask it.
    bait = f"Bait-{uuid.uuid4().hex[:12]}"
    crawl_settings = {
        "LOG_LEVEL": "DEBUG",
        "LOG_FILE": str(child_log),
        "USER_AGENT": f"news-monitor (+https://ops:{bait}@example.org/contact)",
    }
    with ReplicaServer(site=ReplicaSite(articles=40), delay=0.05) as replica:
        schedule = write_schedule(
            tmp_path / "schedule.toml", replica.base_url, interval_seconds=2, settings=crawl_settings
        )
        # The URL goes in through the environment: a --db on the daemon's own command line would be in ps.
        env = {k: v for k, v in os.environ.items() if k != "CRAWLER_HEALTH_WEBHOOK"}
        env["CRAWLER_DATABASE_URL"] = url
        with log.open("w") as out:
            daemon = subprocess.Popen(
                [sys.executable, "-m", "crawler.cli", "schedule", "--file", str(schedule)],
                stdout=out,
                stderr=subprocess.STDOUT,
                env=env,
            )
            try:
                deadline = time.monotonic() + 90
                while time.monotonic() < deadline and daemon.poll() is None:
                    table = _process_table()
                    leaked_argv += [cmd for _, cmd in table.values() if secret in cmd]
                    for pid in _descendants(table, daemon.pid):
                        cmd = table[pid][1]
                        if b"scrapy\0crawl\0syrianobserver" in cmd:
                            child_argv.append(cmd)
                            try:
                                child_env_has_url |= f"CRAWLER_DATABASE_URL={url}".encode() in Path(
                                    f"/proc/{pid}/environ"
                                ).read_bytes()
                            except OSError:
                                pass
                    done = [r for r in _rows_or_none(url, "SELECT * FROM crawl_runs") if r["status"] != "running"]
                    if done and child_argv:
                        break
                    time.sleep(0.1)
                assert daemon.poll() is None, log.read_text()[-3000:]
                started = time.monotonic()
                daemon.terminate()
                daemon.wait(timeout=STOP_BOUND * 2)
                assert time.monotonic() - started < STOP_BOUND * 2
            finally:
                if daemon.poll() is None:
                    daemon.kill()
                    daemon.wait()
    output = log.read_text(errors="replace")
    crawl_output = child_log.read_text(errors="replace")
    run = wait_until(lambda: rows(url, "SELECT * FROM crawl_runs ORDER BY id")[:1], 5, "the run row")[0]
    job_states = [bytes(r["job_state"]) for r in rows(url, "SELECT job_state FROM apscheduler_jobs")]
    print(
        f"{len(output.splitlines())} daemon and {len(crawl_output.splitlines())} crawl log lines, "
        f"{len(child_argv)} child command lines seen, "
        f"run {run['id']} {run['status']} with {run['articles_new']} new articles, {len(job_states)} stored job(s)"
    )
    # The crawl really ran against the password-protected database, given through the environment.
    assert run["status"] == "ok" and run["articles_new"] > 20, output[-3000:]
    assert child_argv and child_env_has_url
    # No password in any process's argument list, while the crawl ran.
    assert leaked_argv == []
    # None in the logs (the daemon's, the crawl's at DEBUG), where the URL shows masked.
    assert password not in output and password not in crawl_output
    assert mask_url(url) in output
    # Scrapy's settings dump went through the crawl's filter: the credential in it is masked.
    assert "Overridden settings" in crawl_output and "DEBUG" in crawl_output
    assert bait not in crawl_output and "https://ops:***@example.org/contact" in crawl_output
    assert bait not in output
    # None in the job store: neither the raw bytes nor the unpickled job state.
    assert len(job_states) == 1 and secret not in job_states[0]
    state = pickle.loads(job_states[0])
    assert password not in repr(state) and "db_url" not in state["kwargs"]
    assert state["kwargs"]["site"] == "syrianobserver"
    # Nor in what the run recorded.
    assert password not in repr(rows(url, "SELECT * FROM crawl_runs")) + repr(rows(url, "SELECT * FROM crawl_events"))


# --- messages of every command ------------------------------------------------------------------
@pytest.mark.parametrize(
    "command",
    [
        ["runs"], ["health"], ["jobs"], ["search", "x"], ["export", "--format", "jsonl"], ["db", "current"],
        ["crawl", "syrianobserver"], ["run-now", "syrianobserver"], ["schedule"],
    ],
)  # fmt: skip
@pytest.mark.parametrize("url", ["postgres ql://reader:{pw}@h/news", "postgresql://reader:{pw}@127.0.0.1:1/news"])
def test_no_command_prints_the_password_of_a_bad_or_unreachable_database_url(
    tmp_path: Path, command: list[str], url: str
) -> None:
    password = f"S3cret-{uuid.uuid4().hex[:8]}"
    result = subprocess.run(
        [sys.executable, "-m", "crawler.cli", *command, "--db", url.format(pw=password)],
        capture_output=True, text=True, timeout=120, cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode != 0
    assert password not in result.stdout + result.stderr
