"""Section and tags from a page's markup, when its metadata names neither.

* section: the JSON-LD ``BreadcrumbList``, then a visible breadcrumb trail (``aria-label`` or
  class ``breadcrumb``); the last crumb that is neither the home link nor the article itself;
* tags: links marked ``rel="tag"``, then the links of a tag box (class ``tags``, ``tag-list``,
  ``post-tags``, ``keywords``, ``topics`` ...).
"""

from __future__ import annotations

import re
from typing import Any

from lxml import etree

from crawler.parsers.metadata import clean_text, jsonld_str, jsonld_types

_BREADCRUMB = re.compile(r"breadcrumb", re.IGNORECASE)
_TAG_BOX = re.compile(
    r"(?:^|[\s_\-])(?:tags?|tag-?list|tag-?links|tagcloud|post-?tags|entry-?tags|article-?tags|story-?tags|"
    r"keywords?|topics?|schlagw[oö]rter|etiquetas|mots-?cl[eé]s)(?:$|[\s_\-])",
    re.IGNORECASE,
)
_HOME = re.compile(r"^(?:home|homepage|start|startseite|accueil|inicio|portada|главная|الرئيسية|news)$", re.IGNORECASE)
_TAG_LABEL = re.compile(r"^(?:tags?|topics?|keywords?|schlagwörter|mots-clés|etiquetas|themen)\s*:?$", re.IGNORECASE)
MAX_TAGS = 30
MAX_TAG_CHARS = 60
MAX_CRUMB_CHARS = 60


def _text(el: etree._Element) -> str:
    return " ".join("".join(el.itertext()).split())


def _pick_crumb(crumbs: list[str], title: str | None) -> str | None:
    title_key = (title or "").casefold()
    names = [c for c in crumbs if c and len(c) <= MAX_CRUMB_CHARS and not _HOME.match(c)]
    while names and title_key and (names[-1].casefold() == title_key or names[-1].casefold() in title_key):
        names.pop()  # the trail's last crumb is often the article itself
    return names[-1] if names else None


def section_from_jsonld(objects: list[dict[str, Any]], title: str | None) -> str | None:
    """The section a JSON-LD ``BreadcrumbList`` names (its last crumb before the article)."""
    for obj in objects:
        if "breadcrumblist" not in jsonld_types(obj):
            continue
        items = obj.get("itemListElement")
        if not isinstance(items, list):
            continue
        ordered = sorted((i for i in items if isinstance(i, dict)), key=lambda i: _position(i.get("position")))
        crumbs = [clean_text(jsonld_str(i.get("name") or i.get("item"))) or "" for i in ordered]
        # An "item" that is a bare URL is no name.
        crumbs = [c for c in crumbs if "://" not in c]
        found = _pick_crumb(crumbs, title)
        if found:
            return found
    return None


def _position(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def section_from_breadcrumbs(root: etree._Element, title: str | None) -> str | None:
    """The section a visible breadcrumb trail names."""
    for el in root.iter("nav", "ol", "ul", "div", "p"):
        marks = f"{el.get('class') or ''} {el.get('id') or ''} {el.get('aria-label') or ''}"
        if not _BREADCRUMB.search(marks):
            continue
        items = list(el.iter("li")) or list(el.iter("a", "span"))
        crumbs = []
        for item in items:
            if item.tag == "li" and any(c.tag == "li" for c in item.iterdescendants()):
                continue  # an outer item of a nested trail: its inner items are the crumbs
            crumbs.append(_text(item).strip(" >»/›|"))
        found = _pick_crumb(crumbs, title)
        if found:
            return found
    return None


def _clean_tags(texts: list[str]) -> list[str]:
    out: list[str] = []
    seen: set[str] = set()
    for text in texts:
        tag = " ".join(text.split()).strip(" #,;")
        if not tag or len(tag) > MAX_TAG_CHARS or _TAG_LABEL.match(tag) or tag.casefold() in seen:
            continue
        seen.add(tag.casefold())
        out.append(tag)
    return out[:MAX_TAGS]


def tags_from_links(root: etree._Element) -> list[str]:
    """Tags the page links to: ``rel="tag"`` links, else the links of a tag box."""
    body = root.find("body")
    if body is None:
        return []
    marked = [_text(a) for a in body.iter("a") if "tag" in (a.get("rel") or "").casefold().split()]
    if marked:
        return _clean_tags(marked)
    for el in body.iter("div", "ul", "p", "section", "span", "footer", "nav"):
        marks = f"{el.get('class') or ''} {el.get('id') or ''}"
        if marks.strip() and _TAG_BOX.search(marks):
            links = [_text(a) for a in el.iter("a")]
            tags = _clean_tags(links)
            if tags:
                return tags
    return []
