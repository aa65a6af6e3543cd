"""HTML entities in structured metadata: JSON-LD is script text, so its entities reach us raw.

Regression: titles like ``doesn&#8217;t`` and ``&#163;71.6m`` and summaries with ``&amp;``.
"""

from __future__ import annotations

import json

from crawler.parsers.generic import GenericParser
from crawler.parsers.metadata import clean_text, jsonld_text

URL = "https://example.com/business/2022/03/01/profits.html"
PROSE = "<p>" + "Shares rose in early trading after the results, which beat forecasts by a wide margin. " * 4 + "</p>"


def _page(head: str) -> str:
    return f"<html><head>{head}</head><body><article>{PROSE}</article></body></html>"


def test_jsonld_entities_decoded() -> None:
    """Headline, description, author, section and keywords of JSON-LD read as text, nbsp as a space."""
    jsonld = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": "Why the bank doesn&#8217;t expect a &#163;71.6m&nbsp;loss",
        "description": "Profits &amp; losses: the &quot;big four&quot; report",
        "author": {"@type": "Person", "name": "Miles O&#8217;Brien"},
        "articleSection": "Markets &amp; Economy",
        "keywords": "Q&amp;A, banks",
        "datePublished": "2022-03-01T09:00:00Z",
        "image": "https://cdn.example.com/img.jpg?w=1&copy=2",
    }
    page = _page(f'<script type="application/ld+json">{json.dumps(jsonld)}</script>')
    record = GenericParser(page, URL).parse()
    assert record.title == "Why the bank doesn\u2019t expect a \u00a371.6m loss"
    assert record.summary == 'Profits & losses: the "big four" report'
    assert record.authors == ["Miles O\u2019Brien"]
    assert record.category == "Markets & Economy"
    assert record.tags == ["Q&A", "banks"]
    assert record.image_url == "https://cdn.example.com/img.jpg?w=1&copy=2"  # URLs are not unescaped


def test_twice_escaped_meta_decoded() -> None:
    """A ``<meta content>`` escaped twice by its CMS still reads as plain text."""
    page = _page(
        '<meta property="og:title" content="It&amp;#8217;s a &amp;quot;record&amp;quot; year">'
        '<meta name="description" content="Sales&amp;nbsp;up &amp;amp; costs down">'
        '<meta name="author" content="Siobh&amp;aacute;n Kelly">'
    )
    record = GenericParser(page, URL).parse()
    assert record.title == "It\u2019s a \"record\" year"
    assert record.summary == "Sales up & costs down"
    assert record.authors == ["Siobh\u00e1n Kelly"]


def test_clean_text_helpers() -> None:
    assert clean_text("a&nbsp;&nbsp;b\u2009c\n d") == "a b c d"
    assert clean_text("&nbsp;") is None
    assert jsonld_text(["", {"@value": "Caf&eacute;"}]) == "Caf\u00e9"
