"""Jobs persist in the database: a restart keeps unchanged jobs, replaces changed ones, removes dropped sites."""

from __future__ import annotations

import pytest
from scrapy.settings import Settings
from sqlalchemy import text

from crawler import settings as project_settings_module
from crawler.schedule_file import ScheduleEntry
from crawler.scheduler import build_scheduler, stored_jobs, sync_jobs
from storage.db import make_engine


@pytest.fixture
def settings() -> Settings:
    return Settings(dict(vars(project_settings_module)))


def _sync(db_url: str, settings: Settings, entries: list[ScheduleEntry]) -> dict[str, str]:
    engine = make_engine(db_url)
    scheduler = build_scheduler(engine, settings)
    scheduler.start(paused=True)
    try:
        return sync_jobs(scheduler, entries, db_url, {})
    finally:
        scheduler.shutdown(wait=False)
        engine.dispose()


def test_restart_keeps_replaces_and_removes(sqlite_url: str, settings: Settings) -> None:
    entry = ScheduleEntry("syrianobserver", interval_seconds=60, base_url="http://127.0.0.1:1")
    assert _sync(sqlite_url, settings, [entry]) == {"syrianobserver": "added"}
    engine = make_engine(sqlite_url)
    [job] = stored_jobs(engine)
    first_next = job.next_run_time
    assert job.id == "syrianobserver"
    assert job.kwargs["base_url"] == "http://127.0.0.1:1" and job.kwargs["trigger"] == "schedule"
    assert job.coalesce is True and job.max_instances == 1
    assert job.misfire_grace_time == settings.getint("SCHEDULER_MISFIRE_GRACE_SECONDS")

    # Same schedule: the stored job and its next run time are kept, not duplicated.
    assert _sync(sqlite_url, settings, [entry]) == {"syrianobserver": "kept"}
    [job] = stored_jobs(engine)
    assert job.next_run_time == first_next

    changed = ScheduleEntry("syrianobserver", cron="*/5 * * * *", base_url="http://127.0.0.1:1")
    assert _sync(sqlite_url, settings, [changed]) == {"syrianobserver": "replaced"}
    [job] = stored_jobs(engine)
    assert "cron" in str(job.trigger)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM apscheduler_jobs")).scalar_one() == 1

    # A site left out of the schedule loses its job.
    engine.dispose()
    engine = make_engine(sqlite_url)
    scheduler = build_scheduler(engine, settings)
    scheduler.start(paused=True)
    scheduler.add_job(
        "crawler.jobs:run_site_crawl", "interval", seconds=60, id="gone", kwargs={"site": "gone", "db_url": sqlite_url}
    )
    scheduler.shutdown(wait=False)
    assert _sync(sqlite_url, settings, [changed]) == {"gone": "removed", "syrianobserver": "kept"}
    assert [j.id for j in stored_jobs(engine)] == ["syrianobserver"]
    engine.dispose()


def test_no_job_table_means_no_jobs(sqlite_url: str) -> None:
    engine = make_engine(sqlite_url)
    assert stored_jobs(engine) == []
    engine.dispose()


def test_runs_left_running_past_the_time_limit_are_closed_as_killed(sqlite_url: str) -> None:
    from datetime import UTC, datetime, timedelta

    from crawler.jobs import reap_abandoned
    from storage.db import ensure_schema, session_scope
    from storage.models import CrawlRun

    now = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
    engine = make_engine(sqlite_url)
    ensure_schema(engine)
    with session_scope(engine) as session:
        # One running run per site (uq_crawl_runs_site_running): two sites; no heartbeat, no pid.
        for site, minutes in (("syrianobserver", 120), ("other", 5)):
            session.add(
                CrawlRun(
                    site=site,
                    spider="syrianobserver",
                    status="running",
                    started_at=now - timedelta(minutes=minutes),
                )
            )
    assert reap_abandoned(engine, now, timedelta(hours=1)) == [1]
    with session_scope(engine) as session:
        assert [r.status for r in session.query(CrawlRun).order_by(CrawlRun.id)] == ["killed", "running"]
    engine.dispose()
