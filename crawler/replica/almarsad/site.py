"""AlMarsadSite: the third replica (Arabic, right-to-left), its ground truth and its routing.

``render(target)`` answers a path with query with ``(status, headers, body)``.  What a crawl
should store is given by :meth:`AlMarsadSite.article_urls` and :meth:`AlMarsadSite.expected_record`,
computed from the model, never by parsing the pages.
"""

from __future__ import annotations

import random
import re
from datetime import UTC
from typing import Any
from urllib.parse import parse_qs, urlsplit

from crawler.replica.almarsad import corpus, pages, text
from crawler.replica.almarsad.model import DEFAULT_BASE_URL, LANGUAGE, Article, generate

PER_PAGE = 12
"""Teasers per listing page."""
DISALLOWED: tuple[str, ...] = ("/search", "/newsletter", "/author/")
"""robots.txt ``Disallow`` prefixes (each linked from the pages)."""
ARCHIVE_CONTENT_TYPE = "text/html"
"""The archive's header names no charset: only its ``<meta charset="windows-1256">`` does."""

_ARTICLE = re.compile(r"^/(?P<kind>news|archive)/(?P<id>\d+)\.html$")
_SECTION = re.compile(r"^/section/(?P<slug>[a-z]+)$")
_STATIC = {"/about": ("من نحن", "المرصد موقع إخباري مستقل أسسه صحفيون سوريون عام ٢٠١٥."),
           "/contact": ("اتصل بنا", "للتواصل مع غرفة الأخبار: desk@almarsad.example")}

Response = tuple[int, dict[str, str], bytes]
HTML = "text/html; charset=utf-8"


