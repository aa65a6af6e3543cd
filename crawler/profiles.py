"""Site profiles: one TOML file per site, validated with pydantic (see docs/profiles.md).

Bundled profiles live in ``crawler/profiles/*.toml``; a user's directory (setting
``SITE_PROFILES_DIR``, env ``CRAWLER_SITE_PROFILES``) adds sites and overrides a bundled
profile of the same key.  Every problem is one line naming the file, the key, what was
expected and a fix; :func:`load_profiles` raises :class:`ProfileError` holding all of them.
Pure configuration: no Scrapy, no network.
"""

from __future__ import annotations

import difflib
import importlib.util
import os
import re
import tomllib
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

BUNDLED_DIR = Path(__file__).resolve().parent / "profiles"
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


# --- error lines ---------------------------------------------------------------------------

_EXAMPLES = {
    "key": 'key = "mysite" (lowercase letters, digits, _; the file name without .toml)',
    "name": 'name = "The Levant Post"',
    "base_url": 'base_url = "https://news.example"',
    "cron": 'cron = "0 */2 * * *"',
    "url": 'url = "/news"',
}


def _model_at(loc: tuple[Any, ...]) -> type[BaseModel] | None:
    """The model class of the table at ``loc`` (for the keys it allows)."""
    model: type[BaseModel] | None = Profile
    for part in loc:
        if model is None or isinstance(part, int):
            continue
        field = model.model_fields.get(str(part))
        if field is None:
            return model
        annotation = field.annotation
        model = None
        for candidate in (Discovery, Selectors, Chrome, Politeness, Schedule, Listing):
            text = str(annotation)
            if candidate.__name__ in text:
                model = candidate
                break
    return model


def _dotted(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _error_line(path: Path, error: dict[str, Any]) -> str:
    loc = tuple(error["loc"])
    where = _dotted(loc)
    kind = error["type"]
    if kind == "extra_forbidden":
        parent = _model_at(loc[:-1]) or Profile
        allowed = sorted(parent.model_fields)
        close = difflib.get_close_matches(str(loc[-1]), allowed, n=1, cutoff=0.6)
        fix = f"did you mean {close[0]!r}?" if close else "remove it"
        table = _dotted(loc[:-1]) or "the top level"
        return f"{path}: key {where!r}: unknown key in {table} (expected one of: {', '.join(allowed)}); {fix}"
    if kind == "missing":
        example = _EXAMPLES.get(str(loc[-1]), f"{loc[-1]} = ...")
        return f"{path}: key {where!r}: missing required key; add e.g. {example}"
    if kind == "value_error":
        message = str(error.get("ctx", {}).get("error", error["msg"]))
        return f"{path}: key {where!r}: {message}"
    if kind == "string_pattern_mismatch" and loc[-1] == "key":
        return f"{path}: key 'key': {error['input']!r} is not a site key; write e.g. {_EXAMPLES['key']}"
    if kind == "literal_error":
        expected = error.get("ctx", {}).get("expected", "")
        return f"{path}: key {where!r}: {error['input']!r} is not allowed; write one of {expected}"
    expected = error["msg"][0].lower() + error["msg"][1:]
    return f"{path}: key {where!r}: got {error.get('input')!r}, expected: {expected}; fix the value"


def _merge_typos(errors: list[Any]) -> list[Any]:
    """Leave out "missing key X" when an unknown key of the same table is a typo of X (one problem, one line)."""
    missing = {tuple(e["loc"]) for e in errors if e["type"] == "missing"}
    typos: set[tuple[Any, ...]] = set()
    for e in errors:
        if e["type"] == "extra_forbidden":
            loc = tuple(e["loc"])
            close = difflib.get_close_matches(str(loc[-1]), [str(m[-1]) for m in missing if m[:-1] == loc[:-1]], n=1)
            if close:
                typos.add(loc[:-1] + (close[0],))
    return [e for e in errors if not (e["type"] == "missing" and tuple(e["loc"]) in typos)]


def parse_profile(data: dict[str, Any], path: Path) -> Profile:
    """Validate one profile document; :class:`ProfileError` lists every problem, one line each."""
    try:
        profile = Profile.model_validate(data)
    except ValidationError as exc:
        raise ProfileError([_error_line(path, e) for e in _merge_typos(exc.errors())]) from None
    if profile.key in RESERVED_KEYS:
        raise ProfileError([
            f"{path}: key 'key': {profile.key!r} is the name of a generic spider "
            f"({', '.join(sorted(RESERVED_KEYS))}); choose another key and rename the file"
        ])
    if profile.key != path.stem:
        raise ProfileError([
            f"{path}: key 'key': {profile.key!r} differs from the file name {path.name!r}; "
            f"rename the file to {profile.key}.toml or set key = {path.stem!r}"
        ])
    return profile


def load_file(path: Path) -> Profile:
    """Read and validate one ``<key>.toml`` file."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ProfileError([f"{path}: not valid TOML ({exc}); fix the syntax there"]) from None
    except OSError as exc:
        raise ProfileError([f"{path}: cannot be read ({exc.strerror}); check the path and its permissions"]) from None
    return parse_profile(data, path)


def _directory_files(directory: Path) -> list[Path]:
    return sorted(p for p in directory.glob("*.toml") if p.is_file())


def user_profiles_dir() -> Path | None:
    """The user's profile directory from settings (``SITE_PROFILES_DIR`` / ``$CRAWLER_SITE_PROFILES``)."""
    from crawler import settings

    # The environment is read again: it may have changed since settings was imported (tests, the CLI).
    value = os.environ.get("CRAWLER_SITE_PROFILES") or settings.SITE_PROFILES_DIR
    return Path(value).expanduser() if value else None


def load_profiles(
    user_dir: str | Path | None = None, bundled_dir: str | Path | None = BUNDLED_DIR
) -> dict[str, LoadedProfile]:
    """Every profile by key: the bundled ones, then the user directory's (same key: the user's wins).

    ``user_dir`` defaults to :func:`user_profiles_dir`.  Raises :class:`ProfileError` with one
    line per problem across all files, so a user fixes them in one pass.
    """
    user = Path(user_dir).expanduser() if user_dir is not None else user_profiles_dir()
    problems: list[str] = []
    loaded: dict[str, LoadedProfile] = {}
    sources: list[tuple[Path, bool]] = []
    if bundled_dir is not None:
        sources += [(p, True) for p in _directory_files(Path(bundled_dir))]
    if user is not None:
        if not user.is_dir():
            problems.append(
                f"{user}: the site profiles directory (CRAWLER_SITE_PROFILES / SITE_PROFILES_DIR) does not exist; "
                "create it or unset the variable"
            )
        else:
            sources += [(p, False) for p in _directory_files(user)]
    for path, bundled in sources:
        try:
            profile = load_file(path)
        except ProfileError as exc:
            problems.extend(exc.lines)
            continue
        loaded[profile.key] = LoadedProfile(profile=profile, path=path, bundled=bundled)
    if problems:
        raise ProfileError(problems)
    return loaded
