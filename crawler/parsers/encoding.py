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


def looks_like_html(data: str | bytes) -> bool:
    """False for payloads that are clearly not a web page (binary files, control-character soup)."""
    head = data[:4096]
    if isinstance(head, bytes):
        if head.lstrip().startswith(_BINARY_MAGIC):
            return False
        head = head.decode("utf-8", "replace")
    if not head.strip():
        return False
    # Binary decoded as text: control characters, or U+FFFD everywhere (a few are a bad charset).
    if len(_CONTROL.findall(head)) > 0.02 * len(head) or head.count("\ufffd") > 0.15 * len(head):
        return False
    return bool(_TAG.search(head)) or len(head) < 4096  # a short plain text is a (poor) page
