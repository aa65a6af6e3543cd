"""Text measures of a page tree for the body extractor: lengths, link text and prose per element.

Computed bottom-up in one pass (:func:`_measure`) and kept up to date when a subtree is removed
(:func:`_discount`); also the tag sets and the class words that name an article body.
"""

from __future__ import annotations

import re

from lxml import etree

MIN_PROSE = 60
"""Characters for a block of text to count as prose (a sentence or more)."""
BLOCK_TAGS = frozenset({
    "p", "div", "section", "article", "main", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "dl",
    "dt", "dd", "blockquote", "pre", "table", "tr", "td", "th", "tbody", "thead", "tfoot", "caption",
    "figure", "header", "footer", "address", "center", "details", "summary", "hr", "body", "html",
    "form", "fieldset", "hgroup", "nav", "aside", "br", "q",
})
INLINE_HOLDERS = frozenset({"div", "section", "article", "main", "td", "span", "font", "center", "body"})
HEADING_TAGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
PARA_TAGS = frozenset({"p", "pre", "td", "dd", "blockquote", "li"})
# Class/id words of an article body: a node carrying them is never dropped as chrome.
_BODY_MARK = re.compile(
    r"(?:article|story|entry|post|blog|news|main|page|body|rich|content)[\s_\-]*"
    r"(?:body|content|text|copy|main|inner|container|wrapper)s?\b|\barticle[\s_\-]*body|"
    r"\bpaywall-article|\bstory\b|\barticle\b|\bentry\b|\bpost\b",
    re.IGNORECASE,
)
# The unambiguous names of an article-body wrapper: the container never grows past one.
_STRONG_BODY = re.compile(
    r"(?:article|story|entry|post|news|blog)[\s_\-]*(?:body|content|text)\b|\bbody[\s_\-]*text\b",
    re.IGNORECASE,
)


def _attrs(el: etree._Element) -> str:
    return f"{el.get('class') or ''} {el.get('id') or ''}"


def _norm(text: str | None) -> str:
    return " ".join((text or "").split())


def _len(text: str | None) -> int:
    """Length of the text with whitespace runs counted as one space."""
    if not text:
        return 0
    words = text.split()
    return sum(map(len, words)) + len(words) - 1 if words else 0


def _is_marked_body(el: etree._Element) -> bool:
    if el.tag == "article" or (el.get("itemprop") or "").casefold() == "articlebody":
        return True
    attrs = _attrs(el)
    return bool(attrs.strip()) and bool(_BODY_MARK.search(attrs))


def _is_strong_body(el: etree._Element) -> bool:
    if (el.get("itemprop") or "").casefold() == "articlebody":
        return True
    attrs = _attrs(el)
    return bool(attrs.strip()) and bool(_STRONG_BODY.search(attrs))


def _remove(el: etree._Element) -> None:
    """Remove ``el`` but keep its tail text (it belongs to the parent)."""
    parent = el.getparent()
    if parent is None:
        return
    tail = el.tail
    if tail and tail.strip():
        prev = el.getprevious()
        if prev is not None:
            prev.tail = (prev.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    parent.remove(el)


class _Stats:
    """Per-element text measures computed bottom-up in one pass."""

    __slots__ = ("text_len", "link_len", "inline_len", "prose", "score", "link_headings")

    def __init__(self) -> None:
        self.text_len = 0
        self.link_len = 0
        self.inline_len = 0
        self.prose = 0
        self.score = 0.0
        self.link_headings = 0


def _measure(root: etree._Element) -> dict[etree._Element, _Stats]:
    """Text length, link text, own inline text and prose (text of real paragraphs) per element."""
    elements = [el for el in root.iter() if isinstance(el.tag, str)]
    stats: dict[etree._Element, _Stats] = {el: _Stats() for el in elements}
    for el in reversed(elements):  # descendants come before their ancestors
        st = stats[el]
        own = _len(el.text)
        st.text_len += own
        st.inline_len += own
        if el.tag == "a":
            st.link_len = st.text_len
        # Prose: a paragraph-sized run of text that is not mostly links.
        if el.tag in PARA_TAGS:
            if st.text_len >= MIN_PROSE and st.link_len < 0.3 * st.text_len:
                st.prose = max(st.prose, st.text_len)
        elif el.tag in HEADING_TAGS:
            # A headline that is a link is a teaser of another article.
            if st.text_len and st.link_len >= 0.6 * st.text_len:
                st.link_headings += 1
        elif st.inline_len >= MIN_PROSE:
            st.prose += st.inline_len
        parent = el.getparent()
        if parent is None or parent not in stats:
            continue
        pst = stats[parent]
        tail = _len(el.tail)
        pst.text_len += st.text_len + tail
        pst.link_len += st.link_len
        pst.prose += st.prose
        pst.link_headings += st.link_headings
        pst.inline_len += tail + (0 if el.tag in BLOCK_TAGS else st.text_len)
    return stats


def _discount(el: etree._Element, stats: dict[etree._Element, _Stats]) -> None:
    """Subtract a removed element's measures from its ancestors (cheaper than re-measuring)."""
    st = stats.get(el)
    if st is None:
        return
    for anc in el.iterancestors():
        ast = stats.get(anc)
        if ast is None:
            break
        ast.text_len -= st.text_len
        ast.link_len -= st.link_len
        ast.prose -= st.prose
        ast.link_headings -= st.link_headings
