"""The Levant Post's page frame: head, cookie banner, masthead, rail, footer, dates and links.

Div-based markup with BEM-style classes (``story__body``, ``headline``, ``teaser__title``);
no ``<article>`` element and no WordPress class names, unlike the first replica.
"""

from __future__ import annotations

import json
from datetime import datetime
from html import escape
from typing import TYPE_CHECKING, Any

from crawler.replica import corpus
from crawler.replica.levantpost import text
from crawler.replica.levantpost.model import LOCAL, SECTIONS, Article, slugify

if TYPE_CHECKING:
    from crawler.replica.levantpost.site import LevantPostSite

FEED_PATH = "/feeds/latest.atom"
MOST_READ_QUERY = "utm_source=levantpost&utm_medium=widget&utm_campaign=mostread"
HOME_QUERY = "utm_source=homepage&utm_medium=referral&utm_campaign=topstories"
STYLE = (
    "body{font-family:Georgia,serif;margin:0}.masthead{background:#12263a;color:#fff;padding:12px}"
    ".story__body p{line-height:1.7}.cookie-banner{position:fixed;bottom:0;background:#fffbe6}"
)


def esc(value: str) -> str:
    """Escape text for HTML content and attribute values."""
    return escape(value, quote=True)


def text_date(when: datetime) -> str:
    """``5 March 2024, 14:30`` in the site's zone, without naming the zone."""
    local = when.astimezone(LOCAL)
    return f"{local.day} {corpus.MONTHS[local.month - 1]} {local.year}, {local:%H:%M}"


def short_date(when: datetime) -> str:
    """``5 Mar 2024`` in the site's zone (listing teasers)."""
    local = when.astimezone(LOCAL)
    return f"{local.day} {corpus.MONTHS[local.month - 1][:3]} {local.year}"


def story_date(article: Article) -> str:
    """The visible publication date in the article's date style (module ``model.DATE_STYLES``)."""
    local = article.local_published
    if article.date_style == "iso":
        return f'<time class="story__date" datetime="{local.isoformat()}">{text_date(local)}</time>'
    if article.date_style == "local_time":
        return f'<time class="story__date">{local:%Y-%m-%d %H:%M}</time>'
    return f'<span class="story__date">{text_date(local)}</span>'


def most_read_href(article: Article) -> str:
    """The tracking-tagged link the "Most read" rail gives an article."""
    return f"{article.path}?{MOST_READ_QUERY}"


HOME_TOP = 10
"""Top stories on the home page; every third one is linked with a tracking query."""


def home_href(article: Article, position: int) -> str:
    """The link of the home page's ``position``-th top story (tracking query on every third)."""
    return f"{article.path}?{HOME_QUERY}" if position % 3 == 1 else article.path


def jsonld(data: dict[str, Any]) -> str:
    """A ``<script type="application/ld+json">`` block."""
    return f'<script type="application/ld+json">{json.dumps(data, ensure_ascii=False)}</script>\n'


def head(
    base: str, title: str, canonical: str, og_type: str, description: str | None = None, extra: str = ""
) -> str:
    """``<!doctype html>`` through ``</head>``: title, canonical, Atom link, OpenGraph basics, ``extra``."""
    desc = ""
    if description:
        desc = (f'<meta name="description" content="{esc(description)}">\n'
                f'<meta property="og:description" content="{esc(description)}">\n')
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{esc(title)} | {text.SITE_NAME}</title>
<link rel="canonical" href="{esc(canonical)}">
<link rel="alternate" type="application/atom+xml" title="{text.SITE_NAME}: latest news" href="{base}{FEED_PATH}">
<meta property="og:site_name" content="{text.SITE_NAME}">
<meta property="og:type" content="{og_type}">
<meta property="og:title" content="{esc(title)}">
<meta property="og:url" content="{esc(canonical)}">
<meta property="og:locale" content="en_GB">
{desc}<style>{STYLE}</style>
{extra}</head>
"""


def top(base: str, page_class: str) -> str:
    """``<body>``, the cookie banner, the account bar and the masthead with its menu, up to ``<main>``."""
    menu = "".join(f'<li class="nav__item"><a href="{base}/section/{s}">{esc(n)}</a></li>' for s, n in SECTIONS.items())
    buttons = "".join(f'<button type="button" class="cookie-banner__btn">{b}</button>' for b in text.COOKIE_BUTTONS)
    return f"""<body class="page {page_class}">
