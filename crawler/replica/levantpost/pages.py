"""The Levant Post's HTML pages: article, AMP twin, listings, home, static pages and the 404.

Article pages differ on purpose: about 60% carry NewsArticle JSON-LD, the others only meta
tags and markup; dates print with the zone offset or in Beirut time with no zone
(``Article.date_style``); "Read also" boxes and the newsletter box sit *inside* the body.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from crawler.replica.levantpost import text
from crawler.replica.levantpost.chrome import (
    HOME_TOP,
    bottom,
    byline,
    esc,
    head,
    home_href,
    jsonld,
    rail,
    story_date,
    teaser,
    text_date,
    top,
)
from crawler.replica.levantpost.model import Article, slugify

if TYPE_CHECKING:
    from crawler.replica.levantpost.site import LevantPostSite

READ_ALSO_AFTER = (1, 3)
"""Paragraph indexes after which the "Read also" boxes sit (the newsletter box follows paragraph 2)."""
NEWSLETTER_AFTER = 2
RELATED = 4


def page_count(items: int, per_page: int) -> int:
    """Number of listing pages for ``items`` entries (at least one)."""
    return max(1, -(-items // per_page))


def page_target(base_path: str, page: int) -> str:
    """Query-string paging: page 1 is the bare listing, then ``{listing}?page={n}``."""
    return base_path if page == 1 else f"{base_path}?page={page}"


# --- articles -------------------------------------------------------------------------------


def news_article_jsonld(site: LevantPostSite, base: str, article: Article) -> dict[str, Any]:
    """The NewsArticle object of a page that has structured data."""
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "mainEntityOfPage": {"@type": "WebPage", "@id": base + article.path},
        "headline": article.title,
        "datePublished": article.local_published.isoformat(),
        "dateModified": article.local_modified.isoformat(),
        "articleSection": site.sections[article.section],
        "keywords": [site.tags[t] for t in article.tags],
        "inLanguage": "en",
        "publisher": {"@type": "Organization", "name": text.SITE_NAME,
                      "logo": {"@type": "ImageObject", "url": f"{base}/static/logo.png"}},
    }
    if article.lede:
        data["description"] = article.lede
    if article.authors:
        data["author"] = [{"@type": "Person", "name": n, "url": f"{base}/author/{slugify(n)}"} for n in article.authors]
    if article.image:
        data["image"] = [base + article.image]
    return data


def _article_meta(site: LevantPostSite, base: str, article: Article) -> str:
    """Head extras: JSON-LD, or (without it) the article meta tags this page happens to carry."""
    out = f'<link rel="amphtml" href="{base}{article.amp_path}">\n' if article.has_amp else ""
    if article.image:
        out += f'<meta property="og:image" content="{base}{article.image}">\n'
    if article.has_jsonld:
        return out + jsonld(news_article_jsonld(site, base, article))
    if article.date_style == "iso":
        out += (f'<meta property="article:published_time" content="{article.local_published.isoformat()}">\n'
                f'<meta property="article:modified_time" content="{article.local_modified.isoformat()}">\n')
    if article.rich_meta:
        if article.authors:
            out += f'<meta name="author" content="{esc(", ".join(article.authors))}">\n'
        out += f'<meta property="article:section" content="{esc(site.sections[article.section])}">\n'
        out += "".join(f'<meta property="article:tag" content="{esc(site.tags[t])}">\n' for t in article.tags)
    return out


def _body(site: LevantPostSite, base: str, article: Article, boxes: bool = True) -> str:
    """``story__body``: the paragraphs, with "Read also" and newsletter boxes between them."""
    read_also = [site.article(i) for i in article.read_also]
    parts: list[str] = []
    for i, paragraph in enumerate(article.paragraphs):
        parts.append(f"<p>{esc(paragraph)}</p>")
        if not boxes or i == len(article.paragraphs) - 1:
            continue
        if i in READ_ALSO_AFTER and read_also:
            other = read_also.pop(0)
            if other is not None and article.read_also_style == "paragraph":
                parts.append(f'<p class="read-also"><strong>{text.READ_ALSO}</strong> '
                             f'<a href="{base}{other.path}">{esc(other.title)}</a></p>')
            elif other is not None:
                parts.append(f'<aside class="read-also"><span class="read-also__label">{text.READ_ALSO}</span> '
                             f'<a href="{base}{other.path}">{esc(other.title)}</a></aside>')
        if i == NEWSLETTER_AFTER:
            parts.append(f"""<div class="newsletter-box">
