"""Step 2 of the body extraction: page chrome recognised by tag, ARIA role, hidden markup or class/id words.

Never around the article's own prose: a substantial marked body protects its wrappers, and a box
recognised only by a weak class word is kept when it holds a fair share of the page's prose.
"""

from __future__ import annotations

import re
from functools import lru_cache

from lxml import etree

from crawler.parsers.body_lead import LEAD_MIN_CHARS
from crawler.parsers.body_measure import (
    _BODY_MARK,
    MIN_PROSE,
    _attrs,
    _discount,
    _is_marked_body,
    _len,
    _remove,
    _Stats,
)

# Structural chrome: dropped unless it wraps the marked article body.
CHROME_TAGS = frozenset({"header", "form", "figure"})
MARKED_BODY_SHARE = 0.2
"""A marked body (``<article>``, ``.entry-content`` ...) protects its wrappers above this prose share."""
WEAK_CHROME_SHARE = 0.25
"""A weakly recognised chrome box holding more than this share of the page's prose is kept."""

ARTICLE_LEFT_SHARE = 0.15
"""Chrome removal that would leave less than this share of the page's prose spares the prose boxes it named."""
_TABLE_PARTS = frozenset({"tr", "td", "th", "tbody", "thead", "tfoot"})
_CHROME_ROLES = frozenset({"navigation", "banner", "contentinfo", "complementary", "search", "dialog", "alert"})

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
    r"authors?|autor|autorin|bio|mini-bio|author-box|author-description|author-profile|"
    r"caption|legend|imagedescription|image-description|bildunterschrift|credit|credits|copyright|tags|tag-list|taglist|keywords|topics|meta|metadata|"
    r"dateline|timestamp|published|updated|hidden|visually-hidden|sr-only|screen-reader-text|"
    r"inline-link|embed|video|player|gallery|slideshow|carousel|paywall|piano|login|signin|"
    r"jump|toc|table-of-contents|correction-policy|newsletter-signup|donate|membership"
    r")(?:$|[\s_\-:])",
    re.IGNORECASE,
)
_STRONG_NEGATIVE = re.compile(
    r"(?:^|[\s_\-:])(?:comments?|commentlist|comment-list|disqus|respond|reply|replies|"
    r"forum|kommentare|commentaires|comentarios|"  # SPIP's "forum", and the word in other languages
    r"cookie|cookies|consent|gdpr|outbrain|taboola)(?:$|[\s_\-:])",
    re.IGNORECASE,
)
# CMS field classes saying only the field's label is hidden (Drupal's "field--label-hidden").
_HIDDEN_LABEL = re.compile(r"\blabel[\s_\-]*hidden\b|\bhidden[\s_\-]*label\b", re.IGNORECASE)
# Class words of a header box: one holding a standfirst is treated as an article's <header> (see _holds_lead).
_HEADER_WORD = re.compile(r"(?:^|[\s_\-:])header(?:$|[\s_\-:])", re.IGNORECASE)
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)


def _is_hidden(el: etree._Element) -> bool:
    if el.get("hidden") is not None or el.get("aria-hidden") == "true":
        return True
    style = el.get("style")
    return bool(style) and bool(_HIDDEN_STYLE.search(style))


def _holds_lead(el: etree._Element, st: _Stats) -> bool:
    """A header holding a standfirst (a paragraph of prose, or a subtitle as long as a lead paragraph).

    Few links and no teaser headlines: a site header with its menu is still chrome.
    """
    if st.link_len >= 0.3 * st.text_len or st.link_headings:
        return False
    if st.prose >= MIN_PROSE:
        return True
    return any(_len("".join(h.itertext())) >= LEAD_MIN_CHARS for h in el.iter("h2", "h3", "h4", "h5", "h6"))


