"""Crawl-trap shapes and address checks: pure functions of URLs and addresses (no Scrapy, no network).

Used by :mod:`crawler.guard`.  A URL *pattern* generalizes numbers and query values
(``/2031/05/?view=grid`` -> ``/{n}/{n}/?view={v}``): an endless calendar, pagination or
session-id trap keeps one pattern while its URLs never repeat, so a budget per pattern bounds it.
"""

from __future__ import annotations

import ipaddress
import re
from collections import Counter
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

SESSION_PARAMS = frozenset(
    {"sid", "sessionid", "session_id", "session", "sess", "jsessionid", "phpsessid", "aspsessionid", "cfid",
     "cftoken", "zenid", "osCsid".lower()}
)
"""Query parameters (lower-cased) that carry a session id, never content: removed from every request."""
_PATH_SESSION = re.compile(r";(?:jsessionid|phpsessid|sid)=[^/?#]*", re.I)
_DIGITS = re.compile(r"\d+")
METADATA_ADDRESSES = frozenset({"169.254.169.254", "fd00:ec2::254", "100.100.100.200"})
"""Cloud instance-metadata endpoints (AWS/GCP/Azure, AWS IPv6, Alibaba): never crawled."""


def url_pattern(url: str) -> str:
    """The URL's trap pattern: host, path with digit runs as ``{n}``, sorted query keys with ``{v}`` values."""
    parts = urlsplit(url)
    path = _DIGITS.sub("{n}", parts.path or "/")
    keys = sorted({key.lower() for key, _ in parse_qsl(parts.query, keep_blank_values=True)})
    query = "&".join(f"{key}={{v}}" for key in keys)
    return f"{(parts.hostname or '').lower()}{path}" + (f"?{query}" if query else "")


def strip_session_ids(url: str) -> tuple[str, list[str]]:
    """The URL without session-id parameters (query and ``;jsessionid=`` path parameters), and their names."""
    parts = urlsplit(url)
    removed: list[str] = []
    path = parts.path
    for match in _PATH_SESSION.finditer(path):
        removed.append(match.group(0)[1:].split("=", 1)[0].lower())
    path = _PATH_SESSION.sub("", path)
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    kept = [(k, v) for k, v in pairs if k.lower() not in SESSION_PARAMS]
    removed += [k.lower() for k, _ in pairs if k.lower() in SESSION_PARAMS]
    if not removed:
        return url, []
    return urlunsplit(parts._replace(path=path, query=urlencode(kept))), removed


def shape_trap(url: str, max_url_length: int, max_query_params: int, max_segment_repeats: int) -> str | None:
    """Why the URL's shape alone marks a trap (growing query, repeated path segments, absurd length), or None."""
    if len(url) > max_url_length:
        return f"URL of {len(url)} characters (TRAP_MAX_URL_LENGTH={max_url_length})"
    parts = urlsplit(url)
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    if len(pairs) > max_query_params:
        return f"query of {len(pairs)} parameters (TRAP_MAX_QUERY_PARAMS={max_query_params})"
    repeated_keys = [key for key, count in Counter(k for k, _ in pairs).items() if count > 1]
    if repeated_keys and len(pairs) > 2:
        return f"query repeating {repeated_keys[0]!r} ({len(pairs)} parameters)"
    segments = [s for s in parts.path.split("/") if s]
    if segments:
        segment, count = Counter(segments).most_common(1)[0]
        if count > max_segment_repeats:
            return f"path segment {segment!r} repeated {count} times (TRAP_MAX_SEGMENT_REPEATS={max_segment_repeats})"
        # A relative link resolved against itself: /a/b/a/b/... repeats a run of segments.
        for size in range(2, len(segments) // 2 + 1):
            if segments[-size:] == segments[-2 * size: -size] and len(segments) >= 2 * size + 1:
                return f"path repeating {'/'.join(segments[-size:])!r}"
    return None


def address_refusal(address: str) -> str | None:
    """Why a resolved IP address must not be crawled (private, loopback, link-local, metadata...), or None."""
    try:
        ip = ipaddress.ip_address(address.strip("[]"))
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if str(ip) in METADATA_ADDRESSES:
        return f"{ip} is a cloud metadata address"
    for flag, what in (
        ("is_loopback", "loopback"),
        ("is_link_local", "link-local"),
        ("is_private", "private"),
        ("is_multicast", "multicast"),
        ("is_reserved", "reserved"),
        ("is_unspecified", "unspecified"),
    ):
        if getattr(ip, flag):
            return f"{ip} is a {what} address"
    return None


def is_ip_literal(host: str) -> bool:
    """True when ``host`` is an IP address, not a name."""
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True
