"""The daemon against the replica: scheduled runs, clean stops, persisted jobs, interrupted crawls, crashes.

Each test runs ``crawler schedule`` as a subprocess on a temp SQLite file, with a
ReplicaServer in this process, and bounds every wait.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from daemon_support import STOP_BOUND, finished_runs, rows, runs, wait_until, write_schedule

from crawler.replica import ReplicaServer, ReplicaSite

pytestmark = pytest.mark.crawl


def article_count(db_url: str) -> int:
    found = rows(db_url, "SELECT COUNT(*) AS n FROM articles")
    return found[0]["n"] if found else 0


def job_rows(db_url: str) -> list[dict]:
    return rows(db_url, "SELECT id FROM apscheduler_jobs")


def test_daemon_runs_twice_records_counts_stops_and_restarts_with_jobs_persisted(
    tmp_path: Path, sqlite_url: str, daemons
) -> None:
    with ReplicaServer(site=ReplicaSite(articles=40)) as replica:
        schedule = write_schedule(tmp_path / "schedule.toml", replica.base_url, interval_seconds=3)
        daemon = daemons(schedule, sqlite_url)
        done = wait_until(
            lambda: len(finished_runs(sqlite_url)) >= 2 and finished_runs(sqlite_url), 60, "two finished runs", daemon
        )
        code, seconds = daemon.stop()
        assert code == 0 and seconds < STOP_BOUND
        first, second = done[0], done[1]
        stored = article_count(sqlite_url)
        print(
            f"run 1: new {first['articles_new']}, run 2: new {second['articles_new']} "
            f"unchanged {second['articles_unchanged']}; {stored} articles; stopped in {seconds:.1f}s"
        )
        assert first["trigger"] == second["trigger"] == "schedule"
        assert first["status"] == second["status"] == "ok"
        assert first["articles_new"] == stored > 30
        assert second["articles_new"] == 0 and second["articles_updated"] == 0
        # Each stored article is known on the second run: skipped (outside the re-check window) or re-checked.
        assert second["articles_unchanged"] + second["articles_not_modified"] + second["articles_skipped"] == stored
        assert first["pages_fetched"] > stored and first["bytes_fetched"] > 0
        assert first["articles_dropped"] == second["articles_dropped"]
        assert len(job_rows(sqlite_url)) == 1

        # Restart: the stored job is kept, not duplicated, and keeps firing.
        before = len(runs(sqlite_url))
        daemon = daemons(schedule, sqlite_url)
        wait_until(lambda: "job syrianobserver kept" in daemon.output(), 30, "the job kept on restart", daemon)
        wait_until(lambda: len(finished_runs(sqlite_url)) > before, 60, "a run after the restart", daemon)
        code, seconds = daemon.stop()
        assert code == 0 and seconds < STOP_BOUND
    assert [r["id"] for r in job_rows(sqlite_url)] == ["syrianobserver"]
    all_runs = runs(sqlite_url)
    assert all(r["status"] != "running" for r in all_runs)
    # One site never runs twice at once: each run starts after the previous one finished.
    for earlier, later in zip(all_runs, all_runs[1:], strict=False):
        assert later["started_at"] >= earlier["finished_at"]
    jobs_out = subprocess.run(
        [sys.executable, "-m", "crawler.cli", "jobs", "--db", sqlite_url], capture_output=True, text=True, timeout=60
    )
    assert jobs_out.returncode == 0 and "syrianobserver" in jobs_out.stdout and "interval" in jobs_out.stdout
    runs_out = subprocess.run(
        [sys.executable, "-m", "crawler.cli", "runs", "--db", sqlite_url, "--last", "3"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert runs_out.returncode == 0 and "schedule" in runs_out.stdout


def test_sigterm_mid_crawl_records_interrupted_keeps_articles_and_next_run_completes(
    tmp_path: Path, sqlite_url: str, daemons
) -> None:
    with ReplicaServer(site=ReplicaSite(articles=80), delay=0.25) as replica:
        schedule = write_schedule(tmp_path / "schedule.toml", replica.base_url, interval_seconds=2)
        daemon = daemons(schedule, sqlite_url)
        wait_until(lambda: article_count(sqlite_url) >= 5, 60, "articles stored by the first run", daemon)
        code, seconds = daemon.stop()
        assert code == 0 and seconds < STOP_BOUND
        [interrupted] = runs(sqlite_url)
        kept = article_count(sqlite_url)
        assert interrupted["status"] == "interrupted" and interrupted["finished_at"] is not None
        assert interrupted["articles_new"] == kept
        # What was stored is whole: every article has its title, body and first version.
        intact = rows(
            sqlite_url,
            "SELECT COUNT(*) AS n FROM articles a JOIN article_versions v ON v.article_id = a.id AND v.version = 1 "
            "WHERE length(a.title) > 0 AND length(a.body_text) >= 80",
        )
        assert intact[0]["n"] == kept

        replica.set_delay(0.0)
        daemon = daemons(schedule, sqlite_url)
        wait_until(lambda: any(r["status"] == "ok" for r in runs(sqlite_url)), 60, "a completed run", daemon)
        code, seconds = daemon.stop()
        assert code == 0 and seconds < STOP_BOUND
    completed = next(r for r in runs(sqlite_url) if r["status"] == "ok")
    total = article_count(sqlite_url)
    print(
        f"interrupted run kept {kept} articles (stopped in {seconds:.1f}s); the next run: new "
        f"{completed['articles_new']}, unchanged {completed['articles_unchanged']}, skipped "
        f"{completed['articles_skipped']}; {total} stored"
    )
    assert kept < total
    # The next run resumes (crawler/resume.py): the kept articles are not fetched again, the rest are new.
    assert completed["articles_new"] == total - kept
    assert completed["articles_unchanged"] + completed["articles_not_modified"] == 0
    # Only an earlier-published copy arriving after its kept copy updates a row (it takes it over).
    replaced = rows(sqlite_url, "SELECT COUNT(*) AS n FROM crawl_events WHERE run_id = :run AND kind = 'replaced'",
                    run=completed["id"])
    assert completed["articles_updated"] == replaced[0]["n"]
    assert rows(sqlite_url, "SELECT canonical_url FROM articles GROUP BY canonical_url HAVING COUNT(*) > 1") == []
    assert rows(sqlite_url, "SELECT content_hash FROM articles GROUP BY content_hash HAVING COUNT(*) > 1") == []


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ('[sites.nosuchsite]\ncron = "0 * * * *"\n', "entry [sites.nosuchsite]: unknown site 'nosuchsite'"),
        ('[sites.syrianobserver]\ncron = "0 25 * * *"\n', "entry [sites.syrianobserver]: invalid cron '0 25 * * *'"),
    ],
)
def test_bad_schedule_is_refused_at_start(tmp_path: Path, sqlite_url: str, entry: str, message: str) -> None:
    schedule = tmp_path / "bad.toml"
    schedule.write_text(entry, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "crawler.cli", "schedule", "--file", str(schedule), "--db", sqlite_url],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert f"crawler schedule: {schedule}, {message}" in result.stderr
    assert job_rows(sqlite_url) == []


def test_crashing_crawl_is_recorded_failed_and_the_daemon_keeps_running(
    tmp_path: Path, sqlite_url: str, daemons
) -> None:
    with ReplicaServer(site=ReplicaSite(articles=40)) as replica:
        # The schedule check cannot import classes: this one fails the child as it starts.
        schedule = write_schedule(
            tmp_path / "schedule.toml",
            replica.base_url,
            interval_seconds=2,
            settings={"LOG_FORMATTER": "crawler.nosuchmodule.Formatter"},
        )
        daemon = daemons(schedule, sqlite_url)
        failed = wait_until(
            lambda: len(finished_runs(sqlite_url)) >= 2 and finished_runs(sqlite_url), 60, "two failed runs", daemon
        )
        assert daemon.alive()
        code, _ = daemon.stop()
        assert code == 0
    for run in failed[:2]:
        assert run["status"] == "failed" and run["finished_at"] is not None
        assert "crawl process exited with code" in run["finish_reason"]
    assert "nosuchmodule" in daemon.output()
    checks = rows(sqlite_url, "SELECT run_id, status FROM health_checks WHERE \"check\" = 'run_status'")
    assert {c["run_id"]: c["status"] for c in checks}[failed[0]["id"]] == "fail"


def test_time_limit_ends_a_slow_crawl_as_timed_out(tmp_path: Path, sqlite_url: str, daemons) -> None:
    with ReplicaServer(site=ReplicaSite(articles=80), delay=0.5) as replica:
        schedule = write_schedule(
            tmp_path / "schedule.toml", replica.base_url, interval_seconds=2, time_limit_seconds=2
        )
        daemon = daemons(schedule, sqlite_url)
        [run] = wait_until(lambda: finished_runs(sqlite_url)[:1], 60, "a finished run", daemon)
        daemon.stop()
    assert run["status"] == "timed_out" and run["finish_reason"] == "closespider_timeout"
