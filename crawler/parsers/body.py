"""Main-content extraction on lxml: chrome removal, content scoring, ordered serialization.

The cascade, cheapest and surest first:

1. drop what never holds article text (scripts, styles, forms controls, media, hidden nodes);
2. drop page chrome recognised by tag (``nav``, ``aside``, ``footer`` ...) or by class/id
   words (share, related, comments, newsletter, cookie, ads ...), except around a node that
   is marked as the article body;
3. score text blocks by length, punctuation and link density, add the scores up the tree, and
   take the best-scoring container (``rule`` says whether a marked body or the scorer chose);
4. inside it, drop blocks that are mostly links, boilerplate lines and repeated titles, then
   serialize paragraphs, subheadings, list items and quotes in document order.
"""

from __future__ import annotations

import html as htmllib
import logging
import re
from dataclasses import dataclass, field
from functools import lru_cache

from lxml import etree

from crawler.parsers.arabic import is_furniture as is_arabic_furniture
from crawler.parsers.arabic import source_line

logger = logging.getLogger(__name__)

# Elements whose whole subtree never holds article prose.
DROP_TAGS = frozenset({
    "script", "style", "noscript", "template", "iframe", "svg", "math", "canvas", "object", "embed",
    "video", "audio", "source", "track", "picture", "img", "map", "button", "input", "select",
    "textarea", "option", "label", "link", "meta", "head", "title", "figcaption", "dialog", "menu",
})
# Structural chrome: dropped unless it wraps the marked article body.
CHROME_TAGS = frozenset({"header", "form", "figure"})
# Navigation, asides and footers: dropped unless they wrap the article.  Broken markup (an unclosed
# menu <li>, a stray <aside>) makes the parser nest the whole article inside one of them.
ENCLOSING_CHROME_TAGS = frozenset({"nav", "aside", "footer"})
ENCLOSING_CHROME_SHARE = 0.5
"""A nav/aside/footer holding more than this share of the page's prose wraps the article: kept."""
MIN_PROSE = 60
"""Characters for a block of text to count as prose (a sentence or more)."""
STUB_WORDS = 3
"""Trailing lines this short and unpunctuated are labels of removed boxes."""
MAX_WIDEN = 4
WIDEN_PROSE_SHARE = 0.6
"""The container grows to its parent when the text the parent adds is at least this much prose ..."""
WIDEN_LINK_SHARE = 0.25
"""... and at most this much link text."""
MARKED_BODY_SHARE = 0.2
"""A marked body (``<article>``, ``.entry-content`` ...) protects its wrappers above this prose share."""
WEAK_CHROME_SHARE = 0.25
"""A weakly recognised chrome box holding more than this share of the page's prose is kept."""
BLOCK_TAGS = frozenset({
    "p", "div", "section", "article", "main", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "dl",
    "dt", "dd", "blockquote", "pre", "table", "tr", "td", "th", "tbody", "thead", "tfoot", "caption",
    "figure", "header", "footer", "address", "center", "details", "summary", "hr", "body", "html",
    "form", "fieldset", "hgroup", "nav", "aside", "br", "q",
})
INLINE_HOLDERS = frozenset({"div", "section", "article", "main", "td", "span", "font", "center", "body"})
HEADING_TAGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
PARA_TAGS = frozenset({"p", "pre", "td", "dd", "blockquote", "li"})

