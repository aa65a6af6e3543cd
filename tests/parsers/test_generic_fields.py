"""Generic metadata beyond title/date/author: image caption and credit, section, tags, modified date, bylines.

Each ``tests/fixtures/generic_fields/<case>/`` holds a small hand-written page of one generic
layout (WordPress, Drupal, Ghost, Blogger, legacy tables, ``<br>`` layouts, microdata, JSON-LD
``@graph``, French, German, Spanish, Russian ...) and its ``expected.json``, stated by reading
the page: the caption as printed with the credit the page gives apart in parentheses; the
section a page's metadata or breadcrumb trail names (the last crumb before the article); tags
from metadata, ``rel="tag"`` links or a tag box; the update stamp in UTC; bylines as people's
names only (no "in Beirut", "AFP", "for Reuters", "(PA)"). Every listed field must match exactly.
"""

from __future__ import annotations

import json
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from crawler.parsers.generic import GenericParser

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "generic_fields"
CASES = sorted(p.name for p in FIXTURES.iterdir() if (p / "expected.json").is_file())
FIELDS = ("image_caption", "category", "tags", "modified_at", "authors")


def _expected(case: str) -> dict:
    return json.loads((FIXTURES / case / "expected.json").read_text(encoding="utf-8"))


def _parse(case: str):  # noqa: ANN202 - an ArticleRecord
    expected = _expected(case)
    zone = ZoneInfo(expected["site_timezone"]) if expected.get("site_timezone") else None
    html = (FIXTURES / case / "page.html").read_text(encoding="utf-8")
    return GenericParser(html, expected["url"], default_tz=zone).parse()


def test_at_least_twenty_layouts() -> None:
    assert len(CASES) >= 20
    assert len({_expected(c)["layout"] for c in CASES}) >= 10


@pytest.mark.parametrize("case", CASES)
def test_fields_match_the_hand_written_record(case: str) -> None:
    record = _parse(case)
    expected = _expected(case)
    got = {
        "image_caption": record.image_caption,
        "category": record.category,
        "tags": record.tags,
        "modified_at": record.modified_at.isoformat() if record.modified_at else None,
        "authors": record.authors,
    }
    assert got == {name: expected[name] for name in FIELDS}


@pytest.mark.parametrize("case", [c for c in CASES if "language" in _expected(c)])
def test_language_of_pages_that_do_not_declare_one(case: str) -> None:
    """Pages without ``lang`` or a locale meta: the language is read from their words."""
    record = _parse(case)
    assert record.language == _expected(case)["language"]
    assert record.provenance["language"] == "heuristic"


@pytest.mark.parametrize("case", [c for c in CASES if "provenance" in _expected(c)])
def test_zone_less_dates_read_in_the_site_zone_say_so(case: str) -> None:
    """A date printed without a zone, read in the site's known zone, is marked in provenance."""
    record = _parse(case)
    for name, rule in _expected(case)["provenance"].items():
        assert record.provenance[name] == rule


@pytest.mark.parametrize(
    ("raw", "names"),
    [
        ("By Jane Doe in Beirut", ["Jane Doe"]),  # dateline place
        ("Jane Doe, Reuters", ["Jane Doe"]),  # agency after a comma
        ("By Jane Doe for Reuters", ["Jane Doe"]),  # outlet after "for"
        ("Jane Doe (AP)", ["Jane Doe"]),  # agency in parentheses
        ("By Jane Doe, Reuters, in Beirut", ["Jane Doe"]),  # agency and a dateline piece
        ("Jane Doe in Paris and John Roe in London", ["Jane Doe", "John Roe"]),
        ("Par Marie Dupont à Lyon", ["Marie Dupont"]),
        ("Por Carlos Ruiz desde Valencia", ["Carlos Ruiz"]),
    ],
)
def test_bylines_are_cleaned_of_places_and_agencies(raw: str, names: list[str]) -> None:
    from crawler.parsers.authors import clean_author

    assert clean_author(raw) == names
