"""Is this page an article? A pure, explainable decision from a page's HTML and URL.

Signals, each worth points (a page is an article at ``ARTICLE_SCORE`` or more):

- structured data: a JSON-LD object of an article type (``NewsArticle``, ``Article``, ``BlogPosting`` ...);
  a collection type (``CollectionPage``, ``ItemList``, ``ProfilePage``) counts against;
- ``og:type``: ``article`` for, ``website``/``profile`` against; ``article:published_time`` for;
- the URL: matches the article pattern learned from the site's feed and sitemap (for), or not (against);
  a listing shape (``/page/N``, ``?page=N``, ``/tag/``, ``/author/`` ...) against;
- text density of the main block: several paragraphs of running text for, next to nothing against;
  many links to article-shaped URLs (a listing) against, when no structured data says article.

Used by the ``auto`` spider (which stores only articles) and by ``crawler check-site``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from crawler.discovery.links import UrlPattern
from crawler.parsers.body import extract_body
from crawler.parsers.generic import parse_html
from crawler.parsers.metadata import jsonld_types, read_metadata

ARTICLE_SCORE = 3
"""Points a page needs to count as an article."""
MIN_ARTICLE_CHARS = 400
"""Body characters of running text that look like an article body."""
MIN_ARTICLE_PARAGRAPHS = 2
STUB_CHARS = 150
"""A main block shorter than this is not an article body."""
LISTING_LINKS = 8
"""This many distinct links to article-shaped URLs make a page look like a listing."""

COLLECTION_TYPES = frozenset(
    t.casefold() for t in ("CollectionPage", "ItemList", "ProfilePage", "SearchResultsPage", "Blog", "WebSite")
)
NON_ARTICLE_OG = frozenset({"website", "profile", "blog", "object", "book", "video.other", "music.song"})
_LISTING_PATH = re.compile(
    r"(?:/page/\d+/?$|^/(?:tag|tags|topic|topics|author|authors|category|categories|section|search|archive|archives)"
    r"(?:/|$)|^/\d{4}/(?:\d{2}/?)?$)",
    re.I,
)
_PAGE_QUERY = re.compile(r"(?:^|&)(?:page|paged|pg)=\d+", re.I)


@dataclass
class Verdict:
    """The decision and why: ``reasons`` lists each signal with its points (``og:type=article +2``)."""

    is_article: bool
    score: int
    reasons: list[str] = field(default_factory=list)
    canonical: str | None = None
    body_chars: int = 0

    def explain(self) -> str:
        """One line: the decision, score and signals."""
        verdict = "article" if self.is_article else "not an article"
        return f"{verdict} (score {self.score}: {', '.join(self.reasons) or 'no signal'})"


def looks_like_listing_url(url: str) -> bool:
    """True for URL shapes of listings: pagination, tag/author/category pages, date archives."""
    parts = urlsplit(url)
    return bool(_LISTING_PATH.search(parts.path or "/") or _PAGE_QUERY.search(parts.query))


def classify_page(html: str, url: str, pattern: UrlPattern | None = None) -> Verdict:
    """Decide whether the page at ``url`` is an article, from its HTML and the learned URL ``pattern``."""
    root = parse_html(html)
    if root is None:
        return Verdict(False, -10, ["no HTML"])
    md = read_metadata(root)
    score = 0
    reasons: list[str] = []

    def add(points: int, reason: str) -> None:
        nonlocal score
        score += points
        reasons.append(f"{reason} {points:+d}")

    structured = bool(md.jsonld_articles)
    if structured:
        types = sorted({t for obj in md.jsonld_articles for t in jsonld_types(obj)})
        add(3, f"JSON-LD {'/'.join(types)}")
    elif any(jsonld_types(obj) & COLLECTION_TYPES - {"website"} for obj in md.jsonld_other):
        add(-2, "JSON-LD collection")
    og = md.first_meta("og:type")
    og_type = og[1].strip().casefold() if og else None
    if og_type == "article":
        add(2, "og:type=article")
        structured = True
    elif og_type in NON_ARTICLE_OG:
        add(-1, f"og:type={og_type}")
    if md.first_meta("article:published_time"):
        add(1, "article:published_time")

    path = urlsplit(url).path or "/"
    if path == "/":
        add(-3, "home page")
    elif pattern is not None:
        if pattern.matches(url):
            add(3, "URL matches article pattern")
        else:
            add(-3, "URL outside article pattern")
    if looks_like_listing_url(url):
        add(-2, "listing URL")

    article_links = 0
    if pattern is not None and not structured:
        own = path
        article_links = len(
            {
                urlsplit(href).path
                for href in root.xpath("//a/@href")
                if pattern.matches(href) and urlsplit(href).path != own
            }
        )
        if article_links >= LISTING_LINKS:
            add(-2, f"{article_links} article links")

    title = md.first_meta("og:title")
    body = extract_body(root, title[1] if title else None)  # last: it mutates the tree
    text = body.text or ""
    paragraphs = [t for kind, t in body.paragraphs if kind in ("p", "quote", "li") and len(t) >= 40]
    if len(text) >= MIN_ARTICLE_CHARS and len(paragraphs) >= MIN_ARTICLE_PARAGRAPHS:
        add(2, f"body {len(text)} chars")
    elif len(text) < STUB_CHARS:
        add(-2, f"body {len(text)} chars")
    canonical = urljoin(url, md.canonical) if md.canonical else None
    return Verdict(score >= ARTICLE_SCORE, score, reasons, canonical, len(text))
