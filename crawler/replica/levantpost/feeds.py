"""The Levant Post's machine-readable files: robots.txt, the Atom feed, the sitemap index and sitemaps.

- ``/robots.txt``: ``Disallow`` for ``/search``, ``/account/``, ``/print/``; ``Sitemap:`` the index.
- ``/feeds/latest.atom``: the newest ``FEED_ITEMS`` articles (Atom 1.0).
- ``/sitemap_index.xml`` -> ``/sitemaps/news.xml`` (Google News sitemap: articles of the last
  ``NEWS_WINDOW`` before the newest one) and ``/sitemaps/articles-1.xml`` (every article, ``lastmod``).
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from crawler.replica.levantpost import text
from crawler.replica.levantpost.chrome import FEED_PATH, esc
from crawler.replica.levantpost.model import LANGUAGE, LOCAL, Article

if TYPE_CHECKING:
    from crawler.replica.levantpost.site import LevantPostSite

FEED_ITEMS = 20
NEWS_WINDOW = timedelta(days=2)
"""A news sitemap lists only recent stories (Google's rule: the last two days)."""
SITEMAP_INDEX = "/sitemap_index.xml"
NEWS_SITEMAP = "/sitemaps/news.xml"
ARTICLES_SITEMAP = "/sitemaps/articles-1.xml"

Response = tuple[int, dict[str, str], bytes]
_XML = "application/xml; charset=utf-8"


def render(site: LevantPostSite, base: str, path: str) -> Response | None:
    """The file at ``path``, or None when ``path`` is not one of them."""
    if path == "/robots.txt":
        return 200, {"Content-Type": "text/plain; charset=utf-8"}, robots(site, base).encode("utf-8")
    if path == FEED_PATH:
        return 200, {"Content-Type": "application/atom+xml; charset=utf-8"}, atom_feed(site, base).encode("utf-8")
    if path == SITEMAP_INDEX:
        return 200, {"Content-Type": _XML}, sitemap_index(site, base).encode("utf-8")
    if path == NEWS_SITEMAP:
        return 200, {"Content-Type": _XML}, news_sitemap(site, base).encode("utf-8")
    if path == ARTICLES_SITEMAP:
        return 200, {"Content-Type": _XML}, articles_sitemap(site, base).encode("utf-8")
    return None


def robots(site: LevantPostSite, base: str) -> str:
    """robots.txt: the disallowed prefixes for every agent and the sitemap index."""
    rules = "".join(f"Disallow: {p}\n" for p in site.disallowed_prefixes)
    return f"User-agent: *\n{rules}\nSitemap: {base}{SITEMAP_INDEX}\n"


def atom_feed(site: LevantPostSite, base: str) -> str:
    """Atom 1.0 feed of the newest articles: id, link, title, published, updated, authors, categories, summary."""
    entries = []
    for a in site.articles[:FEED_ITEMS]:
        authors = "".join(f"<author><name>{esc(n)}</name></author>" for n in a.authors)
        categories = "".join(f'<category term="{esc(site.tags[t])}"/>' for t in a.tags)
        summary = f'<summary type="text">{esc(a.lede)}</summary>' if a.lede else ""
        entries.append(
            f"""<entry>
<id>tag:levantpost.example,{a.local_published:%Y-%m-%d}:story-{a.article_id}</id>
<title type="text">{esc(a.title)}</title>
<link rel="alternate" type="text/html" href="{base}{a.path}"/>
<published>{a.local_published.isoformat()}</published>
<updated>{a.local_modified.isoformat()}</updated>
{authors}{categories}{summary}
</entry>"""
        )
    updated = max(a.modified for a in site.articles[:FEED_ITEMS]).astimezone(LOCAL)
    return f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="{LANGUAGE}">
<id>{base}/</id>
<title>{text.SITE_NAME}: latest news</title>
<subtitle>{esc(text.TAGLINE)}</subtitle>
<link rel="self" type="application/atom+xml" href="{base}{FEED_PATH}"/>
<link rel="alternate" type="text/html" href="{base}/"/>
<updated>{updated.isoformat()}</updated>
{chr(10).join(entries)}
</feed>
"""


def sitemap_index(site: LevantPostSite, base: str) -> str:
    """The sitemap index naming the news sitemap and the articles sitemap."""
    newest = site.articles[0].modified.isoformat()
    maps = "".join(f"<sitemap><loc>{base}{p}</loc><lastmod>{newest}</lastmod></sitemap>\n"
                   for p in (NEWS_SITEMAP, ARTICLES_SITEMAP))
    return f"""<?xml version="1.0" encoding="utf-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
{maps}</sitemapindex>
"""


def news_articles(site: LevantPostSite) -> list[Article]:
    """The articles of the news sitemap: published within ``NEWS_WINDOW`` of the newest one."""
    newest = site.articles[0].published
    return [a for a in site.articles if newest - a.published <= NEWS_WINDOW]


def news_sitemap(site: LevantPostSite, base: str) -> str:
    """Google News sitemap: ``news:publication_date`` (with its offset) and ``news:title`` per URL."""
    urls = "".join(
        f"""<url><loc>{base}{a.path}</loc><news:news><news:publication><news:name>{text.SITE_NAME}</news:name>\
<news:language>{LANGUAGE}</news:language></news:publication>\
<news:publication_date>{a.local_published.isoformat()}</news:publication_date>\
<news:title>{esc(a.title)}</news:title></news:news></url>
"""
        for a in news_articles(site)
    )
    return f"""<?xml version="1.0" encoding="utf-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
{urls}</urlset>
"""


def articles_sitemap(site: LevantPostSite, base: str) -> str:
    """Every article with its ``lastmod`` (UTC)."""
    urls = "".join(f"<url><loc>{base}{a.path}</loc><lastmod>{a.modified.isoformat()}</lastmod></url>\n"
                   for a in site.articles)
    return f"""<?xml version="1.0" encoding="utf-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
{urls}</urlset>
"""
