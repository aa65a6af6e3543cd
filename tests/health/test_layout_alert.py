"""A redesign of the replica breaks the parser: the next run fails a coverage check, ``crawler health``
exits non-zero and a local webhook receiver gets the alert naming the site and the field."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from sqlalchemy import text

from crawler.replica import ReplicaServer, ReplicaSite
from crawler.replica.edits import shift_timeline
from storage.db import make_engine

pytestmark = pytest.mark.crawl


def start_receiver() -> tuple[ThreadingHTTPServer, list[dict]]:
    received: list[dict] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, received


def cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "crawler.cli", *args], capture_output=True, text=True, timeout=120, env=env
    )


def test_layout_change_fails_coverage_check_and_alerts_the_webhook(tmp_path: Path, sqlite_url: str) -> None:
    server, received = start_receiver()
    hook = f"http://127.0.0.1:{server.server_address[1]}/alerts"
    env = dict(os.environ, CRAWLER_HEALTH_WEBHOOK=hook)
    try:
        site = ReplicaSite(articles=40)
        # Posts of the last days, re-checked by every run: a redesign shows on the pages a run fetches again.
        shift_timeline(site, datetime.now(UTC) - timedelta(hours=1))
        with ReplicaServer(site=site) as replica:
            schedule = tmp_path / "schedule.toml"
            schedule.write_text(
                f'[sites.syrianobserver]\nbase_url = "{replica.base_url}"\n'
                'settings = { RECHECK_RECENT_DAYS = "5" }\n',
                encoding="utf-8",
            )
            first = cli("run-now", "syrianobserver", "--file", str(schedule), "--db", sqlite_url, env=env)
            assert first.returncode == 0, first.stderr[-2000:]
            healthy = cli("health", "--db", sqlite_url)
            assert healthy.returncode == 0, healthy.stdout

            replica.set_layout("redesign")
            second = cli("run-now", "syrianobserver", "--file", str(schedule), "--db", sqlite_url, env=env)
            assert second.returncode == 0, second.stderr[-2000:]
        health = cli("health", "--db", sqlite_url)
        deadline = time.monotonic() + 15
        while not received and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        server.shutdown()
        server.server_close()

    assert health.returncode == 1
    assert "syrianobserver: FAILING" in health.stdout and "coverage:" in health.stdout
    coverage_alerts = [a for a in received if a["check"].startswith("coverage:")]
    assert coverage_alerts, received
    engine = make_engine(sqlite_url)
    with engine.connect() as conn:
        before, after = (
            json.loads(c) if isinstance(c, str) else c
            for c in conn.execute(text("SELECT field_coverage FROM crawl_runs ORDER BY id")).scalars()
        )
        failing = (
            conn.execute(text("SELECT \"check\" FROM health_checks WHERE run_id = 2 AND status = 'fail'"))
            .scalars()
            .all()
        )
    engine.dispose()
    for alert in coverage_alerts:
        field = alert["field"]
        assert alert["site"] == "syrianobserver" and alert["status"] == "fail" and alert["run_id"] == 2
        assert alert["check"] == f"coverage:{field}" and field in alert["detail"]
        assert f"coverage:{field}" in failing
        # The field really dropped between the two runs.
        assert before.get(field, 0) - after.get(field, 0) >= 0.3
    print("alerts:", [(a["site"], a["field"], a["detail"]) for a in coverage_alerts])


def test_a_manual_crawl_is_recorded_and_health_checked(sqlite_url: str) -> None:
    server, received = start_receiver()
    env = dict(os.environ, CRAWLER_HEALTH_WEBHOOK=f"http://127.0.0.1:{server.server_address[1]}/alerts")
    try:
        # Nothing listens on port 1: the crawl fetches nothing and is recorded failed.
        result = cli("crawl", "syrianobserver", "--db", sqlite_url, "-a", "base_url=http://127.0.0.1:1", env=env)
        deadline = time.monotonic() + 15
        while not received and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        server.shutdown()
        server.server_close()
    assert result.returncode == 1
    engine = make_engine(sqlite_url)
    with engine.connect() as conn:
        run = conn.execute(text("SELECT id, trigger, status FROM crawl_runs")).one()
        status = conn.execute(text("SELECT status FROM health_checks WHERE \"check\" = 'run_status'")).scalar_one()
    engine.dispose()
    assert (run.trigger, run.status, status) == ("manual", "failed", "fail")
    assert [(a["site"], a["check"], a["run_id"]) for a in received][:1] == [("syrianobserver", "run_status", run.id)]
    assert cli("health", "--db", sqlite_url).returncode == 1
