"""Text helpers shared by parsers and pipelines: whitespace, Unicode, hashing, decoding."""

from __future__ import annotations

import re
import unicodedata

# The body fingerprint is part of the record contract storage keeps (re-exported here for parsers).
from storage.records import content_hash

__all__ = ["clean_paragraphs", "clean_text", "content_hash", "decode_html", "normalize_body"]

_SPACES = re.compile(r"[ \t\r\f\v\u00a0\u2000-\u200b\u202f\u205f\u3000]+")
_BLANK_LINES = re.compile(r"\n{3,}")


def clean_text(text: str | None) -> str | None:
    """NFC-normalize and collapse runs of spaces; ``None`` for empty text."""
    if text is None:
        return None
    text = unicodedata.normalize("NFC", text)
    text = _SPACES.sub(" ", text).strip()
    return text or None


def clean_paragraphs(paragraphs: list[str]) -> str | None:
    """Join non-empty cleaned paragraphs with one blank line between them."""
    kept = [p for p in (clean_text(p) for p in paragraphs) if p]
    return "\n\n".join(kept) or None


def normalize_body(text: str | None) -> str | None:
    """Clean each paragraph of a body while keeping paragraph breaks."""
    if text is None:
        return None
    return clean_paragraphs(_BLANK_LINES.sub("\n\n", text).split("\n\n"))


def decode_html(body: bytes, content_type: str | None = None) -> str:
    """Decode page bytes as browsers do (BOM, HTTP header, ``<meta charset>``), checking the label."""
    from crawler.parsers.encoding import decode_page

    return decode_page(body, content_type)
