"""The generic article extractor: any news page to an :class:`ArticleRecord`, on lxml.

Each field is a cascade, structured data first: JSON-LD, then OpenGraph / Twitter /
``<meta>`` tags, then microdata, then visible markup (``<h1>``, ``<time>``, bylines),
then heuristics.  ``record.provenance[field]`` names the rule that won, e.g.
``"jsonld"``, ``"opengraph"``, ``"meta"``, ``"microdata"``, ``"time-element"``,
``"byline"``, ``"selector"``, ``"url"``, ``"heuristic"``.  See ``docs/extraction.md``.
"""

from __future__ import annotations

import html as htmllib
import logging
import re
from collections.abc import Callable, Iterable
from datetime import tzinfo
from typing import Any
from urllib.parse import urljoin

from lxml import etree

from crawler.items import ArticleRecord
from crawler.parsers import captions, taxonomy
from crawler.parsers.arabic import ascii_digits, source_line
from crawler.parsers.authors import clean_authors
from crawler.parsers.body import Body, extract_body, split_editorial_note
from crawler.parsers.dates import date_from_url, has_zone, parse_date
from crawler.parsers.encoding import looks_like_html, repair_double_encoding
from crawler.parsers.language import detect_language
from crawler.parsers.marks import AttributeMarks
from crawler.parsers.metadata import (
    PageMetadata,
    clean_text,
    jsonld_people,
    jsonld_str,
    jsonld_text,
    read_metadata,
)

logger = logging.getLogger(__name__)

# Meta keys per field, most specific first.
PUBLISHED_META = (
    "article:published_time", "og:article:published_time", "og:published_time", "datepublished",
    "publishdate", "publish-date", "publish_date", "pubdate", "article.published", "parsely-pub-date",
    "sailthru.date", "dc.date.issued", "dcterms.issued", "dc.date", "dcterms.created", "dc.date.created",
    "date", "article_date_original", "original-publish-date", "cxenseparse:recs:publishtime",
    "release_date", "created", "citation_publication_date",
)
MODIFIED_META = (
    "article:modified_time", "og:updated_time", "og:article:modified_time", "datemodified",
    "dcterms.modified", "dc.date.modified", "last-modified", "lastmod", "revised",
)
AUTHOR_META = (
    "author", "article:author", "og:article:author", "parsely-author", "sailthru.author", "byl",
    "dc.creator", "dcterms.creator", "citation_author", "cxenseparse:author", "twitter:creator",
)
TITLE_META = ("og:title", "twitter:title", "title", "dc.title", "parsely-title", "sailthru.title", "headline")
DESCRIPTION_META = ("og:description", "twitter:description", "description", "dc.description")
IMAGE_META = ("og:image", "og:image:url", "og:image:secure_url", "twitter:image", "twitter:image:src")
TAG_META = ("article:tag", "og:article:tag", "news_keywords", "keywords", "parsely-tags")
SECTION_META = ("article:section", "og:article:section", "parsely-section", "section", "category")
LANG_META = ("og:locale", "content-language", "language", "dc.language")

