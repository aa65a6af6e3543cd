"""Page bytes to text, tolerant of the encodings real sites get wrong, and a non-HTML check.

``decode_page`` reads the BOM, the HTTP header's charset and the ``<meta charset>``, and checks
each against the bytes: a declaration the bytes do not decode under is passed over (a header
saying UTF-8 over windows-1256 bytes, with a correct ``<meta>``, gives the ``<meta>``'s charset).
When the declarations disagree and both decode, or none is usable, charset-normalizer judges the
bytes themselves.  ``decode_page_report`` also says which charset won, why, and how many
characters had to be replaced (U+FFFD): text with replacements is reported, never passed as clean.
"""

from __future__ import annotations

import codecs
import itertools
import logging
import re
from dataclasses import dataclass

from charset_normalizer import from_bytes
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
STRAY_EVIDENCE = 10
"""A page with this many valid UTF-8 non-ASCII characters per undecodable byte is UTF-8 with a few stray bytes."""
DETECT_BYTES = 256 * 1024
"""Bytes charset-normalizer reads to judge a page (it samples within them): enough, and bounded."""


@dataclass(frozen=True)
class DecodedPage:
    """Text of a page and how it was decoded."""

    text: str
    encoding: str
    """The codec used (Python's name: ``utf-8``, ``cp1256`` ...)."""
    source: str
    """Why: ``bom``, ``http``, ``meta``, ``detected`` (charset-normalizer) or ``fallback``."""
    replacements: int
    """U+FFFD characters in the text that the bytes did not give (undecodable bytes)."""


def _codec(name: str | None) -> str | None:
    if not name:
        return None
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def _strict(body: bytes, codec: str) -> str | None:
    try:
        return body.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


def _detect(body: bytes, among: list[str] | None = None) -> str | None:
    """charset-normalizer's best codec for the bytes (among ``among`` when given), None when it has none."""
    try:
        matches = from_bytes(body[:DETECT_BYTES], cp_isolation=among or None)
    except Exception:  # noqa: BLE001 - detection is a hint; its failure leaves the declared charsets
        return None
    best = matches.best()
    return _codec(best.encoding) if best is not None else None


def decode_page_report(body: bytes, content_type: str | None = None) -> DecodedPage:
    """Decode page bytes: BOM, then the declarations the bytes agree with, then detection (module doc)."""
    for bom, name in _BOMS:
        if body.startswith(bom):
            text = body[len(bom):].decode(name, "replace")
            return DecodedPage(text, name, "bom", text.count("\ufffd"))
    declared = {
        "http": _codec(http_content_type_encoding(content_type) if content_type else None),
        "meta": _codec(html_body_declared_encoding(body[:4096])),
    }
    candidates = {source: codec for source, codec in declared.items() if codec}
    clean = {source: codec for source, codec in candidates.items() if _strict(body, codec) is not None}
    codecs_clean = list(dict.fromkeys(clean.values()))
    if len(codecs_clean) == 1:
        source = next(s for s, c in clean.items() if c == codecs_clean[0])
        if len(set(candidates.values())) > 1:
            logger.info("charset: %s (%s) decodes the page, %s does not", codecs_clean[0], source,
                        ", ".join(f"{c} ({s})" for s, c in candidates.items() if s not in clean))
        return DecodedPage(body.decode(codecs_clean[0]), codecs_clean[0], source, 0)
    if len(codecs_clean) > 1:
        # Both declarations decode (single-byte charsets decode anything): UTF-8 that validates is UTF-8,
        # else the bytes decide.
        chosen = "utf-8" if "utf-8" in codecs_clean and not body.isascii() else _detect(body, codecs_clean)
        chosen = chosen if chosen in codecs_clean else codecs_clean[0]
        source = next(s for s, c in clean.items() if c == chosen)
        return DecodedPage(body.decode(chosen), chosen, source, 0)
    # No declaration, or none the bytes decode under: the bytes decide.
    if body.isascii() or _strict(body, "utf-8") is not None:
        return DecodedPage(body.decode("utf-8"), "utf-8", "detected", 0)
    as_utf8 = body.decode("utf-8", "replace")
    bad = as_utf8.count("\ufffd") - body.count(b"\xef\xbf\xbd")
    valid = sum(1 for ch in as_utf8 if ord(ch) > 127) - as_utf8.count("\ufffd")
    if bad * STRAY_EVIDENCE <= valid:
        # Real UTF-8 sequences far outnumber a few stray bytes (a cut character): UTF-8 it is, the strays counted.
        return DecodedPage(as_utf8, "utf-8", "detected" if not candidates else "http" if "http" in candidates
                           else "meta", bad)
    detected = _detect(body)
    if detected and _strict(body, detected) is not None:
        if candidates:
            logger.info("charset: declared %s, but the bytes are %s", ", ".join(candidates.values()), detected)
        return DecodedPage(body.decode(detected), detected, "detected", 0)
    if "utf-8" in candidates.values():
        # Labelled UTF-8 but not, and nothing better found: Windows-1252 is the usual truth.
        text = body.decode("cp1252", "replace")
        return DecodedPage(text, "cp1252", "fallback", text.count("\ufffd"))
    encoding, text = html_to_unicode(content_type, body)
    return DecodedPage(text, encoding, "fallback", text.count("\ufffd") - body.count(b"\xef\xbf\xbd"))


def decode_page(body: bytes, content_type: str | None = None) -> str:
    """Decode page bytes to text (:func:`decode_page_report`'s text)."""
    return decode_page_report(body, content_type).text


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


# UTF-8 byte sequences read as Latin-1: "Ã³" for "ó", "Å\x82" for "ł", "â\x80\x93" for "–".
_MOJIBAKE_RUN = re.compile(
    r"(?:[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3})+"
)
_MOJIBAKE_LEADS = ("\xc3", "\xc5", "\xc4", "\xc2", "\xe2")
MOJIBAKE_MIN_RUNS = 10
"""Runs of UTF-8-read-as-Latin-1 a page must show before its text is repaired (a systematic fault)."""


def _redecode(match: re.Match[str]) -> str:
    run = match.group(0)
    try:
        return run.encode("latin-1").decode("utf-8")
    except UnicodeDecodeError:
        return run


def repair_double_encoding(text: str) -> str:
    """Text whose UTF-8 was decoded as Latin-1 somewhere upstream (all or part of the page), repaired.

    Only sequences that form valid UTF-8 are re-read, so correctly decoded text beside them (a
    template in one charset, the article stored double-encoded) stays as it is.
    """
    # Cheap first look: the lead bytes of 2- and 3-byte UTF-8 read as Latin-1 (Ã, Å, Ä, Â, â).
    if sum(text.count(lead) for lead in _MOJIBAKE_LEADS) < MOJIBAKE_MIN_RUNS:
        return text
    runs = _MOJIBAKE_RUN.finditer(text)
    if sum(1 for _ in itertools.islice(runs, MOJIBAKE_MIN_RUNS)) < MOJIBAKE_MIN_RUNS:
        return text
    return _MOJIBAKE_RUN.sub(_redecode, text)