<div class="cookie-banner" id="cookie-consent" role="dialog" aria-label="Cookies">
<p class="cookie-banner__text">{esc(text.COOKIE_TEXT)}</p>{buttons}
</div>
<div class="topbar"><a class="topbar__link" href="{base}/account/login">Sign in</a> \
<a class="topbar__link" href="{base}/account/register">Register</a> \
<a class="topbar__link" href="{base}/search?q=">Search</a></div>
<div class="masthead">
<a class="masthead__logo" href="{base}/">{text.SITE_NAME}</a>
<span class="masthead__tagline">{esc(text.TAGLINE)}</span>
<form class="masthead__search" action="{base}/search" method="get"><input type="text" name="q" \
placeholder="Search the Post"><button type="submit">Go</button></form>
<div class="nav"><ul class="nav__list"><li class="nav__item"><a href="{base}/news">Latest</a></li>{menu}</ul></div>
</div>
<div class="main">
"""


def rail(site: LevantPostSite, base: str) -> str:
    """The right-hand rail: the "Most read" list, linked with tracking queries."""
    items = "".join(
        f'<li class="mostread__item"><a href="{base}{most_read_href(a)}">{esc(a.title)}</a></li>'
        for a in site.most_read
    )
    return f"""<div class="rail">
<div class="widget widget--mostread"><h3 class="widget__title">{text.MOST_READ_HEADING}</h3>
<ol class="mostread">{items}</ol></div>
</div>
"""


def bottom(base: str) -> str:
    """``</div>`` of main, the footer and the end of the document."""
    return f"""</div>
<div class="footer">
<p class="footer__about">{esc(text.FOOTER_ABOUT)}</p>
<ul class="footer__links"><li><a href="{base}/about">About us</a></li><li><a href="{base}/contact">Contact</a></li>\
<li><a href="{base}{FEED_PATH}">Atom feed</a></li></ul>
<p class="footer__rights">{esc(text.FOOTER_RIGHTS)}</p>
</div>
</body>
</html>
"""


def byline(base: str, article: Article) -> str:
    """``By <a>A</a> and <a>B</a>`` linking author pages; empty for an unsigned story."""
    if not article.authors:
        return ""
    names = [f'<a class="byline__name" rel="author" href="{base}/author/{slugify(n)}">{esc(n)}</a>'
             for n in article.authors]
    return f'<div class="byline">By {" and ".join(names)}</div>'


def teaser(site: LevantPostSite, base: str, article: Article, href: str, amp_link: bool) -> str:
    """A listing entry: kicker, title link (``href``), lede, date, comment link, optional AMP link."""
    lede = f'<p class="teaser__lede">{esc(article.lede)}</p>' if article.lede else ""
    amp = ""
    if amp_link and article.has_amp:
        amp = f' <a class="teaser__amp" href="{base}{article.amp_path}">Lite version</a>'
    return f"""<div class="teaser" data-id="{article.article_id}">
<a class="teaser__kicker" href="{base}/section/{article.section}">{esc(site.sections[article.section])}</a>
<h2 class="teaser__title"><a href="{base}{href}">{esc(article.title)}</a></h2>
{lede}<div class="teaser__meta"><span class="teaser__date">{short_date(article.published)}</span> \
<a class="teaser__comments" href="{base}{article.path}#comments">{len(article.comments)} comments</a>{amp}</div>
</div>
"""
