"""Choosing a page's charset when its declarations lie: BOM, HTTP header, <meta>, then the bytes themselves."""

from __future__ import annotations

import pytest

from crawler.parsers.encoding import decode_page_report

ARABIC = "أعلنت الحكومة السورية اليوم عن خطة جديدة لإعادة إعمار المدن المتضررة في محافظة حلب ودير الزور. " * 8
FRENCH = "Le conseil a décidé d'étendre l'aide humanitaire aux régions touchées, a déclaré le délégué. " * 8


def page(meta: str, text: str) -> str:
    return f'<html><head><meta charset="{meta}"><title>t</title></head><body><p>{text}</p></body></html>'


def test_header_utf8_over_windows_1256_bytes_gives_the_meta_charset() -> None:
    body = page("windows-1256", ARABIC).encode("cp1256")
    decoded = decode_page_report(body, "text/html; charset=UTF-8")
    assert ARABIC in decoded.text
    assert (decoded.encoding, decoded.source, decoded.replacements) == ("cp1256", "meta", 0)


def test_header_and_meta_disagreeing_both_decodable_the_bytes_decide() -> None:
    body = page("windows-1256", ARABIC).encode("cp1256")
    decoded = decode_page_report(body, "text/html; charset=windows-1252")  # cp1252 decodes these bytes too
    assert ARABIC in decoded.text and decoded.encoding == "cp1256"


def test_utf8_bytes_under_a_latin1_header_are_utf8() -> None:
    body = page("utf-8", FRENCH).encode("utf-8")
    decoded = decode_page_report(body, "text/html; charset=iso-8859-1")
    assert FRENCH in decoded.text and decoded.encoding == "utf-8"


def test_undeclared_windows_1256_is_detected() -> None:
    body = f"<html><body><p>{ARABIC}</p></body></html>".encode("cp1256")
    decoded = decode_page_report(body, "text/html")
    assert ARABIC in decoded.text and decoded.source == "detected"


@pytest.mark.parametrize("content_type", [None, "text/html; charset=windows-1256"])
def test_a_bom_wins(content_type: str | None) -> None:
    body = b"\xef\xbb\xbf" + page("windows-1256", ARABIC).encode("utf-8")
    decoded = decode_page_report(body, content_type)
    assert ARABIC in decoded.text and decoded.source == "bom"


def test_undecodable_bytes_are_counted_not_hidden() -> None:
    body = b"\xef\xbb\xbf<html><body><p>caf\xe9 " + b"x" * 200 + b"</p></body></html>"  # a BOM, then a stray byte
    decoded = decode_page_report(body)
    assert decoded.replacements == 1 and "\ufffd" in decoded.text


def test_utf8_with_a_few_stray_bytes_stays_utf8_and_counts_them() -> None:
    body = page("utf-8", FRENCH).encode("utf-8").replace(b"</p>", b" \xe9\xff</p>")
    decoded = decode_page_report(body, "text/html; charset=utf-8")
    assert FRENCH in decoded.text and decoded.encoding == "utf-8" and decoded.replacements == 2
