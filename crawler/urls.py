"""URL identity: which URLs name the same article (w3lib does the work)."""

from __future__ import annotations

from w3lib.url import canonicalize_url, url_query_cleaner

# Query parameters that identify a campaign or a click, never the article.
TRACKING_PARAMS: tuple[str, ...] = (
    "utm_source",
    "utm_medium",
    "utm_campaign",
    "utm_term",
    "utm_content",
    "utm_id",
    "fbclid",
    "gclid",
    "mc_cid",
    "mc_eid",
)


def strip_tracking(url: str) -> str:
    """The URL without tracking parameters and fragment (what a spider requests)."""
    return url_query_cleaner(url, TRACKING_PARAMS, remove=True, unique=False)


def canonical_url(url: str) -> str:
    """The URL an article is stored under: no tracking parameters, no fragment, query sorted."""
    return canonicalize_url(strip_tracking(url), keep_fragments=False)
