"""The Al-Marsad replica itself: right-to-left Arabic pages, both month systems, the windows-1256 archive."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from crawler.parsers.text import decode_html
from crawler.replica.almarsad import AlMarsadSite
from crawler.replica.almarsad.pages import EGYPTIAN, LEVANTINE

BASE = "http://127.0.0.1:8002"


@pytest.fixture(scope="module")
def site() -> AlMarsadSite:
    return AlMarsadSite(articles=64, seed=11)


def test_the_same_seed_gives_the_same_site(site: AlMarsadSite) -> None:
    again = AlMarsadSite(articles=64, seed=11)
    assert [a.title for a in again.articles] == [a.title for a in site.articles]
    assert len({a.title for a in site.articles}) == len(site.articles)
    assert len({"\n".join(a.paragraphs) for a in site.articles}) == len(site.articles)


def test_pages_are_right_to_left_arabic_with_both_month_systems_and_digit_systems(site: AlMarsadSite) -> None:
    months: Counter[str] = Counter()
    indic = 0
    for article in site.articles:
        status, headers, body = site.render(article.path, BASE)
        html = decode_html(body, headers["Content-Type"])
        assert status == 200 and '<html dir="rtl" lang="ar">' in html
        months["levantine"] += any(f" {m} " in html for m in LEVANTINE)
        months["egyptian"] += any(f" {m} " in html for m in EGYPTIAN)
        indic += bool(re.search("[٠-٩]{4}", html))
    assert months["levantine"] >= 10 and months["egyptian"] >= 10, months
    assert indic >= 10


def test_archive_pages_are_windows_1256_declared_only_in_meta(site: AlMarsadSite) -> None:
    assert len(site.archive_articles) >= 5
    for article in site.archive_articles:
        _, headers, body = site.render(article.path, BASE)
        assert headers["Content-Type"] == "text/html"  # no charset in the header
        assert b'<meta charset="windows-1256">' in body
        with pytest.raises(UnicodeDecodeError):
            body.decode("utf-8")
        assert article.title in decode_html(body, headers["Content-Type"])


def test_pages_carry_the_arabic_chrome_the_expected_records_leave_out(site: AlMarsadSite) -> None:
    recent = next(a for a in site.articles if not a.archive and a.source)
    html = site.render(recent.path, BASE)[2].decode("utf-8")
    for phrase in ("اقرأ أيضاً", "مقالات ذات صلة", "شارك:", "تابعونا", "اشترك في النشرة البريدية", "المصدر:", "بقلم"):
        assert phrase in html, phrase
    record = site.expected_record(recent, BASE)
    assert record["source"] == recent.source and record["language"] == "ar"
    assert not [p for p in site.chrome_phrases if p in record["body_text"] or p in record["title"]]


def test_unknown_and_mistyped_paths_are_404(site: AlMarsadSite) -> None:
    archived = site.archive_articles[0]
    assert site.render(f"/news/{archived.article_id}.html", BASE)[0] == 404
    assert site.render("/news/1.html", BASE)[0] == 404
    assert site.render("/news?page=99", BASE)[0] == 404
