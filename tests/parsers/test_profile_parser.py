"""The profile-driven parser: chrome stripped, selectors override fields, zoneless dates in the site's zone."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from crawler.parsers import parse_article
from crawler.parsers.dates import parse_date
from crawler.parsers.profile import ProfileParser

PAGE = """<html lang="en"><head><title>Big Story | Paper</title></head><body>
<div class="cookie-banner"><p>We use cookies to personalise content and measure our traffic, accept them all.</p></div>
<div class="story"><span class="kicker">Politics</span><h1>Big Story About Things Happening</h1>
<div class="meta"><a class="who">Jane Roe</a> and <a class="who">John Doe</a>
<span class="when">6 April 2024, 16:13</span></div>
<div class="body">
<p>The first paragraph of the story tells what happened in the city on Monday, with some detail.</p>
<p class="promo">Read also: something else entirely that is not part of this article</p>
<p>The second paragraph explains why it matters to the people who live there and elsewhere.</p>
</div><ul class="tags"><li><a>Alpha</a></li><li><a>Beta</a></li><li><a>Alpha</a></li></ul></div>
</body></html>"""


class Paper(ProfileParser):
    site = "paper"
    selectors = {"authors": ".meta .who", "published_at": ".meta .when", "tags": ".tags a", "category": ".kicker"}
    strip = (".cookie-banner", ".promo")
    timezone = "Asia/Beirut"


def test_selectors_override_fields_with_profile_provenance() -> None:
    record = Paper(PAGE, "https://paper.example/news/1").parse()
    assert record.authors == ["Jane Roe", "John Doe"] and record.provenance["authors"] == "profile:authors"
    assert record.tags == ["Alpha", "Beta"] and record.category == "Politics"
    # 16:13 in Beirut (UTC+3 in April) is 13:13 UTC.
    assert record.published_at == datetime(2024, 4, 6, 13, 13, tzinfo=UTC)
    assert record.published_raw == "6 April 2024, 16:13" and record.provenance["published_at"] == "profile:published_at"
    assert record.title == "Big Story About Things Happening"


def test_chrome_is_stripped_before_extraction() -> None:
    record = Paper(PAGE, "https://paper.example/news/1").parse()
    assert "first paragraph" in record.body_text and "second paragraph" in record.body_text
    assert "Read also" not in record.body_text and "cookies" not in (record.body_html or "")


def test_a_body_selector_limits_the_body() -> None:
    class BodyOnly(Paper):
        selectors = {"body": "div.body"}
        strip = ()

    record = BodyOnly(PAGE, "https://paper.example/news/1").parse()
    assert record.provenance["body_text"] == "profile:body_text"
    assert record.body_text.startswith("The first paragraph")


def test_zoneless_dates_in_a_default_zone_and_explicit_zones_kept() -> None:
    beirut = ZoneInfo("Asia/Beirut")
    assert parse_date("2024-01-10 09:00", default_tz=beirut) == datetime(2024, 1, 10, 7, tzinfo=UTC)
    assert parse_date("2024-01-10T09:00:00Z", default_tz=beirut) == datetime(2024, 1, 10, 9, tzinfo=UTC)
    assert parse_date("2024-01-10T09:00:00+01:00", default_tz=beirut) == datetime(2024, 1, 10, 8, tzinfo=UTC)
    assert parse_date("2024-01-10 09:00") == datetime(2024, 1, 10, 9, tzinfo=UTC)  # no zone given: UTC, as before


def test_parse_article_uses_the_registered_profile_parser() -> None:
    from crawler.replica.levantpost import LevantPostSite

    site, base = LevantPostSite(articles=30), "https://www.levantpost.example"
    article = next(a for a in site.articles if not a.has_jsonld and a.date_style != "iso")
    record = parse_article(site.render(article.path, base)[2], base + article.path)  # site found by host
    assert record.site == "levantpost" and record.provenance["published_at"] == "profile:published_at"
    assert record.published_at.isoformat() == site.expected_record(article, base)["published_at"]