# Class/id words of chrome.  Matched on word pieces of class and id ("share-bar" -> share).
_NEGATIVE = re.compile(
    r"(?:^|[\s_\-:])(?:"
    r"comments?|commentlist|disqus|share|sharing|sharebar|social|socials|follow|newsletter|subscribe|"
    r"subscription|signup|sign-up|cookie|cookies|consent|gdpr|banner|promo|promos|promotion|advert|"
    r"advertisement|advertising|ads?|adslot|adunit|ad-slot|ad-container|dfp|gpt|sponsor|sponsored|"
    r"outbrain|taboola|related|recommended|recommendations|recirc|recirculation|more-stories|"
    r"most-?read|most-?popular|popular|trending|read-?also|read-?more|see-?also|also-?read|"
    r"sidebar|side-bar|rail|widget|widgets|breadcrumbs?|pagination|pager|toolbar|tools|"
    r"masthead|navbar|nav|navigation|menu|footer|header|topbar|skip|skiplink|print-only|"
    r"modal|popup|overlay|lightbox|tooltip|byline|bylines|author-bio|author-info|authorbox|about-author|"
    r"caption|credit|credits|copyright|tags|tag-list|taglist|keywords|topics|meta|metadata|"
    r"dateline|timestamp|published|updated|hidden|visually-hidden|sr-only|screen-reader-text|"
    r"inline-link|embed|video|player|gallery|slideshow|carousel|paywall|piano|login|signin|"
    r"jump|toc|table-of-contents|correction-policy|newsletter-signup|donate|membership"
    r")(?:$|[\s_\-:])",
    re.IGNORECASE,
)
_STRONG_NEGATIVE = re.compile(
    r"(?:^|[\s_\-:])(?:comments?|commentlist|comment-list|disqus|respond|reply|replies|"
    r"cookie|cookies|consent|gdpr|outbrain|taboola)(?:$|[\s_\-:])",
    re.IGNORECASE,
)
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
_POSITIVE = re.compile(r"article|body|content|entry|main|post|story|text|blog|prose|column", re.IGNORECASE)
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
# Lines that are page furniture in any article ("Advertisement", "Read more: ...").
_BOILERPLATE_LINE = re.compile(
    r"^(?:advertisement|advertisements|advert|sponsored|ad|story continues below|continue reading(?: below)?|"
    r"(?:read|see) (?:more|also)\b.*|related(?: articles?| stories| coverage| content)?\b:?.*|"
    r"more (?:on|from) (?:this|the)\b.*|sign up\b.*|subscribe\b.*|follow us\b.*|share (?:this|on)\b.*|"
    r"click here\b.*|image:? .*|photo:? .*|getty images|\(?(?:photo|image|picture)s? (?:by|credit)\b.*|"
    r"copyright\b.*|©.*|all rights reserved\.?|"
    r"recommended|trending|most (?:read|popular|viewed)|you may also like\b.*|"
    r"we use cookies\b.*|this (?:site|website) uses cookies\b.*|"
    # Wire-service credit lines are not article text ("(Reporting by ...; Editing by ...)").
    r"\(?(?:additional )?(?:reporting|editing|writing|compiled|research) by\b.*|"
    r".{0,200}\b(?:contributed (?:to )?(?:this|reporting)|contributed to this (?:report|story|article))\b.*"
    r")$",
    re.IGNORECASE,
)
# A line that is only a date/time stamp, a byline or a reading time (page furniture).
_MONTHS = (
    r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
)
_STAMP_LINE = re.compile(
    r"^(?:(?:updated|published|posted|last updated|first published|modified)(?: on| at)?:?\s*)?"
    r"(?:[a-z]+day,?\s*)?(?:" + _MONTHS + r"\s+\d{1,2}(?:st|nd|rd|th)?,?\s*\d{0,4}|\d{1,2}\s+" + _MONTHS
    + r"\s*\d{0,4}|\d{1,4}[./-]\d{1,2}[./-]\d{1,4})"
    r"(?:,?\s*(?:at\s*)?\d{1,2}[:.h]\d{2}(?:\s*[ap]\.?m\.?)?(?:\s*[a-z]{2,4})?)?\s*$"
    r"|^(?:updated|published|posted)(?: on| at)?:?\s*\d{1,2}[:.]\d{2}\s*[ap]?\.?m?\.?.*$"
    r"|^by\s+[\w.'’\- ]{2,60}$"
    r"|^\d+\s*(?:min|mins|minutes?)\s*(?:read|de leitura)$|^(?:reading time|tempo de leitura)\b.{0,20}$",
    re.IGNORECASE,
)
FURNITURE_LINE_CHARS = 160
"""Only lines up to this long are tested as share/follow calls, teaser labels or photo credits."""
# Calls to share, follow or subscribe, one sentence each ("Like this story? Share it with a friend!").
_CALL_TO_ACTION = re.compile(
    r"^(?:(?:did you )?(?:like|liked|enjoy|enjoyed|love|loved) (?:this|the|our) "
    r"(?:story|article|post|piece|read|video|content)\s*\?"
    r"|(?:please |don'?t forget to |be sure to |and )?(?:share|follow|subscribe|sign up|join|like|e-?mail|"
    r"contact|tweet|find|connect with|download|get)\b"
    r"(?=.*(?:\b(?:us|friends?|twitter|facebook|instagram|linkedin|youtube|tiktok|telegram|whatsapp|"
    r"newsletters?|inbox|podcasts?|app|social media|rss)\b|@\w)).*)$",
    re.IGNORECASE,
)
_SENTENCE_SPLIT = re.compile(r"(?<=[.!?؟])\s+")
# A standing editorial note closing the body (translation, verification, views disclaimers): the
# record's ``disclaimer``, not article text. Only looked for in the last two paragraphs.
_EDITORIAL_NOTE = re.compile(
    r"^(?:editor'?s note|disclaimer)\s*:"
    r"|^this (?:article|story|report|piece|text) (?:was|has been) (?:translated|edited|republished|adapted)\b"
    r"|\bha(?:s|ve) not (?:independently )?verified the (?:content|information|claims)\b"
    r"|\bviews (?:expressed|set out) (?:in|herein)\b.{0,80}\b(?:author|writer)s?\b"
    r"|\bdo(?:es)? not necessarily reflect\b",
    re.IGNORECASE,
)
EDITORIAL_NOTE_CHARS = 600
# Teaser labels between paragraphs ("DON'T MISS", "Must read:", "VIDEO 3:45").
_TEASER_LABEL = re.compile(
    r"^(?:(?:don'?t|do not) miss(?: this| out)?|must[- ](?:read|see|watch)|watch(?: now| live| more| this)?|"
    r"listen(?: now| to this(?: article| story)?)?|read (?:this|next|now)|editor'?s'? picks?|top stories|"
    r"latest (?:news|stories|videos?)|popular (?:now|stories)|more (?:stories|videos|news)|"
    r"in case you missed it|icymi)\s*[:!.]?$"
    r"|^(?:video|audio|watch|listen)\s*:?\s*(?:\d{1,2}:\d{2}(?::\d{2})?\s*)+$",
    re.IGNORECASE,
)
# Photo agencies and libraries named in credit lines ("Natalie Naccache | Bloomberg | Getty Images").
_PHOTO_AGENCY = re.compile(
    r"\b(?:getty\s*images|afp|reuters|ap\s*photos?|ap\s*images|epa(?:-efe)?|efe|shutterstock|istock(?:photo)?|"
    r"alamy|xinhua|anadolu|nurphoto|sopa\s+images|lightrocket|zuma(?:\s*(?:press|wire))?|sipa(?:\s*usa)?|"
    r"pa\s*(?:images|wire|media)|dpa|corbis|imagn|bloomberg|associated\s+press|afp/getty)\b",
    re.IGNORECASE,
)
# A credit is names joined by separators ("X/AFP via Getty Images", "(AP Photo/Evan Vucci)", "Photo: EPA").
_CREDIT_SEPARATOR = re.compile(r"[|/:]|\bvia\b|^\(.*\)$", re.IGNORECASE)
_CREDIT_LOWER_WORDS = frozenset(
    "via for and of de da del la le van von the by on in photo photos photograph file credit credits handout "
    "image images pool courtesy staff".split()
)
_LETTER_WORD = re.compile(r"[^\W\d_][\w'’.\-]*")
_SENTENCE_END = ("." , "!", "?", "\"", "”", "’", ":", ")", "…", "»", "。", "؟")
_WS = re.compile(r"\s+")
_WORD = re.compile(r"\w+")


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


