"""What ValidatePipeline and NormalizePipeline do to a record, as plain functions (also for ``crawler reparse``)."""

from __future__ import annotations

from datetime import UTC, datetime

from crawler.items import ArticleRecord
from crawler.parsers.text import clean_text, content_hash, normalize_body
from crawler.urls import canonical_url


def as_utc(value: datetime | None) -> datetime | None:
    """A timezone-aware UTC datetime; a naive one is taken to be UTC already."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def validation_problem(item: ArticleRecord, min_title: int, min_body: int) -> str | None:
    """Why the record is not an article (no title, too short a body), with its URL; None when it is one."""
    title = clean_text(item.title) or ""
    body = normalize_body(item.body_text) or ""
    if len(title) < min_title:
        return f"no title: {item.url}"
    if len(body) < min_body:
        return f"no body ({len(body)} chars < {min_body}): {item.url}"
    return None


def normalize_record(item: ArticleRecord) -> ArticleRecord:
    """Whitespace and Unicode NFC, dates in UTC, the canonical URL, the content fingerprint; in place."""
    for name in ("title", "summary", "source", "disclaimer", "category", "image_caption", "language"):
        setattr(item, name, clean_text(getattr(item, name)))
    item.body_text = normalize_body(item.body_text)
    item.tags = [t for t in (clean_text(t) for t in item.tags) if t]
    item.authors = [a for a in (clean_text(a) for a in item.authors) if a]
    item.published_at = as_utc(item.published_at)
    item.modified_at = as_utc(item.modified_at)
    item.canonical_url = canonical_url(item.canonical_url or item.url)
    item.content_hash = content_hash(item.body_text)
    return item
