"""Fast CSS selection for site parsers: simple selectors answered from a per-page class index.

Site parsers select with short CSS lists (``h1.entry-title, .entry-header .excerpt``).  Through
cssselect each becomes an XPath that tests every element's ``class`` attribute as a string, once
per alternative: most of a site parser's time on a page.  :class:`PageIndex` walks the tree once,
indexing elements by class token and document position; a selector of the simple grammar below
is then answered from the index (``tag``, ``.class``, ``[attr]``, ``[attr=value]``,
``[attr~=value]``, descendant combinators, comma lists).  Anything else (``>``, ``+``,
pseudo-classes...) goes to cssselect unchanged: results are the same either way, in document order.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from lxml import etree
from lxml.cssselect import CSSSelector

_COMPOUND = re.compile(
    r"""^(?P<tag>[a-zA-Z][a-zA-Z0-9-]*|\*)?(?P<rest>(?:\.[\w-]+|\[[\w-]+(?:~?=(?:'[^']*'|"[^"]*"|[\w-]+))?\])*)$"""
)
_PART = re.compile(r"""\.(?P<cls>[\w-]+)|\[(?P<attr>[\w-]+)(?:(?P<op>~?=)(?P<val>'[^']*'|"[^"]*"|[\w-]+))?\]""")


@dataclass(frozen=True)
class Compound:
    """One compound selector: a tag (or any), classes, attribute tests."""

    tag: str | None
    classes: frozenset[str]
    attrs: tuple[tuple[str, str | None, str | None], ...]  # (name, op, value)

    def matches(self, element: etree._Element) -> bool:
        """True when ``element`` satisfies every part."""
        if not isinstance(element.tag, str) or (self.tag is not None and element.tag != self.tag):
            return False
        if self.classes and not self.classes.issubset((element.get("class") or "").split()):
            return False
        for name, op, value in self.attrs:
            got = element.get(name)
            if got is None:
                return False
            if op == "=" and got != value:
                return False
            if op == "~=" and value not in got.split():
                return False
        return True


Complex = tuple[Compound, ...]
"""Compounds joined by descendant combinators, outermost first."""


class Unsupported(ValueError):
    """A selector outside the simple grammar (cssselect answers it)."""


@cache
def compile_simple(selector: str) -> tuple[Complex, ...]:
    """The selector list as compounds; :class:`Unsupported` outside the simple grammar."""
    out = []
    for alternative in selector.split(","):
        words = alternative.split()
        if not words or any(w in (">", "+", "~") for w in words):
            raise Unsupported(selector)
        compounds = []
        for word in words:
            match = _COMPOUND.match(word)
            if match is None:
                raise Unsupported(selector)
            classes, attrs = set(), []
            for part in _PART.finditer(match["rest"] or ""):
                if part["cls"]:
                    classes.add(part["cls"])
                else:
                    value = part["val"]
                    if value and value[0] in "'\"":
                        value = value[1:-1]
                    attrs.append((part["attr"], part["op"], value))
            tag = match["tag"] if match["tag"] not in (None, "*") else None
            compounds.append(Compound(tag.lower() if tag else None, frozenset(classes), tuple(attrs)))
        out.append(tuple(compounds))
    return tuple(out)


@cache
def css(selector: str) -> CSSSelector:
    """``selector`` compiled to an XPath once (cssselect), for plain lxml elements."""
    return CSSSelector(selector)


class PageIndex:
    """One page's elements by class token, with their document positions (built in one walk)."""

    def __init__(self, root: etree._Element) -> None:
        self.root = root
        self.position: dict[etree._Element, int] = {}
        self.by_class: dict[str, list[etree._Element]] = {}
        for number, element in enumerate(root.iter()):
            if not isinstance(element.tag, str):
                continue
            self.position[element] = number
            classes = element.get("class")
            if classes:
                for token in set(classes.split()):
                    self.by_class.setdefault(token, []).append(element)

    def select(self, selector: str, within: etree._Element | None = None) -> list[etree._Element]:
        """Elements matching ``selector`` in document order (under ``within``, itself included, when given)."""
        scope = self.root if within is None else within
        try:
            alternatives = compile_simple(selector)
        except Unsupported:
            return css(selector)(scope)
        if within is not None and within not in self.position:
            return css(selector)(scope)  # a detached copy (small): the index does not know its elements
        found: dict[etree._Element, None] = {}
        for compounds in alternatives:
            last = compounds[-1]
            if len(compounds) >= 2 and compounds[0].classes:
                # ".box a": the few indexed boxes, then their descendants by tag (lxml, in C).
                middle = compounds[:-1]
                for outer in self._candidates(compounds[0], scope):
                    if compounds[0].matches(outer):
                        for element in outer.iterdescendants(last.tag) if last.tag else outer.iterdescendants():
                            if last.matches(element) and (len(compounds) == 2 or
                                                          _ancestors_match(element, middle, scope)):
                                found[element] = None
                continue
            for element in self._candidates(last, scope):
                if last.matches(element) and _ancestors_match(element, compounds[:-1], scope):
                    found[element] = None
        if len(alternatives) == 1 and len(alternatives[0]) == 1:
            return list(found)  # from the index or iter(): already in document order
        return sorted(found, key=self.position.__getitem__)

    def _candidates(self, compound: Compound, scope: etree._Element) -> list[etree._Element]:
        if compound.classes:
            # The rarest class's elements: every match carries it (those under the scope).
            elements = min((self.by_class.get(c, []) for c in compound.classes), key=len)
            if scope is self.root:
                return elements
            return [el for el in elements if _inside(el, scope)]
        return list(scope.iter(compound.tag) if compound.tag else scope.iter())


def _inside(element: etree._Element, scope: etree._Element) -> bool:
    node: etree._Element | None = element
    while node is not None:
        if node is scope:
            return True
        node = node.getparent()
    return False


def _ancestors_match(element: etree._Element, outer: Complex, scope: etree._Element) -> bool:
    """The outer compounds match ancestors of ``element`` (innermost first, greedily), within ``scope``."""
    if not outer:
        return True
    index = len(outer) - 1
    node = element
    while node is not scope:
        node = node.getparent()
        if node is None:
            return False
        if outer[index].matches(node):
            index -= 1
            if index < 0:
                return True
    return False
