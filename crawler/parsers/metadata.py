"""Structured metadata of a page, read once from an lxml tree.

JSON-LD (``NewsArticle``/``Article``/``BlogPosting`` and kin, inside ``@graph`` or lists),
OpenGraph / Twitter / plain ``<meta>`` tags and microdata ``itemprop`` values.  Each
accessor returns raw strings; cleaning and choosing between sources is the caller's job.
Plain lxml rather than extruct: the same facts at a fraction of the cost.
"""

from __future__ import annotations

import html
import json
import logging
import re
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

logger = logging.getLogger(__name__)

ARTICLE_TYPES = frozenset(
    t.casefold()
    for t in (
        "Article", "NewsArticle", "BlogPosting", "ReportageNewsArticle", "AnalysisNewsArticle",
        "OpinionNewsArticle", "BackgroundNewsArticle", "ReviewNewsArticle", "LiveBlogPosting",
        "ScholarlyArticle", "TechArticle", "SocialMediaPosting", "Report", "SatiricalArticle",
        "AdvertiserContentArticle", "MedicalScholarlyArticle", "Posting", "DiscussionForumPosting",
    )
)
PERSON_TYPES = frozenset({"person"})
# A JSON-LD block bigger than this is a data dump, not page metadata.
MAX_JSONLD_CHARS = 2_000_000
_TRAILING_COMMA = re.compile(r",\s*([\]}])")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


@dataclass
class PageMetadata:
    """Raw metadata values of one page, keyed by where they were found."""

    meta: dict[str, list[str]] = field(default_factory=dict)
    """``<meta>`` contents keyed by lower-cased ``name``/``property``/``itemprop``/``http-equiv``."""
    jsonld_articles: list[dict[str, Any]] = field(default_factory=list)
    """JSON-LD objects of an article type, page order."""
    jsonld_other: list[dict[str, Any]] = field(default_factory=list)
    """Other JSON-LD objects (WebPage, Organization ...), for fallbacks."""
    microdata: dict[str, list[str]] = field(default_factory=dict)
    """Visible ``itemprop`` values (not inside ``<meta>``), by lower-cased property."""
    microdata_authors: list[str] = field(default_factory=list)
    canonical: str | None = None
    lang: str | None = None
    title_tag: str | None = None

    def first_meta(self, *keys: str) -> tuple[str, str] | None:
        """The first non-empty meta value among ``keys`` (in that order), with its key."""
        for key in keys:
            for value in self.meta.get(key, ()):
                if value.strip():
                    return key, value.strip()
        return None


def _text(el: etree._Element) -> str:
    return " ".join(" ".join(el.itertext()).split())


def _load_json(raw: str) -> Any:
    raw = raw.strip()
    if raw.startswith("<!--"):
        raw = raw[4:]
    if raw.endswith("-->"):
        raw = raw[:-3]
    raw = raw.strip().rstrip(";")
    try:
        return json.loads(raw)
    except ValueError:
        pass
    # Common publisher slips: trailing commas, raw control characters in strings.
    try:
        return json.loads(_TRAILING_COMMA.sub(r"\1", _CONTROL.sub(" ", raw)), strict=False)
    except ValueError:
        logger.debug("unparseable JSON-LD block (%d chars)", len(raw))
        return None


def _walk_jsonld(node: Any, out: list[dict[str, Any]], depth: int = 0) -> None:
    if depth > 8:
        return
    if isinstance(node, list):
        for item in node:
            _walk_jsonld(item, out, depth + 1)
    elif isinstance(node, dict):
        out.append(node)
        graph = node.get("@graph")
        if graph is not None:
            _walk_jsonld(graph, out, depth + 1)
        main = node.get("mainEntity") or node.get("mainEntityOfPage")
        if isinstance(main, (dict, list)):
            _walk_jsonld(main, out, depth + 1)


def jsonld_types(obj: dict[str, Any]) -> set[str]:
    """The lower-cased ``@type`` values of a JSON-LD object."""
    value = obj.get("@type")
    if isinstance(value, str):
        return {value.casefold()}
    if isinstance(value, list):
        return {v.casefold() for v in value if isinstance(v, str)}
    return set()


