"""Must show 2: hand-written Arabic pages of four layouts parse field-exact with the generic extractor.

The pages (``tests/fixtures/generic/arabic_*/``, see ``ARABIC_README.md`` there) come from no
replica template; their expected records were written by reading the pages.  One test per page
and field, so a failure names both.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC
from pathlib import Path

import pytest

from crawler.parsers.generic import GenericParser

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "generic"
CASES = sorted(p.name for p in FIXTURES.glob("arabic_*") if (p / "expected.json").is_file())
FIELDS = ("title", "body_text", "published_at", "authors", "tags", "category", "summary", "language", "source",
          "canonical_url")


def _expected(case: str) -> dict:
    return json.loads((FIXTURES / case / "expected.json").read_text(encoding="utf-8"))


def _parsed(case: str) -> dict:
    expected = _expected(case)
    record = GenericParser((FIXTURES / case / "page.html").read_text(encoding="utf-8"), expected["url"]).parse()
    values = {name: getattr(record, name) for name in FIELDS}
    if record.published_at is not None:
        values["published_at"] = record.published_at.astimezone(UTC).isoformat()
    return values


def test_the_set_is_ten_pages_of_at_least_three_layouts() -> None:
    layouts = Counter(_expected(case)["layout"] for case in CASES)
    assert len(CASES) >= 10, CASES
    assert len(layouts) >= 3, layouts
    # The pages are Arabic, right to left, and not the replica's (no Al-Marsad markup).
    for case in CASES:
        html = (FIXTURES / case / "page.html").read_text(encoding="utf-8")
        assert 'dir="rtl"' in html and "المرصد" not in html and 'class="post-body"' not in html, case


@pytest.mark.parametrize("field", FIELDS)
@pytest.mark.parametrize("case", CASES)
def test_field_matches_the_hand_written_record(case: str, field: str) -> None:
    assert _parsed(case)[field] == _expected(case)[field]


def test_no_arabic_chrome_label_in_any_body() -> None:
    labels = ("اقرأ أيضاً", "إقرأ أيضا", "شاهد أيضاً", "مقالات ذات صلة", "أخبار ذات صلة", "شارك", "تابعونا", "تابعنا",
              "تابعوا", "اشترك", "النشرة", "الأكثر", "الوسوم", "كلمات مفتاحية", "التصنيفات", "التعليقات",
              "جميع الحقوق", "بقلم", "المصدر:", "إعلان", "اضغط هنا")
    found = [(case, label) for case in CASES for label in labels if label in (_parsed(case)["body_text"] or "")]
    assert not found, found
