"""The schedule: which site is crawled when, from a TOML schedule file and/or the site profiles.

A schedule file (see ``schedule.example.toml``)::

    [sites.syrianobserver]
    cron = "0 */2 * * *"            # or: interval_seconds = 7200; neither: the profile's default
    base_url = "https://syrianobserver.com"   # optional: crawl this copy instead
    time_limit_seconds = 1800       # optional: default SCHEDULER_CRAWL_TIME_LIMIT
    args = { since = "3d" }         # optional spider arguments (-a): here the last 3 days
    settings = { DOWNLOAD_DELAY = "2" }  # optional Scrapy settings (-s)

Everything is checked before the daemon starts: a bad entry raises ``ScheduleError``
naming the file, the entry and what to do.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import UTC
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from crawler.sites import SITES, SiteProfile

ENTRY_KEYS = {"cron", "interval_seconds", "base_url", "time_limit_seconds", "args", "settings", "enabled"}


class ScheduleError(ValueError):
    """A schedule that cannot be used; the message names the file, the entry and the fix."""


@dataclass(frozen=True)
class ScheduleEntry:
    """One site's job: when it runs and how its crawl is started."""

    site: str
    cron: str | None = None
    interval_seconds: int | None = None
    base_url: str | None = None
    time_limit_seconds: int | None = None
    args: dict[str, str] = field(default_factory=dict)
    settings: dict[str, str] = field(default_factory=dict)

    def trigger(self) -> BaseTrigger:
        """The APScheduler 3.x trigger (cron in UTC, or a fixed interval)."""
        if self.cron:
            return CronTrigger.from_crontab(self.cron, timezone=UTC)
        assert self.interval_seconds
        return IntervalTrigger(seconds=self.interval_seconds, timezone=UTC)

    def describe(self) -> str:
        """``cron 0 */2 * * *`` or ``every 300s``."""
        return f"cron {self.cron}" if self.cron else f"every {self.interval_seconds}s"


def _fail(source: str, site: str | None, problem: str, fix: str) -> ScheduleError:
    where = f"{source}, entry [sites.{site}]" if site else source
    return ScheduleError(f"{where}: {problem}; {fix}")


def check_cron(expression: str) -> None:
    """Raise ValueError with APScheduler's reason when ``expression`` is not a 5-field crontab."""
    CronTrigger.from_crontab(expression, timezone=UTC)


def _strings(source: str, site: str, name: str, value: Any) -> dict[str, str]:
    if not isinstance(value, dict):
        raise _fail(source, site, f"{name} must be a table", f'write e.g. {name} = {{ key = "value" }}')
    result: dict[str, str] = {}
    for key, item in value.items():
        if isinstance(item, dict | list):
            raise _fail(source, site, f"{name}.{key} is a {type(item).__name__}", "give a plain value")
        result[str(key)] = str(item).lower() if isinstance(item, bool) else str(item)
    return result


def _positive_int(source: str, site: str, name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise _fail(source, site, f"{name} = {value!r} is not a positive whole number", f"write e.g. {name} = 300")
    return value


def parse_entry(source: str, site: str, raw: Any, profile: SiteProfile | None = None) -> ScheduleEntry | None:
    """Validate one ``[sites.KEY]`` table; ``None`` when it is disabled."""
    if site not in SITES:
        known = ", ".join(sorted(SITES))
        raise _fail(source, site, f"unknown site {site!r}", f"use one of: {known} (see `crawler sites`)")
    profile = profile or SITES[site]
    if not isinstance(raw, dict):
        raise _fail(source, site, "the entry is not a table", f"write it as [sites.{site}] with cron = ...")
    unknown = sorted(set(raw) - ENTRY_KEYS)
    if unknown:
        raise _fail(
            source, site, f"unknown key(s) {', '.join(unknown)}", f"allowed keys: {', '.join(sorted(ENTRY_KEYS))}"
        )
    if raw.get("enabled", True) is False:
        return None
    cron = raw.get("cron")
    interval = raw.get("interval_seconds")
    if cron is not None and interval is not None:
        raise _fail(source, site, "both cron and interval_seconds are set", "keep one of them")
    if cron is None and interval is None:
        if not profile.schedule:
            raise _fail(
                source,
                site,
                "no cron or interval_seconds, and the site has no default schedule",
                'add cron = "0 */2 * * *" or interval_seconds = 7200',
            )
        cron = profile.schedule
    if cron is not None:
        if not isinstance(cron, str):
            raise _fail(source, site, f"cron = {cron!r} is not a string", 'write e.g. cron = "*/30 * * * *"')
        try:
            check_cron(cron)
        except ValueError as exc:
            raise _fail(
                source,
                site,
                f"invalid cron {cron!r} ({exc})",
                'use 5 fields: minute hour day month weekday, e.g. "0 */2 * * *"',
            ) from None
    if interval is not None:
        interval = _positive_int(source, site, "interval_seconds", interval)
    base_url = raw.get("base_url")
    if base_url is not None and (not isinstance(base_url, str) or urlsplit(base_url).scheme not in ("http", "https")):
        raise _fail(
            source, site, f"base_url = {base_url!r} is not an http(s) URL", 'e.g. base_url = "http://127.0.0.1:8000"'
        )
    limit = raw.get("time_limit_seconds")
    if limit is not None:
        limit = _positive_int(source, site, "time_limit_seconds", limit)
    return ScheduleEntry(
        site=site,
        cron=cron,
        interval_seconds=interval,
        base_url=base_url,
        time_limit_seconds=limit,
        args=_strings(source, site, "args", raw.get("args", {})),
        settings=_strings(source, site, "settings", raw.get("settings", {})),
    )


def parse_schedule(data: dict[str, Any], source: str = "<schedule>") -> list[ScheduleEntry]:
    """The entries of a parsed schedule document (``{"sites": {KEY: {...}}}``)."""
    unknown = sorted(set(data) - {"sites"})
    if unknown:
        raise _fail(source, None, f"unknown top-level key(s) {', '.join(unknown)}", "put every job under [sites.KEY]")
    sites = data.get("sites")
    if not isinstance(sites, dict) or not sites:
        raise _fail(source, None, "no [sites.KEY] entries", 'add e.g. [sites.syrianobserver] with cron = "0 */2 * * *"')
    entries = [parse_entry(source, key, raw) for key, raw in sites.items()]
    result = [entry for entry in entries if entry is not None]
    if not result:
        raise _fail(source, None, "every entry is disabled", "enable at least one (enabled = true)")
    return result


def load_schedule(path: str | Path) -> list[ScheduleEntry]:
    """Read and validate a TOML schedule file."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ScheduleError(f"{path}: no such schedule file; see schedule.example.toml") from None
    except tomllib.TOMLDecodeError as exc:
        raise ScheduleError(f"{path}: not valid TOML ({exc}); see schedule.example.toml") from None
    return parse_schedule(data, str(path))


def profile_schedule() -> list[ScheduleEntry]:
    """One entry per site profile that has a default schedule."""
    entries = []
    for profile in SITES.values():
        if profile.schedule:
            try:
                check_cron(profile.schedule)
            except ValueError as exc:
                raise _fail(
                    "crawler/sites.py",
                    profile.key,
                    f"invalid default cron {profile.schedule!r} ({exc})",
                    "fix SiteProfile.schedule",
                ) from None
            entries.append(ScheduleEntry(site=profile.key, cron=profile.schedule, args=dict(profile.schedule_args)))
    if not entries:
        raise ScheduleError("no site profile has a default schedule; pass --file SCHEDULE.toml")
    return entries
