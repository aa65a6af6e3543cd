"""HTML, RSS, sitemap and robots.txt rendering of the replica (WordPress news-theme markup).

Plain string building: a page renders in well under a millisecond, so a crawl of the
whole replica is bound by the crawler, not by the server.
"""

from __future__ import annotations

import json
from bisect import bisect_left
from datetime import datetime
from email.utils import format_datetime
from html import escape

from crawler.replica import corpus, seed
from crawler.replica.posts import Article, SiteContent

SITE_NAME = "The Syrian Observer"
PER_PAGE = 10
"""Posts per listing page (the model pages its listings by it too)."""
ARCHIVE_WIDGET_MONTHS = 24
"""Months the sidebar's archive widget lists, newest first (WordPress's widget takes a limit too):
without one a 20,000-post replica's every page carries 132 month links. Below two years of posts
(about 3,600 of them) the widget lists every month, as it always did."""
ABOUT_US = (
    "The Syrian Observer is a daily online news service covering Syrian political and civil "
    "society news."
)
TRUNCATE_AFTER = "</h1>"
"""A truncated page ends just after its title: no lede, no content div, no closing tags."""


def esc(text: str) -> str:
    """Escape text for HTML content and attribute values."""
    return escape(text, quote=True)


def human_date(when: datetime) -> str:
    """``August 21, 2019`` without depending on the process locale."""
    return f"{corpus.MONTHS[when.month - 1]} {when.day}, {when.year}"


