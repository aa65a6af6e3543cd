"""Site profile models and value checks (pydantic): what a ``<key>.toml`` may hold.

Each check raises ValueError with what was expected and how to fix it; pydantic carries it to
:mod:`crawler.profiles.loader`, which makes one line per problem.  Pure configuration.
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

KEY_PATTERN = r"^[a-z0-9_]+$"
RESERVED_KEYS = frozenset({"site", "feed", "sitemap", "auto", "base", "profiles", "generic"})
"""Names of the generic spiders (and spider modules): a profile key must not shadow one."""
SELECTOR_FIELDS = (
    "title", "body", "published_at", "modified_at", "authors", "tags", "category", "summary", "image_url",
)


class ProfileError(ValueError):
    """Profiles that cannot be used; ``lines`` holds one line per problem (file, key, expected, fix)."""

    def __init__(self, lines: list[str]) -> None:
        super().__init__("\n".join(lines))
        self.lines = lines


# --- value checks (each raises ValueError with what was expected and how to fix it) -----------

def check_http_url(value: str) -> str:
    """An absolute http(s) URL with a host."""
    try:
        parts = urlsplit(value)
        ok = parts.scheme in ("http", "https") and bool(parts.hostname)
    except ValueError:
        ok = False
    if not ok:
        raise ValueError(f"{value!r} is not an http(s) URL; write e.g. \"https://news.example\"")
    return value.rstrip("/")


def check_regex(value: str) -> str:
    """A Python regular expression."""
    try:
        re.compile(value)
    except re.error as exc:
        raise ValueError(
            f"{value!r} is not a valid regular expression ({exc}); use a TOML literal string '...' "
            "so backslashes stay, e.g. '^/news/\\d+-[a-z0-9-]+$'"
        ) from None
    return value


def selector_xpath(selector: str) -> str:
    """The XPath of a profile selector: ``xpath:...`` as is, else CSS (parsel's ``::text``/``::attr()``)."""
    if selector.startswith("xpath:"):
        return selector[len("xpath:"):].strip()
    from parsel.csstranslator import HTMLTranslator

    return HTMLTranslator().css_to_xpath(selector)


def check_selector(value: str) -> str:
    """A CSS selector (parsel dialect) or ``xpath:EXPR`` that compiles."""
    from lxml import etree

    if not value.strip():
        raise ValueError("empty selector; give a CSS selector such as \"h1.headline\" or \"xpath://h1\"")
    try:
        etree.XPath(selector_xpath(value))
    except Exception as exc:  # cssselect and lxml raise several error types for a bad expression
        kind = "XPath" if value.startswith("xpath:") else "CSS selector"
        raise ValueError(
            f"{value!r} is not a valid {kind} ({type(exc).__name__}: {exc}); "
            "write CSS such as \"div.story__body\" or \"time::attr(datetime)\", or \"xpath://h1\""
        ) from None
    return value


def check_cron(value: str) -> str:
    """A 5-field crontab, UTC (APScheduler decides)."""
    from apscheduler.triggers.cron import CronTrigger

    try:
        CronTrigger.from_crontab(value, timezone="UTC")
    except ValueError as exc:
        raise ValueError(
            f"{value!r} is not a valid cron ({exc}); write 5 fields minute hour day month weekday, e.g. \"0 */2 * * *\""
        ) from None
    return value


def check_timezone(value: str) -> str:
    """An IANA time zone name."""
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"{value!r} is not an IANA time zone; write e.g. \"Asia/Beirut\" or \"UTC\"") from None
    return value


# --- the model -------------------------------------------------------------------------------

class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Listing(_Strict):
    """A listing chain: its first page and how the next pages are reached."""

    url: str
    """Path or absolute URL; ``{slug}`` makes it a template matched against links of fetched pages."""
    pagination: Literal["path", "query", "next", "none"] = "next"
    """``path``: ``.../page/N/``; ``query``: ``?PARAM=N``; ``next``: rel=next / a.next links; ``none``."""
    param: str = "page"
    """Query parameter of ``query`` pagination."""
    slugs: list[str] = Field(default_factory=list)
    """Explicit values of ``{slug}`` (else slugs are learned from links that match the template)."""
    first_page: int = 2
    """Number of the second page of the chain (page 1 is ``url`` itself)."""
    date: str | None = None
    """Selector of a teaser's date, for ``since`` (default: the teaser's ``<time datetime>``)."""

    @field_validator("date")
    @classmethod
    def _check_date(cls, value: str | None) -> str | None:
        return check_selector(value) if value is not None else value


class Discovery(_Strict):
    """Where the article URLs come from."""

    mode: Literal["profile", "auto"] = "profile"
    feeds: list[str] = Field(default_factory=list)
    sitemaps: list[str] = Field(default_factory=list)
    robots_sitemaps: bool = True
    """Also read the ``Sitemap:`` lines of robots.txt."""
    article_pattern: str | None = None
    listings: list[Listing] = Field(default_factory=list)
    max_listing_pages: Annotated[int, Field(ge=1)] = 1000

    @model_validator(mode="after")
    def _pattern_for_listings(self) -> Discovery:
        if self.listings and self.article_pattern is None and self.mode == "profile":
            raise ValueError(
                "listings need article_pattern (which links of a listing are articles); "
                "add e.g. article_pattern = '^/news/\\d+-[a-z0-9-]+$'"
            )
        return self

    @field_validator("article_pattern")
    @classmethod
    def _check_article_pattern(cls, value: str | None) -> str | None:
        return check_regex(value) if value is not None else value


