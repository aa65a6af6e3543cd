"""SyrianObserverParser, field by field, on the stored seed page, plus its edge cases.

The stored page is the replica's rendering of the seed article
(``tests/fixtures/sites/syrianobserver/seed``); ``expected.json`` was written from the
seed text.  ``body_html`` is not in expected.json: it is tested here for what it must
and must not contain.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import lxml.html
import pytest

from crawler.items import ArticleRecord
from crawler.parsers.sites.syrianobserver import SyrianObserverParser
from crawler.parsers.text import decode_html
from crawler.replica import ReplicaSite

SEED = Path(__file__).resolve().parent.parent / "fixtures" / "sites" / "syrianobserver" / "seed"
EXPECTED = json.loads((SEED / "expected.json").read_text(encoding="utf-8"))
URL = json.loads((SEED / "meta.json").read_text(encoding="utf-8"))["url"]
TITLE = EXPECTED["title"]
CHROME = (
    "Logo Wide",
    "Helpful keywords",
    "Share this",
    "Facebook",
    "Twitter",
    "WhatsApp",
    "About Us",
    "Related Articles",
    "The Syrian Observer is a daily online news service",
    "Skip to content",
)


@pytest.fixture(scope="module")
def record() -> ArticleRecord:
    return SyrianObserverParser(decode_html((SEED / "page.html").read_bytes()), URL).parse()


@pytest.mark.parametrize("field", sorted(EXPECTED))
def test_field(record: ArticleRecord, field: str) -> None:
    assert record.to_dict()[field] == EXPECTED[field]


def test_every_field_comes_from_the_site_parser(record: ArticleRecord) -> None:
    assert {record.provenance[f] for f in EXPECTED if f not in ("url", "site")} == {"site:syrianobserver"}


def test_body_has_the_six_seed_paragraphs(record: ArticleRecord) -> None:
    paragraphs = record.body_text.split("\n\n")
    assert len(paragraphs) == 6
    assert paragraphs[0].startswith("Russian Foreign Minister Sergei Lavrov has acknowledged")
    assert paragraphs[-1].endswith("hundreds of air and rocket strikes.")
    assert "Assad’s forces" in record.body_text  # typographic apostrophe kept


@pytest.mark.parametrize("chrome", CHROME)
def test_no_chrome_in_body_or_summary(record: ArticleRecord, chrome: str) -> None:
    assert chrome not in record.body_text
    assert chrome not in record.summary


def test_body_excludes_caption_search_nbsp_and_disclaimer(record: ArticleRecord) -> None:
    paragraphs = record.body_text.split("\n\n")
    assert TITLE not in paragraphs  # the featured image caption repeats the title
    assert "Search" not in paragraphs
    assert "Share" not in paragraphs
    assert all(p.strip() for p in paragraphs)
    assert "\u00a0" not in record.body_text
    assert "translated and edited by The Syrian Observer" not in record.body_text
    assert record.disclaimer.startswith("This article was translated and edited by The Syrian Observer.")


def test_body_html_is_sanitized(record: ArticleRecord) -> None:
    html = record.body_html
    for forbidden in ("<script", "<style", "<iframe", "onclick", "onerror", "javascript:", "adsbygoogle"):
        assert forbidden not in html
    assert html.count("<p>") == 6
    assert "Helpful keywords" not in html and "Share this" not in html
    text = [p.text_content() for p in lxml.html.fragment_fromstring(html, create_parent="div").iter("p")]
    assert "\n\n".join(text) == record.body_text


@pytest.mark.parametrize(
    ("lede", "source"),
    [
        ("Regime forces advanced toward Saraqib reports Alsouria Net.", "Alsouria Net"),
        ("Bread prices rose again in Homs, writes SANA.", "SANA"),
        ("Tribes protested in Deir Ezzor reports Al-Hal.", "Al-Hal"),
        ("Ankara warned of a new operation, writes Asharq Al-Awsat.", "Asharq Al-Awsat"),
        ("The Syrian Observer will not publish on Monday for the holiday.", None),
        ("Residents say the reports were exaggerated.", None),
    ],
)
def test_source_is_the_ledes_attribution(lede: str, source: str | None) -> None:
    html = (
        '<html lang="en"><body><article><header><h1 class="entry-title">A title</h1>'
        f'<p class="entry-excerpt">{lede}</p></header>'
        '<div class="entry-content"><p>Body.</p></div></article></body></html>'
    )
    parser = SyrianObserverParser(html, "https://syrianobserver.com/news/1/a.html")
    assert parser.summary() == lede
    assert parser.source() == source


@pytest.mark.parametrize("html", ["", "<html></html>", "<p>stray", "<html><body><article></article></body></html>"])
def test_missing_elements_give_none_never_raise(html: str) -> None:
    record = SyrianObserverParser(html, "https://syrianobserver.com/news/1/a.html").parse()
    assert record.title is None and record.body_text is None and record.published_at is None
    assert record.tags == [] and record.authors == []


def test_newspaper_theme_markup_and_meta_only_dates() -> None:
    """Lenient: td-* class names of the Newspaper theme, a date only in a meta tag."""
    html = """<html lang="en-US"><head>
    <meta property="article:published_time" content="2019-08-21T09:30:00+03:00">
    <link rel="canonical" href="/news/52360/x.html"></head><body><article>
    <h1 class="td-post-title">Headline</h1>
    <p class="td-post-sub-title">Something happened in Idleb, writes SANA.</p>
    <div class="td-post-featured-image"><img data-src="/img/a.jpg" src="data:,">
      <span class="wp-caption-text">Headline</span></div>
    <div class="td-post-content"><p>First paragraph.</p><p>&nbsp;</p><p>Second paragraph.</p>
    <p>This article was translated and edited by The Syrian Observer.</p></div>
    <div class="td-tags"><a href="/tag/iran/">Iran</a></div></article></body></html>"""
    record = SyrianObserverParser(html, "https://syrianobserver.com/news/52360/x.html").parse()
    assert record.title == "Headline"
    assert record.source == "SANA"
    assert record.body_text == "First paragraph.\n\nSecond paragraph."
    assert record.disclaimer == "This article was translated and edited by The Syrian Observer."
    assert record.tags == ["Iran"]
    assert record.image_url == "https://syrianobserver.com/img/a.jpg"
    assert record.canonical_url == "https://syrianobserver.com/news/52360/x.html"
    assert record.published_at.isoformat() == "2019-08-21T06:30:00+00:00"
    assert record.category == "news"


# --- against the replica: the parser and the site model agree ----------------------------------


@pytest.fixture(scope="module")
def site() -> ReplicaSite:
    return ReplicaSite()


def _parse(site: ReplicaSite, path: str, layout: str = "standard") -> ArticleRecord:
    _, _, body = site.render(path, "http://127.0.0.1:8000", layout)
    return SyrianObserverParser(body.decode("utf-8"), "http://127.0.0.1:8000" + path).parse()


def test_generated_articles_parse_as_generated(site: ReplicaSite) -> None:
    for article in site.articles[::7]:
        if article.kind not in ("article", "notice"):
            continue
        record = _parse(site, article.path)
        assert record.title == article.title
        assert record.body_text == "\n\n".join(article.paragraphs)
        assert record.source == article.source
        assert record.category == article.category
        assert record.published_at == article.published


def test_no_body_and_truncated_pages_have_a_title_but_no_body(site: ReplicaSite) -> None:
    for path in site.no_body_urls | site.truncated_urls:
        record = _parse(site, path)
        assert record.title and record.body_text is None and record.body_html is None


def test_redesign_hides_body_and_date_from_this_parser(site: ReplicaSite) -> None:
    """The layout change the health check must notice: no body, no date from the site rules."""
    record = _parse(site, site.seed_article.path, layout="redesign")
    assert record.title == TITLE
    assert record.body_text is None and record.published_at is None


def test_parse_article_picks_this_parser_for_the_host() -> None:
    from crawler.parsers import parse_article

    record = parse_article((SEED / "page.html").read_bytes(), URL)
    assert record.site == "syrianobserver"
    assert record.body_text == EXPECTED["body_text"]
    assert record.provenance["body_text"] == "site:syrianobserver"
    assert re.fullmatch(r"[0-9a-f]{64}", record.content_hash)
