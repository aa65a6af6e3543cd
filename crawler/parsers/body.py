"""Main-content extraction on lxml: chrome removal, content scoring, ordered serialization.

The cascade, cheapest and surest first:

1. drop what never holds article text (scripts, styles, forms controls, media, hidden nodes);
2. drop page chrome recognised by tag (``nav``, ``aside``, ``footer`` ...) or by class/id
   words (share, related, comments, newsletter, cookie, ads ...), except around a node that
   is marked as the article body (:mod:`crawler.parsers.body_chrome`);
3. score text blocks by length, punctuation and link density, add the scores up the tree, and
   take the best-scoring container (``rule`` says whether a marked body or the scorer chose);
   prose siblings join it, and a pick that is a small fragment of the page's prose falls back
   to the ancestor holding most of it (:mod:`crawler.parsers.body_layout`); a lead set in a
   box of its own between the headline and the body opens it (:mod:`crawler.parsers.body_lead`);
4. inside it, drop blocks that are mostly links, then serialize paragraphs, subheadings, list
   items and quotes in document order and drop furniture lines (:mod:`crawler.parsers.body_lines`).

Measures per element live in :mod:`crawler.parsers.body_measure`.
"""

from __future__ import annotations

import html as htmllib
import logging
import re
from dataclasses import dataclass, field

from lxml import etree

from crawler.parsers.body_chrome import drop_chrome
from crawler.parsers.body_layout import SIBLING_WRAPPER_PROSE, fall_back_if_fragment, merge_entries, merge_siblings
from crawler.parsers.body_lead import lead_blocks, repeats_opening
from crawler.parsers.body_lines import filter_lines, is_editorial_note
from crawler.parsers.body_measure import (
    BLOCK_TAGS,
    HEADING_TAGS,
    INLINE_HOLDERS,
    PARA_TAGS,
    _attrs,
    _is_marked_body,
    _is_strong_body,
    _len,
    _measure,
    _norm,
    _remove,
    _Stats,
)

logger = logging.getLogger(__name__)

# Elements whose whole subtree never holds article prose.
DROP_TAGS = frozenset({
    "script", "style", "noscript", "template", "iframe", "svg", "math", "canvas", "object", "embed",
    "video", "audio", "source", "track", "picture", "img", "map", "button", "input", "select",
    "textarea", "option", "label", "link", "meta", "head", "title", "figcaption", "dialog", "menu",
    "rt", "rp",  # ruby annotations (furigana): the base text is the text
})
# Navigation, asides and footers: dropped unless they wrap the article.  Broken markup (an unclosed
# menu <li>, a stray <aside>) makes the parser nest the whole article inside one of them.
ENCLOSING_CHROME_TAGS = frozenset({"nav", "aside", "footer"})
ENCLOSING_CHROME_SHARE = 0.5
"""A nav/aside/footer holding more than this share of the page's prose wraps the article: kept."""
MAX_WIDEN = 4
WIDEN_PROSE_SHARE = 0.6
"""The container grows to its parent when the text the parent adds is at least this much prose ..."""
WIDEN_LINK_SHARE = 0.25
"""... and at most this much link text."""

_POSITIVE = re.compile(r"article|body|content|entry|main|post|story|text|blog|prose|column", re.IGNORECASE)
_WS = re.compile(r"\s+")


@dataclass
class Body:
    """The extracted article body."""

    paragraphs: list[tuple[str, str]] = field(default_factory=list)
    """``(kind, text)`` in page order; kind is ``p``, ``h``, ``li``, ``quote`` or ``pre``."""
    rule: str = "heuristic"
    """``"marked"`` when the page's own body markup was used, else ``"heuristic"``."""

    @property
    def text(self) -> str | None:
        """Paragraphs joined by a blank line; ``None`` when nothing was found."""
        return "\n\n".join(t for _, t in self.paragraphs) or None

    @property
    def html(self) -> str | None:
        """A minimal clean HTML rendering (``p``, ``h2``, ``ul/li``, ``blockquote``, ``pre``)."""
        out: list[str] = []
        in_list = False
        for kind, text in self.paragraphs:
            if kind == "li" and not in_list:
                out.append("<ul>")
                in_list = True
            elif kind != "li" and in_list:
                out.append("</ul>")
                in_list = False
            tag = {"p": "p", "h": "h2", "li": "li", "quote": "blockquote", "pre": "pre"}[kind]
            out.append(f"<{tag}>{htmllib.escape(text, quote=False)}</{tag}>")
        if in_list:
            out.append("</ul>")
        return "\n".join(out) or None