class Selectors(_Strict):
    """CSS (or ``xpath:...``) selectors for fields the generic extractor gets wrong."""

    title: str | None = None
    body: str | None = None
    published_at: str | None = None
    modified_at: str | None = None
    authors: str | None = None
    tags: str | None = None
    category: str | None = None
    summary: str | None = None
    image_url: str | None = None

    @field_validator(*SELECTOR_FIELDS)
    @classmethod
    def _compile(cls, value: str | None) -> str | None:
        return check_selector(value) if value is not None else value


class Chrome(_Strict):
    """Elements stripped before extraction (cookie banners, newsletter boxes, "Read also")."""

    strip: list[str] = Field(default_factory=list)

    @field_validator("strip")
    @classmethod
    def _compile(cls, values: list[str]) -> list[str]:
        return [check_selector(v) for v in values]


class Politeness(_Strict):
    """How hard the site is fetched."""

    download_delay: Annotated[float, Field(ge=0)] | None = None
    concurrency: Annotated[int, Field(ge=1)] | None = None


class Recheck(_Strict):
    """Which stored articles a re-crawl asks the site about again (the rest are not fetched)."""

    recent_days: Annotated[float, Field(ge=0)] | None = None
    """Articles published less than this many days ago are re-checked on every run (default RECHECK_RECENT_DAYS)."""
    older_every_days: Annotated[float, Field(ge=0)] | None = None
    """Older ones once this many days passed since their last check; 0: never (default RECHECK_OLDER_EVERY_DAYS)."""


class Schedule(_Strict):
    """The default job of ``crawler schedule``."""

    cron: str | None = None
    """5-field crontab, UTC."""
    interval_seconds: Annotated[int, Field(ge=1)] | None = None
    """Instead of ``cron``: every N seconds."""
    args: dict[str, str | int] = Field(default_factory=dict)
    """Spider arguments (``since``, ``max_pages``)."""
    time_limit_seconds: Annotated[int, Field(ge=1)] | None = None
    """Close a scheduled crawl after this long (default SCHEDULER_CRAWL_TIME_LIMIT)."""

    @model_validator(mode="after")
    def _one_trigger(self) -> Schedule:
        if (self.cron is None) == (self.interval_seconds is None):
            raise ValueError(
                "give exactly one of cron and interval_seconds; write e.g. cron = \"0 */2 * * *\""
            )
        return self

    @field_validator("cron")
    @classmethod
    def _check_cron(cls, value: str | None) -> str | None:
        return check_cron(value) if value is not None else value


class Profile(_Strict):
    """One site."""

    key: Annotated[str, Field(pattern=KEY_PATTERN)]
    name: Annotated[str, Field(min_length=1)]
    base_url: str
    hosts: list[str] = Field(default_factory=list)
    language: str | None = None
    timezone: str | None = None
    parser: str | None = None
    """``module:Class`` of an ArticleParser, for a site that needs code."""
    discovery: Discovery | None = None
    selectors: Selectors | None = None
    chrome: Chrome | None = None
    politeness: Politeness | None = None
    recheck: Recheck | None = None
    schedule: Schedule | None = None

    @field_validator("base_url")
    @classmethod
    def _check_base_url(cls, value: str | None) -> str | None:
        return check_http_url(value) if value is not None else value

    @field_validator("timezone")
    @classmethod
    def _check_timezone(cls, value: str | None) -> str | None:
        return check_timezone(value) if value is not None else value

    @field_validator("parser")
    @classmethod
    def _parser(cls, value: str | None) -> str | None:
        if value is None:
            return value
        module, sep, name = value.partition(":")
        if not sep or not module or not name.isidentifier():
            raise ValueError(f"{value!r} is not module:Class; write e.g. \"crawler.parsers.sites.mysite:MySiteParser\"")
        try:
            found = importlib.util.find_spec(module) is not None
        except (ImportError, ValueError):
            found = False
        if not found:
            raise ValueError(f"module {module!r} of {value!r} cannot be imported; check the spelling or install it")
        return value

    @model_validator(mode="after")
    def _default_hosts(self) -> Profile:
        if not self.hosts:
            object.__setattr__(self, "hosts", [urlsplit(self.base_url).hostname or ""])
        object.__setattr__(self, "hosts", [h.lower() for h in self.hosts])
        return self

    @property
    def auto(self) -> bool:
        """True when discovery is automatic (no [discovery] table, or mode = "auto")."""
        return self.discovery is None or self.discovery.mode == "auto"

    @property
    def extracts(self) -> bool:
        """True when the profile changes extraction (selectors, chrome or time zone) and names no parser."""
        return self.parser is None and bool(self.selectors or self.chrome or self.timezone)


class LoadedProfile(BaseModel):
    """A validated profile and where it came from."""

    model_config = ConfigDict(frozen=True)

    profile: Profile
    path: Path
    bundled: bool