# Visible markup selectors, most reliable first.
# Elements by attribute substrings (case as written), answered by AttributeMarks in document order.
BYLINE_MARKS = {"rel": ("author",), "class": ("uthor", "yline", "UTHOR", "YLINE"), "itemprop": ("author",)}
MODIFIED_MARKS = {"class": ("updated", "modified", "Updated", "Modified"), "itemprop": ("dateModified",)}
DATE_CLASS_MARKS = {"class": ("date", "Date", "time", "Time", "publish", "Publish")}
# Visible byline openers in the languages the crawler meets most ("By ...", "Par ...", "Автор: ...").
BYLINE_OPENERS = (
    "By ", "BY ", "by ", "Posted by", "Submitted by", "Written by", "Words by", "Par ", "PAR ", "Von ", "VON ",
    "Por ", "POR ", "Di ", "Door ", "Av ", "Автор", "Текст:", "بقلم", "كتب ", "Oleh ",
    "إعداد", "بواسطة", "الكاتب",
)
BYLINE_TEXT_XPATH = " | ".join(
    f"//body//*[starts-with(normalize-space(text()), '{opener}')]" for opener in BYLINE_OPENERS
)
_YEAR = re.compile(r"(?<!\d)(?:19|20)\d{2}(?!\d)")
_ISO_STAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
MAX_TEXT_DATE_TRIES = 12
"""Free-text date candidates handed to dateparser at most (it costs about a millisecond each)."""
_TITLE_SEPARATORS = re.compile(r"\s+(?:::|[|\-–—:·•»])\s+")  # "::" too: old Arabic CMSs
_META_PROVENANCE = {"og": "opengraph", "twitter": "twitter", "article": "opengraph"}
FLAT_RETRY_CHARS = 200
"""A body shorter than this is re-extracted from a flattened copy when the source holds more text."""
LOST_TEXT_SHARE = 0.5
"""The parse lost the text when the tree holds less than this share of the source's text."""
_SCRIPTS = re.compile(r"<(script|style|noscript|template)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_ANY_TAG = re.compile(r"<[^>]*>")
_INLINE_WRAPPER = re.compile(r"</?(?:span|font|a|b|i|u|em|strong|small|big|abbr|cite|mark|sup|sub)\b[^>]*>",
                             re.IGNORECASE)
_BLOCK_WRAPPER = re.compile(
    r"</?(?:div|section|article|main|center|table|tbody|thead|tr|td|th|header|footer|aside|nav|form|"
    r"figure|dl|dt|dd|ul|ol|blockquote)\b[^>]*>",
    re.IGNORECASE,
)
MAX_HTML_CHARS = 30_000_000
"""Pages larger than this are cut before parsing: no article is that long; the limit bounds time."""


def _meta_rule(key: str) -> str:
    prefix = key.split(":", 1)[0] if ":" in key else ""
    return _META_PROVENANCE.get(prefix, "meta")


def parse_html(html: str) -> etree._Element | None:
    """Parse page text into an lxml HTML tree; ``None`` for a page with no markup at all."""
    if not html or not html.strip():
        return None
    if len(html) > MAX_HTML_CHARS:
        logger.warning("page of %d chars cut to %d before parsing", len(html), MAX_HTML_CHARS)
        html = html[:MAX_HTML_CHARS]
    html = repair_double_encoding(html)
    data = html.encode("utf-8", "surrogatepass")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    # Plain etree elements: lxml.html's per-element class lookup costs a fifth of the run time.
    parser = etree.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True, no_network=True)
    try:
        root = etree.fromstring(data, parser=parser)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError) as exc:
        logger.debug("unparseable page: %s", exc)
        return None
    if root is None:
        return None
    return root


