"""What the hostile replica serves: its extra articles, trap pages and XML bombs (pure: no clock, no sockets).

:class:`HostileContent` holds the extra articles (each with the misbehaviour the server adds) and
renders the trap pages; :mod:`crawler.replica.hostile` serves them next to a normal replica.
"""

from __future__ import annotations

import random
import zlib
from dataclasses import dataclass, replace
from datetime import date

from crawler.replica import pages
from crawler.replica.model import ReplicaSite
from crawler.replica.posts import Article

_WORDS = (
    "ceasefire council delegation convoy province governor ministry border crossing reconstruction aid "
    "agency envoy talks committee tribal elders displaced families electricity prices bread subsidy "
    "currency drought harvest wheat checkpoint militia withdrawal patrol negotiations amnesty detainees "
    "prisoners exchange water station hospital clinic school teachers salaries fuel shortage winter "
    "shelter camp returnees property law municipal elections opposition coalition statement sources "
    "residents activists observers monitors report satellite images pipeline refinery smuggling route"
).split()
_ARABIC_WORDS = (
    "وقف إطلاق النار المجلس الوفد القافلة المحافظة المحافظ الوزارة الحدود المعبر إعادة الإعمار المساعدات "
    "الوكالة المبعوث المحادثات اللجنة شيوخ العشائر النازحين العائلات الكهرباء الأسعار الخبز الدعم العملة "
    "الجفاف الحصاد القمح الحاجز الانسحاب الدورية المفاوضات العفو المعتقلين تبادل محطة المياه المستشفى"
).split()

# Behaviours of the extra articles a complete crawl must store (each once, text intact).
VALID_BEHAVIOURS = (
    "retry_after",  # 503 + Retry-After until the asked seconds have passed
    "reset_once",  # the first connection is closed without an answer
    "fail_twice",  # 500 twice, then the page
    "stall_once",  # the first request gets no answer within the download timeout
    "mislabelled_arabic",  # windows-1256 bytes, HTTP header says UTF-8, <meta charset> right
    "long_tail",  # 3 MB of comments after the article: cut before parsing, the article kept
    "hijack_canonical",  # rel=canonical names another stored article
    "offsite_canonical",  # rel=canonical on another host
    "stray_bytes",  # UTF-8 with one byte of a character lost: stored, its U+FFFD reported (bad_encoding)
)
STRAY_PARAGRAPH = ("Residents of Dayr az-Zawr told the \u201ccouncil\u201d \u2014 caf\u00e9 owners, \u00e9lus and "
                   "teachers \u2014 that bread prices rose \u00d73 in a week. ") * 3
"""The last paragraph of the stray-bytes article; its first ``\u00d7`` loses a byte on the wire."""
# Behaviours of the pages a crawl must refuse or drop, each with a counted event.
REFUSED_BEHAVIOURS = (
    "huge",  # 60 MB streamed without Content-Length
    "gzip_bomb",  # 200 KB of gzip that inflates to 200 MB
    "soft_error",  # 200 OK with a database error page
    "always_500",
    "stall_forever",
    "offsite_redirect",
    "redirect_chain",  # 302 to a fresh URL, forever
)
SLOW_BEHAVIOURS = frozenset({"stall_once", "stall_forever"})
"""Behaviours that cost the crawl a download timeout (left out with ``slow=False``)."""
HUGE_BYTES = 60 * 1024 * 1024
BOMB_BYTES = 200 * 1024 * 1024
LONG_TAIL_BYTES = 3 * 1024 * 1024
LINK_FARM_SIZE = 5000
TRAP_PREFIXES: dict[str, str] = {
    "endless pagination": "/category/endless-pages/",
    "calendar": "/2031/",
    "redirect chain": "/news/990000/",
    "session ids": "/shop/",
    "repeated segments": "/archive/",
    "growing query": "/search/",
    "link farm": "/links/",
    "sitemap loop": "/sitemap-loop.xml",
}
"""Path prefix of every request into each trap (the test counts the server's hits per trap)."""


@dataclass(frozen=True)
class HostileArticle:
    """An extra article and what the server does when it is asked for."""

    article: Article
    behaviour: str

    @property
    def path(self) -> str:
        """The article's path."""
        return self.article.path


def _sentences(rng: random.Random, words: list[str], count: int) -> str:
    out = []
    for _ in range(count):
        picked = [rng.choice(words) for _ in range(rng.randint(12, 20))]
        out.append(" ".join(picked).capitalize() + ".")
    return " ".join(out)


