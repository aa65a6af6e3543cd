"""Validate, normalize and dedupe pipelines on items (no network, no database)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from scrapy.exceptions import DropItem
from scrapy.utils.test import get_crawler

from crawler.items import ArticleRecord
from crawler.pipelines import DedupePipeline, DuplicateItem, NormalizePipeline, ValidatePipeline
from crawler.urls import canonical_url

BODY = "Russian Foreign Minister Sergei Lavrov has acknowledged the presence of Russian soldiers.\n\nSecond."


def make(url: str = "http://x/news/1/a.html", **fields: object) -> ArticleRecord:
    values: dict[str, object] = {"title": "A title", "body_text": BODY}
    values.update(fields)
    return ArticleRecord(url=url, **values)  # type: ignore[arg-type]


@pytest.fixture
def crawler():
    return get_crawler(
        settings_dict={
            "VALIDATE_MIN_BODY_CHARS": 80,
            "VALIDATE_MIN_TITLE_CHARS": 3,
        }
    )


@pytest.mark.parametrize(
    ("fields", "reason"),
    [({"title": None}, "no title"), ({"body_text": "  \u00a0 "}, "no body"), ({"body_text": "Too short."}, "no body")],
)
def test_validate_drops_non_articles_with_reason(crawler, fields: dict, reason: str) -> None:
    with pytest.raises(DropItem) as excinfo:
        ValidatePipeline(crawler).process_item(make(**fields))
    assert reason in str(excinfo.value)
    assert "http://x/news/1/a.html" in str(excinfo.value)


def test_validate_counts_field_coverage(crawler) -> None:
    pipeline = ValidatePipeline(crawler)
    pipeline.process_item(make(published_at=datetime(2019, 8, 21, tzinfo=UTC)))
    with pytest.raises(DropItem):
        pipeline.process_item(make(body_text=None))
    pipeline.process_item(make(summary="Lede", provenance={"summary": "generic:meta"}))
    stats = crawler.stats
    assert stats.get_value("coverage/summary") is None  # filled only by the generic fallback
    assert stats.get_value("coverage/pages") == 3
    assert stats.get_value("coverage/body_text") == 2
    assert stats.get_value("coverage/published_at") == 1


def test_normalize_cleans_text_dates_and_url(crawler) -> None:
    item = make(
        url="http://x/news/1/a.html?utm_source=tw&b=2&a=1#comments",
        canonical_url=None,
        title="  Cafe\u0301\u00a0 title ",
        body_text="One  para.\n\n\n\u00a0\n\nTwo para.",
        published_at=datetime(2019, 8, 21, 9, 30, tzinfo=timezone(timedelta(hours=3))),
        tags=[" Russia ", ""],
    )
    out = NormalizePipeline(crawler).process_item(item)
    assert out.title == "Caf\u00e9 title"
    assert out.body_text == "One para.\n\nTwo para."
    assert out.published_at == datetime(2019, 8, 21, 6, 30, tzinfo=UTC)
    assert out.canonical_url == "http://x/news/1/a.html?a=1&b=2"
    assert out.tags == ["Russia"]
    assert out.content_hash and len(out.content_hash) == 64


def test_canonical_url_drops_tracking_and_fragment() -> None:
    assert canonical_url("https://s.com/a.html?utm_medium=x&fbclid=1#top") == "https://s.com/a.html"


def test_dedupe_by_canonical_url_and_by_body(crawler) -> None:
    normalize, dedupe = NormalizePipeline(crawler), DedupePipeline(crawler)
    dedupe.process_item(normalize.process_item(make()))
    with pytest.raises(DuplicateItem, match="already seen"):
        dedupe.process_item(normalize.process_item(make(url="http://x/news/1/a.html?utm_source=feed")))
    with pytest.raises(DuplicateItem, match="same body"):
        dedupe.process_item(normalize.process_item(make(url="http://x/news/9/copy.html", title="Other")))
    other = normalize.process_item(make(url="http://x/news/2/b.html", body_text=BODY + " Different."))
    assert dedupe.process_item(other) is other
