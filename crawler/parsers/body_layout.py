"""Where the article is when the scorer's pick is not all of it: prose siblings, and a fallback for fragments.

* the article split over sibling wrappers (ads, figures, boxes between): prose siblings join the
  chosen container, whose parent is then serialized without the other siblings;
* a pick holding a small share of the page's prose (a standfirst, one box) falls back to the
  nearest ancestor holding most of it, when that ancestor still reads as prose.
"""

from __future__ import annotations

import itertools
import re

from lxml import etree

from crawler.parsers.body_measure import (
    HEADING_TAGS,
    MIN_PROSE,
    _attrs,
    _discount,
    _is_marked_body,
    _len,
    _remove,
    _Stats,
)

SIBLING_MIN_PROSE = MIN_PROSE
"""A sibling of the container joins the body when it holds at least this much prose ..."""
SIBLING_LINK_SHARE = 0.25
"""... and at most this share of link text."""
SIBLING_PROSE_SHARE = 0.5
"""... and prose is at least this share of its text (not a teaser box with one long line)."""


SIBLING_WRAPPER_PROSE = 200
"""A wrapper sibling (``div``, ``section`` ...) must hold this much prose: a short box is a note or a promo."""
SIBLING_BLOCK_TAGS = frozenset({"p", "blockquote", "ul", "ol", "dl", "pre", "table"})
# Boxes of other articles' leads or of legal notes, named as such: never a continuation of the article.
_SIBLING_NEGATIVE = re.compile(
    r"teaser|more-?news|more-?articles|further-?reading|disclosure|disclaimer|card|author|bio\b|profile",
    re.IGNORECASE,
)


def _is_content_sibling(el: etree._Element, stats: dict[etree._Element, _Stats]) -> bool:
    """A block beside the container that is article prose: paragraphs, few links, no teaser headlines."""
    st = stats.get(el)
    if st is None or st.text_len == 0:
        return False
    if st.link_len > SIBLING_LINK_SHARE * st.text_len or st.link_headings:
        return False
    if el.tag in HEADING_TAGS:
        return True  # a subheading; kept only between prose blocks (see _merge_siblings)
    if st.prose < SIBLING_MIN_PROSE or st.prose < SIBLING_PROSE_SHARE * st.text_len:
        return False
    if el.tag in SIBLING_BLOCK_TAGS:
        return True
    if st.prose < SIBLING_WRAPPER_PROSE or _SIBLING_NEGATIVE.search(_attrs(el)):
        return False
    # A wrapper of several <article>s is a list of story cards (their linked headlines may be gone with
    # their headers), not a continuation of this article.
    return sum(1 for _ in itertools.islice(el.iter("article"), 2)) < 2


def merge_siblings(node: etree._Element, stats: dict[etree._Element, _Stats]) -> etree._Element:
    """The article split over sibling wrappers (ads, figures, boxes between): their parent, minus chrome.

    Siblings that are prose join the container; the others are removed from the parent, so the
    parent serializes as the article alone.  Subheadings join only between two prose blocks.
    """
    parent = node.getparent()
    if parent is None or parent not in stats or parent.tag == "html":
        return node
    if (node.get("itemprop") or "").casefold() == "articlebody":
        return node  # the page's microdata names this node as the whole body: its siblings are other properties
    merged = _merge_into_parent(node, [node], stats)
    return merged if merged is not None else node


def _merge_into_parent(node: etree._Element, anchors: list[etree._Element],
                       stats: dict[etree._Element, _Stats]) -> etree._Element | None:
    """``node``'s parent holding ``anchors`` and the prose siblings from the first to the last; ``None``: no merge."""
    parent = node.getparent()
    assert parent is not None
    children = [c for c in parent if isinstance(c.tag, str)]
    keep = [any(c is a for a in anchors) or _is_content_sibling(c, stats) for c in children]
    prose_at = [i for i, c in enumerate(children)
                if keep[i] and (any(c is a for a in anchors) or c.tag not in HEADING_TAGS)]
    if len(prose_at) < 2:
        return None
    first, last = prose_at[0], prose_at[-1]
    for i, child in enumerate(children):
        if not keep[i] or i < first or i > last:
            _discount(child, stats)
            _remove(child)
    if _len(parent.text) and not _is_content_text(parent.text):
        parent.text = None
    return parent


ENTRY_LEVELS = 3
"""How many wrappers holding nothing but the container ``merge_entries`` looks through."""


def merge_entries(node: etree._Element, stats: dict[etree._Element, _Stats]) -> etree._Element:
    """An article told in repeated boxes of one kind (live-blog entries, numbered sections): their parent.

    For a container that neither ``merge_siblings`` nor ``fall_back_if_fragment`` widened.

    The container, or a wrapper holding only its prose, has siblings of its own tag and class
    that read as article prose (few links, no teaser headlines): they join, as ``merge_siblings``
    joins prose siblings.  A list of teasers has linked headlines and so never qualifies.
    """
    level = node
    for _ in range(ENTRY_LEVELS):
        parent = level.getparent()
        if parent is None or parent not in stats or parent.tag in ("html", "body"):
            return node
        kind = (level.tag, level.get("class"))
        if kind[1]:
            twins = [c for c in parent if c is not level and (c.tag, c.get("class")) == kind
                     and _is_content_sibling(c, stats)]
            merged = _merge_into_parent(level, [level, *twins], stats) if twins else None
            if merged is not None:
                return merged
        if stats[parent].prose > stats[level].prose:
            return node  # the wrapper holds other prose: the container is not one box of a series
        level = parent
    return node


FRAGMENT_SHARE = 0.5
"""A container holding less than this share of the page's prose is a fragment (a lead, a box) ..."""
SMALL_FRAGMENT_SHARE = 0.3
"""... (one holding at least this share falls back only to an ancestor adding no teaser headlines) ..."""
FALLBACK_SHARE = 0.6
"""... and the body falls back to its nearest ancestor holding at least this share ..."""
FALLBACK_LINK_SHARE = 0.2
"""... when at most this share of that ancestor's text is link text."""


def fall_back_if_fragment(container: etree._Element, root: etree._Element,
                           stats: dict[etree._Element, _Stats]) -> etree._Element:
    """The container, or when it is a small fragment of the page's prose, its ancestor holding most of it."""
    if root not in stats or container not in stats:
        return container
    if container.tag in HEADING_TAGS:
        # A headline is never the body: the article marked around it (<article>, .entry-content) is.
        for ancestor in container.iterancestors():
            if ancestor is root or ancestor not in stats:
                break
            if _is_marked_body(ancestor) and stats[ancestor].prose > stats[container].prose:
                return ancestor
    total = stats[root].prose
    if not total or stats[container].prose >= FRAGMENT_SHARE * total or _is_marked_body(container):
        return container  # a large share, or the page names this node as its article
    node = container
    while node is not root and node.getparent() is not None and stats[node].prose < FALLBACK_SHARE * total:
        node = node.getparent()
        if node not in stats:
            return container
    st = stats[node]
    # The wider block must still read as prose: a link-heavy one is a section front or a list of teasers.
    if not st.text_len or st.link_len > FALLBACK_LINK_SHARE * st.text_len:
        return container
    if stats[container].prose >= SMALL_FRAGMENT_SHARE * total and st.link_headings > stats[container].link_headings:
        return container  # a fair share already, and the wider block adds teaser headlines: other stories
    return node


def _is_content_text(text: str | None) -> bool:
    return _len(text) >= MIN_PROSE