def _drop_never_content(root: etree._Element) -> None:
    """Step 1: subtrees that never hold article prose, comment nodes, and nav/aside/footer chrome."""
    keep_noscript = _noscript_holds_article(root)
    doomed = [el for el in root.iter()
              if not isinstance(el.tag, str) or (el.tag in DROP_TAGS and not (keep_noscript and el.tag == "noscript"))]
    for el in doomed:
        if el.getparent() is not None:
            _remove(el)
    for el in _enclosing_chrome(root):
        if el.getparent() is not None:
            _remove(el)


NOSCRIPT_PROSE = 200
"""Characters of paragraph text a ``<noscript>`` must hold to be taken for the article's own copy."""


def _noscript_holds_article(root: etree._Element) -> bool:
    """Whether the page's paragraphs are mostly inside ``<noscript>`` (a script renders the article).

    Such pages show readers without scripts the article itself; elsewhere noscript holds only
    "please enable JavaScript" notes and tracking pixels.
    """
    boxes = list(root.iter("noscript"))
    if not boxes:
        return False
    inside = sum(_len("".join(p.itertext())) for box in boxes for p in box.iter("p"))
    if inside < NOSCRIPT_PROSE:
        return False
    return inside > sum(_len("".join(p.itertext())) for p in root.iter("p")) - inside


def _paragraph_chars(root: etree._Element) -> dict[etree._Element, int]:
    """Characters of ``<p>`` text per element that holds paragraphs (cheap prose measure before scoring)."""
    chars: dict[etree._Element, int] = {}
    for p in root.iter("p"):
        n = _len("".join(p.itertext()))
        chars[p] = chars.get(p, 0) + n
        for anc in p.iterancestors():
            chars[anc] = chars.get(anc, 0) + n
    return chars


def _enclosing_chrome(root: etree._Element) -> list[etree._Element]:
    """nav/aside/footer boxes, outermost first, except one holding most of the page's paragraphs."""
    boxes = [el for el in root.iter(*ENCLOSING_CHROME_TAGS)]
    if not boxes:
        return []
    chars = _paragraph_chars(root)
    total = max(chars.get(root, 0), 1)
    return [el for el in boxes if chars.get(el, 0) <= ENCLOSING_CHROME_SHARE * total or not _wraps_article(el)]


def _wraps_article(el: etree._Element) -> bool:
    """Whether a box holds the page's main markup (``<main>``, or an article body named as such)."""
    for inner in el.iterdescendants("main", "article", "div", "section"):
        if inner.tag == "main" or _is_strong_body(inner):
            return True
        if inner.tag == "article" and _len("".join(inner.itertext())) > 2 * SIBLING_WRAPPER_PROSE:
            return True
    return False


def _score(root: etree._Element, stats: dict[etree._Element, _Stats]) -> etree._Element | None:
    """Add paragraph scores up the tree and return the best container (step 3)."""
    best: etree._Element | None = None
    best_score = 0.0
    touched: list[etree._Element] = []
    for el, st in stats.items():
        tag = el.tag
        if tag in PARA_TAGS and tag != "td":
            length, first = st.text_len, el.getparent()
        elif tag in INLINE_HOLDERS and st.inline_len >= 80:
            # A wrapper holding loose text (<br>-separated lines) is itself the paragraph block.
            length, first = st.inline_len, el
        else:
            continue
        if length < 25:
            continue
        density = st.link_len / st.text_len if st.text_len else 1.0
        if density > 0.5:
            continue
        text = "".join(el.itertext())
        commas = text.count(",") + text.count("،") + text.count("、") + text.count("，") + text.count("。")
        # Text split by <br> is several paragraphs in one element: let it score as such.
        cap = 3.0 * (1 + len(el.findall("br"))) if first is el else 3.0
        points = (1.0 + min(commas, 10 * cap) + min(length / 100.0, cap)) * (1.0 - density)
        node = first
        weight = 1.0
        for _ in range(3):
            if node is None or node not in stats:
                break
            stats[node].score += points * weight
            touched.append(node)
            weight = 0.5 if weight == 1.0 else weight / 1.5
            node = node.getparent()
    for el in dict.fromkeys(touched):  # ordered: ties must break the same way on every run
        st = stats[el]
        if el.tag in ("html", "body"):
            continue
        density = st.link_len / st.text_len if st.text_len else 1.0
        attrs = _attrs(el)
        bonus = 1.25 if attrs.strip() and _POSITIVE.search(attrs) else 1.0
        if el.tag == "article" or (el.get("itemprop") or "").casefold() == "articlebody":
            bonus *= 1.5
        final = st.score * (1.0 - density) * bonus
        st.score = final
        if final > best_score:
            best, best_score = el, final
    return best


