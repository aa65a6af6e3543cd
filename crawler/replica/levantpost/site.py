"""LevantPostSite: the whole second replica, its ground truth and its routing.

``render(target)`` answers any path with query (``/news?page=2``) with ``(status, headers,
body)``; the HTTP side is :mod:`crawler.replica.levantpost.server`.  What a crawl should
store is given by :meth:`LevantPostSite.article_urls` and :meth:`LevantPostSite.expected_record`,
computed from the model, never by parsing the pages.
"""

from __future__ import annotations

import random
import re
from datetime import UTC
from typing import Any
from urllib.parse import parse_qs, urlsplit

from crawler.replica import corpus
from crawler.replica.levantpost import chrome, feeds, pages, text
from crawler.replica.levantpost.model import (
    DEFAULT_BASE_URL,
    LANGUAGE,
    SECTIONS,
    TAG_NAMES,
    Article,
    generate,
    slugify,
)

PER_PAGE = 15
"""Teasers per listing page (``/news``, sections, tags, authors)."""
MOST_READ = 5
DISALLOWED: tuple[str, ...] = ("/search", "/account/", "/print/")
"""robots.txt ``Disallow`` prefixes; every one of them is linked from the pages."""

_ARTICLE = re.compile(r"^/(?P<amp>amp/|print/)?news/(?P<id>\d+)-(?P<slug>[a-z0-9-]+)$")
_LISTING = re.compile(r"^/(?P<kind>section|tag|author)/(?P<slug>[a-z0-9-]+)$")
_STATIC = {"/about": "about", "/contact": "contact", "/search": "search", "/account/login": "login",
           "/account/register": "register"}

Response = tuple[int, dict[str, str], bytes]
HTML = "text/html; charset=utf-8"


