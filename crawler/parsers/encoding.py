"""Page bytes to text, tolerant of the encodings real sites get wrong, and a non-HTML check.

``decode_page`` follows the browser order (BOM, HTTP header, ``<meta charset>``, sniffing)
like :func:`crawler.parsers.text.decode_html`, but checks the declared charset against the
bytes: a page labelled UTF-8 that is really Latin-1 / Windows-1252 (a common CMS slip) is
decoded as what it is instead of filling the text with U+FFFD.
"""

from __future__ import annotations

import codecs
import logging
import re

from w3lib.encoding import html_body_declared_encoding, html_to_unicode, http_content_type_encoding

logger = logging.getLogger(__name__)

_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# Signatures of common non-HTML payloads served by mistake (PDF, images, archives, Office files).
_BINARY_MAGIC = (b"%PDF", b"\x89PNG", b"GIF8", b"\xff\xd8\xff", b"PK\x03\x04", b"\x1f\x8b", b"\xd0\xcf\x11\xe0",
                 b"RIFF", b"OggS", b"ID3")
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f]")
_TAG = re.compile(r"<\s*[a-zA-Z!/?]")
MAX_REPLACEMENT_SHARE = 0.15
"""Share of U+FFFD in decoded text above which the bytes were not text in that charset."""


def decode_page(body: bytes, content_type: str | None = None) -> str:
    """Decode page bytes to text: BOM, then the declared charset if the bytes agree, then sniffing."""
    for bom, name in _BOMS:
        if body.startswith(bom):
            return body[len(bom):].decode(name, "replace")
    declared = http_content_type_encoding(content_type) if content_type else None
    declared = declared or html_body_declared_encoding(body[:4096])
    if declared:
        try:
            return body.decode(declared)
        except (UnicodeDecodeError, LookupError):
            if declared.replace("_", "-").lower() in ("utf-8", "utf8"):
                # Labelled UTF-8 but not: Windows-1252 is the usual truth (a superset of Latin-1's printables).
                logger.info("page declared UTF-8 but is not; decoding as windows-1252")
                return body.decode("cp1252", "replace")
    _, text = html_to_unicode(content_type, body)
    return text


def _head_text(head: bytes) -> str:
    """The first bytes of a page as text for the HTML check: BOM, declared charset, UTF-8, else Latin-1."""
    for bom, name in _BOMS:
        if head.startswith(bom):
            return head[len(bom):].decode(name, "replace")
    for name in (html_body_declared_encoding(head), "utf-8"):
        if not name:
            continue
        try:
            text = head.decode(name, "replace")
        except LookupError:
            continue
        if text.count("\ufffd") <= MAX_REPLACEMENT_SHARE * len(text):
            return text
    # An undeclared or mislabelled legacy charset (cp1256, cp1251 ...): one char per byte keeps the
    # ASCII markup readable, and binary data still shows as control characters.
    return head.decode("latin-1")


def looks_like_html(data: str | bytes) -> bool:
    """False for payloads that are clearly not a web page (binary files, control-character soup).

    Bytes are read in the page's own charset (BOM or ``<meta>`` declaration), so a page in a
    legacy single-byte encoding is recognised as HTML, not taken for binary data.
    """
    head = data[:4096]
    if isinstance(head, bytes):
        if head.lstrip().startswith(_BINARY_MAGIC):
            return False
        head = _head_text(head)
    if not head.strip():
        return False
    # Binary decoded as text: control characters, or U+FFFD everywhere (a few are a bad charset).
    if len(_CONTROL.findall(head)) > 0.02 * len(head) or head.count("\ufffd") > MAX_REPLACEMENT_SHARE * len(head):
        return False
    return bool(_TAG.search(head)) or len(head) < 4096  # a short plain text is a (poor) page