class AlMarsadSite:
    """Al-Marsad (المرصد): ``articles`` stories, newest first, and every page around them.

    Listings ``/news`` and ``/section/<slug>`` page by query string (``?page=N``); ``/sitemap.xml``
    lists every article, the archive's old pages too.
    """

    def __init__(self, articles: int = 64, seed: int = 11) -> None:
        if articles < 24:
            raise ValueError(f"AlMarsadSite needs at least 24 articles to fill its listings, got {articles}")
        self.seed = seed
        rng = random.Random(seed)
        self.articles: list[Article] = generate(rng, articles)
        self._by_id = {a.article_id: a for a in self.articles}
        self.sections: dict[str, str] = dict(text.SECTIONS)
        places = {slug: name for name, slug in corpus.PLACE_SLUGS.items()}
        self.tags: dict[str, str] = {}
        self.by_section: dict[str, list[Article]] = {s: [] for s in self.sections}
        for a in self.articles:
            self.by_section[a.section].append(a)
            for t in a.tags:
                self.tags[t] = text.TAGS.get(t) or places[t]
        self.most_read: list[Article] = rng.sample(self.articles[:20], 5)

    # --- ground truth -----------------------------------------------------------------

    def article(self, article_id: int) -> Article | None:
        """The article with this id, if any."""
        return self._by_id.get(article_id)

    def article_urls(self, base_url: str) -> set[str]:
        """Absolute canonical URLs of every article: what a complete crawl stores, each once."""
        base = base_url.rstrip("/")
        return {base + a.path for a in self.articles}

    @property
    def archive_articles(self) -> list[Article]:
        """The old pages (windows-1256, table layout), newest first."""
        return [a for a in self.articles if a.archive]

    def listing_targets(self) -> list[str]:
        """Every listing page (path and query)."""
        out: list[str] = []
        for path, items in self._listings():
            for page in range(1, _pages(len(items)) + 1):
                out.append(path if page == 1 else f"{path}?page={page}")
        return out

    def non_article_urls(self, base_url: str) -> set[str]:
        """Absolute URLs of allowed HTML pages that are not articles: home, listings, about, contact."""
        base = base_url.rstrip("/")
        return {base + p for p in ("/", *_STATIC, *self.listing_targets())}

    def expected_record(self, article: Article, base_url: str) -> dict[str, Any]:
        """What a correct extraction of ``article``'s page gives, from the model (not from a parser).

        ``body_text``: the paragraphs joined by blank lines, exactly as published (tashkeel, tatweel and
        digits as printed); no lede, "read also", newsletter, follow or source line.  ``published_at``: UTC.
        """
        return {
            "canonical_url": base_url.rstrip("/") + article.path,
            "title": article.title,
            "body_text": "\n\n".join(article.paragraphs),
            "published_at": article.published.astimezone(UTC).isoformat(),
            "authors": list(article.authors),
            "tags": [self.tags[t] for t in article.tags],
            "category": self.sections[article.section],
            "language": LANGUAGE,
            "summary": article.lede,
            "source": article.source,
        }

    @property
    def disallowed_prefixes(self) -> list[str]:
        """The ``Disallow:`` paths of robots.txt."""
        return list(DISALLOWED)

    @property
    def chrome_phrases(self) -> list[str]:
        """Chrome and label texts never to be stored in an article's text."""
        return list(text.CHROME_PHRASES)

    # --- rendering ----------------------------------------------------------------------

    def render(self, target: str, base_url: str | None = None) -> Response:
        """Answer a request target (path and query) with status, headers and body."""
        parts = urlsplit(target)
        path = parts.path or "/"
        base = (base_url or DEFAULT_BASE_URL).rstrip("/")
        m = _ARTICLE.match(path)
        if m:
            article = self._by_id.get(int(m["id"]))
            if article is None or (m["kind"] == "archive") != article.archive:
                return self._not_found(base)
            if article.archive:
                html = pages.archive_page(self, base, article)
                return 200, {"Content-Type": ARCHIVE_CONTENT_TYPE}, html.encode("cp1256")
            return 200, {"Content-Type": HTML}, pages.article_page(self, base, article).encode("utf-8")
        if path == "/":
            return 200, {"Content-Type": HTML}, pages.home_page(self, base).encode("utf-8")
        if path in _STATIC:
            html = pages.static_page(self, base, path, *_STATIC[path])
            return 200, {"Content-Type": HTML}, html.encode("utf-8")
        if path == "/robots.txt":
            rules = "".join(f"Disallow: {p}\n" for p in DISALLOWED)
            body = f"User-agent: *\n{rules}\nSitemap: {base}/sitemap.xml\n"
            return 200, {"Content-Type": "text/plain; charset=utf-8"}, body.encode("utf-8")
        if path == "/sitemap.xml":
            urls = "".join(f"<url><loc>{base}{a.path}</loc><lastmod>{a.published.isoformat()}</lastmod></url>\n"
                           for a in self.articles)
            body = ('<?xml version="1.0" encoding="utf-8"?>\n'
                    f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n{urls}</urlset>\n')
            return 200, {"Content-Type": "application/xml; charset=utf-8"}, body.encode("utf-8")
        listing = self._listing(path)
        raw = parse_qs(parts.query).get("page", ["1"])[0]
        if listing is not None and raw.isdigit() and 1 <= int(raw) <= _pages(len(listing[1])):
            heading, items = listing
            html = pages.listing_page(self, base, heading, path, items, int(raw), PER_PAGE, _pages(len(items)))
            return 200, {"Content-Type": HTML}, html.encode("utf-8")
        return self._not_found(base)

    def _not_found(self, base: str) -> Response:
        return 404, {"Content-Type": HTML}, pages.not_found_page(self, base).encode("utf-8")

    def _listings(self) -> list[tuple[str, list[Article]]]:
        recent = [a for a in self.articles if not a.archive]
        return [("/news", recent)] + [(f"/section/{s}", items) for s, items in self.by_section.items() if items]

    def _listing(self, path: str) -> tuple[str, list[Article]] | None:
        if path == "/news":
            return "آخر الأخبار", [a for a in self.articles if not a.archive]
        m = _SECTION.match(path)
        if m and self.by_section.get(m["slug"]):
            return self.sections[m["slug"]], self.by_section[m["slug"]]
        return None


def _pages(items: int) -> int:
    return max(1, -(-items // PER_PAGE))
