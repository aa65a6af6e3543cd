"""The child crawl's command line: quiet by default, but the job's LOG_LEVEL or $CRAWLER_LOG_LEVEL wins."""

from __future__ import annotations

import pytest

from crawler.jobs import child_log_level, crawl_command


def settings_of(command: list[str]) -> dict[str, str]:
    """The ``-s NAME=VALUE`` pairs of a command line (the last one of a name wins, as in Scrapy)."""
    pairs = [command[i + 1] for i, part in enumerate(command) if part == "-s"]
    return dict(pair.split("=", 1) for pair in pairs)


def command(settings: dict[str, str] | None = None) -> list[str]:
    return crawl_command("syrianobserver", 7, "schedule", 60, settings=settings)


def test_a_scheduled_crawl_logs_warnings_only_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CRAWLER_LOG_LEVEL", raising=False)
    assert settings_of(command())["LOG_LEVEL"] == "WARNING"


def test_crawler_log_level_env_wins_over_the_quiet_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CRAWLER_LOG_LEVEL", "INFO")
    assert settings_of(command())["LOG_LEVEL"] == "INFO"


def test_the_entry_log_level_wins_over_env_and_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CRAWLER_LOG_LEVEL", "ERROR")
    assert settings_of(command({"LOG_LEVEL": "INFO"}))["LOG_LEVEL"] == "INFO"
    assert command({"LOG_LEVEL": "INFO"}).count("LOG_LEVEL=ERROR") == 0
    monkeypatch.delenv("CRAWLER_LOG_LEVEL")
    assert child_log_level({"LOG_LEVEL": "DEBUG"}) == "DEBUG"


def test_the_job_owned_settings_are_still_forced(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CRAWLER_LOG_LEVEL", raising=False)
    got = settings_of(command({"LOG_LEVEL": "INFO", "DOWNLOAD_DELAY": "2"}))
    assert got["DOWNLOAD_DELAY"] == "2" and got["CRAWL_RUN_ID"] == "7" and got["CLOSESPIDER_TIMEOUT"] == "60"
