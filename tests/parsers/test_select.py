"""PageIndex answers CSS selectors exactly as cssselect does, in document order."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from crawler.parsers.generic import parse_html
from crawler.parsers.select import PageIndex, Unsupported, compile_simple, css

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
SELECTORS = [
    "h1.entry-title, h1.td-post-title, article h1",
    "p.entry-excerpt, .td-post-sub-title, .entry-header .excerpt, .entry-header .entry-summary",
    "div.entry-content, div.td-post-content, [itemprop='articleBody']",
    ".post-tags a, .td-tags a, .tags-links a, .entry-tags a",
    "a[rel~='tag']",
    ".entry-meta a[rel~='author'], .byline .author a, .td-post-author-name a",
    "link[rel~='canonical'][href]",
    "script[type='application/ld+json']",
    "meta[property=\"og:title\"]",
    "nav a, footer a, header nav li a",
    "*[class]",
    "div p, ul li a, article .entry-content p",
    "body > div",  # outside the simple grammar: cssselect answers
    "p:first-child",
]


def pages() -> list[str]:
    found = sorted(FIXTURES.glob("generic/*/page.html")) + sorted(FIXTURES.glob("sites/*/*/page.html"))
    return [p.read_text(encoding="utf-8", errors="replace") for p in found]


def test_simple_grammar_and_what_falls_outside() -> None:
    assert len(compile_simple(".a .b, p[x~='y']")) == 2
    for selector in ("body > div", "p:first-child", "a + b", "li ~ li"):
        with pytest.raises(Unsupported):
            compile_simple(selector)


@pytest.mark.parametrize("selector", SELECTORS)
def test_the_index_selects_what_cssselect_selects(selector: str) -> None:
    checked = 0
    for html in pages():
        root = parse_html(html)
        if root is None:
            continue
        index = PageIndex(root)
        assert index.select(selector) == css(selector)(root), selector
        body = root.find("body")
        if body is not None:  # within a subtree of the page, and within a detached copy of it
            assert index.select(selector, body) == css(selector)(body), selector
            detached = copy.deepcopy(body)
            assert [e.tag for e in index.select(selector, detached)] == [e.tag for e in css(selector)(detached)]
        checked += 1
    assert checked >= 20
