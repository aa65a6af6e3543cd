"""Page parsing: pure functions of HTML + URL, no network, no clock.

``parse_article(html, url)`` is the entry point for users who extract without
crawling: it picks the site parser registered for the URL's site (or the one
named by ``site``) and fills whatever it leaves empty from the generic extractor.
"""

from __future__ import annotations

from crawler.items import CONTENT_FIELDS, ArticleRecord
from crawler.parsers.text import content_hash


def parse_article(html: str | bytes, url: str, site: str | None = None) -> ArticleRecord:
    """Parse one article page into an :class:`ArticleRecord`.

    ``site`` is a site key from ``crawler sites``; when omitted the site is
    looked up from the URL's host, and an unknown host uses the generic parser.
    """
    from crawler.parsers.generic import GenericParser, parse_html
    from crawler.sites import parser_for

    if isinstance(html, bytes):
        from crawler.parsers.text import decode_html

        html = decode_html(html)
    parser_cls = parser_for(url, site)
    if parser_cls is None:
        record = GenericParser(html, url).parse()
    elif getattr(parser_cls, "includes_generic", False):
        # A profile-driven parser already ran the generic extractor (on the page without its chrome).
        record = parser_cls(html, url).parse()
    else:
        # One tree for both: the site parser reads it, then the generic fallback (which may
        # remove chrome from it) runs only for the fields the site parser left empty.
        root = parse_html(html)
        record = parser_cls(html, url, root=root).parse()
        missing = missing_fields(record)
        if missing:
            fill_missing(record, GenericParser(html, url, root=root).parse(fields=missing))
    record.content_hash = content_hash(record.body_text)
    return record


def missing_fields(record: ArticleRecord) -> list[str]:
    """The content fields ``record`` leaves empty."""
    return [name for name in CONTENT_FIELDS if getattr(record, name) in (None, "", [])]


def fill_missing(record: ArticleRecord, fallback: ArticleRecord) -> None:
    """Copy into ``record`` each content field it lacks and ``fallback`` has."""
    for name in CONTENT_FIELDS:
        if getattr(record, name) in (None, "", []) and getattr(fallback, name) not in (None, "", []):
            setattr(record, name, getattr(fallback, name))
            rule = fallback.provenance.get(name, "generic")
            record.provenance[name] = rule if rule.startswith("generic") else f"generic:{rule}"


__all__ = ["ArticleRecord", "parse_article", "fill_missing", "missing_fields"]
