"""The schedule file: valid entries load, bad ones are refused naming the file, the entry and the fix."""

from __future__ import annotations

from pathlib import Path

import pytest
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from crawler.cli import main
from crawler.schedule_file import ScheduleError, load_schedule, profile_schedule
from crawler.sites import SITES


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "schedule.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_cron_entry_with_base_url_args_and_settings(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
[sites.syrianobserver]
cron = "*/30 * * * *"
base_url = "http://127.0.0.1:8000"
time_limit_seconds = 600
args = { since = "2024-01-01", max_pages = 3 }
settings = { DOWNLOAD_DELAY = 2, ROBOTSTXT_OBEY = false }
""",
    )
    [entry] = load_schedule(path)
    assert entry.site == "syrianobserver"
    assert isinstance(entry.trigger(), CronTrigger)
    assert entry.args == {"since": "2024-01-01", "max_pages": "3"}
    assert entry.settings == {"DOWNLOAD_DELAY": "2", "ROBOTSTXT_OBEY": "false"}
    assert entry.time_limit_seconds == 600
    assert entry.describe() == "cron */30 * * * *"


def test_interval_entry(tmp_path: Path) -> None:
    [entry] = load_schedule(write(tmp_path, "[sites.syrianobserver]\ninterval_seconds = 5\n"))
    assert isinstance(entry.trigger(), IntervalTrigger)
    assert entry.describe() == "every 5s"


def test_entry_without_timing_takes_the_profile_default(tmp_path: Path) -> None:
    [entry] = load_schedule(write(tmp_path, '[sites.syrianobserver]\nbase_url = "https://example.org"\n'))
    assert entry.cron == SITES["syrianobserver"].schedule


def test_profile_schedule_has_every_site_with_a_default() -> None:
    entries = profile_schedule()
    assert {e.site for e in entries} == {k for k, p in SITES.items() if p.schedule}
    (syrianobserver,) = [e for e in entries if e.site == "syrianobserver"]
    assert syrianobserver.args == {"since": "3d"}  # a rolling window, not the whole archive


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "[sites.nosuchsite]\ncron = '* * * * *'\n",
            ["[sites.nosuchsite]", "unknown site 'nosuchsite'", "syrianobserver"],
        ),
        (
            "[sites.syrianobserver]\ncron = '61 * * * *'\n",
            ["[sites.syrianobserver]", "invalid cron '61 * * * *'", "5 fields"],
        ),
        ("[sites.syrianobserver]\ncron = '* * *'\n", ["invalid cron", "Wrong number of fields"]),
        ("[sites.syrianobserver]\ncron = '* * * * *'\ninterval_seconds = 5\n", ["both cron and interval_seconds"]),
        ("[sites.syrianobserver]\ninterval_seconds = 0\n", ["interval_seconds = 0 is not a positive whole number"]),
        ("[sites.syrianobserver]\ncrom = '* * * * *'\n", ["unknown key(s) crom", "allowed keys"]),
        ("[sites.syrianobserver]\nbase_url = 'ftp://x'\n", ["base_url = 'ftp://x' is not an http(s) URL"]),
        ("[sites.syrianobserver]\nargs = { since = [1] }\n", ["args.since is a list"]),
        ("[site.syrianobserver]\ncron = '* * * * *'\n", ["unknown top-level key(s) site"]),
        ("", ["no [sites.KEY] entries"]),
        ("[sites.syrianobserver]\nenabled = false\n", ["every entry is disabled"]),
        ("[sites.syrianobserver\n", ["not valid TOML"]),
        # Options that used to pass the check and fail every run: refused at load instead.
        (
            '[sites.syrianobserver]\nargs = { since = "yesterday" }\n',
            ["args.since = 'yesterday' is not a date", '"3d"'],
        ),
        ("[sites.syrianobserver]\nargs = { max_pages = 0 }\n", ["args.max_pages = '0' is not a whole number of 1"]),
        ('[sites.syrianobserver]\nargs = { max_pages = "ten" }\n', ["args.max_pages = 'ten'"]),
        (
            '[sites.syrianobserver]\nargs = { sinse = "3d" }\n',
            ["unknown spider argument(s) args.sinse", "known: base_url, since, max_pages"],
        ),
        ('[sites.syrianobserver]\nargs = { base_url = "ftp://x" }\n', ["args.base_url = 'ftp://x' is not an http(s)"]),
        (
            '[sites.syrianobserver]\nsettings = { DOWNLOAD_DELAY = "abc" }\n',
            ["settings.DOWNLOAD_DELAY = 'abc' is not a number", "DOWNLOAD_DELAY = 0"],
        ),
        (
            '[sites.syrianobserver]\nsettings = { HEALTH_MAX_ERROR_RATE = "high" }\n',
            ["settings.HEALTH_MAX_ERROR_RATE = 'high' is not a number"],
        ),
        (
            "[sites.syrianobserver]\nsettings = { DOWNLOAD_DELAI = 1 }\n",
            ["unknown setting settings.DOWNLOAD_DELAI", "did you mean DOWNLOAD_DELAY?"],
        ),
        (
            '[sites.syrianobserver]\nsettings = { ROBOTSTXT_OBEY = "nope" }\n',
            ["settings.ROBOTSTXT_OBEY = 'nope' is not a boolean"],
        ),
        ('[sites.syrianobserver]\nsettings = { LOG_LEVEL = "LOUD" }\n', ["settings.LOG_LEVEL = 'LOUD' is not a log"]),
        (
            "[sites.syrianobserver]\nsettings = { CLOSESPIDER_TIMEOUT = 60 }\n",
            ["settings.CLOSESPIDER_TIMEOUT is set by the daemon", "time_limit_seconds"],
        ),
        ('[sites.syrianobserver]\nenabled = "no"\n', ["enabled = 'no' is not a boolean", "enabled = false"]),
        ("[sites.syrianobserver]\nenabled = 0\n", ["enabled = 0 is not a boolean"]),
    ],
)
def test_bad_entries_are_refused_with_a_clear_message(tmp_path: Path, text: str, expected: list[str]) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ScheduleError) as info:
        load_schedule(path)
    message = str(info.value)
    assert message.startswith(str(path))
    for part in expected:
        assert part in message


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ScheduleError, match="no such schedule file"):
        load_schedule(tmp_path / "absent.toml")


def test_the_example_schedule_is_valid() -> None:
    entries = load_schedule(Path(__file__).resolve().parents[2] / "schedule.example.toml")
    assert [e.site for e in entries] == ["syrianobserver"]


def test_check_warns_about_an_unusable_webhook(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, '[sites.syrianobserver]\ncron = "0 * * * *"\n')
    assert main(["schedule", "--file", str(path), "--check", "-s", "HEALTH_WEBHOOK_URL=notaurl"]) == 0
    err = capsys.readouterr().err
    assert "crawler schedule: warning: HEALTH_WEBHOOK_URL (env CRAWLER_HEALTH_WEBHOOK) = 'notaurl'" in err
    assert "not an http(s) URL" in err and "Traceback" not in err


def test_settings_and_args_of_every_accepted_kind(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
[sites.syrianobserver]
cron = "0 * * * *"
args = { since = "7d", max_pages = "5", base_url = "http://127.0.0.1:8000" }
enabled = true

[sites.syrianobserver.settings]
DOWNLOAD_DELAY = "1.5"
CONCURRENT_REQUESTS = 4
AUTOTHROTTLE_ENABLED = false
LOG_LEVEL = "INFO"
USER_AGENT = "x"
HEALTH_MAX_ERROR_RATE = 0.5
ROBOTSTXT_OBEY = "True"
""",
    )
    [entry] = load_schedule(path)
    assert entry.args == {"since": "7d", "max_pages": "5", "base_url": "http://127.0.0.1:8000"}
    assert entry.settings["AUTOTHROTTLE_ENABLED"] == "false" and entry.settings["LOG_LEVEL"] == "INFO"
