"""The registry of monitored sites, built from the site profiles (``crawler/profiles.py``).

Adding a site: one ``<key>.toml`` under ``crawler/profiles/`` (bundled) or in the user's
profiles directory (``$CRAWLER_SITE_PROFILES``); see docs/profiles.md.  A site that needs
code names its parser class (``parser = "module:Class"``) and may have its own spider
module ``spiders/<key>.py``; the others use the generic ``site`` spider and the
profile-driven parser.  Profiles load on first use, so a bad one is reported by the
command that needs it (one line per problem) instead of breaking every import.
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from crawler.profiles import LoadedProfile, Profile, ProfileError, load_profiles

if TYPE_CHECKING:
    from crawler.parsers.base import ArticleParser

__all__ = ["SITES", "SiteProfile", "ProfileError", "get_site", "site_for_url", "parser_for", "reload_sites"]


@dataclass(frozen=True)
class SiteProfile:
    """What the crawler knows of one site: its key, parser and default schedule."""

    key: str
    name: str
    base_url: str
    parser: str = ""
    """``module:Class`` of the site's ArticleParser; empty: the profile-driven or generic parser."""
    hosts: tuple[str, ...] = ()
    schedule: str | None = None
    """Default cron expression (minute hour day month weekday) for ``crawler schedule``."""
    schedule_args: tuple[tuple[str, str], ...] = ()
    """Spider arguments of the default scheduled crawl, e.g. a rolling ``since`` window."""
    profile: Profile | None = None
    """The validated profile this entry was built from."""
    path: Path | None = None
    """The profile's file."""
    bundled: bool = True

    def parser_class(self) -> type[ArticleParser] | None:
        """The site's parser class: its own, one built from the profile's rules, or ``None`` (generic)."""
        if self.parser:
            module, _, name = self.parser.partition(":")
            return getattr(importlib.import_module(module), name)
        if self.profile is not None and self.profile.extracts:
            from crawler.parsers.profile import profile_parser

            return profile_parser(self.profile)
        return None

    @property
    def schedule_interval(self) -> int | None:
        """The profile's ``[schedule] interval_seconds`` (instead of a cron), if any."""
        schedule = self.profile.schedule if self.profile else None
        return schedule.interval_seconds if schedule else None

    @property
    def time_limit_seconds(self) -> int | None:
        """The profile's scheduled time limit, if any."""
        schedule = self.profile.schedule if self.profile else None
        return schedule.time_limit_seconds if schedule else None

    @classmethod
    def from_loaded(cls, loaded: LoadedProfile) -> SiteProfile:
        """The registry entry of a validated profile."""
        p = loaded.profile
        return cls(
            key=p.key,
            name=p.name,
            base_url=p.base_url,
            parser=p.parser or "",
            hosts=tuple(p.hosts),
            schedule=p.schedule.cron if p.schedule else None,
            schedule_args=tuple((k, str(v)) for k, v in p.schedule.args.items()) if p.schedule else (),
            profile=p,
            path=loaded.path,
            bundled=loaded.bundled,
        )


class SiteRegistry(Mapping[str, SiteProfile]):
    """``{key: SiteProfile}`` loaded from the profiles on first access (ProfileError if one is bad)."""

    def __init__(self) -> None:
        self._sites: dict[str, SiteProfile] | None = None
        self._lock = threading.Lock()

    def _load(self) -> dict[str, SiteProfile]:
        if self._sites is None:
            with self._lock:
                if self._sites is None:
                    loaded = load_profiles()
                    self._sites = {key: SiteProfile.from_loaded(lp) for key, lp in sorted(loaded.items())}
        return self._sites

    def reload(self) -> None:
        """Forget the loaded profiles: the next access reads the files again (tests, a changed env)."""
        with self._lock:
            self._sites = None

    def __getitem__(self, key: str) -> SiteProfile:
        return self._load()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._load())

    def __len__(self) -> int:
        return len(self._load())


SITES = SiteRegistry()


def reload_sites() -> None:
    """Read the profile files again on next use (after changing ``$CRAWLER_SITE_PROFILES``)."""
    SITES.reload()


def get_site(key: str) -> SiteProfile:
    """The profile for ``key``; a KeyError names the known keys."""
    try:
        return SITES[key]
    except KeyError:
        known = ", ".join(sorted(SITES))
        raise KeyError(f"unknown site {key!r}; known sites: {known} (see `crawler sites`)") from None


def site_for_url(url: str) -> SiteProfile | None:
    """The profile whose hosts include the URL's host (``www.`` or not), if any."""
    host = (urlsplit(url).hostname or "").lower()
    bare = host.removeprefix("www.")
    for profile in SITES.values():
        if host in profile.hosts or bare in profile.hosts:
            return profile
    return None


def parser_for(url: str, site: str | None = None) -> type[ArticleParser] | None:
    """The parser class for ``site`` (a key) or for the URL's host; ``None`` means generic."""
    profile = get_site(site) if site else site_for_url(url)
    return profile.parser_class() if profile else None