def _is_hidden(el: etree._Element) -> bool:
    if el.get("hidden") is not None or el.get("aria-hidden") == "true":
        return True
    style = el.get("style")
    return bool(style) and bool(_HIDDEN_STYLE.search(style))


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


def _drop_never_content(root: etree._Element) -> None:
    """Step 1: subtrees that never hold article prose, comment nodes, and nav/aside/footer chrome."""
    doomed = [el for el in root.iter() if not isinstance(el.tag, str) or el.tag in DROP_TAGS]
    for el in doomed:
        if el.getparent() is not None:
            _remove(el)
    for el in _enclosing_chrome(root):
        if el.getparent() is not None:
            _remove(el)


def _paragraph_chars(root: etree._Element) -> dict[etree._Element, int]:
    """Characters of ``<p>`` text per element that holds paragraphs (cheap prose measure before scoring)."""
    chars: dict[etree._Element, int] = {}
    for p in root.iter("p"):
        n = _len("".join(p.itertext()))
        chars[p] = chars.get(p, 0) + n
        for anc in p.iterancestors():
            chars[anc] = chars.get(anc, 0) + n
    return chars


def _holds_lead(st: _Stats) -> bool:
    """A header holding a paragraph of prose (a standfirst), few links and no teaser headlines."""
    return st.prose >= MIN_PROSE and st.link_len < 0.3 * st.text_len and not st.link_headings


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


