"""The profile-driven parser: the generic extractor steered by a site profile's rules.

For a site whose profile has ``[selectors]``, ``[chrome]`` or ``timezone`` and names no parser
class: the chrome elements are removed from the page first, the generic extractor runs on
what is left (dates printed without a zone read in the site's zone), and each selector then
overrides its field (provenance ``profile:<field>``).  Pure: html and url in, record out.
"""

from __future__ import annotations

import logging
from datetime import tzinfo
from functools import lru_cache
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import urljoin
from zoneinfo import ZoneInfo

from lxml import etree
from parsel import Selector

from crawler.items import ArticleRecord
from crawler.parsers.authors import clean_authors
from crawler.parsers.body import extract_body
from crawler.parsers.dates import parse_date
from crawler.parsers.generic import GenericParser, parse_html

if TYPE_CHECKING:
    from crawler.profiles import Profile

logger = logging.getLogger(__name__)


def _xpath(selector: str) -> str:
    from crawler.profiles import selector_xpath

    return selector_xpath(selector)


def _texts(found: list[Selector]) -> list[str]:
    """The whitespace-normalized text of each match (a string result as is), empty ones left out."""
    out: list[str] = []
    for sel in found:
        value = sel.root if isinstance(sel.root, str) else " ".join(sel.xpath(".//text()").getall())
        text = " ".join(str(value).split())
        if text:
            out.append(text)
    return out


class ProfileParser:
    """Generic extraction with a profile's chrome stripped, selectors applied and time zone used.

    Subclasses made by :func:`profile_parser` set the class attributes; the parse result is
    complete (``includes_generic``): ``parse_article`` does not run the generic extractor again.
    """

    site: ClassVar[str] = ""
    selectors: ClassVar[dict[str, str]] = {}
    """Field -> CSS (parsel dialect) or ``xpath:...``."""
    strip: ClassVar[tuple[str, ...]] = ()
    timezone: ClassVar[str | None] = None
    includes_generic: ClassVar[bool] = True

    def __init__(self, html: str, url: str) -> None:
        self.html = html
        self.url = url

    @property
    def tz(self) -> tzinfo | None:
        """The site's zone, for dates printed without one."""
        return ZoneInfo(self.timezone) if self.timezone else None

    def stripped_html(self) -> str:
        """The page without its chrome elements (``[chrome] strip``)."""
        if not self.strip:
            return self.html
        root = parse_html(self.html)
        if root is None:
            return self.html
        removed = 0
        for selector in self.strip:
            for el in root.xpath(_xpath(selector)):
                if isinstance(el, etree._Element) and el.getparent() is not None:
                    # Keep the tail: it is the text after the element, not part of it.
                    _drop_keep_tail(el)
                    removed += 1
        logger.debug("stripped %d chrome elements from %s", removed, self.url)
        return etree.tostring(root, method="html", encoding="unicode")

    def parse(self) -> ArticleRecord:
        """Generic extraction on the stripped page, then the selector overrides."""
        html = self.stripped_html()
        record = GenericParser(html, self.url, default_tz=self.tz).parse()
        record.site = self.site or None
        if self.selectors:
            self._apply_selectors(record, html)
        return record

    def _apply_selectors(self, record: ArticleRecord, html: str) -> None:
        page = Selector(text=html)
        for name, selector in self.selectors.items():
            try:
                found = page.xpath(_xpath(selector))
            except ValueError as exc:  # validated on load; a runtime failure must not fail the page
                logger.warning("selector %s = %r failed on %s: %s", name, selector, self.url, exc)
                continue
            if found:
                self._set_field(record, name, found)

    def _set_field(self, record: ArticleRecord, name: str, found: list[Selector]) -> None:
        texts = _texts(found)
        value: Any = None
        if name == "body":
            self._set_body(record, found)
            return
        if name in ("published_at", "modified_at"):
            raw = texts[0] if texts else None
            value = parse_date(raw, default_tz=self.tz) if raw else None
            if value is not None and name == "published_at":
                _set(record, "published_raw", raw, "profile:published_at")
        elif name == "authors":
            value = clean_authors(texts)
        elif name == "tags":
            value = list(dict.fromkeys(texts))
        elif name == "image_url":
            value = urljoin(self.url, texts[0]) if texts else None
        else:
            value = texts[0] if texts else None
        _set(record, name, value, f"profile:{name}")

    def _set_body(self, record: ArticleRecord, found: list[Selector]) -> None:
        # The matched element(s) alone, through the body extractor: same paragraphs and clean-up rules.
        parts = [sel.get() for sel in found if not isinstance(sel.root, str)]
        if not parts:
            return
        root = parse_html(f"<html><body><article>{''.join(parts)}</article></body></html>")
        if root is None:
            return
        try:
            body = extract_body(root, record.title)
        except (RecursionError, ValueError) as exc:
            logger.warning("body selector extraction failed for %s: %s", self.url, exc)
            return
        _set(record, "body_text", body.text, "profile:body_text")
        _set(record, "body_html", body.html, "profile:body_text")


def _set(record: ArticleRecord, name: str, value: Any, rule: str) -> None:
    if value in (None, "", []):
        return
    setattr(record, name, value)
    record.provenance[name] = rule


def _drop_keep_tail(el: etree._Element) -> None:
    parent = el.getparent()
    tail = el.tail
    if tail:
        prev = el.getprevious()
        if prev is not None:
            prev.tail = (prev.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    parent.remove(el)


def profile_parser(profile: Profile) -> type[ProfileParser]:
    """The :class:`ProfileParser` subclass of a profile (one class per profile, cached)."""
    selectors = tuple(sorted(profile.selectors.model_dump(exclude_none=True).items())) if profile.selectors else ()
    strip = tuple(profile.chrome.strip) if profile.chrome else ()
    return _parser_class(profile.key, selectors, strip, profile.timezone)


@lru_cache(maxsize=256)
def _parser_class(
    key: str, selectors: tuple[tuple[str, str], ...], strip: tuple[str, ...], timezone: str | None
) -> type[ProfileParser]:
    name = "".join(part.capitalize() for part in key.split("_")) + "ProfileParser"
    attrs = {"site": key, "selectors": dict(selectors), "strip": strip, "timezone": timezone}
    return type(name, (ProfileParser,), attrs)
