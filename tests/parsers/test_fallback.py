"""A site parser's empty fields are filled by the generic extractor, field by field, and the record says so."""

from __future__ import annotations

from datetime import UTC, datetime

from crawler.parsers import parse_article
from crawler.replica import ReplicaSite
from crawler.replica.seed import SEED_TITLE

BASE = "https://syrianobserver.com"


def test_redesigned_page_gets_body_and_date_from_the_generic_extractor() -> None:
    site = ReplicaSite(articles=520)
    path = site.seed_article.path
    _, _, page = site.render(path, BASE, layout="redesign")
    record = parse_article(page, BASE + path)

    # What the site parser still finds is its own ...
    assert record.title == SEED_TITLE and record.provenance["title"] == "site:syrianobserver"
    assert record.source == "Alsouria Net" and record.provenance["source"] == "site:syrianobserver"
    # ... what it no longer finds comes from the generic extractor, and says so.
    assert record.provenance["body_text"].startswith("generic:")
    assert record.body_text.startswith("Russian Foreign Minister Sergei Lavrov has acknowledged")
    assert record.provenance["published_at"].startswith("generic:")
    assert record.published_at is not None and record.published_at.date() == datetime(2019, 8, 21, tzinfo=UTC).date()


def test_standard_page_needs_no_fallback_for_its_contract_fields() -> None:
    site = ReplicaSite(articles=520)
    path = site.seed_article.path
    _, _, page = site.render(path, BASE)
    record = parse_article(page, BASE + path)
    for field in ("title", "summary", "source", "body_text", "disclaimer", "tags", "published_at", "authors"):
        assert record.provenance[field] == "site:syrianobserver", field
    assert record.content_hash and len(record.content_hash) == 64
