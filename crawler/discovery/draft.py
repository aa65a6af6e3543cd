"""A draft site profile (TOML text) from what discovery found on a site, for a person to review.

Pure: a :class:`~crawler.discovery.report.DiscoveryReport` in, the text of ``<key>.toml`` out
(see docs/profiles.md for the format). ``crawler add-site`` validates and writes it.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from urllib.parse import urlsplit

from crawler.discovery.links import Pagination, learn_article_pattern
from crawler.discovery.report import DiscoveryReport

MAX_LISTINGS = 8
"""Listing chains a draft names at most (the most often seen first)."""


def key_for_host(url: str) -> str:
    """A profile key from a URL's host: ``www.levantpost.example`` -> ``levantpost``; IPs keep the port."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower().removeprefix("www.")
    labels = host.split(".")
    if re.fullmatch(r"[\d.]+", host) or len(labels) == 1:
        name = f"{host}_{parts.port}" if parts.port else host
    else:
        name = labels[-2] if len(labels) >= 2 else labels[0]
    key = re.sub(r"[^a-z0-9]+", "_", name).strip("_")
    return key if key and not key[0].isdigit() else f"site_{key}"


def _toml_string(value: str) -> str:
    """A TOML string: literal ('...') when it can be (regexes stay readable), else basic (JSON escapes)."""
    if "'" not in value and "\n" not in value:
        return f"'{value}'"
    return json.dumps(value, ensure_ascii=False)


def _path(url: str, base_url: str) -> str:
    """A site URL as a path (what a profile lists), other hosts' URLs kept absolute."""
    parts, base = urlsplit(url), urlsplit(base_url)
    if parts.netloc != base.netloc:
        return url
    return parts.path + (f"?{parts.query}" if parts.query else "")


def listing_templates(listings: list[Pagination]) -> list[Pagination]:
    """Listings with one varying last segment (``/section/politics``, ``/section/region``) as a ``{slug}`` template."""
    groups: dict[tuple[str, str, str | None, bool], list[Pagination]] = defaultdict(list)
    singles: list[Pagination] = []
    for listing in listings:
        path = listing.base
        trailing = path.endswith("/")
        segments = [s for s in path.split("/") if s]
        if len(segments) >= 2:
            groups[("/" + "/".join(segments[:-1]), listing.style, listing.param, trailing)].append(listing)
        else:
            singles.append(listing)
    out: list[Pagination] = list(singles)
    for (prefix, style, param, trailing), members in groups.items():
        if len(members) >= 2:
            out.append(Pagination(style, f"{prefix}/{{slug}}" + ("/" if trailing else ""), 1, param))
        else:
            out.extend(members)
    return out


def draft_profile(report: DiscoveryReport, key: str, name: str | None = None, notes: str = "") -> str:
    """The text of a draft profile for the site of ``report``; ``notes`` go at the end as comments."""
    start = urlsplit(report.start_url)
    base_url = f"{start.scheme}://{start.netloc}"
    pattern = learn_article_pattern(
        report.feed_urls | report.sitemap_urls | report.articles, confirm=report.feed_urls | report.articles
    )
    lines = [
        f"# Draft profile written by `crawler add-site {report.start_url}`: review it, then keep or edit it.",
        f"# Discovery found {len(report.feed_urls)} article URLs in feeds, {len(report.sitemap_urls)} in sitemaps,",
        f"# and classified {len(report.articles)} fetched pages as articles, {len(report.not_articles)} as not.",
        f"key = {_toml_string(key)}",
        f"name = {json.dumps(name or report.site_name or key, ensure_ascii=False)}",
        f"base_url = {_toml_string(base_url)}",
        f"hosts = [{_toml_string(start.hostname or '')}]",
    ]
    if report.language:
        lines.append(f"language = {_toml_string(report.language.split('-')[0].lower())}")
    lines.append('# timezone = "UTC"               # the zone of dates the site prints without one (IANA name)')
    lines += ["", "[discovery]", 'mode = "profile"']
    feeds = [_toml_string(_path(u, base_url)) for u in report.feeds]
    lines.append(f"feeds = [{', '.join(feeds)}]")
    sitemaps = [_toml_string(_path(u, base_url)) for u in report.top_sitemaps]
    lines.append(f"sitemaps = [{', '.join(sitemaps)}]")
    if pattern is not None:
        lines.append(f"article_pattern = {_toml_string(pattern.regex)}")
        lines.append(f"# covers {pattern.covered} of {pattern.total} article URLs seen")
    else:
        lines.append("# article_pattern = '^/news/\\d+-[a-z0-9-]+$'   # none learned: no article URL was found")
    listings = listing_templates(report.listing_patterns(MAX_LISTINGS))
    entries = [f'  {{ url = "/", pagination = "{"next" if report.home_next else "none"}" }},']
    for listing in listings:
        if listing.style == "query":
            entries.append(f'  {{ url = "{listing.base}", pagination = "query", param = "{listing.param}" }},')
        else:
            entries.append(f'  {{ url = "{listing.base}", pagination = "path" }},')
    if pattern is not None:
        lines += ["listings = [", *entries, "]"]
    if notes:
        lines += ["", *(f"# {line}".rstrip() for line in notes.splitlines())]
    return "\n".join(lines) + "\n"
