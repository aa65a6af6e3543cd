"""The Syrian Observer (syrianobserver.com), a WordPress news site.

An article page carries its title (h1), a lede ending in the original outlet's
attribution ("... reports Alsouria Net."), a featured image whose caption repeats the
title, the translated body, the site's standing disclaimer, and "Helpful keywords"
tag links (see shared/site-model.md).  Dates come from JSON-LD or meta tags first.
"""

from __future__ import annotations

import copy
import json
import logging
import re
from datetime import datetime
from functools import cached_property
from typing import Any
from urllib.parse import urljoin, urlsplit

import lxml.html
from lxml import etree
from lxml_html_clean import Cleaner

from crawler.parsers.base import ArticleParser, element_text
from crawler.parsers.dates import parse_date
from crawler.parsers.text import clean_paragraphs, clean_text

logger = logging.getLogger(__name__)

_ARTICLE_TYPES = {"NewsArticle", "Article", "ReportageNewsArticle", "BlogPosting", "AnalysisNewsArticle"}
_CLEANER = Cleaner(
    scripts=True,
    javascript=True,
    comments=True,
    style=True,
    inline_style=True,
    links=True,
    meta=True,
    page_structure=False,
    processing_instructions=True,
    embedded=True,
    frames=True,
    forms=True,
    annoying_tags=True,
    remove_unknown_tags=False,
    safe_attrs_only=True,
    safe_attrs=frozenset({"href", "src", "alt", "title"}),
)