<h3 class="newsletter-box__title">{esc(text.NEWSLETTER_TITLE)}</h3>
<p class="newsletter-box__text">{esc(text.NEWSLETTER_TEXT)}</p>
<form class="newsletter-box__form" action="{base}/account/register" method="post"><input type="email" name="email" \
placeholder="you@example.com"><button type="submit">{text.NEWSLETTER_BUTTON}</button></form>
</div>""")
    return '<div class="story__body">\n' + "\n".join(parts) + "\n</div>\n"


def _comments(article: Article) -> str:
    entries = "".join(
        f'<div class="comment"><div class="comment__meta"><span class="comment__author">{esc(c.author)}</span> '
        f'<span class="comment__date">{text_date(c.posted)}</span></div>'
        f'<p class="comment__text">{esc(c.text)}</p></div>\n'
        for c in article.comments
    )
    return f"""<div class="comments" id="comments">
<h2 class="comments__heading">{text.COMMENTS_HEADING} ({len(article.comments)})</h2>
<p class="comments__note">{text.COMMENTS_NOTE}</p>
{entries}</div>
"""


def _related(site: LevantPostSite, base: str, article: Article) -> str:
    others = [a for a in site.by_section[article.section] if a is not article][:RELATED]
    items = "".join(f'<li><a href="{base}{a.path}">{esc(a.title)}</a></li>' for a in others)
    return f'<div class="related"><h2 class="related__heading">{text.RELATED_HEADING}</h2><ul>{items}</ul></div>\n'


def article_page(site: LevantPostSite, base: str, article: Article, printable: bool = False) -> str:
    """An article page (or its print version: same story, ``noindex``, no comments or boxes)."""
    extra = _article_meta(site, base, article)
    if printable:
        extra += '<meta name="robots" content="noindex">\n'
    lede = f'<p class="story__lede">{esc(article.lede)}</p>\n' if article.lede else ""
    figure = ""
    if article.image:
        figure = (f'<div class="story__media"><img src="{base}{article.image}" alt="">'
                  f'<span class="story__caption">Photo: {esc(text.SITE_NAME)} archive</span></div>\n')
    share = "".join(f'<button type="button" class="share__btn">{label}</button>' for label in text.SHARE_LABELS)
    tags = "".join(f'<li class="tags__item"><a href="{base}/tag/{t}" rel="tag">{esc(site.tags[t])}</a></li>'
                   for t in article.tags)
    page = head(base, article.title, base + article.path, "article", article.lede, extra)
    page += top(base, "page--print" if printable else "page--story")
    page += f"""<div class="story" data-story-id="{article.article_id}">
<div class="story__header">
<a class="kicker" href="{base}/section/{article.section}">{esc(site.sections[article.section])}</a>
<h1 class="headline">{esc(article.title)}</h1>
{lede}<div class="story__meta">{byline(base, article)}
{story_date(article)}
<a class="story__comments-link" href="{base}{article.path}#comments">{len(article.comments)} comments</a></div>
<div class="share">{share} <a class="share__print" rel="nofollow" href="{base}{article.print_path}">\
{text.PRINT_LABEL}</a></div>
</div>
{figure}{_body(site, base, article, boxes=not printable)}<ul class="tags">{tags}</ul>
"""
    if not printable:
        page += _comments(article) + _related(site, base, article)
    page += "</div>\n" + rail(site, base) + bottom(base)
    return page


def amp_page(site: LevantPostSite, base: str, article: Article) -> str:
    """The AMP twin: the same story in minimal markup, ``rel=canonical`` to the article page."""
    structured = jsonld(news_article_jsonld(site, base, article)) if article.has_jsonld else ""
    lede = f'<p class="amp-lede">{esc(article.lede)}</p>\n' if article.lede else ""
    paragraphs = "\n".join(f"<p>{esc(p)}</p>" for p in article.paragraphs)
    return f"""<!doctype html>
<html amp lang="en">
<head>
<meta charset="utf-8">
<title>{esc(article.title)} | {text.SITE_NAME}</title>
<link rel="canonical" href="{base}{article.path}">
<meta name="viewport" content="width=device-width">
<meta property="og:type" content="article">
<script async src="https://cdn.ampproject.org/v0.js"></script>
<style amp-boilerplate>body{{visibility:hidden}}</style>
{structured}</head>
<body>
<div class="amp-header"><a href="{base}/">{text.SITE_NAME}</a></div>
<h1 class="headline">{esc(article.title)}</h1>
{lede}<div class="amp-meta">{byline(base, article)} {story_date(article)}</div>
<div class="amp-body">
{paragraphs}
</div>
<div class="amp-footer"><a href="{base}{article.path}">Full version</a> · {esc(text.FOOTER_RIGHTS)}</div>
</body>
</html>
"""


# --- listings and other pages -------------------------------------------------------------------


def listing_page(
    site: LevantPostSite, base: str, heading: str, kind: str, base_path: str,
    items: list[Article], page: int, per_page: int,
) -> str:
    """Page ``page`` of a listing; ``?page=N`` links to the neighbours and every page number."""
    pages_total = page_count(len(items), per_page)
    shown = items[(page - 1) * per_page : page * per_page]
    links = ""
    if page > 1:
        links += f'<link rel="prev" href="{base}{page_target(base_path, page - 1)}">\n'
    if page < pages_total:
        links += f'<link rel="next" href="{base}{page_target(base_path, page + 1)}">\n'
    extra = links
    intro = ""
    if kind == "author":
        person = {"@type": "Person", "name": heading, "url": base + base_path}
        extra += jsonld({"@context": "https://schema.org", "@type": "ProfilePage", "mainEntity": person})
        intro = (f'<div class="author-bio"><p>{esc(heading)} writes for {text.SITE_NAME} from Beirut. '
                 f"{len(items)} stories so far.</p></div>\n")
    title = heading if page == 1 else f"{heading} (page {page})"
    teasers = "".join(teaser(site, base, a, a.path, amp_link=kind == "section") for a in shown)
    numbers = " ".join(
        f'<span class="pager__current">{n}</span>' if n == page
        else f'<a class="pager__num" href="{base}{page_target(base_path, n)}">{n}</a>'
        for n in range(1, pages_total + 1)
    )
    prev = f'<a class="pager__prev" href="{base}{page_target(base_path, page - 1)}">‹ Newer</a> ' if page > 1 else ""
    nxt = ""
    if page < pages_total:
        nxt = f' <a class="pager__next" rel="next" href="{base}{page_target(base_path, page + 1)}">Older stories ›</a>'
    out = head(base, title, base + page_target(base_path, page), "website", None, extra)
    out += top(base, f"page--listing page--{kind}")
    out += f"""<div class="listing listing--{kind}">