def _chrome_kind(el: etree._Element) -> str | None:
    """``"strong"`` for comment/consent boxes, ``"weak"`` for other chrome, else ``None``."""
    if el.tag in CHROME_TAGS:
        return "weak"
    role = el.get("role")
    if role in ("navigation", "banner", "contentinfo", "complementary", "search", "dialog", "alert"):
        return "weak"
    if _is_hidden(el):
        return "weak"
    cls, ident = el.get("class"), el.get("id")
    if not cls and not ident:
        return None
    return _class_kind(f"{cls or ''} {ident or ''}")


@lru_cache(maxsize=4096)
def _class_kind(attrs: str) -> str | None:
    """Chrome kind of a class+id string (cached: pages repeat the same class lists)."""
    if _BODY_MARK.search(attrs):
        return None
    if _STRONG_NEGATIVE.search(attrs):
        return "strong"
    if _NEGATIVE.search(attrs):
        return "weak"
    return None


def _drop_chrome(root: etree._Element, stats: dict[etree._Element, _Stats]) -> None:
    """Step 2: chrome by tag, role and class words, never around the article's own prose.

    Class words are a weak signal ("field-label-hidden", "elementor-widget" wrap real bodies),
    so a "weak" match is dropped only when it holds a small share of the page's prose.
    """
    total = max(stats[root].prose, 1) if root in stats else 1
    protected: set[etree._Element] = set()
    for el in root.iter("article", "div", "section", "main"):
        # Only a substantial body protects its wrappers: comments and teasers are <article>s too.
        if el in stats and stats[el].prose >= MARKED_BODY_SHARE * total and _is_marked_body(el):
            ancestors = list(el.iterancestors())
            if not any(_STRONG_NEGATIVE.search(_attrs(a)) for a in ancestors):
                protected.update(ancestors)
    removed: dict[etree._Element, None] = {}  # document order keeps tail merging deterministic
    for el in root.iterdescendants():
        if el in protected or el not in stats:
            continue
        kind = _chrome_kind(el)
        if kind is None:
            continue
        if kind == "weak" and stats[el].prose > WEAK_CHROME_SHARE * total:
            continue
        if el.tag == "header" and _holds_lead(stats[el]):
            continue  # an article header with its standfirst: the scorer decides whether it joins the body
        removed[el] = None
    _drop_all(root, stats, removed)


def _drop_all(root: etree._Element, stats: dict[etree._Element, _Stats], removed: dict[etree._Element, None]) -> None:
    """Remove each element of ``removed`` (document order) and its measures."""
    for el in removed:
        # Inside an already removed box: nothing more to do.
        if any(anc in removed for anc in el.iterancestors()):
            continue
        _discount(el, stats)
        _remove(el)
        for gone in el.iter():  # removed nodes must not be scored as containers
            stats.pop(gone, None)


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
    return st.prose >= SIBLING_WRAPPER_PROSE and not _SIBLING_NEGATIVE.search(_attrs(el))


def _merge_siblings(node: etree._Element, stats: dict[etree._Element, _Stats]) -> etree._Element:
    """The article split over sibling wrappers (ads, figures, boxes between): their parent, minus chrome.

    Siblings that are prose join the container; the others are removed from the parent, so the
    parent serializes as the article alone.  Subheadings join only between two prose blocks.
    """
    parent = node.getparent()
    if parent is None or parent not in stats or parent.tag == "html":
        return node
    children = [c for c in parent if isinstance(c.tag, str)]
    keep = [c is node or _is_content_sibling(c, stats) for c in children]
    prose_at = [i for i, c in enumerate(children) if keep[i] and (c is node or c.tag not in HEADING_TAGS)]
    if len(prose_at) < 2:
        return node
    first, last = prose_at[0], prose_at[-1]
    for i, child in enumerate(children):
        if not keep[i] or i < first or i > last:
            _discount(child, stats)
            _remove(child)
    if _len(parent.text) and not _is_content_text(parent.text):
        parent.text = None
    return parent


FRAGMENT_SHARE = 0.3
"""A container holding less than this share of the page's prose is a fragment (a lead, a box) ..."""
FALLBACK_SHARE = 0.6
"""... and the body falls back to its nearest ancestor holding at least this share ..."""
FALLBACK_LINK_SHARE = 0.2
"""... when at most this share of that ancestor's text is link text."""


def _fall_back_if_fragment(container: etree._Element, root: etree._Element,
                           stats: dict[etree._Element, _Stats]) -> etree._Element:
    """The container, or when it is a small fragment of the page's prose, its ancestor holding most of it."""
    if root not in stats or container not in stats:
        return container
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
    return node if st.text_len and st.link_len <= FALLBACK_LINK_SHARE * st.text_len else container


