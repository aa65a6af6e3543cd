"""The parser interface: a pure function of (html, url) to an ArticleRecord.

A site parser subclasses :class:`ArticleParser` and defines one method per
field it knows, named after the field (``title``, ``body_text`` ...).  Fields it
does not define, or that come out empty, fall back to the generic extractor
field by field; ``record.provenance`` says which rule produced each field.
"""

from __future__ import annotations

from typing import Any, ClassVar

from bs4 import BeautifulSoup

from crawler.items import CONTENT_FIELDS, ArticleRecord


class ArticleParser:
    """Base class of the per-site parsers (BeautifulSoup over lxml).

    Subclasses set ``site`` and define field methods.  A method returns the
    field's value or ``None`` / ``[]``; it never raises for a missing element.
    """

    site: ClassVar[str] = ""

    def __init__(self, html: str, url: str) -> None:
        self.html = html
        self.url = url
        self.soup = BeautifulSoup(html, "lxml")

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