class SyrianObserverParser(ArticleParser):
    """Article pages of The Syrian Observer (WordPress; ``td-*`` names cover a Newspaper-theme variant)."""

    site = "syrianobserver"

    TITLE = "h1.entry-title, h1.td-post-title, article h1"
    LEDE = "p.entry-excerpt, .td-post-sub-title, .entry-header .excerpt, .entry-header .entry-summary"
    CONTENT = "div.entry-content, div.td-post-content, [itemprop='articleBody']"
    NOT_BODY = (
        "figure, .wp-caption, .sharedaddy, .share-buttons, .code-block, .post-tags, .related-posts, "
        ".jp-relatedposts, script, style, noscript, iframe, form, header, footer, aside, nav"
    )
    TAG_LINKS = ".post-tags a, .td-tags a, .tags-links a, .entry-tags a"
    CATEGORY_LINK = ".entry-category a, .cat-links a, a[rel~='category']"
    AUTHOR_LINKS = ".entry-meta a[rel~='author'], .byline .author a, .td-post-author-name a"
    DATE_TIME = "time.entry-date.published[datetime], time.entry-date[datetime], article time[datetime]"
    FEATURED = "figure.post-thumbnail, .td-post-featured-image, article figure"
    DISCLAIMER = re.compile(r"^This article was translated (?:and edited )?by The Syrian Observer\b", re.IGNORECASE)
    # The lede's closing attribution: "... reports Alsouria Net." / "..., writes SANA."
    ATTRIBUTION = re.compile(
        r"(?:^|[\s,;])(?:reports|writes|reported|wrote)\s+(?P<source>[A-Z][^.,;:!?]{0,59}?)\s*\.?$"
    )

    # --- shared pre-work, computed once -----------------------------------------
    # Every field reads the shared lxml tree; the body walks a marked copy of the content container.

    @cached_property
    def _jsonld(self) -> dict[str, Any]:
        """The page's JSON-LD article object (``@graph`` and lists flattened), or ``{}``."""
        for script in self.select("script[type='application/ld+json']"):
            try:
                data = json.loads(script.text or "")
            except ValueError:
                logger.debug("unreadable JSON-LD on %s", self.url)
                continue
            for node in _walk(data):
                types = node.get("@type")
                types = set(types) if isinstance(types, list) else {types}
                if types & _ARTICLE_TYPES:
                    return node
        return {}

    @cached_property
    def _meta(self) -> dict[str, list[str]]:
        """``<meta property|name|itemprop>`` contents by key (lowercase), in page order."""
        out: dict[str, list[str]] = {}
        for tag in self.tree.iter("meta"):
            key = tag.get("property") or tag.get("name") or tag.get("itemprop")
            content = tag.get("content")
            if isinstance(key, str) and isinstance(content, str) and content.strip():
                out.setdefault(key.lower(), []).append(content.strip())
        return out

    def _first_meta(self, *keys: str) -> str | None:
        for key in keys:
            if self._meta.get(key):
                return self._meta[key][0]
        return None

    @cached_property
    def _content_element(self) -> etree._Element | None:
        """The entry content container (falls back to the ``<article>`` element)."""
        found = self.select_one(self.CONTENT)
        return found if found is not None else next(self.tree.iter("article"), None)

    @cached_property
    def _content(self) -> etree._Element | None:
        """A copy of the content container, chrome and lede marked (the shared tree stays as it was)."""
        if self._content_element is None:
            return None
        content = copy.deepcopy(self._content_element)
        content.tail = None
        marked = [el for el in self.select(self.NOT_BODY, content) if el is not content]
        for element in marked:
            element.set(_NOT_BODY_MARK, "")
        lede = self._lede_in_content()
        if lede is not None:  # the lede paragraph itself is not body; what it holds is looked at
            _copied(self._content_element, content, lede).set(_LEDE_MARK, "")
        return content

    def _lede_in_content(self) -> etree._Element | None:
        """The lede when it sits inside the content container."""
        if self._lede is None or self._content_element is None:
            return None
        return next((el for el in self._content_element.iter() if el is self._lede), None)

    @cached_property
    def _lede(self) -> etree._Element | None:
        return self.select_one(self.LEDE)

    @cached_property
    def _paragraphs(self) -> list[tuple[etree._Element, str]]:
        """(element, cleaned text) of each non-empty paragraph of the content, chrome skipped."""
        if self._content is None:
            return []
        out: list[tuple[etree._Element, str]] = []
        for p in self._content.iter("p", "h2", "h3", "h4"):
            if p is self._content:
                continue  # as BeautifulSoup's find_all: the container's descendants only
            if _LEDE_MARK in p.attrib or any(_NOT_BODY_MARK in el.attrib for el in (p, *p.iterancestors())):
                continue
            text = clean_text(element_text(p))
            if text:
                out.append((p, text))
        return out

    @cached_property
    def _body(self) -> list[tuple[etree._Element, str]]:
        """Body paragraphs: the content's paragraphs minus disclaimer and repeated caption."""
        # A caption or title repeated as a paragraph is chrome, not body.
        repeated = {self.title(), self.image_caption()}
        return [(p, text) for p, text in self._paragraphs if not self.DISCLAIMER.match(text) and text not in repeated]

    # --- fields -------------------------------------------------------------------

    def title(self) -> str | None:
        """The h1 headline; then JSON-LD ``headline``, ``og:title``, ``<title>`` without the site name."""
        h1 = self.select_one(self.TITLE)
        text = clean_text(element_text(h1)) if h1 is not None else None
        if text:
            return text
        page_title = next(self.tree.iter("title"), None)
        for raw in (_str(self._jsonld.get("headline")), self._first_meta("og:title"),
                    element_text(page_title) if page_title is not None else None):
            text = clean_text(re.sub(r"\s+[-|–]\s+The Syrian Observer\s*$", "", raw or ""))
            if text:
                return text
        return None

    def summary(self) -> str | None:
        """The lede under the title; then JSON-LD ``description``, ``og:description``, description meta."""
        text = clean_text(element_text(self._lede)) if self._lede is not None else None
        return text or clean_text(
            _str(self._jsonld.get("description")) or self._first_meta("og:description", "description")
        )

    def source(self) -> str | None:
        """The outlet named by the lede's closing "reports X." / "writes X."; None without attribution."""
        summary = self.summary()
        match = self.ATTRIBUTION.search(summary) if summary else None
        return clean_text(match["source"]) if match else None

    def body_text(self) -> str | None:
        """Body paragraphs separated by a blank line; no caption, disclaimer, share or tag text."""
        return clean_paragraphs([text for _, text in self._body])

    def body_html(self) -> str | None:
        """The body paragraphs' markup, sanitized (no script, style, frames, event handlers, javascript:)."""
        if not self._body:
            return None
        markup = "\n".join(lxml.html.tostring(p, encoding="unicode", with_tail=False) for p, _ in self._body)
        wrapper = lxml.html.fragment_fromstring(markup, create_parent="div")
        _CLEANER(wrapper)
        return "\n".join(lxml.html.tostring(child, encoding="unicode").strip() for child in wrapper) or None

    def disclaimer(self) -> str | None:
        """The standing "This article was translated and edited by The Syrian Observer ..." note."""
        for _, text in self._paragraphs:
            if self.DISCLAIMER.match(text):
                return text
        # Lenient: some pages put the note outside the content container.
        for p in self.tree.iter("p"):
            text = clean_text(element_text(p))
            if text and self.DISCLAIMER.match(text):
                return text
        return None

    def tags(self) -> list[str]:
        """The "Helpful keywords" links; then ``article:tag`` metas, then JSON-LD ``keywords``."""
        links = self.select(self.TAG_LINKS) or [
            a for a in self.select("a[rel~='tag']") if "category" not in (a.get("rel") or "").split()
        ]
        values = [element_text(a) for a in links] or self._meta.get("article:tag", [])
        if not values:
            keywords = self._jsonld.get("keywords")
            values = keywords if isinstance(keywords, list) else (_str(keywords) or "").split(",")
        return _unique(clean_text(v) for v in values if isinstance(v, str))

    def category(self) -> str | None:
        """The category slug: from the category link, the article URL, or ``article:section``."""
        link = self.select_one(self.CATEGORY_LINK)
        href = link.get("href") if link is not None else None
        if isinstance(href, str):
            match = re.search(r"/category/(?:[^/]+/)*?([a-z0-9-]+)/?$", urlsplit(href).path)
            if match:
                return match[1]
        match = re.match(r"^/([a-z0-9-]+)/(?:\d+/)?[^/]+\.html$", urlsplit(self.url).path)
        if match:
            return match[1]
        section = _str(self._jsonld.get("articleSection")) or self._first_meta("article:section")
        return re.sub(r"[^a-z0-9]+", "-", section.lower()).strip("-") or None if section else None

    def authors(self) -> list[str]:
        """JSON-LD ``author`` names; then byline links; then the author meta."""
        names = _people(self._jsonld.get("author"))
        if not names:
            names = [element_text(a) for a in self.select(self.AUTHOR_LINKS)]
        if not names:
            names = self._meta.get("author", [])
        return _unique(clean_text(n) for n in names)

    def published_raw(self) -> str | None:
        """The publication date as written: JSON-LD, then ``article:published_time``, then ``<time>``."""
        raw = _str(self._jsonld.get("datePublished")) or self._first_meta(
            "article:published_time", "datepublished", "date"
        )
        if not raw:
            time = self.select_one(self.DATE_TIME)
            raw = time.get("datetime") if time is not None else None
        return clean_text(raw) if isinstance(raw, str) else None

    def published_at(self) -> datetime | None:
        """``published_raw`` as an aware UTC datetime."""
        return parse_date(self.published_raw(), fuzzy=False)

    def modified_at(self) -> datetime | None:
        """The last modification: JSON-LD ``dateModified``, then ``article:modified_time``, then ``time.updated``."""
        raw = _str(self._jsonld.get("dateModified")) or self._first_meta("article:modified_time", "og:updated_time")
        if not raw:
            time = self.select_one("time.updated[datetime]")
            raw = time.get("datetime") if time is not None else None
        return parse_date(raw, fuzzy=False) if isinstance(raw, str) else None

    def image_url(self) -> str | None:
        """The featured image, absolute: ``og:image``, then JSON-LD ``image``, then the featured ``<img>``."""
        src = self._first_meta("og:image") or _image(self._jsonld.get("image"))
        if not src and self._featured is not None:
            img = next(self._featured.iter("img"), None)
            src = (img.get("data-src") or img.get("src")) if img is not None else None
        return urljoin(self.url, src.strip()) if isinstance(src, str) and src.strip() else None

    def image_caption(self) -> str | None:
        """The featured image's caption (on this site it repeats the title)."""
        if self._featured is None:
            return None
        caption = self.select_one("figcaption, .wp-caption-text", self._featured)
        return clean_text(element_text(caption)) if caption is not None else None

    def language(self) -> str | None:
        """ISO 639-1 code from ``<html lang>``, then ``og:locale``, then JSON-LD ``inLanguage``."""
        html = self.tree if self.tree.tag == "html" else next(self.tree.iter("html"), None)
        raw = html.get("lang") if html is not None else None
        raw = raw or self._first_meta("og:locale") or _str(self._jsonld.get("inLanguage"))
        if not isinstance(raw, str):
            return None
        code = raw.strip().replace("_", "-").split("-")[0].lower()
        return code if code.isalpha() and 2 <= len(code) <= 3 else None

    def canonical_url(self) -> str | None:
        """``<link rel=canonical>``, then ``og:url``, absolute against the page URL."""
        link = self.select_one("link[rel~='canonical'][href]")
        href = link.get("href") if link is not None else self._first_meta("og:url")
        return urljoin(self.url, href.strip()) if isinstance(href, str) and href.strip() else None

    @cached_property
    def _featured(self) -> etree._Element | None:
        return self.select_one(self.FEATURED)


