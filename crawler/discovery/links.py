"""Links of a page and the shapes of a site's URLs: feeds, pagination, article URL patterns.

Pure functions of HTML text and URLs (no Scrapy, no network, no clock), used by the
``auto`` spider and by ``crawler add-site`` / ``crawler check-site``.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from lxml import etree

from crawler.parsers.generic import parse_html

FEED_TYPES = frozenset(
    {"application/rss+xml", "application/atom+xml", "application/feed+json", "application/json", "application/xml",
     "text/xml", "application/rdf+xml"}
)
# Where sites usually put a feed when the home page does not link one.
FEED_PROBE_PATHS: tuple[str, ...] = ("/feed/", "/rss", "/rss.xml", "/atom.xml", "/feed.xml", "/index.xml",
                                     "/feeds/", "/feed.json")
# Where sites usually put a sitemap when robots.txt names none.
SITEMAP_PROBE_PATHS: tuple[str, ...] = ("/sitemap.xml", "/sitemap_index.xml", "/news-sitemap.xml")
# Files that are never pages: not worth a request.
ASSET_EXTENSIONS = frozenset(
    "jpg jpeg png gif webp svg ico bmp tif tiff avif css js mjs json xml rss atom pdf zip gz tgz rar 7z mp3 mp4 m4a "
    "wav ogg webm mov avi mkv woff woff2 ttf eot otf doc docx xls xlsx ppt pptx txt csv".split()
)
PAGE_PARAMS: tuple[str, ...] = ("page", "paged", "pg", "p")
_PATH_PAGE = re.compile(r"^(?P<base>.*?/)page/(?P<n>\d+)/?$")
_NEXT_TEXT = re.compile(r"^\s*(next|older|more|›|»|→|next page|older (posts|entries|articles))\b", re.I)
MIN_CONFIRM = 5
"""Feed URLs needed before they decide which sitemap URL shapes are articles."""
_DIGITS = re.compile(r"^\d+$")
_ID_SLUG = re.compile(r"^\d+[-_][a-z0-9][a-z0-9_-]*$")
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_WORDY = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
_EXTENSION = re.compile(r"^(?P<stem>.+?)(?P<ext>\.(?:html?|php|aspx?|shtml))$", re.I)


@dataclass(frozen=True)
class PageLinks:
    """What a page links to, absolute and without fragments."""

    links: list[str]
    """Every ``<a href>``, page order, duplicates removed."""
    next_pages: list[str]
    """``rel=next`` links, ``a.next`` and "Next"/"Older" anchors."""
    feeds: list[str]
    """``<link rel=alternate>`` feeds (RSS, Atom, JSON Feed)."""
    canonical: str | None


def page_links(html: str, url: str) -> PageLinks:
    """Every link of an HTML page worth knowing for navigation."""
    root = parse_html(html)
    if root is None:
        return PageLinks([], [], [], None)
    base = url
    for el in root.iter("base"):
        if el.get("href"):
            base = urljoin(url, el.get("href").strip())
        break
    links: dict[str, None] = {}
    next_pages: dict[str, None] = {}
    feeds: dict[str, None] = {}
    canonical: str | None = None
    for el in root.iter("a", "link"):
        href = (el.get("href") or "").strip()
        if not href or href.startswith(("#", "javascript:", "mailto:", "tel:", "data:")):
            continue
        absolute = urljoin(base, href).split("#", 1)[0]
        rel = (el.get("rel") or "").casefold().split()
        if el.tag == "link":
            if "canonical" in rel and canonical is None:
                canonical = absolute
            elif "alternate" in rel and (el.get("type") or "").strip().casefold() in FEED_TYPES:
                feeds[absolute] = None
            elif "next" in rel:
                next_pages[absolute] = None
            continue
        links[absolute] = None
        classes = (el.get("class") or "").casefold().split()
        if "next" in rel or "next" in classes or _NEXT_TEXT.match(_text(el)):
            next_pages[absolute] = None
    return PageLinks(list(links), list(next_pages), list(feeds), canonical)


def _text(el: etree._Element) -> str:
    return " ".join("".join(el.itertext()).split())[:40]


def same_site(url: str, hosts: Iterable[str]) -> bool:
    """True when the URL is http(s) on one of ``hosts`` (``www.`` or not)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        return False
    host = (parts.hostname or "").lower()
    names = {h.lower() for h in hosts}
    return host in names or host.removeprefix("www.") in {h.removeprefix("www.") for h in names}


def is_asset(url: str) -> bool:
    """True for a URL whose extension says it is a file, not a page."""
    last = urlsplit(url).path.rsplit("/", 1)[-1]
    return "." in last and last.rsplit(".", 1)[-1].lower() in ASSET_EXTENSIONS


