"""RSS, Atom and JSON Feed documents to entries (url, published, title).

feedparser reads RSS 0.9x-2.0 and Atom (and survives malformed ones); JSON Feed
(https://jsonfeed.org, 1.0 and 1.1) is plain JSON, read here.  Pure: bytes in, entries out.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urljoin

import feedparser

from crawler.parsers.dates import parse_date

logger = logging.getLogger(__name__)

FEED_CONTENT_TYPES = (
    "application/rss+xml",
    "application/atom+xml",
    "application/feed+json",
    "application/json",
    "application/xml",
    "text/xml",
)
"""Content types of a feed (``<link rel=alternate type=...>`` and HTTP)."""
MAX_FEED_BYTES = 10 * 1024 * 1024
"""A feed is read up to this size (a feed of the latest items is a few hundred KB)."""


def declares_entities(data: bytes) -> bool:
    """True when an XML document declares entities (``<!ENTITY`` in its DTD): never needed, the way of XML bombs."""
    head = data[:65536]
    return b"<!ENTITY" in head or b"<!entity" in head


@dataclass(frozen=True)
class FeedEntry:
    """One item of a feed: the article URL, when it was published (UTC) and its title."""

    url: str
    published: datetime | None = None
    title: str | None = None


def looks_like_json_feed(data: bytes) -> bool:
    """True when the document is a JSON Feed (a JSON object with ``version`` naming jsonfeed.org)."""
    head = data.lstrip()[:1]
    if head != b"{":
        return False
    try:
        doc = json.loads(data)
    except ValueError:
        return False
    return isinstance(doc, dict) and "jsonfeed.org" in str(doc.get("version", ""))


def parse_feed(data: bytes, base_url: str = "") -> list[FeedEntry]:
    """Entries of an RSS, Atom or JSON Feed document, in document order, relative URLs resolved.

    An unreadable document gives ``[]`` (the caller reports it); entries without a link are skipped.
    A document declaring XML entities is not read at all (entity expansion is never wanted).
    """
    if declares_entities(data):
        logger.warning("feed %s declares XML entities (an entity bomb?): not read", base_url)
        return []
    data = data[:MAX_FEED_BYTES]
    if looks_like_json_feed(data):
        return _json_feed(data, base_url)
    parsed = feedparser.parse(data)
    if parsed.bozo and not parsed.entries:
        logger.debug("unreadable feed %s: %s", base_url, parsed.get("bozo_exception"))
        return []
    entries: list[FeedEntry] = []
    for item in parsed.entries:
        link = item.get("link") or _alternate_link(item)
        if not link:
            continue
        entries.append(FeedEntry(urljoin(base_url, link.strip()), _entry_date(item), _clean(item.get("title"))))
    return entries


def _alternate_link(item: feedparser.FeedParserDict) -> str | None:
    for link in item.get("links", []):
        if link.get("rel", "alternate") == "alternate" and link.get("href"):
            return link["href"]
    return None


def _entry_date(item: feedparser.FeedParserDict) -> datetime | None:
    # feedparser's *_parsed are UTC struct_times; the raw string keeps sub-minute zones exact.
    for key in ("published", "issued", "created", "updated"):
        raw = item.get(key)
        if raw:
            parsed = parse_date(raw, fuzzy=False)
            if parsed is not None:
                return parsed
        struct = item.get(f"{key}_parsed")
        if struct:
            return datetime(*struct[:6], tzinfo=UTC)
    return None


def _json_feed(data: bytes, base_url: str) -> list[FeedEntry]:
    doc = json.loads(data)
    base = doc.get("home_page_url") or base_url
    entries: list[FeedEntry] = []
    for item in doc.get("items") or []:
        if not isinstance(item, dict):
            continue
        link = item.get("url") or item.get("external_url")
        if not link or not isinstance(link, str):
            continue
        published = parse_date(item.get("date_published") or item.get("date_modified"), fuzzy=False)
        entries.append(FeedEntry(urljoin(base_url or base, link.strip()), published, _clean(item.get("title"))))
    return entries


def _clean(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    text = " ".join(value.split())
    return text or None