def make_article(template: Article, post_id: int, slug: str, rng: random.Random, arabic: bool = False) -> Article:
    """A new article of distinct text, in the replica's ``news`` category, dated like ``template``."""
    words = _ARABIC_WORDS if arabic else _WORDS
    paragraphs = tuple(_sentences(rng, words, 3) for _ in range(5))
    title = _sentences(rng, words, 1).rstrip(".")[:90]
    return replace(template, post_id=post_id, category="news", slug=slug, title=title,
                   lede=_sentences(rng, words, 1), paragraphs=paragraphs, tags=(), image=None, kind="article",
                   disclaimer=False, source=None)


class HostileContent:
    """The extra articles, trap pages and bombs of one hostile replica."""

    def __init__(self, site: ReplicaSite, deep_pages: int = 0, slow: bool = True, seed: int = 7) -> None:
        rng = random.Random(seed)
        self.site = site
        template = next(a for a in site.articles if a.kind == "article" and a.post_id is not None)
        self.hostile: dict[str, HostileArticle] = {}
        behaviours = [b for b in VALID_BEHAVIOURS + REFUSED_BEHAVIOURS if slow or b not in SLOW_BEHAVIOURS]
        for n, behaviour in enumerate(behaviours):
            slug = behaviour.replace("_", "-") + "-report"
            article = make_article(template, 900001 + n, slug, rng, arabic=behaviour == "mislabelled_arabic")
            if behaviour == "stray_bytes":
                article = replace(article, paragraphs=(*article.paragraphs, STRAY_PARAGRAPH))
            self.hostile[article.path] = HostileArticle(article, behaviour)
        self.victim = next(a for a in site.articles if a.kind == "article" and a.post_id is not None
                           and a.path in site.valid_article_urls and a.path != template.path)
        self.deep: list[Article] = [
            make_article(template, 800001 + i, f"deep-archive-story-{i + 1}", rng) for i in range(deep_pages)
        ]
        self.deep_by_path = {a.path: a for a in self.deep}
        self._bomb: bytes | None = None

    # --- what a complete crawl stores --------------------------------------------------------
    def valid_paths(self) -> set[str]:
        """Paths of the extra articles a complete crawl stores (each once, under its own URL)."""
        valid = {p for p, h in self.hostile.items() if h.behaviour in VALID_BEHAVIOURS}
        return valid | set(self.deep_by_path)

    def refused_paths(self) -> set[str]:
        """Paths of the extra pages a crawl must not store."""
        return {p for p, h in self.hostile.items() if h.behaviour in REFUSED_BEHAVIOURS}

    def article(self, path: str) -> Article | None:
        """An extra article by path (hostile or deep archive)."""
        hostile = self.hostile.get(path)
        return hostile.article if hostile else self.deep_by_path.get(path)

    # --- pages ---------------------------------------------------------------------------------
    def article_html(self, article: Article, base: str, canonical: str | None = None) -> str:
        """The replica's article page for an extra article, its rel=canonical replaced when given."""
        html = pages.article_page(self.site, article, base, "standard")
        if canonical is not None:
            html = html.replace(f'<link rel="canonical" href="{base}{article.path}">',
                                f'<link rel="canonical" href="{canonical}">', 1)
        return html

    def nav(self, base: str) -> str:
        """Links the home page adds: every extra article and every trap's entrance."""
        links = [*self.hostile, "/news/990000/moved-0.html", "/category/endless-pages/", "/2031/01/",
                 "/shop/?sid=a0", "/archive/", "/search/?q=syria", "/links/"]
        if self.deep:
            links.append("/category/deep-archive/")
        items = "".join(f'<li><a href="{base}{p}">{p}</a></li>' for p in links)
        return f'<nav class="more-links"><ul>{items}</ul></nav>\n'

    def listing(self, base: str, title: str, teasers: list[tuple[str, str]], next_path: str | None,
                prev_path: str | None = None, extra: str = "") -> str:
        """A WordPress-like listing page: teasers (path, ISO date), prev and next links."""
        rel = f'<link rel="next" href="{base}{next_path}">' if next_path else ""
        items = "".join(
            f'<article class="post"><h2 class="entry-title"><a href="{base}{p}" rel="bookmark">{pages.esc(p)}</a>'
            f'</h2><div class="entry-meta"><time class="entry-date published" datetime="{d}">{d}</time></div>'
            f"<div class=\"entry-summary\"><p>Teaser of {pages.esc(p)}.</p></div></article>\n"
            for p, d in teasers
        )
        nav = ""
        if prev_path:
            nav += f'<a class="prev page-numbers" href="{base}{prev_path}">Previous</a>'
        if next_path:
            nav += f'<a class="next page-numbers" href="{base}{next_path}">Next</a>'
        return (f'<!DOCTYPE html><html lang="en"><head><meta charset="UTF-8"><title>{pages.esc(title)}</title>'
                f'{rel}</head><body><main id="main" class="site-main"><h1 class="page-title">{pages.esc(title)}</h1>'
                f'{items}<nav class="navigation pagination">{nav}</nav>{extra}</main></body></html>')

    def deep_listing(self, base: str, page: int) -> str | None:
        """Page ``page`` of the deep archive: one story each, pagination through all pages."""
        if not 1 <= page <= len(self.deep):
            return None
        story = self.deep[page - 1]
        path = "/category/deep-archive/"
        next_path = f"{path}page/{page + 1}/" if page < len(self.deep) else None
        prev_path = (f"{path}page/{page - 1}/" if page > 2 else path) if page > 1 else None
        return self.listing(base, f"Deep archive, page {page}", [(story.path, story.published.isoformat())],
                            next_path, prev_path)

    def endless_page(self, base: str, page: int, today: date) -> str:
        """Endless pagination: every page lists the same three stored articles and a next page."""
        teasers = [(a.path, today.isoformat()) for a in self.site.articles[:3]]
        return self.listing(base, f"Endless, page {page}", teasers, f"/category/endless-pages/page/{page + 1}/")

    def calendar_page(self, base: str, year: int, month: int, today: date) -> str:
        """An endless calendar: each month lists teasers dated today and links the next and previous months."""
        nxt = (year + month // 12, month % 12 + 1)
        prv = (year - (month == 1), 12 if month == 1 else month - 1)
        teasers = [(a.path, today.isoformat()) for a in self.site.articles[3:5]]
        return self.listing(base, f"Archive {year}-{month:02d}", teasers, f"/{nxt[0]:04d}/{nxt[1]:02d}/",
                            f"/{prv[0]:04d}/{prv[1]:02d}/")

    def plain_page(self, base: str, title: str, links: list[str]) -> str:
        """A page that is no article: a heading and links (relative ones kept as given)."""
        items = "".join(f'<li><a href="{h}">{pages.esc(h)}</a></li>' for h in links)
        return (f'<!DOCTYPE html><html lang="en"><head><meta charset="UTF-8"><title>{pages.esc(title)}</title>'
                f"</head><body><h1>{pages.esc(title)}</h1><ul>{items}</ul></body></html>")

    def long_tail_html(self, article: Article, base: str) -> bytes:
        """The article page followed by megabytes of comments (the page is cut before parsing)."""
        html = self.article_html(article, base)
        comment = '<div class="comment"><p>' + "spam " * 200 + "</p></div>\n"
        tail = comment * (LONG_TAIL_BYTES // len(comment) + 1)
        return html.replace("</body>", f'<section class="comments">{tail}</section></body>').encode("utf-8")

    def arabic_html(self, article: Article, base: str) -> bytes:
        """The article page in windows-1256 with a correct <meta charset> (the server's header says UTF-8)."""
        html = self.article_html(article, base).replace('<meta charset="UTF-8">', '<meta charset="windows-1256">', 1)
        return html.encode("cp1256", "xmlcharrefreplace")

    def soft_error_html(self) -> bytes:
        """A 200 page that is a database error, not an article."""
        return (b"<!DOCTYPE html><html><head><title>Database Error</title></head><body>"
                b"<h1>Error establishing a database connection</h1></body></html>")

    def gzip_bomb(self) -> bytes:
        """``BOMB_BYTES`` of spaces as gzip (about 200 KB), built once."""
        if self._bomb is None:
            packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
            chunk = b" " * (1024 * 1024)
            self._bomb = b"".join(packer.compress(chunk) for _ in range(BOMB_BYTES // len(chunk))) + packer.flush()
        return self._bomb


def billion_laughs(root: str) -> bytes:
    """An XML entity bomb whose document element is ``root`` (rss or urlset): gigabytes once expanded."""
    entities = '<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10)
    )
    if root == "rss":
        body = "<rss version=\"2.0\"><channel><title>&lol9;</title><item><title>&lol9;</title>" \
               "<link>/news/1/x.html</link></item></channel></rss>"
    else:
        body = '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>&lol9;</loc></url></urlset>'
    return f'<?xml version="1.0"?>\n<!DOCTYPE lolz [{entities}]>\n{body}'.encode()