def _is_content_text(text: str | None) -> bool:
    return _len(text) >= MIN_PROSE


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


def _filter(paragraphs: list[tuple[str, str]], title: str | None) -> list[tuple[str, str]]:
    """Drop the repeated title and boilerplate lines; keep everything else in order."""
    title_key = _key(title) if title else None
    out: list[tuple[str, str]] = []
    for kind, text in paragraphs:
        key = _key(text)
        if not key:
            continue
        if kind == "h1" or (title_key and key == title_key and not out):
            continue  # the headline is a field of its own, never a body paragraph
        if len(text) < 200 and (_BOILERPLATE_LINE.match(text) or _STAMP_LINE.match(text)):
            continue
        if kind != "h" and _is_furniture(text):
            continue
        if is_arabic_furniture(text):  # Arabic labels and calls, headings included ("مقالات ذات صلة")
            continue
        out.append((kind, text))
    out = _after_headline(out, title_key)
    # Trailing headings and stubs ("Comments", "Like this", "Tags") label removed boxes.
    # A closing source line ("المصدر: عنب بلدي") is short too, but it is a field: the caller takes it.
    while out and (out[-1][0] == "h" or _is_stub(out[-1][1])) and not source_line(out[-1][1]):
        out.pop()
    return out


def split_editorial_note(body: Body) -> str | None:
    """Take a closing editorial note (a standing disclaimer) out of ``body``; return its text."""
    for index in range(len(body.paragraphs) - 1, max(-1, len(body.paragraphs) - 3), -1):
        kind, text = body.paragraphs[index]
        if kind == "p" and len(text) <= EDITORIAL_NOTE_CHARS and _EDITORIAL_NOTE.search(text) and index > 0:
            del body.paragraphs[index]
            return text
    return None


HEADLINE_WITHIN = 3
"""The repeated headline is looked for among this many first paragraphs."""


def _after_headline(paragraphs: list[tuple[str, str]], title_key: str | None) -> list[tuple[str, str]]:
    """Drop a headline repeated near the top with the short header lines above it (kicker, section label).

    Pages without an ``<h1>`` (old table layouts) put section, headline and stamps in the container.
    """
    if not title_key:
        return paragraphs
    for i, (_, text) in enumerate(paragraphs[:HEADLINE_WITHIN]):
        if _key(text) == title_key:
            if all(len(t) < MIN_PROSE for _, t in paragraphs[:i]):
                return paragraphs[i + 1 :]
            break
    return paragraphs


def _is_furniture(text: str) -> bool:
    """A short standalone line that is a share/follow call, a teaser label or a photo credit."""
    if len(text) > FURNITURE_LINE_CHARS:
        return False
    if _TEASER_LABEL.match(text) or _is_photo_credit(text):
        return True
    sentences = [s for s in _SENTENCE_SPLIT.split(text) if s.strip()]
    return bool(sentences) and all(_CALL_TO_ACTION.match(s) for s in sentences)


def _is_photo_credit(text: str) -> bool:
    """Names of people and agencies joined by separators, with no sentence in them."""
    text = text.strip()
    if text.endswith((".", "!", "?")) and not text.endswith(").") or not _PHOTO_AGENCY.search(text):
        return False
    if not _CREDIT_SEPARATOR.search(text):
        return False
    # Prose has lower-case words; a credit is proper names plus a few linking words.
    return all(w[:1].upper() == w[:1] or w.casefold() in _CREDIT_LOWER_WORDS for w in _LETTER_WORD.findall(text))


def _is_stub(text: str) -> bool:
    """A few words without sentence punctuation: a label or button text, not prose."""
    return len(text.split()) <= STUB_WORDS and not text.rstrip().endswith(_SENTENCE_END)


def _key(text: str | None) -> str:
    return " ".join(_WORD.findall((text or "").casefold()))


def extract_body(root: etree._Element, title: str | None = None) -> Body:
    """Extract the article body from a parsed page.  **Mutates** ``root`` (chrome is removed)."""
    body_el = root.find("body")
    if body_el is None:
        body_el = root
    _drop_never_content(body_el)
    stats = _measure(body_el)
    _drop_chrome(body_el, stats)
    container, rule = _container(body_el, stats)
    container = _merge_siblings(container, stats)
    container = _fall_back_if_fragment(container, body_el, stats)
    _prune(container, stats)
    paragraphs = _filter(_serialize(container), title)
    return Body(paragraphs=paragraphs, rule=rule)