def _container(root: etree._Element, stats: dict[etree._Element, _Stats]) -> tuple[etree._Element, str]:
    """The node holding the article: the scorer's pick, widened to a parent that holds more prose."""
    best = _score(root, stats)
    if best is None:
        body = root.find("body")
        return (body if body is not None else root), "heuristic"
    # Widen when the article's paragraphs are split over sibling wrappers (ads, figures between).
    node = best
    for _ in range(MAX_WIDEN):
        parent = node.getparent()
        if parent is None or parent.tag in ("html", "body") or parent not in stats:
            break
        pst, nst = stats[parent], stats[node]
        extra = pst.text_len - nst.text_len
        if extra > 0:
            if _is_strong_body(node):
                break  # the page names this node as the article body
            # Worth it only when what the parent adds is mostly prose, few links, no teaser headlines.
            extra_prose = pst.prose - nst.prose
            extra_links = pst.link_len - nst.link_len
            if (extra_prose < WIDEN_PROSE_SHARE * extra or extra_links > WIDEN_LINK_SHARE * extra
                    or pst.link_headings > nst.link_headings):
                break
        node = parent
    return node, "marked" if _is_marked_body(node) else "heuristic"


def _prune(container: etree._Element, stats: dict[etree._Element, _Stats]) -> None:
    """Drop link lists and link-heavy boxes inside the chosen container (step 4)."""
    doomed = []
    for el in container.iterdescendants():
        if not isinstance(el.tag, str) or el.tag in ("a", "br") or el not in stats:
            continue
        st = stats[el]
        if st.text_len == 0:
            continue
        density = st.link_len / st.text_len
        if el.tag in ("ul", "ol", "dl"):
            if density > 0.6:
                doomed.append(el)
        elif el.tag in ("div", "section", "table", "header", "footer", "p", "li"):
            if density > 0.65 or (density > 0.4 and st.text_len < 200):
                doomed.append(el)
    for el in doomed:
        if el.getparent() is not None:
            _remove(el)


def _serialize(container: etree._Element) -> list[tuple[str, str]]:
    """Paragraph-level text of the container in document order (iterative, depth-safe)."""
    out: list[tuple[str, str]] = []
    buf: list[str] = []
    kinds: list[str] = ["p"]

    def flush() -> None:
        text = _norm("".join(buf))
        buf.clear()
        if text:
            out.append((kinds[-1], text))

    # An explicit stack of (element, entering) replaces recursion: pages can be 10k levels deep.
    stack: list[tuple[etree._Element, bool]] = [(container, True)]
    while stack:
        el, entering = stack.pop()
        tag = el.tag if isinstance(el.tag, str) else ""
        block = tag in BLOCK_TAGS and tag not in ("td", "th")
        if entering:
            if block:
                flush()
                if tag == "br":
                    if el.tail:
                        buf.append(el.tail)
                    continue
                kinds.append(_kind(tag, kinds[-1]))
            if tag and el.text:
                buf.append(el.text)
            stack.append((el, False))
            for child in reversed(el):
                stack.append((child, True))
        else:
            if block:
                flush()
                kinds.pop()
            elif tag in ("td", "th"):
                buf.append(" ")
            if el is not container and el.tail:
                buf.append(el.tail)
    flush()
    return out


def _kind(tag: str, current: str) -> str:
    if tag == "h1":
        return "h1"
    if tag in HEADING_TAGS:
        return "h"
    if tag == "li":
        return "li"
    if tag in ("blockquote", "q"):
        return "quote"
    if tag == "pre":
        return "pre"
    if current in ("quote", "li", "pre") and tag not in ("ul", "ol"):
        return current  # a <p> inside a quote is still quoted text
    return "p"


def split_editorial_note(body: Body) -> str | None:
    """Take a closing editorial note (a standing disclaimer) out of ``body``; return its text."""
    for index in range(len(body.paragraphs) - 1, max(-1, len(body.paragraphs) - 3), -1):
        kind, text = body.paragraphs[index]
        if kind == "p" and is_editorial_note(text) and index > 0:
            del body.paragraphs[index]
            return text
    return None


def extract_body(root: etree._Element, title: str | None = None) -> Body:
    """Extract the article body from a parsed page.  **Mutates** ``root`` (chrome is removed)."""
    body_el = root.find("body")
    if body_el is None:
        body_el = root
    _drop_never_content(body_el)
    stats = _measure(body_el)
    drop_chrome(body_el, stats)
    container, rule = _container(body_el, stats)
    merged = merge_siblings(container, stats)
    widened = fall_back_if_fragment(merged, body_el, stats)
    # Boxes of one kind (live-blog entries) join only a container nothing else widened.
    container = merge_entries(widened, stats) if widened is merged is container else widened
    leads = lead_blocks(container, stats)
    _prune(container, stats)
    body_paras = _serialize(container)
    opening = " ".join(para[1] for para in body_paras[:2])
    lead_paras = [para for lead in leads for para in _serialize(lead) if not repeats_opening(para[1], opening)]
    serialized = lead_paras + body_paras
    paragraphs = filter_lines(serialized, title)
    return Body(paragraphs=paragraphs, rule=rule)
