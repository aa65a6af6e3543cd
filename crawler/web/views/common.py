"""What several views need: the request's session and clock, the settings, the site table."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import abort, current_app, g
from sqlalchemy.orm import Session

from crawler.health import Thresholds


def session() -> Session:
    """The request's read-only session (opened by the app's guard)."""
    return g.session


def now() -> datetime:
    """The request's time (UTC), read once per request."""
    return g.now


def setting(name: str) -> Any:
    """A ``WEB_*``/``HEALTH_*`` setting of this app."""
    return current_app.config[name]


def thresholds() -> Thresholds:
    """The health thresholds of this app's settings (the same the checks use)."""
    c = current_app.config
    return Thresholds(
        no_new_runs=c["HEALTH_NO_NEW_RUNS"],
        no_new_usual_share=c["HEALTH_NO_NEW_USUAL_SHARE"],
        max_error_rate=c["HEALTH_MAX_ERROR_RATE"],
        coverage_drop=c["HEALTH_COVERAGE_DROP"],
        coverage_fields=tuple(c["HEALTH_COVERAGE_FIELDS"]),
        history_runs=c["HEALTH_HISTORY_RUNS"],
        coverage_min_pages=c["HEALTH_COVERAGE_MIN_PAGES"],
    )


def configured_sites() -> dict[str, Any]:
    """The configured site profiles by key; empty when the profiles cannot be read (the store still shows)."""
    from crawler.sites import SITES, ProfileError

    try:
        return dict(SITES)
    except ProfileError:
        current_app.logger.warning("site profiles could not be read; showing the stored sites only")
        return {}


def require_site(key: str) -> None:
    """404 unless ``key`` is a configured site or one the store knows."""
    from sqlalchemy import select

    from storage.models import CrawlRun, Site

    if key in configured_sites():
        return
    s = session()
    if s.get(Site, key) is None and s.scalar(select(CrawlRun.id).where(CrawlRun.site == key).limit(1)) is None:
        abort(404, f"no site {key!r} in the store or the site profiles")
