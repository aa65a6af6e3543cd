"""The standfirst before the body: lead paragraphs the page sets apart from the article's text block.

Pages often put the lead (standfirst, intro, summary, deck) in a box of its own between the
headline and the body wrapper: a sibling of the body, or of one of its wrappers a level or two
up, or the last part of the header that holds the headline.  The scorer picks the body wrapper,
so the lead is outside it.  :func:`lead_blocks` walks back from the container, nearest first,
and collects the boxes that read as prose (few links, no teaser headlines) until it meets the
headline or a box that is not the article's (a link list, a block of other text).
"""

from __future__ import annotations

import re

from lxml import etree

from crawler.parsers.body_measure import HEADING_TAGS, MIN_PROSE, _attrs, _Stats

LEAD_LEVELS = 3
"""Ancestors of the container whose preceding siblings are looked at."""
LEAD_MAX_BLOCKS = 4
"""Lead boxes collected at most."""
LEAD_LINK_SHARE = 0.25
"""A lead box has at most this share of link text."""
LEAD_HEADING_CHARS = 40
"""A heading this long between the headline and the body is a standfirst set as a heading."""
LEAD_MIN_CHARS = 180
"""A lead box holds at least this much text: a one-line deck under the headline is a field of its own."""
# Boxes named for their picture hold its caption (the image itself is dropped before this runs).
_PICTURE_BOX = re.compile(r"(?:^|[\s_\-])(?:image|img|photo|picture|media|thumb)s?(?:$|[\s_\-])", re.IGNORECASE)

# Boxes the page names as its lead: a shorter one is taken too.
_LEAD_NAME = re.compile(
    r"(?:^|[\s_\-])(?:lead|leadtext|intro|introtext|teaser|teaser-text|abstract|chapo|excerpt)"
    r"(?:$|[\s_\-])",
    re.IGNORECASE,
)

_LEAD, _SKIP, _STOP = "lead", "skip", "stop"


def _heading_text(el: etree._Element) -> int:
    if el.tag in HEADING_TAGS:
        return len(" ".join("".join(el.itertext()).split()))
    return sum(len(" ".join("".join(h.itertext()).split())) for h in el.iter(*HEADING_TAGS))


def _judge(el: etree._Element, stats: dict[etree._Element, _Stats]) -> str:
    """Whether a box before the body is lead prose, furniture to pass over, or the end of the lead."""
    st = stats.get(el)
    if st is None or st.text_len == 0:
        return _SKIP
    if st.link_headings or st.link_len > LEAD_LINK_SHARE * st.text_len:
        return _SKIP if st.text_len < MIN_PROSE else _STOP
    attrs = _attrs(el)
    if _PICTURE_BOX.search(attrs) or st.text_len < (MIN_PROSE if _LEAD_NAME.search(attrs) else LEAD_MIN_CHARS):
        return _SKIP
    if st.prose >= MIN_PROSE and st.prose >= 0.5 * st.text_len:
        return _LEAD
    if st.text_len >= LEAD_HEADING_CHARS and _heading_text(el) >= 0.8 * st.text_len:
        return _LEAD  # a subtitle set as <h2>, alone in its box or not
    return _SKIP if st.text_len < MIN_PROSE else _STOP


def _title_in(el: etree._Element) -> etree._Element | None:
    if el.tag == "h1":
        return el
    return next(el.iter("h1"), None)


def _after_title(box: etree._Element, title: etree._Element,
                 stats: dict[etree._Element, _Stats], found: list[etree._Element]) -> None:
    """Lead boxes after the headline inside ``box`` (the header holding it), nearest the headline first."""
    node = title
    while node is not box and node is not None:
        for sib in node.itersiblings():
            if not isinstance(sib.tag, str):
                continue
            verdict = _judge(sib, stats)
            if verdict == _STOP:
                return
            if verdict == _LEAD and len(found) < LEAD_MAX_BLOCKS:
                found.append(sib)
        node = node.getparent()


def lead_blocks(container: etree._Element, stats: dict[etree._Element, _Stats]) -> list[etree._Element]:
    """Lead boxes before ``container`` in document order (empty when the container holds the headline)."""
    if _title_in(container) is not None:
        return []  # the container starts at the headline: whatever is above it is not the lead
    before: list[etree._Element] = []  # nearest the body first
    node = container
    for _ in range(LEAD_LEVELS):
        parent = node.getparent()
        if parent is None or parent not in stats:
            break
        for sib in node.itersiblings(preceding=True):
            if not isinstance(sib.tag, str):
                continue
            title = _title_in(sib)
            if title is not None:
                after: list[etree._Element] = []
                _after_title(sib, title, stats, after)
                before.extend(reversed(after))
                return before[::-1][-LEAD_MAX_BLOCKS:]
            verdict = _judge(sib, stats)
            if verdict == _STOP:
                return before[::-1]
            if verdict == _LEAD:
                before.append(sib)
                if len(before) >= LEAD_MAX_BLOCKS:
                    return before[::-1]
        if parent.tag == "body":
            break
        node = parent
    return before[::-1]


_WORDS = re.compile(r"\w+")


def repeats_opening(lead: str, opening: str) -> bool:
    """True when the lead's words open the body verbatim: a summary the body restates, not a standfirst."""
    lead_words = _WORDS.findall(lead.casefold())
    if not lead_words:
        return False
    return _WORDS.findall(opening.casefold())[: len(lead_words)] == lead_words
