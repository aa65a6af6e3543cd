"""docs/schema.md describes the stored values as the crawler writes them."""

from __future__ import annotations

import json
from pathlib import Path

from crawler.items import ArticleRecord
from crawler.parsers import fill_missing, parse_article

SCHEMA_DOC = Path(__file__).resolve().parents[2] / "docs" / "schema.md"

PAGE = """<html><head><title>t</title>
<script type="application/ld+json">{json}</script></head>
<body><article><h1>Bread queues grow</h1><p>{body}</p></article></body></html>"""


def _provenance_row() -> str:
    rows = [line for line in SCHEMA_DOC.read_text(encoding="utf-8").splitlines() if line.startswith("| `provenance`")]
    assert len(rows) == 1, rows
    return rows[0]


def test_provenance_doc_matches_what_pure_generic_and_fallback_pages_store() -> None:
    jsonld = json.dumps({"@type": "NewsArticle", "headline": "Bread queues grow", "datePublished": "2024-01-31"})
    html = PAGE.format(json=jsonld, body="Bread queues grow in Aleppo as flour runs short. " * 20)
    # A page no site parser handles stores the generic rule's bare name.
    generic = parse_article(html, "https://unknown-news.example/2024/bread")
    assert generic.provenance["title"] == "jsonld"
    # A site parser's empty field filled by the generic extractor gets the "generic:" prefix.
    site = ArticleRecord(url="https://x/1", body_text="b", provenance={"body_text": "site:syrianobserver"})
    fill_missing(site, generic)
    assert site.provenance["title"] == "generic:jsonld"

    row = _provenance_row()
    assert '`"generic:jsonld"`' in row and "generic extractor filled it" in row
    assert '`"jsonld"`' in row and "no site parser handles" in row
    assert '`"site:syrianobserver"`' in row