# --- pagination ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Pagination:
    """How a listing URL pages: ``path`` (``.../page/N/``) or ``query`` (``?param=N``)."""

    style: str
    base: str
    """The first page's path (``/category/news/``, ``/news``)."""
    page: int
    param: str | None = None


def pagination_of(url: str) -> Pagination | None:
    """The pagination a listing page URL shows, if any (page 1 has none to show)."""
    parts = urlsplit(url)
    match = _PATH_PAGE.match(parts.path)
    if match:
        return Pagination("path", match["base"], int(match["n"]))
    for key, value in parse_qsl(parts.query):
        if key.lower() in PAGE_PARAMS and value.isdigit():
            return Pagination("query", parts.path or "/", int(value), key)
    return None


def page_url(url: str, pagination: Pagination, page: int) -> str:
    """``url`` (a listing) moved to page ``page`` in the same style."""
    parts = urlsplit(url)
    if pagination.style == "path":
        return urlunsplit(parts._replace(path=f"{pagination.base}page/{page}/"))
    query = [(k, v) for k, v in parse_qsl(parts.query) if k != pagination.param]
    query.append((pagination.param or "page", str(page)))
    return urlunsplit(parts._replace(query=urlencode(query)))


# --- article URL shapes ----------------------------------------------------------------------


def segment_shape(segment: str) -> str:
    """A regex for one path segment: digits -> ``\\d+``, slugs -> ``[a-z0-9-]+``, id-slugs, extensions kept."""
    match = _EXTENSION.match(segment)
    stem, ext = (match["stem"], re.escape(match["ext"])) if match else (segment, "")
    if _DIGITS.match(stem):
        shape = r"\d+"
    elif _ID_SLUG.match(stem):
        shape = r"\d+-[a-z0-9-]+" if "_" not in stem else r"\d+[-_][a-z0-9_-]+"
    elif _SLUG.match(stem):
        shape = "[a-z0-9-]+"
    elif _WORDY.match(stem):
        shape = "[a-z0-9_-]+"
    else:
        shape = "[^/]+"
    return shape + ext


@dataclass(frozen=True)
class UrlPattern:
    """A learned article URL pattern: a regex on the path, and how many sample URLs it covers."""

    regex: str
    covered: int
    total: int

    def matches(self, url: str) -> bool:
        """True when the URL's path matches."""
        return re.match(self.regex, urlsplit(url).path or "/") is not None


def learn_article_pattern(
    urls: Iterable[str], min_share: float = 0.005, confirm: Iterable[str] = ()
) -> UrlPattern | None:
    """Generalise article URLs (from a feed and a sitemap) into one path regex.

    Paths are grouped by shape (one regex per segment); a segment with the same value in every
    URL of a group stays literal (``/news/``), others are generalised. From ten URLs on, a shape
    needs two URLs and ``min_share`` of them (a stray page in a sitemap is left out). With
    ``confirm`` URLs (a feed's: nearly always articles), from ``MIN_CONFIRM`` of them on, only shapes
    that one of them has are kept: a sitemap also lists pages, sections and tags. ``None`` without URLs.
    """
    confirming = {urlsplit(u).path for u in confirm}
    paths = sorted({urlsplit(u).path for u in urls if urlsplit(u).path not in ("", "/")})
    if not paths:
        return None
    groups: dict[tuple[str, ...], list[list[str]]] = defaultdict(list)
    for path in paths:
        trailing = path.endswith("/")
        segments = [s for s in path.split("/") if s]
        key = (*(segment_shape(s) for s in segments), "/" if trailing else "")
        groups[key].append(segments)
    alternatives: list[tuple[int, str]] = []
    least = 1 if len(paths) < 10 else max(2, min_share * len(paths))
    confirmed = {key for key, members in groups.items() if any("/" + "/".join(m) in confirming or
                                                                 "/" + "/".join(m) + "/" in confirming
                                                                 for m in members)}
    use_confirm = sum(1 for p in confirming if p not in ("", "/")) >= MIN_CONFIRM and bool(confirmed)
    for key, members in groups.items():
        if len(members) < least or (use_confirm and key not in confirmed):
            continue
        parts: list[str] = []
        for i, shape in enumerate(key[:-1]):
            values = Counter(m[i] for m in members)
            # A literal only when the group is big enough to tell a constant from chance.
            if len(values) == 1 and len(members) >= 3 and not _DIGITS.match(next(iter(values))):
                parts.append(re.escape(next(iter(values))))
            else:
                parts.append(shape)
        alternatives.append((len(members), "/" + "/".join(parts) + ("/" if key[-1] else "")))
    if not alternatives:
        return None
    alternatives.sort(key=lambda a: (-a[0], a[1]))
    merged = list(dict.fromkeys(regex for _, regex in alternatives))
    covered = sum(n for n, _ in alternatives)
    body = merged[0] if len(merged) == 1 else "(?:" + "|".join(merged) + ")"
    return UrlPattern(f"^{body}$", covered, len(paths))
