"""Generic extractor helpers: date normalisation to UTC and author cleaning."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from crawler.parsers.authors import clean_author, clean_authors
from crawler.parsers.dates import date_from_url, parse_date
from crawler.parsers.generic import GenericParser


@pytest.mark.parametrize(
    "raw,expected",
    [
        ("2019-08-21T09:30:00+03:00", datetime(2019, 8, 21, 6, 30, tzinfo=UTC)),
        ("2019-11-19T13:03:00.000Z", datetime(2019, 11, 19, 13, 3, tzinfo=UTC)),
        ("2020-06-21T09:05:00+0200", datetime(2020, 6, 21, 7, 5, tzinfo=UTC)),
        ("2019-11-25 14:00:00", datetime(2019, 11, 25, 14, 0, tzinfo=UTC)),
        ("20190821", datetime(2019, 8, 21, tzinfo=UTC)),
        ("Wed, 21 Aug 2019 09:30:00 +0300", datetime(2019, 8, 21, 6, 30, tzinfo=UTC)),
        ("June 28, 2023 at 11:40 p.m. EDT", datetime(2023, 6, 29, 3, 40, tzinfo=UTC)),
        ("Publié le 25 novembre 2023 à 08h30", datetime(2023, 11, 25, 8, 30, tzinfo=UTC)),
        ("17.07.2021, 09:15 Uhr", datetime(2021, 7, 17, 9, 15, tzinfo=UTC)),
        ("4 декабря 2020, 11:00", datetime(2020, 12, 4, 11, 0, tzinfo=UTC)),
    ],
)
def test_dates_normalised_to_utc(raw: str, expected: datetime) -> None:
    assert parse_date(raw) == expected


@pytest.mark.parametrize("raw", ["", "no date here", "3 hours ago", "0001-01-01", "2999-01-01", "© 2024"])
def test_non_dates_refused(raw: str) -> None:
    assert parse_date(raw) is None


@pytest.mark.parametrize("raw", ["vor 3 Tagen, 2021", "2011, S. 13", "il y a 2 jours 2020", "hace 5 minutos, 2019"])
def test_a_date_read_relative_to_now_is_refused_in_any_language(raw: str) -> None:
    """The general pattern: the parser is pure (no clock), so nothing it reads may resolve against today."""
    assert parse_date(raw, languages=["de", "fr", "es", "en"]) is None


def test_date_in_url() -> None:
    assert date_from_url("https://x.example/2019/11/19/story.html") == datetime(2019, 11, 19, tzinfo=UTC)
    assert date_from_url("https://x.example/story-11574168580") is None


@pytest.mark.parametrize(
    "raw,expected",
    [
        ("By Jane Doe and John Roe | Updated 3 March 2021", ["Jane Doe", "John Roe"]),
        ("By JANE DOE, Staff Writer", ["Jane Doe"]),
        ("Sarah E. Needleman", ["Sarah E. Needleman"]),
        ("Posted by Arthur Penn", ["Arthur Penn"]),
        ("Par Claire Dubois", ["Claire Dubois"]),
        ("Von Anna Schmidt und Jörg Becker", ["Anna Schmidt", "Jörg Becker"]),
        ("Lucía Fernández y Diego Ramos", ["Lucía Fernández", "Diego Ramos"]),
        ("Автор: Иван Петров", ["Иван Петров"]),
        ("بقلم: سامر الأحمد", ["سامر الأحمد"]),
        ("Jane Doe @janedoe jane@example.com", ["Jane Doe"]),
        ("Reuters", []),
        ("The Associated Press", []),
        ("@newsdesk", []),
        ("Staff", []),
        ("https://example.com/author/jdoe", []),
        # Regressions: a lone label, credentials after a comma, a date lead-in, an agency dateline.
        ("By", []),
        ("Written by", []),
        ("Author:", []),
        ("Written by Rachael Link, MS, RD on November 14, 2019", ["Rachael Link"]),
        ("Ilana Muhlstein, MS, RDN", ["Ilana Muhlstein"]),
        ("Jane Doe, Ph.D., M.P.H.", ["Jane Doe"]),
        ("Jane Doe MD and John Roe, CPT", ["Jane Doe", "John Roe"]),
        ("By Marc Dupont on 3 March 2021", ["Marc Dupont"]),
        ("Sandee LaMotte, CNN", ["Sandee LaMotte"]),
        ("PTI, Washington, Nov 20 2019, 10:18am IST", []),
    ],
)
def test_author_cleaning(raw: str, expected: list[str]) -> None:
    assert clean_author(raw) == expected


def test_authors_deduplicated_in_order() -> None:
    assert clean_authors(["Jane Doe", "By Jane Doe and John Roe"]) == ["Jane Doe", "John Roe"]


def test_label_in_its_own_element_is_not_an_author() -> None:
    """``<span class=byline>By</span> <a rel=author>Name</a>``: the label is skipped, the name found."""
    page = (
        "<html><body><article><h1>Council approves the new budget</h1>"
        '<p><span class="byline">By</span> <a rel="author" href="/staff/jdoe">Jane Doe</a></p>'
        "<p>" + "The council approved the budget on Monday after a long debate, members said. " * 4 + "</p>"
        "</article></body></html>"
    )
    record = GenericParser(page, "https://example.com/news/budget.html").parse()
    assert record.authors == ["Jane Doe"]
    assert record.provenance["authors"] == "byline"