class GenericParser:
    """Extract an article record from any page with no site-specific rules.

    A pure function of ``(html, url)``: no network, no clock.  ``parse`` never raises
    for odd input; an empty or markup-free page gives a record with only the URL.
    """

    default_tz: tzinfo | None = None
    """Zone of dates printed without one (a site profile's ``timezone``); ``None``: UTC."""

    def __init__(
        self, html: str, url: str, default_tz: tzinfo | None = None, root: etree._Element | None = None
    ) -> None:
        self.html = html if isinstance(html, str) else str(html or "")
        self.url = url
        if default_tz is not None:
            self.default_tz = default_tz
        self.record = ArticleRecord(url=url)
        # ``root``: the page's tree when the caller parsed it already (``parse_html``); the body
        # step removes chrome from it, so the caller must be done reading it.
        self._given_root = root
        self.root: etree._Element | None = None
        self.md = PageMetadata()
        self._marks: AttributeMarks | None = None

    # -- helpers -------------------------------------------------------------------------------

    @property
    def marks(self) -> AttributeMarks:
        """The page's class / itemprop / rel values, read once per tree."""
        assert self.root is not None
        if self._marks is None or self._marks.root is not self.root:
            self._marks = AttributeMarks(self.root)
        return self._marks

    def _set(self, name: str, value: Any, rule: str) -> bool:
        if value in (None, "", []):
            return False
        setattr(self.record, name, value)
        self.record.provenance[name] = rule
        return True

    def _jsonld(self, *keys: str) -> Any:
        for obj in self.md.jsonld_articles:
            for key in keys:
                if obj.get(key) not in (None, "", []):
                    return obj[key]
        return None

    def _cascade(self, steps: Iterable[tuple[str, Callable[[], Any]]]) -> tuple[Any, str] | None:
        for rule, step in steps:
            value = step()
            if value not in (None, "", []):
                return value, rule
        return None

    def _langs(self) -> list[str] | None:
        """The page language plus English (dates are often English on any site), for dateparser."""
        lang = self.record.language
        if not lang:
            return None
        from crawler.parsers.dates import known_language

        return [code for code in dict.fromkeys((lang, "en")) if known_language(code)] or None

    def _zone_rule(self, rule: str, raw: str) -> str:
        """``rule`` marked ``+site-timezone`` when a zone-less date was read in the site's zone."""
        return f"{rule}+site-timezone" if self.default_tz is not None and not has_zone(raw) else rule

    def _meta(self, keys: tuple[str, ...]) -> tuple[str, str] | None:
        found = self.md.first_meta(*keys)
        return (found[1], _meta_rule(found[0])) if found else None

    # -- entry point ---------------------------------------------------------------------------

    def parse(self, fields: Iterable[str] | None = None) -> ArticleRecord:
        """Run every field's cascade (or only those filling ``fields``); the body last, as it removes chrome."""
        if not looks_like_html(self.html):
            logger.warning("not an HTML page (binary or control characters): %s", self.url)
            return self.record
        self.root = self._given_root if self._given_root is not None else parse_html(self.html)
        if self.root is None:
            return self.record
        self.md = read_metadata(self.root)
        for step in _wanted_steps(fields):
            getattr(self, step)()
        return self.record

    # -- fields --------------------------------------------------------------------------------

    def title(self) -> None:
        """Headline: JSON-LD, OpenGraph/meta, microdata, ``<h1>``, then the ``<title>`` tag."""
        h1 = self._h1()
        candidates: list[tuple[str, str]] = []
        value = jsonld_text(self._jsonld("headline", "name"))
        if value:
            candidates.append((value, "jsonld"))
        found = self._meta(TITLE_META)
        if found and clean_text(found[0]):
            candidates.append((clean_text(found[0]), found[1]))
        headline = clean_text((self.md.microdata.get("headline") or [None])[0])
        if headline:
            candidates.append((headline, "microdata"))
        if h1:
            candidates.append((h1, "selector"))
        if self.md.title_tag:
            candidates.append((self._strip_site_name(self.md.title_tag), "title-tag"))
        for text, rule in candidates:
            text = " ".join(text.split())
            # A truncated structured headline ("...") defers to the full visible one.
            if h1 and rule != "selector" and text.rstrip(".…").strip() and h1.startswith(text.rstrip(".…")):
                text = h1 if len(h1) > len(text) else text
            elif rule != "title-tag" and rule != "selector":
                text = self._strip_site_name(text) if h1 is None or h1 != text else text
            if text:
                self._set("title", text, rule)
                return

    def _h1(self) -> str | None:
        assert self.root is not None
        for el in self.root.iter("h1"):
            text = " ".join(" ".join(el.itertext()).split())
            if len(text) >= 8:
                return text
        return None

    def _strip_site_name(self, text: str) -> str:
        """``"Headline | Site"`` -> ``"Headline"``: drop the shorter side of a title separator."""
        parts = _TITLE_SEPARATORS.split(text)
        if len(parts) < 2:
            return text.strip()
        head, tail = parts[0], parts[-1]
        # The site name is the short end: keep the longest piece ("Site - Headline" happens too).
        longest = max(parts, key=len)
        if len(longest) < 0.4 * len(text) and len(head) < 20 and len(tail) < 20:
            return text.strip()
        if longest is head:
            return _TITLE_SEPARATORS.split(text, maxsplit=len(parts) - 2)[0].strip() if len(parts) > 2 else head
        return longest.strip()

    def canonical_url(self) -> None:
        """``<link rel=canonical>``, then ``og:url``; resolved against the page URL."""
        if self.md.canonical:
            self._set("canonical_url", urljoin(self.url, self.md.canonical), "meta")
            return
        found = self.md.first_meta("og:url")
        if found:
            self._set("canonical_url", urljoin(self.url, found[1]), "opengraph")

    def published_at(self) -> None:
        """Publication date in UTC, with the raw string kept in ``published_raw``."""
        steps: list[tuple[str, Callable[[], Any]]] = [
            ("jsonld", lambda: jsonld_str(self._jsonld("datePublished", "dateCreated", "uploadDate"))),
            ("meta", lambda: self._first_date_meta(PUBLISHED_META)),
            ("microdata", lambda: (self.md.microdata.get("datepublished") or [None])[0]),
            ("time-element", self._time_element),
            ("byline", self._date_text),
            ("heuristic", self._date_near_title),
        ]
        for rule, step in steps:
            raw = step()
            if not raw:
                continue
            if isinstance(raw, tuple):
                raw, rule = raw
            parsed = parse_date(
                raw, fuzzy=rule in ("byline", "time-element", "heuristic"), languages=self._langs(),
                default_tz=self.default_tz,
            )
            if parsed is not None:
                self._set("published_at", parsed, self._zone_rule(rule, raw))
                self._set("published_raw", raw, rule)
                return
        parsed = date_from_url(self.url)
        if parsed is not None:
            self._set("published_at", parsed, "url")
            return
        self._htmldate()

    def _first_date_meta(self, keys: tuple[str, ...]) -> tuple[str, str] | None:
        for key in keys:
            for value in self.md.meta.get(key, ()):
                if value.strip() and parse_date(value, fuzzy=False) is not None:
                    return value.strip(), _meta_rule(key)
        return None

    def _time_element(self) -> str | None:
        """``<time datetime>`` (``pubdate`` or ``itemprop=datePublished`` first), else its text."""
        assert self.root is not None
        times = list(self.root.iter("time"))
        for el in times:
            if el.get("pubdate") is not None or "published" in (el.get("itemprop") or "").casefold():
                if el.get("datetime"):
                    return el.get("datetime")
        for el in times:
            value = el.get("datetime") or " ".join(" ".join(el.itertext()).split())
            if value and parse_date(value, languages=self._langs()) is not None:
                return value
        return None

    def _date_text(self) -> str | None:
        """The text of a date-classed element near the top of the page."""
        assert self.root is not None
        for el in self.marks.elements(DATE_CLASS_MARKS)[:10]:
            # Blogger's <abbr class="published" title="2024-03-08T11:40:00+02:00">: the exact stamp is the title.
            stamp = el.get("title") if el.tag == "abbr" else None
            if stamp and _ISO_STAMP.match(stamp.strip()):
                return stamp.strip()
            text = " ".join(" ".join(el.itertext()).split())
            if 6 <= len(text) <= 80 and parse_date(text, languages=self._langs()) is not None:
                return text
        return None

    def _date_near_title(self) -> str | None:
        """A short text holding a year, after the ``<h1>`` first, that parses as a full date."""
        assert self.root is not None
        body = self.root.find("body")
        if body is None:
            return None
        before: list[str] = []
        after: list[str] = []
        seen_h1 = False
        for el in body.iter():
            if not isinstance(el.tag, str) or el.tag in ("script", "style", "noscript", "template"):
                continue
            if el.tag == "h1":
                seen_h1 = True
            for text in (el.text, el.tail):
                if text and 6 <= len(text) <= 200:
                    text = " ".join(text.split())
                    if len(text) <= 60 and _YEAR.search(ascii_digits(text)):  # ٢٠٢٤ is a year too
                        (after if seen_h1 else before).append(text)
            if len(after) >= MAX_TEXT_DATE_TRIES:
                break
        for text in (after + before)[:MAX_TEXT_DATE_TRIES]:
            if parse_date(text, languages=self._langs()) is not None:
                return text
        return None

    def _htmldate(self) -> None:
        """Last resort: htmldate's search of the whole page (original date, not the update)."""
        try:
            from htmldate import find_date

            found = find_date(self.html, url=self.url, original_date=True, extensive_search=False)
        except Exception:  # htmldate is a heuristic; its failure must not fail the page
            logger.debug("htmldate failed", exc_info=True)
            return
        parsed = parse_date(found, fuzzy=False, default_tz=self.default_tz) if found else None
        if parsed is not None:
            self._set("published_at", parsed, "heuristic")
            self._set("published_raw", found, "heuristic")

    def modified_at(self) -> None:
        """Last modification date in UTC."""
        raw = jsonld_str(self._jsonld("dateModified"))
        rule = "jsonld"
        if not raw:
            found = self._first_date_meta(MODIFIED_META)
            raw, rule = found if found else (None, "")
        if not raw and self.md.microdata.get("datemodified"):
            raw, rule = self.md.microdata["datemodified"][0], "microdata"
        parsed = parse_date(raw, fuzzy=False, default_tz=self.default_tz) if raw else None
        if parsed is None:
            found = self._modified_markup()
            if found:
                raw, rule = found
                parsed = parse_date(raw, languages=self._langs(), default_tz=self.default_tz)
        if parsed is not None and raw:
            self._set("modified_at", parsed, self._zone_rule(rule, raw))

    def _modified_markup(self) -> tuple[str, str] | None:
        """A visible update stamp: ``<time>`` or an element classed ``updated``/``modified``."""
        assert self.root is not None
        for el in self.marks.elements(MODIFIED_MARKS, in_body=True)[:10]:
            marks = f"{el.get('class') or ''} {el.get('itemprop') or ''}".casefold()
            if "published" in marks and "updated" not in marks:
                continue  # hAtom's "published updated" pair: only the updated one counts here
            if el.tag == "time" and el.get("datetime"):
                return el.get("datetime"), "time-element"
            stamp = el.get("title") if el.tag == "abbr" else None
            if stamp and _ISO_STAMP.match(stamp.strip()):
                return stamp.strip(), "byline"
            text = " ".join(" ".join(el.itertext()).split())
            if 6 <= len(text) <= 80 and parse_date(text, languages=self._langs()) is not None:
                return text, "byline"
        return None

    def authors(self) -> None:
        """People who wrote the article: JSON-LD, meta, microdata, then visible bylines."""
        steps: list[tuple[str, Callable[[], list[str]]]] = [
            ("jsonld", lambda: jsonld_people(self._jsonld("author", "creator"))),
            ("meta", self._author_meta),
            ("microdata", lambda: self.md.microdata_authors),
            ("byline", self._byline),
            ("byline", self._byline_text),
        ]
        for rule, step in steps:
            names = clean_authors(step())
            if names:
                self._set("authors", names, rule)
                return

    def _author_meta(self) -> list[str]:
        for key in AUTHOR_META:
            values = [v for v in self.md.meta.get(key, ()) if v.strip() and "://" not in v]
            if values:
                return values
        return []

    def _byline(self) -> list[str]:
        assert self.root is not None
        raws: list[str] = []
        for el in self.marks.elements(BYLINE_MARKS)[:20]:
            text = " ".join(" ".join(el.itertext()).split())
            # A byline is short; a long "author" box is a biography.
            if text and len(text) <= 120:
                raws.append(text)
            if clean_authors(raws):
                break
        return raws

    def _byline_text(self) -> list[str]:
        """Short elements whose text opens like a byline ("By ...", "Par ...", "بقلم ...")."""
        assert self.root is not None
        for el in self._byline_openers()[:8]:
            text = " ".join(" ".join(el.itertext()).split())
            if len(text) <= 120 and clean_authors([text]):
                return [text]
        return []

    def _byline_openers(self, limit: int = 8) -> list[etree._Element]:
        """Elements whose first text node opens like a byline (``BYLINE_TEXT_XPATH``, in a plain loop: 20x faster)."""
        assert self.root is not None
        body = self.root.find("body")
        found: list[etree._Element] = []
        if body is None:
            return found
        for el in body.iterdescendants():
            if not isinstance(el.tag, str):
                continue
            first = el.text if el.text is not None else next((c.tail for c in el if c.tail is not None), None)
            if first and " ".join(first.split()).startswith(BYLINE_OPENERS):
                found.append(el)
                if len(found) >= limit:
                    break
        return found

    def summary(self) -> None:
        """Standfirst: JSON-LD description, then OpenGraph / meta description."""
        value = jsonld_text(self._jsonld("description", "abstract"))
        if value:
            self._set("summary", value, "jsonld")
            return
        found = self._meta(DESCRIPTION_META)
        if found:
            self._set("summary", clean_text(found[0]), found[1])

    def image_url(self) -> None:
        """Lead image: OpenGraph / Twitter, then JSON-LD ``image``."""
        found = self._meta(IMAGE_META)
        if found:
            self._set("image_url", urljoin(self.url, found[0]), found[1])
            return
        value = jsonld_str(self._jsonld("image", "thumbnailUrl"))
        if value:
            self._set("image_url", urljoin(self.url, value), "jsonld")

    def tags(self) -> None:
        """Keywords: ``article:tag`` / keyword metas, then JSON-LD ``keywords``."""
        for key in TAG_META:
            values = self.md.meta.get(key)
            if values:
                tags = _split_tags(values)
                if tags:
                    self._set("tags", tags, _meta_rule(key))
                    return
        value = self._jsonld("keywords")
        if value:
            tags = _split_tags(value if isinstance(value, list) else [str(value)])
            if self._set("tags", tags, "jsonld"):
                return
        assert self.root is not None
        self._set("tags", taxonomy.tags_from_links(self.root), "selector")

    def category(self) -> None:
        """Section: JSON-LD ``articleSection``, then section metas."""
        value = jsonld_text(self._jsonld("articleSection"))
        if value:
            self._set("category", value, "jsonld")
            return
        found = self._meta(SECTION_META)
        if found and self._set("category", clean_text(found[0]), found[1]):
            return
        crumbs = taxonomy.section_from_jsonld(self.md.jsonld_other + self.md.jsonld_articles, self.record.title)
        if self._set("category", crumbs, "jsonld"):
            return
        assert self.root is not None
        self._set("category", taxonomy.section_from_breadcrumbs(self.root, self.record.title), "selector")

    def image_caption(self) -> None:
        """Lead image caption and credit: JSON-LD ``image``, then the page's ``<figure>``s."""
        if self._set("image_caption", captions.from_jsonld(self._jsonld("image")), "jsonld"):
            return
        assert self.root is not None
        self._set("image_caption", captions.from_figures(self.root, self.record.image_url), "selector")

    def language(self) -> None:
        """Language code: ``<html lang>``, then locale metas, then JSON-LD ``inLanguage``."""
        if self.md.lang:
            self._set("language", _lang_code(self.md.lang), "markup")
            return
        found = self._meta(LANG_META)
        if found:
            self._set("language", _lang_code(found[0]), found[1])
            return
        value = jsonld_str(self._jsonld("inLanguage"))
        if value and self._set("language", _lang_code(value), "jsonld"):
            return
        assert self.root is not None
        # Undeclared: read it from the paragraphs' words (see crawler.parsers.language).
        text = " ".join("".join(p.itertext()) for p in self.root.iter("p"))
        self._set("language", detect_language(text), "heuristic")

    def body(self) -> None:
        """Main text and a clean HTML rendering of it (see :mod:`crawler.parsers.body`)."""
        assert self.root is not None
        # Text the parser kept, measured before extraction mutates the tree (see _flat_body).
        tree_chars = len(etree.tostring(self.root, method="text", encoding="unicode"))
        try:
            body = extract_body(self.root, self.record.title)
        except (RecursionError, ValueError) as exc:  # pathological markup: no body, still a record
            logger.warning("body extraction failed for %s: %s", self.url, exc)
            return
        rule = "selector" if body.rule == "marked" else "heuristic"
        if len(body.text or "") < FLAT_RETRY_CHARS:
            flat = self._flat_body(tree_chars)
            if flat is not None and len(flat.text or "") > len(body.text or ""):
                body, rule = flat, "heuristic:flattened"
        self._source_line(body)
        self._drop_own_address(body)
        note = split_editorial_note(body)
        self._set("body_text", body.text, rule)
        self._set("body_html", body.html, rule)
        self._set("disclaimer", note, rule)

    def _drop_own_address(self, body: Body) -> None:
        """A paragraph that is only the page's own address (a permalink or share field) is not the article's text."""
        own = {_bare_address(u) for u in (self.url, self.record.canonical_url) if u}
        body.paragraphs[:] = [para for para in body.paragraphs if _bare_address(para[1]) not in own]

    def _source_line(self, body: Body) -> None:
        """A closing source line (``المصدر: عنب بلدي``) is the ``source`` field, not body text."""
        for index in range(len(body.paragraphs) - 1, max(len(body.paragraphs) - 3, -1), -1):
            name = source_line(body.paragraphs[index][1])
            if name:
                del body.paragraphs[index]
                if not self.record.source:
                    self._set("source", name, "byline")
                return

    def _flat_body(self, tree_chars: int) -> Body | None:
        """Re-extract from the page with its wrapper tags flattened.

        For markup the parser gave up on (nesting deeper than libxml2's limit, some broken
        pages under lxml 6): when the tree holds much less text than the source, the
        paragraphs are recovered from a shallow copy of the page.
        """
        source = _SCRIPTS.sub(" ", self.html)
        source_chars = len(_ANY_TAG.sub("", source).strip())
        if source_chars < FLAT_RETRY_CHARS or tree_chars >= LOST_TEXT_SHARE * source_chars:
            return None  # the page really has little text, or the parser kept it all
        flat = _BLOCK_WRAPPER.sub("<br>", _INLINE_WRAPPER.sub("", source))
        root = parse_html(flat)
        if root is None:
            return None
        try:
            return extract_body(root, self.record.title)
        except (RecursionError, ValueError):
            return None


