"""Site profiles: one TOML file per site, validated with pydantic (see docs/profiles.md).

Bundled profiles live here, ``crawler/profiles/*.toml``; a user's directory (setting
``SITE_PROFILES_DIR``, env ``CRAWLER_SITE_PROFILES``) adds sites and overrides a bundled
profile of the same key.  Every problem is one line naming the file, the key, what was
expected and a fix; :func:`load_profiles` raises :class:`ProfileError` holding all of them.
Models and checks: :mod:`crawler.profiles.model`; files: :mod:`crawler.profiles.loader`.
"""

from __future__ import annotations

from crawler.profiles.loader import BUNDLED_DIR, load_file, load_profiles, parse_profile, user_profiles_dir
from crawler.profiles.model import (
    KEY_PATTERN,
    RESERVED_KEYS,
    SELECTOR_FIELDS,
    Chrome,
    Discovery,
    Listing,
    LoadedProfile,
    Politeness,
    Profile,
    ProfileError,
    Recheck,
    Schedule,
    Selectors,
    check_cron,
    check_http_url,
    check_regex,
    check_selector,
    check_timezone,
    selector_xpath,
)

__all__ = [
    "BUNDLED_DIR", "KEY_PATTERN", "RESERVED_KEYS", "SELECTOR_FIELDS", "Chrome", "Discovery", "Listing",
    "LoadedProfile", "Politeness", "Profile", "ProfileError", "Recheck", "Schedule", "Selectors", "check_cron",
    "check_http_url", "check_regex", "check_selector", "check_timezone", "load_file", "load_profiles",
    "parse_profile", "selector_xpath", "user_profiles_dir",
]