<h1 class="listing__title">{esc(heading)}</h1>
{intro}<div class="teasers">
{teasers}</div>
<div class="pager">{prev}<span class="pager__pages">{numbers}</span>{nxt}</div>
</div>
"""
    return out + rail(site, base) + bottom(base)


def home_page(site: LevantPostSite, base: str) -> str:
    """The front page: top stories (some with tracking links), section blocks, AMP links, "More news"."""
    website = {"@context": "https://schema.org", "@type": "WebSite", "name": text.SITE_NAME, "url": base + "/",
               "potentialAction": {"@type": "SearchAction", "target": base + "/search?q={search_term_string}",
                                   "query-input": "required name=search_term_string"}}
    top_stories = "".join(
        teaser(site, base, a, home_href(a, i), amp_link=False) for i, a in enumerate(site.articles[:HOME_TOP])
    )
    blocks = ""
    for slug, name in site.sections.items():
        items = "".join(f'<li><a href="{base}{a.path}">{esc(a.title)}</a></li>' for a in site.by_section[slug][:3])
        blocks += (f'<div class="section-block"><h2 class="section-block__title"><a href="{base}/section/{slug}">'
                   f"{esc(name)}</a></h2><ul>{items}</ul></div>\n")
    lite = "".join(f'<li><a href="{base}{a.amp_path}">{esc(a.title)}</a></li>' for a in site.amp_articles[:4])
    out = head(base, f"{text.SITE_NAME}: {text.TAGLINE}", base + "/", "website", text.TAGLINE, jsonld(website))
    out += top(base, "page--home")
    out += f"""<div class="home">
<div class="home__top"><h2 class="home__heading">Top stories</h2>
{top_stories}</div>
<div class="home__sections">
{blocks}</div>
<div class="home__lite"><h2 class="home__heading">Lite edition</h2><ul>{lite}</ul></div>
<a class="home__more" href="{base}/news?page=2">More news</a>
</div>
"""
    return out + rail(site, base) + bottom(base)


_STATIC_PAGES: dict[str, tuple[str, tuple[str, ...]]] = {
    "about": ("About us", text.ABOUT_PARAGRAPHS),
    "contact": ("Contact the newsroom", text.CONTACT_PARAGRAPHS),
    "search": ("Search", ("Type a word in the box above to search ten years of our archive.",)),
    "login": ("Sign in", ("Sign in to comment and manage your newsletters.",)),
    "register": ("Create an account", ("An account lets you comment and save stories for later.",)),
}


def static_page(site: LevantPostSite, base: str, name: str) -> str:
    """About, contact, search and account pages: text, but not articles (``og:type`` website)."""
    heading, paragraphs = _STATIC_PAGES[name]
    path = {"login": "/account/login", "register": "/account/register"}.get(name, f"/{name}")
    body = "\n".join(f"<p>{esc(p)}</p>" for p in paragraphs)
    out = head(base, heading, base + path, "website", paragraphs[0]) + top(base, f"page--{name}")
    out += f'<div class="page-body">\n<h1 class="page-body__title">{esc(heading)}</h1>\n{body}\n</div>\n'
    return out + rail(site, base) + bottom(base)


def not_found_page(site: LevantPostSite, base: str) -> str:
    """The 404 page."""
    out = head(base, "Page not found", base + "/", "website") + top(base, "page--404")
    out += (f'<div class="page-body"><h1 class="page-body__title">Page not found</h1>'
            f'<p>The page you asked for does not exist. Try the <a href="{base}/news">latest news</a>.</p></div>\n')
    return out + bottom(base)