# Each field step, in the order they run, and the record fields it fills.  The language runs
# first (it narrows the free-text date parser); the body last (it removes chrome from the tree).
_FIELD_STEPS: dict[str, tuple[str, ...]] = {
    "language": ("language",),
    "title": ("title",),
    "canonical_url": ("canonical_url",),
    "published_at": ("published_at", "published_raw"),
    "modified_at": ("modified_at",),
    "authors": ("authors",),
    "summary": ("summary",),
    "image_url": ("image_url",),
    "image_caption": ("image_caption",),
    "tags": ("tags",),
    "category": ("category",),
    "body": ("body_text", "body_html", "disclaimer", "source"),
}
# Steps that read what an earlier step found (the date parser's language, the title, the image).
_STEP_NEEDS: dict[str, tuple[str, ...]] = {
    "published_at": ("language",),
    "modified_at": ("language",),
    "image_caption": ("image_url",),
    "category": ("title",),
    "body": ("title", "canonical_url"),
}


def _wanted_steps(fields: Iterable[str] | None) -> list[str]:
    """The steps that fill ``fields`` (all when ``None``) and the steps they read from, in run order."""
    if fields is None:
        return list(_FIELD_STEPS)
    wanted = set(fields)
    steps = {step for step, filled in _FIELD_STEPS.items() if wanted.intersection(filled)}
    for step in list(steps):
        steps.update(_STEP_NEEDS.get(step, ()))
    return [step for step in _FIELD_STEPS if step in steps]


def _split_tags(values: list[Any]) -> list[str]:
    seen: set[str] = set()
    out: list[str] = []
    for value in values:
        if not isinstance(value, str):
            continue
        # Entities first: "&amp;" must not be split at its ";".
        for part in re.split(r"[,،;|]", htmllib.unescape(value)):
            tag = " ".join(part.split())
            if tag and len(tag) <= 60 and tag.casefold() not in seen:
                seen.add(tag.casefold())
                out.append(tag)
    return out[:30]


def _lang_code(value: str) -> str | None:
    code = value.strip().replace("_", "-").split("-")[0].casefold()
    return code if code.isalpha() and 2 <= len(code) <= 3 else None


def _bare_address(text: str) -> str:
    """A URL without scheme, ``www.`` and trailing slash, for comparing a printed address with the page's."""
    text = text.strip()
    text = re.sub(r"^https?://(?:www\.)?", "", text, flags=re.IGNORECASE)
    return text.rstrip("/")