class LevantPostSite:
    """The Levant Post: ``articles`` stories (newest first) and every page around them.

    Listings (``/news``, ``/section/<slug>``, ``/tag/<slug>``, ``/author/<slug>``) page by query
    string (``?page=N``).  ``tracking_links`` maps every linked ``?utm_...`` / ``#comments``
    variant to its article's clean path.
    """

    def __init__(self, articles: int = 120, seed: int = 7) -> None:
        if articles < 30:
            raise ValueError(f"LevantPostSite needs at least 30 articles to fill its listings, got {articles}")
        self.seed = seed
        rng = random.Random(seed)
        self.articles: list[Article] = generate(rng, articles)
        self._by_id: dict[int, Article] = {a.article_id: a for a in self.articles}
        self.sections: dict[str, str] = dict(SECTIONS)
        places = {slugify(p): p for p in corpus.PLACES}
        self.tags: dict[str, str] = {}
        self.authors: dict[str, str] = {}
        self.by_section: dict[str, list[Article]] = {s: [] for s in SECTIONS}
        self.by_tag: dict[str, list[Article]] = {}
        self.by_author: dict[str, list[Article]] = {}
        for a in self.articles:
            self.by_section[a.section].append(a)
            for t in a.tags:
                self.tags[t] = TAG_NAMES.get(t) or places[t]
                self.by_tag.setdefault(t, []).append(a)
            for name in a.authors:
                self.authors[slugify(name)] = name
                self.by_author.setdefault(slugify(name), []).append(a)
        self.most_read: list[Article] = rng.sample(self.articles[:40], MOST_READ)
        self.tracking_links: dict[str, str] = {}
        for a in self.most_read:
            self.tracking_links[chrome.most_read_href(a)] = a.path
        for i, a in enumerate(self.articles[: chrome.HOME_TOP]):
            self.tracking_links[chrome.home_href(a, i)] = a.path
        for a in self.articles:
            self.tracking_links[f"{a.path}#comments"] = a.path

    # --- ground truth -----------------------------------------------------------------

    def article(self, article_id: int) -> Article | None:
        """The article with this id, if any."""
        return self._by_id.get(article_id)

    def article_for(self, url: str) -> Article | None:
        """The article whose canonical page is at ``url`` (absolute or a path; query and fragment ignored)."""
        m = _ARTICLE.match(urlsplit(url).path)
        if m is None or m["amp"]:
            return None
        article = self._by_id.get(int(m["id"]))
        return article if article is not None and article.slug == m["slug"] else None

    def article_urls(self, base_url: str) -> set[str]:
        """Absolute canonical URLs of every article: what a complete crawl stores, each once."""
        base = base_url.rstrip("/")
        return {base + a.path for a in self.articles}

    @property
    def amp_articles(self) -> list[Article]:
        """Articles with an AMP twin at ``/amp/news/<id>-<slug>``, newest first."""
        return [a for a in self.articles if a.has_amp]

    def listing_targets(self) -> list[str]:
        """Every listing page (path and query): ``/news``, sections, tags, authors, all their pages."""
        out: list[str] = []
        for base_path, items in self._listings():
            for page in range(1, pages.page_count(len(items), PER_PAGE) + 1):
                out.append(pages.page_target(base_path, page))
        return out

    def non_article_urls(self, base_url: str) -> set[str]:
        """Absolute URLs of allowed HTML pages that are not articles: home, listings, about, contact, AMP twins.

        None of them may be stored as an article.  All but the AMP twins say so (``og:type``
        website, no NewsArticle JSON-LD); an AMP twin carries its article's markup and a
        ``rel=canonical`` to it, so a crawler stores the canonical page (once) instead.
        Disallowed pages (``/search``, ``/account/``, ``/print/``) are not here: a polite
        crawler never fetches them.
        """
        base = base_url.rstrip("/")
        paths = ["/", "/about", "/contact", *self.listing_targets(), *(a.amp_path for a in self.amp_articles)]
        return {base + p for p in paths}

    def expected_record(self, article: Article, base_url: str) -> dict[str, Any]:
        """What a correct extraction of ``article``'s page gives, from the model (not from a parser).

        ``body_text`` is the paragraphs joined by blank lines: no lede, no "Read also" boxes,
        no newsletter box, no comments.  ``published_at`` is UTC ISO 8601 (``+00:00``);
        ``tags`` are names in page order; ``category`` is the section's name.
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
        }

    @property
    def disallowed_prefixes(self) -> list[str]:
        """The ``Disallow:`` paths of robots.txt (each linked from pages, none ever to be fetched)."""
        return list(DISALLOWED)

    @property
    def chrome_phrases(self) -> list[str]:
        """Chrome texts (cookie banner, newsletter, "Read also", share, comments, footer) never to be stored."""
        return list(text.CHROME_PHRASES)

    # --- rendering ----------------------------------------------------------------------

    def render(self, target: str, base_url: str | None = None) -> Response:
        """Answer a request target (path and query; fragment ignored) with status, headers and body."""
        parts = urlsplit(target)
        path = parts.path or "/"
        query = parse_qs(parts.query)
        base = (base_url or DEFAULT_BASE_URL).rstrip("/")
        m = _ARTICLE.match(path)
        if m:
            return self._article(base, m["amp"], int(m["id"]), m["slug"], parts.query)
        if path == "/" or path in _STATIC:
            html = pages.home_page(self, base) if path == "/" else pages.static_page(self, base, _STATIC[path])
            return 200, {"Content-Type": HTML}, html.encode("utf-8")
        feed = feeds.render(self, base, path)
        if feed is not None:
            return feed
        listing = self._listing(path)
        if listing is not None:
            heading, kind, items = listing
            page = _page_number(query)
            if page is not None and page <= pages.page_count(len(items), PER_PAGE):
                html = pages.listing_page(self, base, heading, kind, path, items, page, PER_PAGE)
                return 200, {"Content-Type": HTML}, html.encode("utf-8")
        return self._not_found(base)

    def _article(self, base: str, variant: str | None, article_id: int, slug: str, query: str) -> Response:
        article = self._by_id.get(article_id)
        if article is None or (variant == "amp/" and not article.has_amp):
            return self._not_found(base)
        if slug != article.slug:  # an old or mistyped slug: the site redirects to the current one
            target = {None: article.path, "amp/": article.amp_path, "print/": article.print_path}[variant]
            return 301, {"Location": base + target + (f"?{query}" if query else ""), "Content-Type": HTML}, b""
        if variant == "amp/":
            html = pages.amp_page(self, base, article)
        else:
            html = pages.article_page(self, base, article, printable=variant == "print/")
        return 200, {"Content-Type": HTML}, html.encode("utf-8")

    def _not_found(self, base: str) -> Response:
        return 404, {"Content-Type": HTML}, pages.not_found_page(self, base).encode("utf-8")

    def _listings(self) -> list[tuple[str, list[Article]]]:
        out = [("/news", self.articles)]
        out += [(f"/section/{s}", items) for s, items in self.by_section.items() if items]
        out += [(f"/tag/{s}", items) for s, items in sorted(self.by_tag.items())]
        out += [(f"/author/{s}", items) for s, items in sorted(self.by_author.items())]
        return out

    def _listing(self, path: str) -> tuple[str, str, list[Article]] | None:
        """(heading, kind, items) of a listing's base path."""
        if path == "/news":
            return "Latest news", "news", self.articles
        m = _LISTING.match(path)
        if m is None:
            return None
        kind, slug = m["kind"], m["slug"]
        if kind == "section" and self.by_section.get(slug):
            return self.sections[slug], kind, self.by_section[slug]
        if kind == "tag" and slug in self.by_tag:
            return self.tags[slug], kind, self.by_tag[slug]
        if kind == "author" and slug in self.by_author:
            return self.authors[slug], kind, self.by_author[slug]
        return None


def _page_number(query: dict[str, list[str]]) -> int | None:
    """The ``page`` query parameter (1 when absent), or None when it is not a positive number."""
    raw = query.get("page", ["1"])[0]
    return int(raw) if raw.isdigit() and int(raw) >= 1 else None
