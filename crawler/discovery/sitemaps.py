"""Sitemaps (urlset, sitemap index, Google news sitemap) and robots.txt ``Sitemap:`` lines.

Scrapy's own sitemap reader drops the ``news:`` fields, so the XML is read here with lxml
(namespace-agnostic: sites get the namespaces wrong).  Pure: bytes in, entries out.
"""

from __future__ import annotations

import gzip
import logging
import zlib
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urljoin

from lxml import etree

from crawler.discovery.feeds import declares_entities
from crawler.parsers.dates import parse_date

logger = logging.getLogger(__name__)

MAX_SITEMAP_BYTES = 50 * 1024 * 1024
"""The sitemaps.org size limit (uncompressed): a larger document is cut, not exhausted into memory."""


@dataclass(frozen=True)
class SitemapEntry:
    """A ``<url>`` of a urlset: its location, ``lastmod`` and news fields (all UTC)."""

    url: str
    lastmod: datetime | None = None
    news_published: datetime | None = None
    news_title: str | None = None

    @property
    def published(self) -> datetime | None:
        """The best date of the entry: the news publication date, else ``lastmod``."""
        return self.news_published or self.lastmod


@dataclass(frozen=True)
class Sitemap:
    """One parsed document: child sitemaps (an index) and/or URL entries (a urlset)."""

    sitemaps: list[tuple[str, datetime | None]]
    """``(loc, lastmod)`` of each child sitemap of an index."""
    urls: list[SitemapEntry]

    @property
    def is_index(self) -> bool:
        """True for a sitemap index."""
        return bool(self.sitemaps)


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1].lower() if isinstance(tag, str) else ""


def _child_text(el: etree._Element, name: str) -> str | None:
    for child in el:
        if _local(child.tag) == name:
            text = (child.text or "").strip()
            return text or None
    return None


def _child(el: etree._Element, name: str) -> etree._Element | None:
    for child in el:
        if _local(child.tag) == name:
            return child
    return None


def _gunzip(data: bytes) -> bytes:
    if data[:2] != b"\x1f\x8b":
        return data
    try:
        decompressor = zlib.decompressobj(16 + zlib.MAX_WBITS)
        return decompressor.decompress(data, MAX_SITEMAP_BYTES)
    except (zlib.error, gzip.BadGzipFile, EOFError) as exc:
        logger.debug("bad gzip sitemap: %s", exc)
        return b""


def parse_sitemap(data: bytes, base_url: str = "") -> Sitemap:
    """Read a sitemap, sitemap index or news sitemap (gzip accepted); unreadable gives an empty one.

    Entities are never expanded; a document declaring any is not read (an entity bomb).
    """
    data = _gunzip(data)[:MAX_SITEMAP_BYTES]
    if declares_entities(data):
        logger.warning("sitemap %s declares XML entities (an entity bomb?): not read", base_url)
        return Sitemap([], [])
    parser = etree.XMLParser(recover=True, resolve_entities=False, no_network=True, huge_tree=False)
    try:
        root = etree.fromstring(data, parser=parser)
    except (etree.XMLSyntaxError, ValueError) as exc:
        logger.debug("unreadable sitemap %s: %s", base_url, exc)
        return Sitemap([], [])
    if root is None:
        return Sitemap([], [])
    sitemaps: list[tuple[str, datetime | None]] = []
    urls: list[SitemapEntry] = []
    kind = _local(root.tag)
    for el in root:
        name = _local(el.tag)
        loc = _child_text(el, "loc")
        if not loc:
            continue
        loc = urljoin(base_url, loc)
        lastmod = parse_date(_child_text(el, "lastmod"), fuzzy=False)
        if name == "sitemap" or kind == "sitemapindex":
            sitemaps.append((loc, lastmod))
        elif name == "url":
            news = _child(el, "news")
            published = title = None
            if news is not None:
                published = parse_date(_child_text(news, "publication_date"), fuzzy=False)
                title = _child_text(news, "title")
            urls.append(SitemapEntry(loc, lastmod, published, title))
    return Sitemap(sitemaps, urls)


def robots_sitemaps(robots_txt: bytes | str, base_url: str = "") -> list[str]:
    """The ``Sitemap:`` URLs of a robots.txt, in order, resolved against ``base_url``."""
    text = robots_txt.decode("utf-8", "replace") if isinstance(robots_txt, bytes) else robots_txt
    found: list[str] = []
    for line in text.splitlines():
        key, sep, value = line.partition(":")
        if sep and key.strip().lower() == "sitemap":
            url = value.split("#", 1)[0].strip()
            if url and urljoin(base_url, url) not in found:
                found.append(urljoin(base_url, url))
    return found
