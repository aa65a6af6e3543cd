"""The record contract: what parsers produce, pipelines check and storage keeps.

It lives below both ``crawler`` and ``storage`` (plain data and pure functions, standard
library only) so that storage never imports the crawler; ``crawler.items`` re-exports it.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass
class ArticleRecord:
    """One article as a parser sees it, plus the crawl facts the spider adds.

    Parsers fill the content fields; a missing value is ``None`` or ``[]``.
    ``provenance`` maps a field name to the rule that produced it
    (``"site:css"``, ``"jsonld"``, ``"meta"``, ``"heuristic"``, ``"generic:jsonld"`` ...).
    """

    url: str
    canonical_url: str | None = None
    site: str | None = None
    title: str | None = None
    summary: str | None = None
    source: str | None = None
    body_text: str | None = None
    body_html: str | None = None
    disclaimer: str | None = None
    tags: list[str] = field(default_factory=list)
    category: str | None = None
    authors: list[str] = field(default_factory=list)
    published_at: datetime | None = None
    published_raw: str | None = None
    modified_at: datetime | None = None
    image_url: str | None = None
    image_caption: str | None = None
    language: str | None = None
    content_hash: str | None = None
    provenance: dict[str, str] = field(default_factory=dict)
    # Crawl facts, set by the spider, never by a parser.
    fetched_at: datetime | None = None
    http_status: int | None = None
    etag: str | None = None
    """The response's ``ETag``, as sent (kept to re-check the page with ``If-None-Match``)."""
    last_modified: str | None = None
    """The response's ``Last-Modified``, as sent (replayed as ``If-Modified-Since``)."""

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (datetimes as ISO 8601 strings), keys sorted."""
        out: dict[str, Any] = {}
        for f in sorted(dataclasses.fields(self), key=lambda f: f.name):
            value = getattr(self, f.name)
            if isinstance(value, datetime):
                value = value.isoformat()
            out[f.name] = value
        return out


CONTENT_FIELDS: tuple[str, ...] = (
    "canonical_url",
    "title",
    "summary",
    "source",
    "body_text",
    "body_html",
    "disclaimer",
    "tags",
    "category",
    "authors",
    "published_at",
    "published_raw",
    "modified_at",
    "image_url",
    "image_caption",
    "language",
)
"""Fields a parser produces; the generic parser can fill any of them as a fallback."""

COVERAGE_FIELDS: tuple[str, ...] = ("title", "body_text", "published_at", "summary", "authors")
"""Fields whose share filled by the site's own parser, per run, feeds the coverage health check."""


# Characters a body may hold without having any text (Unicode whitespace, no-break and zero-width spaces).
_BLANKS = re.compile(r"[\s\u00a0\u2000-\u200b\u202f\u205f\u3000]+")
_WORD = re.compile(r"\w+")


def content_hash(body_text: str | None) -> str | None:
    """SHA-256 fingerprint of the body's words, NFC-normalized and case-folded; ``None`` for a blank body.

    Only the words count: a copy with other spacing, punctuation or paragraph breaks (or a
    retitled copy) has the same fingerprint.
    """
    if body_text is None:
        return None
    body = unicodedata.normalize("NFC", body_text)
    if not _BLANKS.sub("", body):
        return None
    words = _WORD.findall(body.casefold())
    return hashlib.sha256(" ".join(words).encode("utf-8")).hexdigest()
