"""Results are stored per run; failing checks go to the webhook from a thread, retried, never raising."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from scrapy.settings import Settings

from crawler import health
from crawler import settings as project_settings_module
from crawler.health import after_run, latest_results, post_json
from storage.db import ensure_schema, make_engine, session_scope
from storage.models import CrawlRun

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


class Receiver:
    """A webhook receiver on 127.0.0.1 that answers the scripted statuses, then 200."""

    def __init__(self, statuses: list[int] | None = None) -> None:
        self.statuses = list(statuses or [])
        self.bodies: list[dict] = []
        self.hits = 0
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.hits += 1
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                if status == 200:
                    receiver.bodies.append(json.loads(body))
                self.send_response(status)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.close()


def test_post_json_retries_until_accepted() -> None:
    r = Receiver(statuses=[500, 503])
    try:
        assert post_json(r.url, {"site": "x"}, attempts=3, timeout=5, pause=0.0)
        assert r.hits == 3 and r.bodies == [{"site": "x"}]
    finally:
        r.close()


def test_post_json_gives_up_without_raising() -> None:
    assert post_json("http://127.0.0.1:9/nothing", {"site": "x"}, attempts=2, timeout=1, pause=0.0) is False


def _settings(webhook: str) -> Settings:
    settings = Settings(dict(vars(project_settings_module)))
    settings.set("HEALTH_WEBHOOK_URL", webhook)
    return settings


def test_after_run_stores_results_and_alerts_in_the_background(sqlite_url: str, receiver: Receiver) -> None:
    engine = make_engine(sqlite_url)
    ensure_schema(engine)
    with session_scope(engine) as session:
        session.add(
            CrawlRun(
                site="syrianobserver",
                spider="syrianobserver",
                trigger="schedule",
                status="failed",
                started_at=NOW,
                finished_at=NOW,
                finish_reason="crawl process exited with code 1",
            )
        )
    started = time.monotonic()
    results = after_run(engine, 1, _settings(receiver.url), NOW)
    assert time.monotonic() - started < 1.0
    assert [r.check for r in results if r.failed] == ["run_status"]
    deadline = time.monotonic() + 10
    while not receiver.bodies and time.monotonic() < deadline:
        time.sleep(0.05)
    [alert] = receiver.bodies
    assert alert["site"] == "syrianobserver" and alert["check"] == "run_status" and alert["run_id"] == 1
    assert alert["event"] == "crawler.health_check_failed" and "code 1" in alert["detail"]
    # Re-checking a run replaces its results instead of adding more.
    after_run(engine, 1, _settings(""), NOW)
    with session_scope(engine) as session:
        latest = latest_results(session)
    assert list(latest) == ["syrianobserver"]
    assert len(latest["syrianobserver"]) == len(results)
    engine.dispose()


def test_after_run_never_raises(sqlite_url: str) -> None:
    engine = make_engine("sqlite:////nonexistent-dir/x.db")
    assert after_run(engine, 1, _settings(""), NOW) == []


def test_latest_results_skip_an_interrupted_run(sqlite_url: str) -> None:
    engine = make_engine(sqlite_url)
    ensure_schema(engine)
    with session_scope(engine) as session:
        for status in ("ok", "failed", "interrupted"):
            session.add(
                CrawlRun(site="syrianobserver", spider="syrianobserver", status=status, started_at=NOW, finished_at=NOW)
            )
    for run_id in (1, 2, 3):
        after_run(engine, run_id, _settings(""), NOW)
    with session_scope(engine) as session:
        [checks] = latest_results(session, "syrianobserver").values()
    assert {c.run_id for c in checks} == {2}
    assert [c.check for c in checks if c.status == "fail"] == ["run_status"]
    engine.dispose()


@pytest.mark.parametrize("url", ["notaurl", "ftp://hooks.example.org/x", "http://", "http://[::1/hook"])
def test_post_json_refuses_an_unusable_url_without_raising(url: str, caplog: pytest.LogCaptureFixture) -> None:
    assert post_json(url, {"site": "x", "check": "run_status"}, attempts=3, timeout=1, pause=0.0) is False
    assert "HEALTH_WEBHOOK_URL (env CRAWLER_HEALTH_WEBHOOK)" in caplog.text and "not an http(s) URL" in caplog.text


def _failed_run(sqlite_url: str):  # noqa: ANN202 - an Engine
    engine = make_engine(sqlite_url)
    ensure_schema(engine)
    with session_scope(engine) as session:
        session.add(
            CrawlRun(site="syrianobserver", spider="syrianobserver", status="failed", started_at=NOW, finished_at=NOW)
        )
    return engine


def test_an_invalid_webhook_is_warned_once_and_no_thread_crashes(
    sqlite_url: str, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    crashed: list[threading.ExceptHookArgs] = []
    monkeypatch.setattr(threading, "excepthook", crashed.append)
    monkeypatch.setattr(health, "_warned_webhooks", set())
    engine = _failed_run(sqlite_url)
    for _ in range(2):
        results = after_run(engine, 1, _settings("notaurl"), NOW)
        assert [r.check for r in results if r.failed] == ["run_status"]
    engine.dispose()
    assert not [t for t in threading.enumerate() if t.name == "health-webhook"]
    warnings = [r.getMessage() for r in caplog.records if "not an http(s) URL" in r.getMessage()]
    assert len(warnings) == 1
    assert "HEALTH_WEBHOOK_URL (env CRAWLER_HEALTH_WEBHOOK) = 'notaurl'" in warnings[0]
    assert "only logged" in warnings[0]
    assert "health check failed: site syrianobserver, run_status" in caplog.text
    assert crashed == []


def test_the_alert_thread_survives_an_unexpected_error(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    crashed: list[threading.ExceptHookArgs] = []
    monkeypatch.setattr(threading, "excepthook", crashed.append)

    def broken(*_args: object, **_kwargs: object) -> bool:
        raise ValueError("unknown url type")

    monkeypatch.setattr(health, "post_json", broken)
    result = health.CheckResult("syrianobserver", "run_status", "fail", "run 1 failed", 1, NOW)
    thread = health.send_alerts([result], "http://127.0.0.1:9/hook")
    assert thread is not None
    thread.join(5)
    assert crashed == []
    assert "alert syrianobserver/run_status not sent" in caplog.text
