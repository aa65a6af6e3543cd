"""The schedule: which site is crawled when, from a TOML schedule file and/or the site profiles.

A schedule file (see ``schedule.example.toml``)::

    [sites.syrianobserver]
    cron = "0 */2 * * *"            # or: interval_seconds = 7200; neither: the profile's default
    base_url = "https://syrianobserver.com"   # optional: crawl this copy instead
    time_limit_seconds = 1800       # optional: default SCHEDULER_CRAWL_TIME_LIMIT
    args = { since = "3d" }         # optional spider arguments (-a): here the last 3 days
    settings = { DOWNLOAD_DELAY = "2" }  # optional Scrapy settings (-s)
    enabled = false                 # optional: keep the entry, do not schedule it

Everything is checked before the daemon starts, so a job cannot fail later on its own
options: keys and types, the cron, spider arguments through the spider's own parsers
(``spiders.base``), setting names against crawler/settings.py and Scrapy's defaults, and
values of numeric, boolean and log-level settings. A bad entry raises ``ScheduleError``
naming the file, the entry and what to do.
"""

from __future__ import annotations

import difflib
import tomllib
from dataclasses import dataclass, field
from datetime import UTC
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from crawler.args import SpiderArgumentError, parse_positive_int, parse_since
from crawler.sites import SITES, SiteProfile

ENTRY_KEYS = {"cron", "interval_seconds", "base_url", "time_limit_seconds", "args", "settings", "enabled"}
# The arguments NewsSpider.__init__ takes; any other would fail the crawl at start.
SPIDER_ARGS = ("base_url", "since", "max_pages")
# Settings the job sets itself for every crawl (crawler/jobs.py): a value here would be overwritten.
# Secrets too: the file's entries are stored with the jobs and put on the crawl's command line.
RESERVED_SETTINGS = {
    "DATABASE_URL": "pass --db to crawler schedule instead",
    "HEALTH_WEBHOOK_URL": "a secret: set $CRAWLER_HEALTH_WEBHOOK (or -s) for the daemon instead",
    "CRAWL_RUN_ID": "the daemon sets it for each run; remove it",
    "CRAWL_TRIGGER": "the daemon sets it for each run; remove it",
    "CLOSESPIDER_TIMEOUT": "use time_limit_seconds instead",
}
LOG_LEVELS = ("CRITICAL", "ERROR", "WARNING", "INFO", "DEBUG")


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