_NOT_BODY_MARK = "data-not-body"
"""Attribute marking chrome inside the content container (dropped again by the sanitizer)."""
_LEDE_MARK = "data-lede"


def _copied(original: etree._Element, copied: etree._Element, element: etree._Element) -> etree._Element:
    """The element of ``copied`` (a deep copy of ``original``) at ``element``'s place in ``original``."""
    path = []
    while element is not original:
        parent = element.getparent()
        path.append(parent.index(element))
        element = parent
    for index in reversed(path):
        copied = copied[index]
    return copied


def _walk(node: Any) -> list[dict[str, Any]]:
    """Every dict of a JSON-LD document, ``@graph`` and lists flattened (two levels deep)."""
    if isinstance(node, list):
        return [d for item in node for d in _walk(item)]
    if isinstance(node, dict):
        graph = node.get("@graph")
        return [node, *(_walk(graph) if isinstance(graph, list) else [])]
    return []


def _str(value: Any) -> str | None:
    """A JSON-LD scalar as text (the first of a list)."""
    if isinstance(value, list):
        value = value[0] if value else None
    return value.strip() or None if isinstance(value, str) else None


def _people(value: Any) -> list[str]:
    """Names from a JSON-LD ``author``: a string, a Person, or a list of either."""
    if isinstance(value, list):
        return [name for item in value for name in _people(item)]
    if isinstance(value, dict):
        name = value.get("name")
        return [name] if isinstance(name, str) else []
    return [value] if isinstance(value, str) else []


def _image(value: Any) -> str | None:
    """A URL from a JSON-LD ``image``: a string, an ImageObject, or a list of either."""
    if isinstance(value, list):
        return _image(value[0]) if value else None
    if isinstance(value, dict):
        return _str(value.get("url") or value.get("contentUrl"))
    return _str(value)


def _unique(values: Any) -> list[str]:
    """Non-empty values, first occurrence kept (case-insensitive)."""
    seen: set[str] = set()
    out: list[str] = []
    for value in values:
        if value and value.casefold() not in seen:
            seen.add(value.casefold())
            out.append(value)
    return out
