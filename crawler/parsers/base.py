"""The parser interface: a pure function of (html, url) to an ArticleRecord.

A site parser subclasses :class:`ArticleParser` and defines one method per
field it knows, named after the field (``title``, ``body_text`` ...).  Fields it
does not define, or that come out empty, fall back to the generic extractor
field by field; ``record.provenance`` says which rule produced each field.

The page is parsed once into an lxml tree (``tree``), shared with the generic
fallback; BeautifulSoup is built only where a parser asks for it, on the part of
the page that needs it (``soup_of(element)``), or on the whole page (``soup``).
"""

from __future__ import annotations

from functools import cached_property
from typing import Any, ClassVar

from bs4 import BeautifulSoup
from lxml import etree

from crawler.items import CONTENT_FIELDS, ArticleRecord
from crawler.parsers.select import PageIndex

_EMPTY_TREE = "<html><body></body></html>"


class ArticleParser:
    """Base class of the per-site parsers.

    Subclasses set ``site`` and define field methods.  A method returns the
    field's value or ``None`` / ``[]``; it never raises for a missing element.
    ``root`` is the page's tree when the caller parsed it already (``parse_html``).
    """

    site: ClassVar[str] = ""

    def __init__(self, html: str, url: str, root: etree._Element | None = None) -> None:
        self.html = html
        self.url = url
        self._root = root

    @cached_property
    def tree(self) -> etree._Element:
        """The page as one lxml tree (parsed here unless the caller passed it)."""
        if self._root is not None:
            return self._root
        from crawler.parsers.generic import parse_html

        root = parse_html(self.html)
        return root if root is not None else etree.fromstring(_EMPTY_TREE, etree.HTMLParser())

    @cached_property
    def soup(self) -> BeautifulSoup:
        """The whole page in BeautifulSoup: for parsers that need it everywhere (slower than ``tree``)."""
        return BeautifulSoup(self.html, "lxml")

    @staticmethod
    def soup_of(element: etree._Element) -> BeautifulSoup:
        """One element's subtree in BeautifulSoup (its markup re-parsed, the rest of the page left out)."""
        markup = etree.tostring(element, method="html", encoding="unicode", with_tail=False)
        return BeautifulSoup(markup, "lxml")

    @cached_property
    def index(self) -> PageIndex:
        """The page's elements by class, for fast selection (built on first use)."""
        return PageIndex(self.tree)

    def select(self, selector: str, root: etree._Element | None = None) -> list[etree._Element]:
        """Elements of the page (or under ``root``, itself included) matching a CSS selector, in document order."""
        return self.index.select(selector, root)

    def select_one(self, selector: str, root: etree._Element | None = None) -> etree._Element | None:
        """The first element matching a CSS selector, or ``None``."""
        found = self.select(selector, root)
        return found[0] if found else None

    def parse(self) -> ArticleRecord:
        """Run every field method defined by the subclass into one record."""
        record = ArticleRecord(url=self.url, site=self.site or None)
        for name in CONTENT_FIELDS:
            method = getattr(self, name, None)
            if method is None or not callable(method):
                continue
            value: Any = method()
            if value not in (None, "", []):
                setattr(record, name, value)
                record.provenance[name] = f"site:{self.site}"
        return record


def element_text(element: etree._Element) -> str:
    """An element's text as BeautifulSoup's ``get_text()`` gives it (script, style, template left out)."""
    parts: list[str] = []
    _collect_text(element, parts, top=True)
    return "".join(parts)


_NO_TEXT = frozenset({"script", "style", "template"})


def _collect_text(element: etree._Element, parts: list[str], top: bool = False) -> None:
    tag = element.tag
    if not isinstance(tag, str):  # comment or processing instruction: only its tail is text
        if element.tail and not top:
            parts.append(element.tail)
        return
    if tag not in _NO_TEXT or top:
        if element.text:
            parts.append(element.text)
        for child in element:
            _collect_text(child, parts)
    if element.tail and not top:
        parts.append(element.tail)