def _chrome_kind(el: etree._Element) -> str | None:
    """``"strong"`` for comment/consent boxes, ``"weak"`` for other chrome, else ``None``."""
    if el.tag in CHROME_TAGS:
        return "weak"
    if el.get("role") in _CHROME_ROLES:
        return "weak"
    if _is_hidden(el):
        return "weak"
    cls, ident = el.get("class"), el.get("id")
    if not cls and not ident or el.tag in _TABLE_PARTS:
        return None  # a row or cell named "player-...", "meta-..." is data of its table, not a box of chrome
    return _class_kind(f"{cls or ''} {ident or ''}")


_PIECE = re.compile(r"[\s_\-:]")


def _first_pieces(*patterns: re.Pattern[str]) -> frozenset[str]:
    """The first word piece of every word of the chrome regexes, each optional letter taken and left out.

    A chrome word starts and ends on a piece boundary, so a class string none of whose pieces is
    in this set cannot match: the regexes are skipped (most class strings of a page).
    """
    pieces: set[str] = set()
    for pattern in patterns:
        inner = pattern.pattern.split("(?:", 2)[2].rsplit(")(?:$", 1)[0]
        for word in inner.split("|"):
            variants = [""]
            for i, char in enumerate(word):
                if char == "?":
                    continue
                optional = i + 1 < len(word) and word[i + 1] == "?"
                variants = [v + char for v in variants] + (variants if optional else [])
            pieces.update(_PIECE.split(v.casefold())[0] for v in variants)
    return frozenset(pieces)


_FIRST_PIECES = _first_pieces(_NEGATIVE, _STRONG_NEGATIVE)


@lru_cache(maxsize=4096)
def _class_kind(attrs: str) -> str | None:
    """Chrome kind of a class+id string (cached: pages repeat the same class lists)."""
    if _FIRST_PIECES.isdisjoint(_PIECE.split(attrs.casefold())):
        return None
    if _BODY_MARK.search(attrs):
        return None
    attrs = _HIDDEN_LABEL.sub(" ", attrs)  # the field's label is hidden, not the field
    if _STRONG_NEGATIVE.search(attrs):
        return "strong"
    if _NEGATIVE.search(attrs):
        return "weak"
    return None


# Every element ``_chrome_kind`` can name (a chrome tag, a role, hidden markup, a class or id), in
# document order: selected in C, as most of a page's elements are none of these.
_CHROME_CANDIDATES = etree.XPath(
    "descendant::*[self::header or self::form or self::figure or @role or @hidden or @aria-hidden or @style"
    " or @class or @id]"
)


def drop_chrome(root: etree._Element, stats: dict[etree._Element, _Stats]) -> None:
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
    weak: list[etree._Element] = []
    for el in _CHROME_CANDIDATES(root):
        if el in protected or el not in stats:
            continue
        kind = _chrome_kind(el)
        if kind is None:
            continue
        if kind == "weak" and stats[el].prose > WEAK_CHROME_SHARE * total:
            continue
        if (el.tag == "header" or _HEADER_WORD.search(_attrs(el))) and _holds_lead(el, stats[el]):
            continue  # an article header with its standfirst: the scorer decides whether it joins the body
        removed[el] = None
        if kind == "weak":
            weak.append(el)
    _spare_the_article(removed, weak, stats, total)
    _drop_all(root, stats, removed)


def _spare_the_article(removed: dict[etree._Element, None], weak: list[etree._Element],
                       stats: dict[etree._Element, _Stats], total: int) -> None:
    """Keep the prose boxes of weak chrome when removing them would take most of the page's prose.

    A story told in boxes that each hold a small share, all named or marked alike ("gallery-section",
    hidden slides of a slideshow), would otherwise go box by box.  Comment and consent boxes still go.
    """
    outer = [el for el in removed if not any(anc in removed for anc in el.iterancestors())]
    weak_set = set(weak)
    base = total - sum(stats[el].prose for el in outer if el not in weak_set)
    if base <= 0 or base - sum(stats[el].prose for el in outer if el in weak_set) >= ARTICLE_LEFT_SHARE * base:
        return
    for el in weak:
        st = stats[el]
        if st.prose >= 0.5 * st.text_len and st.link_len <= 0.25 * st.text_len and not st.link_headings:
            del removed[el]


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