def _is_http_url(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    try:
        parts = urlsplit(value)
        return parts.scheme in ("http", "https") and bool(parts.hostname)
    except ValueError:  # e.g. an unbalanced [ in the host
        return False


def check_spider_args(source: str, site: str, args: dict[str, str]) -> None:
    """Refuse spider arguments the spider would refuse when the crawl starts (its own parsers decide)."""
    unknown = sorted(set(args) - set(SPIDER_ARGS))
    if unknown:
        raise _fail(
            source,
            site,
            f"unknown spider argument(s) args.{', args.'.join(unknown)}",
            f"known: {', '.join(SPIDER_ARGS)}",
        )
    if "since" in args:
        try:
            parse_since(args["since"])
        except SpiderArgumentError:
            raise _fail(
                source,
                site,
                f"args.since = {args['since']!r} is not a date",
                'write YYYY-MM-DD or Nd for the last N days, e.g. since = "3d" or since = "2024-01-31"',
            ) from None
    if "max_pages" in args:
        try:
            parse_positive_int("max_pages", args["max_pages"])
        except SpiderArgumentError:
            raise _fail(
                source,
                site,
                f"args.max_pages = {args['max_pages']!r} is not a whole number of 1 or more",
                "write e.g. max_pages = 10, or leave it out for no limit",
            ) from None
    if "base_url" in args and not _is_http_url(args["base_url"]):
        raise _fail(
            source,
            site,
            f"args.base_url = {args['base_url']!r} is not an http(s) URL",
            'write base_url = "http://127.0.0.1:8000" as a key of the entry',
        )


def known_settings() -> dict[str, Any]:
    """Every setting name the crawl knows, with its default: Scrapy's, overlaid with crawler/settings.py."""
    from scrapy.settings import default_settings

    from crawler import settings as project

    names = {n: getattr(default_settings, n) for n in dir(default_settings) if n.isupper()}
    names.update({n: getattr(project, n) for n in dir(project) if n.isupper()})
    return names


def check_settings(source: str, site: str, settings: dict[str, str]) -> None:
    """Refuse unknown setting names and values Scrapy could not read as its default's type."""
    known = known_settings()
    for name, value in settings.items():
        if name in RESERVED_SETTINGS:
            raise _fail(source, site, f"settings.{name} is set by the daemon", RESERVED_SETTINGS[name])
        if name not in known:
            close = difflib.get_close_matches(name.upper(), known, n=1)
            hint = f"did you mean {close[0]}? " if close else ""
            raise _fail(
                source,
                site,
                f"unknown setting settings.{name}",
                f"{hint}use a name from crawler/settings.py or Scrapy's settings (upper case)",
            )
        default = known[name]
        if name == "LOG_LEVEL":
            if value not in LOG_LEVELS:
                raise _fail(
                    source,
                    site,
                    f"settings.LOG_LEVEL = {value!r} is not a log level",
                    f"use one of: {', '.join(LOG_LEVELS)}",
                )
        elif isinstance(default, bool):
            # What Scrapy's getbool takes: a whole number, or true/false in lower or title case.
            if not value.lstrip("-").isdigit() and value not in ("true", "false", "True", "False"):
                raise _fail(
                    source, site, f"settings.{name} = {value!r} is not a boolean", f"write {name} = true or false"
                )
        elif isinstance(default, int | float):
            try:
                float(value)
            except ValueError:
                raise _fail(
                    source,
                    site,
                    f"settings.{name} = {value!r} is not a number",
                    f"write e.g. {name} = {default!r} (the default)",
                ) from None


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
    enabled = raw.get("enabled", True)
    if not isinstance(enabled, bool):
        # A string such as "no" is truthy: it would schedule the entry the user meant to switch off.
        raise _fail(source, site, f"enabled = {enabled!r} is not a boolean", "write enabled = true or enabled = false")
    if not enabled:
        return None
    cron = raw.get("cron")
    interval = raw.get("interval_seconds")
    if cron is not None and interval is not None:
        raise _fail(source, site, "both cron and interval_seconds are set", "keep one of them")
    if cron is None and interval is None:
        if not profile.schedule and not profile.schedule_interval:
            raise _fail(
                source,
                site,
                "no cron or interval_seconds, and the site has no default schedule",
                'add cron = "0 */2 * * *" or interval_seconds = 7200',
            )
        cron, interval = profile.schedule, profile.schedule_interval
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
    if base_url is not None and not _is_http_url(base_url):
        raise _fail(
            source, site, f"base_url = {base_url!r} is not an http(s) URL", 'e.g. base_url = "http://127.0.0.1:8000"'
        )
    limit = raw.get("time_limit_seconds")
    if limit is not None:
        limit = _positive_int(source, site, "time_limit_seconds", limit)
    args = _strings(source, site, "args", raw.get("args", {}))
    check_spider_args(source, site, args)
    settings = _strings(source, site, "settings", raw.get("settings", {}))
    check_settings(source, site, settings)
    return ScheduleEntry(
        site=site,
        cron=cron,
        interval_seconds=interval,
        base_url=base_url,
        time_limit_seconds=limit,
        args=args,
        settings=settings,
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
    """One entry per site profile that has a ``[schedule]`` (validated when the profiles loaded)."""
    entries = []
    for profile in SITES.values():
        if profile.schedule or profile.schedule_interval:
            args = dict(profile.schedule_args)
            check_spider_args(str(profile.path or "crawler/sites.py"), profile.key, args)
            entries.append(
                ScheduleEntry(
                    site=profile.key,
                    cron=profile.schedule,
                    interval_seconds=profile.schedule_interval,
                    time_limit_seconds=profile.time_limit_seconds,
                    args=args,
                )
            )
    if not entries:
        raise ScheduleError("no site profile has a [schedule]; add one (docs/profiles.md) or pass --file SCHEDULE.toml")
    return entries
