"""The claim of a site and the reaping of dead runs (crawler.liveness), on SQLite and PostgreSQL.

One running run per site, enforced by the database (a partial unique index), so ``crawler crawl``,
``run-now`` and the daemon cannot overlap; a run whose process is gone (pid dead on this host) or
silent (heartbeat older than RUN_STALE_SECONDS: hung, or gone on another host) is closed ``killed``
by the next claim, ``crawler runs`` or ``crawler health``, and reported by health.
"""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from crawler import jobs
from crawler.cli import main
from crawler.liveness import claim_run, process_alive, reap_dead_runs, this_process
from crawler.runner import project_settings
from storage.db import ensure_schema, make_engine, session_scope
from storage.models import CrawlRun, HealthCheck
from storage.repository import RunBusy

SITE = "syrianobserver"


def dead_pid() -> int:
    """The pid of a process that has exited (and was reaped)."""
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


@pytest.fixture
def engine(db_url: str):  # noqa: ANN201 - a SQLAlchemy engine
    engine = make_engine(db_url)
    ensure_schema(engine)
    yield engine
    engine.dispose()


def claim(engine, owner: tuple[int, str] | None = None, now: datetime | None = None) -> int:  # noqa: ANN001
    return claim_run(engine, SITE, SITE, "manual", now or datetime.now(UTC), {}, project_settings(None, {}), owner)


def statuses(engine) -> list[tuple[int, str]]:  # noqa: ANN001
    with session_scope(engine) as session:
        return [(r.id, r.status) for r in session.scalars(select(CrawlRun).order_by(CrawlRun.id))]


def test_a_second_claim_of_a_site_is_refused_while_its_owner_lives(engine) -> None:  # noqa: ANN001
    first = claim(engine)
    with pytest.raises(RunBusy, match=rf"run {first} \(pid \d+ on .+\) is still going"):
        claim(engine)
    # Another site is free.
    other = claim_run(engine, "other", "other", "manual", datetime.now(UTC), {}, project_settings(None, {}))
    assert statuses(engine) == [(first, "running"), (other, "running")]


def test_the_database_refuses_two_running_runs_of_a_site_even_without_the_reaper(engine) -> None:  # noqa: ANN001
    """The claim is the insert itself, not a check before it: a raw second insert fails too."""
    from sqlalchemy.exc import IntegrityError

    now = datetime.now(UTC)
    claim(engine)
    with pytest.raises(IntegrityError), session_scope(engine) as session:
        session.add(CrawlRun(site=SITE, spider=SITE, status="running", started_at=now))


def test_a_run_whose_process_is_gone_is_closed_killed_by_the_next_claim(engine) -> None:  # noqa: ANN001
    pid, host = dead_pid(), this_process()[1]
    dead = claim(engine, owner=(pid, host))
    assert not process_alive(pid)
    fresh = claim(engine)  # at once: no hour-long block
    assert statuses(engine) == [(dead, "killed"), (fresh, "running")]
    with session_scope(engine) as session:
        run = session.get(CrawlRun, dead)
        assert run.finish_reason == f"killed: its process {pid} on {host} is gone" and run.finished_at is not None
        checks = {c.check: c.status for c in session.scalars(select(HealthCheck).where(HealthCheck.run_id == dead))}
    assert checks["run_status"] == "fail"


def test_a_hung_run_and_a_silent_run_of_another_host_are_killed_a_live_one_is_not(engine) -> None:  # noqa: ANN001
    settings = project_settings(None, {})
    stale = timedelta(seconds=settings.getfloat("RUN_STALE_SECONDS"))
    now = datetime.now(UTC)
    with session_scope(engine) as session:
        for site, owner, beat in (
            ("hung", this_process(), now - stale - timedelta(seconds=1)),  # alive, but silent too long
            ("elsewhere", (1, "another-host"), now - stale - timedelta(seconds=1)),
            ("fine-elsewhere", (1, "another-host"), now - timedelta(seconds=5)),
            ("fine-here", this_process(), now - timedelta(seconds=5)),
        ):
            pid, host = owner
            session.add(
                CrawlRun(site=site, spider=site, status="running", started_at=now - stale * 2, pid=pid,
                         hostname=host, heartbeat_at=beat)
            )  # fmt: skip
    dead = reap_dead_runs(engine, now, stale, settings=settings)
    assert sorted(d.site for d in dead) == ["elsewhere", "hung"]
    assert all("no heartbeat" in d.reason and "hung or gone" in d.reason for d in dead)
    assert [s for _, s in statuses(engine)] == ["killed", "killed", "running", "running"]


def test_run_now_is_refused_while_the_site_runs_and_starts_after_its_process_died(engine, db_url: str) -> None:  # noqa: ANN001
    live = claim(engine)  # this process: alive
    result = jobs.run_site_crawl(SITE, db_url, base_url="http://127.0.0.1:9", time_limit=30, trigger="manual")
    assert (result.run_id, result.status) == (None, "skipped")
    assert f"run {live} (pid " in result.detail and "is still going" in result.detail
    with session_scope(engine) as session:
        run = session.get(CrawlRun, live)
        run.pid = dead_pid()  # the owner dies without closing its run (SIGKILL)
    # Port 9 answers nothing: the crawl runs (not refused) and fails on its own.
    result = jobs.run_site_crawl(SITE, db_url, base_url="http://127.0.0.1:9", time_limit=30, trigger="manual")
    assert result.run_id is not None and result.status == "failed"
    assert statuses(engine) == [(live, "killed"), (result.run_id, "failed")]


@pytest.mark.parametrize("command", ["runs", "health"])
def test_runs_and_health_close_dead_runs_and_show_them(
    engine, db_url: str, command: str, capsys: pytest.CaptureFixture[str]  # noqa: ANN001
) -> None:
    dead = claim(engine, owner=(dead_pid(), this_process()[1]))
    code = main([command, "--db", db_url])
    out = capsys.readouterr().out
    assert statuses(engine) == [(dead, "killed")]
    if command == "runs":
        assert code == 0 and "killed" in out
    else:
        assert code == 1 and "FAILING" in out and f"run {dead} killed" in out