def read_metadata(root: etree._Element) -> PageMetadata:
    """Collect every metadata source of a parsed page in one pass over the few relevant tags."""
    md = PageMetadata()
    lang = root.get("lang") or root.get("xml:lang")
    if lang:
        md.lang = lang.strip()
    for el in root.iter("meta", "link", "title", "script"):
        tag = el.tag
        if tag == "meta":
            content = el.get("content")
            if content is None:
                continue
            for attr in ("property", "name", "itemprop", "http-equiv"):
                key = el.get(attr)
                if key:
                    for k in key.casefold().split():
                        md.meta.setdefault(k, []).append(content)
        elif tag == "link":
            rel = (el.get("rel") or "").casefold().split()
            if "canonical" in rel and el.get("href") and md.canonical is None:
                md.canonical = el.get("href").strip()
        elif tag == "title":
            if md.title_tag is None:
                md.title_tag = _text(el) or None
        elif (el.get("type") or "").strip().casefold() == "application/ld+json":
            raw = el.text or ""
            if not raw or len(raw) > MAX_JSONLD_CHARS:
                continue
            objs: list[dict[str, Any]] = []
            _walk_jsonld(_load_json(raw), objs)
            for obj in objs:
                if jsonld_types(obj) & ARTICLE_TYPES:
                    md.jsonld_articles.append(obj)
                else:
                    md.jsonld_other.append(obj)
    _read_microdata(root, md)
    return md


def _read_microdata(root: etree._Element, md: PageMetadata) -> None:
    """Visible microdata values: ``itemprop`` on non-meta elements."""
    for el in root.xpath("//*[@itemprop][not(self::meta)]"):
        props = (el.get("itemprop") or "").casefold().split()
        for prop in props:
            if prop in ("author", "creator"):
                if el.get("itemscope") is not None:
                    names = el.xpath(".//*[@itemprop='name']")
                    value = (names[0].get("content") or _text(names[0])) if names else _text(el)
                else:
                    value = el.get("content") or _text(el)
                if value:
                    md.microdata_authors.append(value)
            elif prop in ("datepublished", "datemodified", "datecreated", "headline", "name", "description"):
                value = el.get("datetime") or el.get("content") or _text(el)
                if value:
                    md.microdata.setdefault(prop, []).append(value)


def jsonld_str(value: Any) -> str | None:
    """A JSON-LD value as a string: first item of lists, ``name``/``@value`` of objects."""
    if isinstance(value, list):
        for item in value:
            got = jsonld_str(item)
            if got:
                return got
        return None
    if isinstance(value, dict):
        return jsonld_str(value.get("@value") or value.get("name") or value.get("url"))
    if isinstance(value, (str, int, float)) and not isinstance(value, bool):
        text = " ".join(str(value).split())
        return text or None
    return None


def clean_text(value: str | None) -> str | None:
    """A metadata text value as readers see it: entities decoded, whitespace (nbsp too) collapsed.

    JSON-LD is script text, so the HTML parser never decodes its ``&#8217;`` / ``&amp;``; a
    ``<meta content>`` still holding entities was escaped twice by its CMS.  Not for URLs
    (``&copy=`` in a query string is no entity).
    """
    if not value:
        return None
    text = " ".join(html.unescape(value).split())  # str.split() also splits on U+00A0 and thin spaces
    return text or None


def jsonld_text(value: Any) -> str | None:
    """A JSON-LD text value (headline, description ...): :func:`jsonld_str` with entities decoded."""
    return clean_text(jsonld_str(value))


def jsonld_people(value: Any) -> list[str]:
    """Person names from a JSON-LD ``author``/``creator`` value (organisations skipped)."""
    out: list[str] = []
    items = value if isinstance(value, list) else [value]
    for item in items:
        if isinstance(item, str):
            out.append(item)
        elif isinstance(item, dict):
            types = jsonld_types(item)
            if types and not (types & PERSON_TYPES):
                continue  # Organization, NewsMediaOrganization ...: not a person
            name = item.get("name")
            if isinstance(name, list):
                name = next((n for n in name if isinstance(n, str)), None)
            if isinstance(name, str):
                out.append(name)
            elif isinstance(item.get("givenName"), str):
                out.append(f"{item['givenName']} {item.get('familyName') or ''}".strip())
    return out
