"""Text as written: double-encoded UTF-8 repaired, ruby readings dropped, CJK paragraphs kept, dates read exactly.

Pattern: a CMS stores the article double-encoded while the template around it is right; only the
runs that form valid UTF-8 are re-read, and a page with a few such letters is left alone.
"""

from __future__ import annotations

from crawler.parsers.encoding import repair_double_encoding
from crawler.parsers.generic import GenericParser

POLISH = "Zarząd fundacji odpowiedział na zarzuty, które pojawiły się w mediach w ostatnim tygodniu."


def _mangled(text: str) -> str:
    return text.encode("utf-8").decode("latin-1")


def test_a_double_encoded_article_beside_a_correct_template_is_repaired() -> None:
    paragraphs = "".join(f"<p>{_mangled(POLISH)} Akapit {n}.</p>" for n in range(1, 6))
    html = f"<html><head><title>Fundacja – wiadomości</title></head><body><article>{paragraphs}</article></body></html>"
    body = GenericParser(html, "https://example.pl/wiadomosci/1").parse().body_text or ""
    assert POLISH in body and "Ã" not in body


def test_text_with_a_few_such_letters_is_left_alone() -> None:
    text = "<p>Ã la carte, Å and Â are letters too; São Paulo and Ãgua stay as written.</p>"
    assert repair_double_encoding(text) == text


def test_ruby_annotations_leave_the_base_text_whole() -> None:
    """Pattern: Japanese text with furigana (<ruby>虐待<rt>ぎゃくたい</rt></ruby>): the reading is not body text."""
    sentence = (
        "子どもへの<ruby>虐待<rp>(</rp><rt>ぎゃくたい</rt><rp>)</rp></ruby>をなくすための"
        "<ruby>法律<rt>ほうりつ</rt></ruby>ができました。"
    )
    paragraphs = "".join(f"<p>{n}. {sentence * 3}</p>" for n in range(1, 6))
    html = f"<html><body><article>{paragraphs}</article></body></html>"
    body = GenericParser(html, "https://example.jp/news/1").parse().body_text or ""
    assert "子どもへの虐待をなくすための法律ができました。" in body and "ぎゃくたい" not in body


def test_a_closing_chinese_paragraph_without_a_full_stop_is_not_taken_for_a_label() -> None:
    """Pattern: CJK text has no spaces, so a whole paragraph is one 'word'; only short ones are stubs."""
    para = "如今向河北农大果树班毕业生群体学习的热潮正在全省各地深入开展，廊坊以巡演为契机组织干部群众观看演出"
    html = f"<html><body><article><p>{para}。</p><p>{para}。</p><p>{para}</p></article></body></html>"
    body = GenericParser(html, "https://example.cn/news/1").parse().body_text or ""
    assert body.count(para) == 3


def test_fixed_shape_text_dates_are_read_exactly_day_first_when_dotted() -> None:
    """Pattern: "07.11.2023" (dotted dates are day-first), "March 12, 2024", "12 March 2024", with a label."""
    from datetime import UTC, datetime

    from crawler.parsers.dates import parse_date

    assert parse_date("07.11.2023") == datetime(2023, 11, 7, tzinfo=UTC)
    assert parse_date("Veröffentlicht am 3.5.2021 um 10:15") == datetime(2021, 5, 3, 10, 15, tzinfo=UTC)
    assert parse_date("Tuesday, March 12th, 2024") == datetime(2024, 3, 12, tzinfo=UTC)
    assert parse_date("Published 12 Sept 2024") == datetime(2024, 9, 12, tzinfo=UTC)


def test_day_first_dates_with_month_names_in_other_languages_are_read_exactly() -> None:
    """Pattern: "3. Mai 2021", "mercredi 5 juin 2019", "4 de mayo de 2022, 07:59" (no dateparser call)."""
    from datetime import UTC, datetime

    from crawler.parsers.dates import parse_date

    assert parse_date("3. Mai 2021") == datetime(2021, 5, 3, tzinfo=UTC)
    assert parse_date("mercredi 5 juin 2019") == datetime(2019, 6, 5, tzinfo=UTC)
    assert parse_date("4 de mayo de 2022, 07:59") == datetime(2022, 5, 4, 7, 59, tzinfo=UTC)
    assert parse_date("Veröffentlicht am 3. März 2021 um 10:15 Uhr") == datetime(2021, 3, 3, 10, 15, tzinfo=UTC)