def page_count(items: int, per_page: int) -> int:
    """Number of listing pages for ``items`` entries (an empty listing still has page 1)."""
    return max(1, -(-items // per_page))


def page_path(base_path: str, page: int) -> str:
    """WordPress paging: page 1 is the listing itself, then ``{listing}page/{n}/``."""
    return base_path if page == 1 else f"{base_path}page/{page}/"


def truncate(html: str) -> str:
    """Cut a rendered article right after its ``<h1>``, mid-markup, as a dropped connection would."""
    cut = html.find(TRUNCATE_AFTER)
    if cut < 0:
        return html[: len(html) // 3]
    cut += len(TRUNCATE_AFTER)
    return html[:cut] + '\n<div class="entry-me'


# --- chrome ---------------------------------------------------------------------------


def _head(title: str, canonical: str, base: str, extra: str = "") -> str:
    return f"""<!DOCTYPE html>
<html lang="en-US" class="no-js">
<head>
<meta charset="UTF-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{esc(title)}</title>
<link rel="canonical" href="{esc(canonical)}">
<link rel="alternate" type="application/rss+xml" title="{SITE_NAME} &raquo; Feed" href="{base}/feed/">
<link rel="stylesheet" id="syob-style-css" href="{base}/wp-content/themes/syob/style.css?ver=5.2.2" \
type="text/css" media="all">
<style id="syob-inline-css">.site-header{{background:#0b2a4a}}.entry-content p{{line-height:1.7}}</style>
<script>window.dataLayer = window.dataLayer || []; function gtag(){{dataLayer.push(arguments);}}</script>
{extra}</head>
"""


def _header(site: SiteContent, base: str) -> str:
    menu = "\n".join(
        f'      <li class="menu-item menu-item-type-taxonomy"><a href="{base}/category/{slug}/">{esc(name)}</a></li>'
        for slug, name in site.categories.items()
        if slug != "uncategorized"
    )
    return f"""<div id="page" class="site">
<a class="skip-link screen-reader-text" href="#content">Skip to content</a>
<header id="masthead" class="site-header">
  <div class="site-branding">
    <a href="{base}/" class="custom-logo-link" rel="home"><img src="{base}/wp-content/uploads/2019/02/logo-wide.png" \
class="custom-logo" alt="Logo Wide" width="300" height="60"></a>
  </div>
  <form role="search" method="get" class="search-form" action="{base}/">
    <label><span class="screen-reader-text">Search</span>
      <input type="search" class="search-field" placeholder="Search &hellip;" value="" name="s"></label>
    <button type="submit" class="search-submit">Search</button>
  </form>
  <nav id="site-navigation" class="main-navigation" aria-label="Primary Menu">
    <ul id="primary-menu" class="menu">
      <li class="menu-item menu-item-home"><a href="{base}/">Home</a></li>
{menu}
    </ul>
  </nav>
</header>
<div id="content" class="site-content">
"""


def _sidebar(site: SiteContent, base: str) -> str:
    cats = "\n".join(
        f'      <li class="cat-item"><a href="{base}/category/{slug}/">{esc(name)}</a> ({len(items)})</li>'
        for slug, name in site.categories.items()
        if (items := site.by_category[slug])
    )
    months = "\n".join(
        f'      <li><a href="{base}/{y:04d}/{m:02d}/">{corpus.MONTHS[m - 1]} {y}</a></li>'
        for (y, m) in sorted(site.by_month, reverse=True)[:ARCHIVE_WIDGET_MONTHS]
    )
    cloud = " ".join(
        f'<a href="{base}/tag/{slug}/" class="tag-cloud-link">{esc(name)}</a>' for slug, name in site.tags.items()
    )
    return f"""<aside id="secondary" class="widget-area">
  <section class="widget widget_categories"><h2 class="widget-title">Categories</h2>
    <ul>
{cats}
    </ul>
  </section>
  <section class="widget widget_archive"><h2 class="widget-title">Archives</h2>
    <ul>
{months}
    </ul>
  </section>
  <section class="widget widget_tag_cloud"><h2 class="widget-title">Tags</h2>
    <div class="tagcloud">{cloud}</div>
  </section>
</aside>
"""


def _footer(base: str) -> str:
    return f"""</div><!-- #content -->
<footer id="colophon" class="site-footer">
  <div class="footer-widgets">
    <section class="widget widget_text footer-about"><h3 class="widget-title">About Us</h3>
      <div class="textwidget"><p>{ABOUT_US}</p></div>
    </section>
    <section class="widget footer-links"><ul>
      <li><a href="{base}/feed/">RSS</a></li><li><a href="{base}/sitemap.xml">Sitemap</a></li></ul>
    </section>
  </div>
  <div class="site-info">&copy; 2019 {SITE_NAME}. All rights reserved.</div>
</footer>
</div><!-- #page -->
<script src="{base}/wp-includes/js/jquery/jquery.js?ver=1.12.4"></script>
<script>
  jQuery(function ($) {{ $('.share-buttons a').on('click', function () {{ gtag('event', 'share'); }}); }});
</script>
</body>
</html>
"""


def _json_ld(data: object) -> str:
    text = json.dumps(data, ensure_ascii=False, indent=1).replace("</", "<\\/")
    return f'<script type="application/ld+json" class="yoast-schema-graph">{text}</script>\n'


# --- articles ---------------------------------------------------------------------------


def _paragraphs(article: Article, base: str) -> list[str]:
    """Body paragraphs as markup; the seed's first paragraph carries an inline tracked link."""
    out = [f"<p>{esc(p)}</p>" for p in article.paragraphs]
    if article.path == seed.SEED_PATH and out:
        out[0] = out[0].replace(
            "Sergei Lavrov",
            f'<a href="{base}/tag/russia/" onclick="gtag(\'event\', \'inline-link\');">Sergei Lavrov</a>',
            1,
        )
    return out


def _share(url: str) -> str:
    return f"""<div class="sharedaddy sd-sharing-enabled share-buttons">
  <h3 class="sd-title">Share this:</h3>
  <ul>
    <li><a class="share-facebook" href="https://www.facebook.com/sharer.php?u={esc(url)}" \
onclick="window.open(this.href, 'fb', 'width=600,height=400'); return false;">Facebook</a></li>
    <li><a class="share-twitter" href="https://twitter.com/intent/tweet?url={esc(url)}" \
onclick="window.open(this.href, 'tw', 'width=600,height=400'); return false;">Twitter</a></li>
    <li><a class="share-whatsapp" href="https://api.whatsapp.com/send?text={esc(url)}">WhatsApp</a></li>
    <li><a class="share-more" href="javascript:void(0)" onclick="navigator.share({{url: '{esc(url)}'}});">Share</a></li>
  </ul>
</div>"""


def related_posts(site: SiteContent, article: Article) -> list[Article]:
    """Up to three live posts of the article's category: the two published just before it, then after.

    A bisection over ``site.related_pool`` (not a scan of the category), so a static copy of the
    whole site renders in linear time.
    """
    posts, keys = site.related_pool[article.category]
    # The first post not newer than the article; the article itself sits there or later.
    idx = bisect_left(keys, -article.published.timestamp())
    before = [a for a in posts[max(0, idx - 3):idx] if a.path != article.path][-2:]
    after = [a for a in posts[idx:idx + 3] if a.path != article.path][:2]
    return (before + after)[:3]


def related_pool(by_category: dict[str, list[Article]]) -> dict[str, tuple[list[Article], list[float]]]:
    """Per category: its live (not dead) posts, newest first, and the bisection keys of their dates."""
    pool: dict[str, tuple[list[Article], list[float]]] = {}
    for category, items in by_category.items():
        live = [a for a in items if a.kind != "dead"]
        pool[category] = (live, [-a.published.timestamp() for a in live])
    return pool


def _related(site: SiteContent, article: Article, base: str) -> str:
    picks = related_posts(site, article)
    items = "\n".join(f'    <li><a href="{base}{a.path}">{esc(a.title)}</a></li>' for a in picks)
    return f"""<section class="related-posts">
  <h3 class="related-title">Related Articles</h3>
  <ul>
{items}
  </ul>
</section>
"""


def _standard_article(site: SiteContent, a: Article, base: str, url: str) -> str:
    category = site.categories[a.category]
    tag_links = "".join(
        f'<li><a href="{base}/tag/{t}/" rel="tag">{esc(site.tags[t])}</a></li>' for t in a.tags
    )
    lede = f'    <p class="entry-excerpt">{esc(a.lede)}</p>\n' if a.lede else ""
    figure = ""
    if a.image:
        figure = f"""  <figure class="post-thumbnail wp-caption">
    <img src="{base}{a.image}" class="attachment-post-thumbnail wp-post-image" alt="{esc(a.title)}" \
width="780" height="450" onerror="this.style.display='none'">
    <figcaption class="wp-caption-text">{esc(a.title)}</figcaption>
  </figure>
"""
    content = ""
    if a.paragraphs:
        paras = _paragraphs(a, base)
        # An ad slot after the second paragraph, as ad plugins inject it into the_content.
        ad = (
            '<div class="code-block code-block-2" onclick="gtag(\'event\', \'ad-click\');">'
            "<style>.code-block-2{margin:8px 0}</style>"
            "<script>(adsbygoogle = window.adsbygoogle || []).push({});</script></div>"
        )
        paras.insert(min(2, len(paras)), ad)
        if a.disclaimer:
            paras += ["<p>&nbsp;</p>", f"<p><em>{esc(seed.DISCLAIMER)}</em></p>"]
        paras.append(_share(url))
        content = "\n".join(paras) + "\n"
    tags = ""
    if tag_links:
        tags = f"""    <div class="post-tags">
      <h4 class="tags-title">Helpful keywords</h4>
      <ul class="tag-list">{tag_links}</ul>
    </div>
"""
    author_slug = author_slug_for(a.author)
    return f"""<main id="main" class="site-main">
<article id="post-{a.post_id or 0}" class="post-{a.post_id or 0} post type-post status-publish format-standard \
category-{a.category}">
  <header class="entry-header">
    <div class="entry-category"><a href="{base}/category/{a.category}/" rel="category tag">{esc(category)}</a></div>
    <h1 class="entry-title">{esc(a.title)}</h1>
    <div class="entry-meta">
      <span class="posted-on"><time class="entry-date published" datetime="{a.published.isoformat()}">\
{human_date(a.published)}</time><time class="updated" datetime="{a.modified.isoformat()}">\
{human_date(a.modified)}</time></span>
      <span class="byline">by <span class="author vcard"><a class="url fn n" href="{base}/author/{author_slug}/" \
rel="author">{esc(a.author)}</a></span></span>
    </div>
{lede}  </header>
{figure}  <div class="entry-content">
{content}  </div>
  <footer class="entry-footer">
{tags}  </footer>
</article>
{_related(site, a, base)}</main>
"""


def _redesign_article(site: SiteContent, a: Article, base: str, url: str) -> str:
    """The 2020 redesign: new class names, no <time>, no article:* meta, no dated JSON-LD."""
    topics = " ".join(f'<a class="topic-pill" href="{base}/tag/{t}/">{esc(site.tags[t])}</a>' for t in a.tags)
    blocks = "\n".join(f'    <div class="text-block"><span class="text">{esc(p)}</span></div>' for p in a.paragraphs)
    note = f'    <div class="story__note">{esc(seed.DISCLAIMER)}</div>\n' if a.disclaimer else ""
    media = ""
    if a.image:
        media = f"""  <div class="story__media"><picture><img src="{base}{a.image}" alt=""></picture>
    <span class="story__credit">{esc(a.title)}</span></div>
"""
    p = a.published
    return f"""<main class="story-page" data-post="{a.post_id or 0}">
<div class="story">
  <div class="story__head">
    <span class="story__kicker"><a href="{base}/category/{a.category}/">{esc(site.categories[a.category])}</a></span>
    <h1 class="story__headline">{esc(a.title)}</h1>
    <div class="story__standfirst">{esc(a.lede)}</div>
    <div class="story__dateline">Published {p.day:02d}/{p.month:02d}/{p.year} {p.hour:02d}:{p.minute:02d}</div>
  </div>
{media}  <div class="story__body" data-component="text">
{blocks}
{note}  </div>
  <div class="story__topics"><span>Topics:</span> {topics}</div>
  <div class="share-buttons"><button onclick="navigator.share({{url: '{esc(url)}'}})">Share</button></div>
</div>
{_related(site, a, base)}</main>
"""


def author_slug_for(name: str) -> str:
    """Author archive slug (``Mamoun Jaabari`` -> ``mamoun-jaabari``; the staff byline is ``syrianobserver``)."""
    return "syrianobserver" if name == SITE_NAME else "-".join(name.lower().split())


def article_page(site: SiteContent, a: Article, base: str, layout: str) -> str:
    """A full article page in the given layout."""
    url = base + a.path
    section = site.categories[a.category]
    image = f"{base}{a.image}" if a.image else None
    meta = [
        f'<meta name="description" content="{esc(a.lede)}">' if a.lede else "",
        '<meta property="og:locale" content="en_US">',
        '<meta property="og:type" content="article">',
        f'<meta property="og:title" content="{esc(a.title)}">',
        f'<meta property="og:description" content="{esc(a.lede)}">' if a.lede else "",
        f'<meta property="og:url" content="{esc(url)}">',
        f'<meta property="og:site_name" content="{SITE_NAME}">',
        f'<meta property="og:image" content="{esc(image)}">' if image else "",
        '<meta name="twitter:card" content="summary_large_image">',
    ]
    if layout == "standard":
        meta += [f'<meta property="article:tag" content="{esc(site.tags[t])}">' for t in a.tags]
        meta += [
            f'<meta property="article:section" content="{esc(section)}">',
            f'<meta property="article:published_time" content="{a.published.isoformat()}">',
            f'<meta property="article:modified_time" content="{a.modified.isoformat()}">',
        ]
        graph: dict[str, object] = {
            "@type": "NewsArticle",
            "@id": f"{url}#article",
            "headline": a.title,
            "datePublished": a.published.isoformat(),
            "dateModified": a.modified.isoformat(),
            "author": {"@type": "Person", "name": a.author},
            "publisher": {"@type": "Organization", "name": SITE_NAME,
                          "logo": {"@type": "ImageObject", "url": f"{base}/wp-content/uploads/2019/02/logo-wide.png"}},
            "mainEntityOfPage": {"@id": url},
            "articleSection": section,
            "keywords": ", ".join(site.tags[t] for t in a.tags),
            "inLanguage": "en-US",
        }
        if a.lede:
            graph["description"] = a.lede
        if image:
            graph["image"] = {"@type": "ImageObject", "url": image}
        ld = {"@context": "https://schema.org", "@graph": [
            {"@type": "WebSite", "@id": f"{base}/#website", "url": f"{base}/", "name": SITE_NAME},
            {"@type": "WebPage", "@id": url, "url": url, "name": a.title, "isPartOf": {"@id": f"{base}/#website"}},
            graph,
        ]}
    else:
        ld = {"@context": "https://schema.org", "@type": "WebSite", "url": f"{base}/", "name": SITE_NAME}
    head = _head(f"{a.title} - {SITE_NAME}", url, base, "\n".join(m for m in meta if m) + "\n" + _json_ld(ld))
    body_class = "single single-post" if layout == "standard" else "layout-2020 story-template"
    main = _standard_article(site, a, base, url) if layout == "standard" else _redesign_article(site, a, base, url)
    html = (
        head
        + f'<body class="{body_class} postid-{a.post_id or 0}">\n'
        + _header(site, base)
        + main
        + _sidebar(site, base)
        + _footer(base)
    )
    return html


# --- listings ---------------------------------------------------------------------------


def _pagination(base: str, base_path: str, page: int, last: int) -> str:
    if last == 1:
        return ""
    parts: list[str] = []
    if page > 1:
        parts.append(f'<a class="prev page-numbers" href="{base}{page_path(base_path, page - 1)}">&laquo; Previous</a>')
    shown = sorted({1, last, *range(max(1, page - 2), min(last, page + 2) + 1)})
    prev = 0
    for n in shown:
        if n - prev > 1:
            parts.append('<span class="page-numbers dots">&hellip;</span>')
        if n == page:
            parts.append(f'<span aria-current="page" class="page-numbers current">{n}</span>')
        else:
            parts.append(f'<a class="page-numbers" href="{base}{page_path(base_path, n)}">{n}</a>')
        prev = n
    if page < last:
        parts.append(f'<a class="next page-numbers" href="{base}{page_path(base_path, page + 1)}">Next &raquo;</a>')
    links = "\n    ".join(parts)
    return f"""<nav class="navigation pagination" role="navigation" aria-label="Posts">
  <h2 class="screen-reader-text">Posts navigation</h2>
  <div class="nav-links">
    {links}
  </div>
</nav>
"""


def _listing_item(a: Article, href: str) -> str:
    return f"""<article class="post-{a.post_id or 0} post type-post category-{a.category}">
  <h2 class="entry-title"><a href="{href}" rel="bookmark">{esc(a.title)}</a></h2>
  <div class="entry-meta"><time class="entry-date published" datetime="{a.published.isoformat()}">\
{human_date(a.published)}</time></div>
  <div class="entry-summary"><p>{esc(a.lede)}</p></div>
</article>
"""


def listing_page(
    site: SiteContent, base: str, heading: str, base_path: str, items: list[Article], page: int, kind: str
) -> str | None:
    """One page of a category, tag or date listing; ``None`` past the last page."""
    last = page_count(len(items), PER_PAGE)
    if page < 1 or page > last:
        return None
    chunk = items[(page - 1) * PER_PAGE: page * PER_PAGE]
    canonical = base + page_path(base_path, page)
    rel = ""
    if page > 1:
        rel += f'<link rel="prev" href="{base}{page_path(base_path, page - 1)}">\n'
    if page < last:
        rel += f'<link rel="next" href="{base}{page_path(base_path, page + 1)}">\n'
    title = f"{heading} Archives - {SITE_NAME}" + (f" - Page {page} of {last}" if page > 1 else "")
    entries = "".join(_listing_item(a, base + site.href(kind, a)) for a in chunk)
    return (
        _head(title, canonical, base, rel)
        + f'<body class="archive {kind} paged-{page}">\n'
        + _header(site, base)
        + f"""<main id="main" class="site-main">
<header class="page-header"><h1 class="page-title">{esc(heading)}</h1></header>
{entries}{_pagination(base, base_path, page, last)}</main>
"""
        + _sidebar(site, base)
        + _footer(base)
    )


def home_page(site: SiteContent, base: str) -> str:
    """The front page: latest posts and a link to every category listing."""
    latest = "".join(_listing_item(a, base + a.path) for a in site.articles[:PER_PAGE])
    sections = "\n".join(
        f'  <li><a class="section-more" href="{base}/category/{slug}/">More {esc(name)}</a></li>'
        for slug, name in site.categories.items()
        if site.by_category[slug]
    )
    return (
        _head(f"{SITE_NAME} - Syrian political and civil society news", base + "/", base)
        + '<body class="home blog">\n'
        + _header(site, base)
        + f"""<main id="main" class="site-main">
<h1 class="screen-reader-text">Latest News</h1>
{latest}<ul class="home-sections">
{sections}
</ul>
</main>
"""
        + _sidebar(site, base)
        + _footer(base)
    )


def not_found_page(site: SiteContent, base: str) -> str:
    """WordPress's 404 page, with the usual chrome."""
    return (
        _head(f"Page not found - {SITE_NAME}", base + "/", base)
        + '<body class="error404">\n'
        + _header(site, base)
        + """<main id="main" class="site-main">
<section class="error-404 not-found"><h1 class="page-title">Oops! That page can&rsquo;t be found.</h1>
<p>It looks like nothing was found at this location. Maybe try a search?</p></section>
</main>
"""
        + _footer(base)
    )


# --- feed, sitemap, robots ---------------------------------------------------------------


def rss_feed(site: SiteContent, base: str, items: list[Article]) -> str:
    """RSS 2.0 of the latest posts, as WordPress serves ``/feed/``."""
    entries = []
    for a in items:
        cats = "".join(f"<category>{esc(site.tags[t])}</category>" for t in a.tags)
        entries.append(f"""  <item>
    <title>{esc(a.title)}</title>
    <link>{base}{a.path}</link>
    <dc:creator>{esc(a.author)}</dc:creator>
    <pubDate>{format_datetime(a.published)}</pubDate>
    <category>{esc(site.categories[a.category])}</category>{cats}
    <guid isPermaLink="false">{base}/?p={a.post_id or 0}</guid>
    <description>{esc(a.lede)}</description>
  </item>
""")
    newest = items[0].published if items else site.articles[0].published
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel>
  <title>{SITE_NAME}</title>
  <atom:link href="{base}/feed/" rel="self" type="application/rss+xml"/>
  <link>{base}</link>
  <description>Syrian political and civil society news</description>
  <lastBuildDate>{format_datetime(newest)}</lastBuildDate>
  <language>en-US</language>
{"".join(entries)}</channel>
</rss>
"""


def sitemap(site: SiteContent, base: str, items: list[Article]) -> str:
    """One ``urlset`` of every served post with its last modification date."""
    urls = "".join(
        f"  <url><loc>{base}{a.path}</loc><lastmod>{a.modified.isoformat()}</lastmod></url>\n" for a in items
    )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
{urls}</urlset>
"""


def robots(base: str) -> str:
    """robots.txt: everything allowed except the admin and the replica's control endpoints."""
    return f"""User-agent: *
Disallow: /wp-admin/
Disallow: /__replica__/
Allow: /wp-admin/admin-ajax.php

Sitemap: {base}/sitemap.xml
"""
