"""The table of monitored sites: one SiteProfile per site key.

Adding a site: a parser module under ``crawler/parsers/sites/``, a spider under
``spiders/`` named after the key, one line in ``SITES`` below, and a stored page
with its expected record in ``tests/fixtures/sites/<key>/``.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from crawler.parsers.base import ArticleParser


@dataclass(frozen=True)
class SiteProfile:
    """What the crawler knows of one site: its key, parser and default schedule."""

    key: str
    name: str
    base_url: str
    parser: str
    """``module:Class`` of the site's ArticleParser."""
    hosts: tuple[str, ...] = ()
    schedule: str | None = None
    """Default cron expression (minute hour day month weekday) for ``crawler schedule``."""
    schedule_args: tuple[tuple[str, str], ...] = ()
    """Spider arguments of the default scheduled crawl, e.g. a rolling ``since`` window."""

    def parser_class(self) -> type[ArticleParser]:
        """Import and return the site's parser class."""
        module, _, name = self.parser.partition(":")
        return getattr(importlib.import_module(module), name)


SITES: dict[str, SiteProfile] = {
    p.key: p
    for p in (
        SiteProfile(
            key="syrianobserver",
            name="The Syrian Observer",
            base_url="https://syrianobserver.com",
            parser="crawler.parsers.sites.syrianobserver:SyrianObserverParser",
            hosts=("syrianobserver.com", "www.syrianobserver.com"),
            schedule="0 */2 * * *",
            # Every two hours, page back three days: listings run 670+ pages deep.
            schedule_args=(("since", "3d"),),
        ),
    )
}


def get_site(key: str) -> SiteProfile:
    """The profile for ``key``; a KeyError names the known keys."""
    try:
        return SITES[key]
    except KeyError:
        known = ", ".join(sorted(SITES))
        raise KeyError(f"unknown site {key!r}; known sites: {known} (see `crawler sites`)") from None


def site_for_url(url: str) -> SiteProfile | None:
    """The profile whose hosts include the URL's host, if any."""
    host = (urlsplit(url).hostname or "").lower()
    for profile in SITES.values():
        if host in profile.hosts:
            return profile
    return None


def parser_for(url: str, site: str | None = None) -> type[ArticleParser] | None:
    """The parser class for ``site`` (a key) or for the URL's host; ``None`` means generic."""
    profile = get_site(site) if site else site_for_url(url)
    return profile.parser_class() if profile else None
