"""Al-Marsad's HTML: the article page (recent layout and the archive's old table layout), listings, home, 404.

Right-to-left markup (``<html dir="rtl" lang="ar">``).  Dates print in Damascus time in Arabic
(``model.DATE_STYLES``); JSON-LD only on ``jsonld`` pages; "read also" boxes, a newsletter box and a
follow line sit *inside* the body, some of them plain paragraphs with no telling class.
"""

from __future__ import annotations

import json
from datetime import datetime
from html import escape
from typing import TYPE_CHECKING, Any

from crawler.replica.almarsad import text
from crawler.replica.almarsad.model import INDIC, LOCAL, Article

if TYPE_CHECKING:
    from crawler.replica.almarsad.site import AlMarsadSite

LEVANTINE = ("كانون الثاني", "شباط", "آذار", "نيسان", "أيار", "حزيران", "تموز", "آب", "أيلول", "تشرين الأول",
             "تشرين الثاني", "كانون الأول")
EGYPTIAN = ("يناير", "فبراير", "مارس", "أبريل", "مايو", "يونيو", "يوليو", "أغسطس", "سبتمبر", "أكتوبر", "نوفمبر",
            "ديسمبر")
WEEKDAYS = ("الاثنين", "الثلاثاء", "الأربعاء", "الخميس", "الجمعة", "السبت", "الأحد")
STYLE = "body{font-family:Tahoma,sans-serif;direction:rtl}.post-body p{line-height:1.9}"
READ_ALSO_AFTER = (0, 2)
NEWSLETTER_AFTER = 1


def esc(value: str) -> str:
    """Escape text for HTML content and attribute values."""
    return escape(value, quote=True)


def visible_date(article: Article) -> str:
    """The printed date of the article in its style, Damascus time, no zone."""
    t = article.local_published
    style = article.date_style
    if style in ("jsonld", "levantine_indic"):
        return f"{WEEKDAYS[t.weekday()]} {t.day} {LEVANTINE[t.month - 1]} {t.year} - {t:%H:%M}".translate(INDIC)
    if style == "egyptian":
        hour = t.hour % 12 or 12
        return f"{t.day} {EGYPTIAN[t.month - 1]} {t.year} - {hour}:{t:%M} {'م' if t.hour >= 12 else 'ص'}"
    if style == "egyptian_indic":
        return f"{t.day} {EGYPTIAN[t.month - 1]} {t.year} {t:%H:%M}".translate(INDIC)
    return f"{t.day} {LEVANTINE[t.month - 1]} {t.year} الساعة {t:%H:%M}"


def short_date(when: datetime) -> str:
    """``٥ آذار ٢٠٢٤`` (listing teasers)."""
    t = when.astimezone(LOCAL)
    return f"{t.day} {LEVANTINE[t.month - 1]} {t.year}".translate(INDIC)


def jsonld(data: dict[str, Any]) -> str:
    """A JSON-LD script block (Arabic kept unescaped, as most sites print it)."""
    return f'<script type="application/ld+json">{json.dumps(data, ensure_ascii=False)}</script>\n'


def head(base: str, title: str, canonical: str, og_type: str, description: str | None, extra: str = "",
         charset: str = "utf-8") -> str:
    """``<!doctype html>`` through ``</head>``."""
    desc = ""
    if description:
        desc = (f'<meta name="description" content="{esc(description)}">\n'
                f'<meta property="og:description" content="{esc(description)}">\n')
    return f"""<!doctype html>
<html dir="rtl" lang="ar">
<head>
<meta charset="{charset}">
<title>{esc(title)} - {text.SITE_NAME}</title>
<link rel="canonical" href="{esc(canonical)}">
<meta property="og:site_name" content="{text.SITE_NAME}">
<meta property="og:type" content="{og_type}">
<meta property="og:title" content="{esc(title)}">
<meta property="og:locale" content="ar_AR">
{desc}<style>{STYLE}</style>
{extra}</head>
"""


def top(site: AlMarsadSite, base: str) -> str:
    """Cookie notice, masthead with the section menu, up to the main column."""
    menu = "".join(f'<li><a href="{base}/section/{s}">{esc(n)}</a></li>' for s, n in site.sections.items())
    return f"""<body>
<div class="cookie-notice"><p>{esc(text.COOKIE_TEXT)}</p><button type="button">{text.COOKIE_BUTTON}</button></div>
<header class="site-header"><a class="logo" href="{base}/">{text.SITE_NAME}</a>
<span class="tagline">{esc(text.TAGLINE)}</span>
<nav class="main-menu"><ul><li><a href="{base}/news">آخر الأخبار</a></li>{menu}</ul></nav>
<form class="search-form" action="{base}/search"><input name="q" placeholder="بحث"></form></header>
<div class="wrap">
"""


def sidebar(site: AlMarsadSite, base: str) -> str:
    """The "most read" list (after the article in the markup)."""
    items = "".join(f'<li><a href="{base}{a.path}">{esc(a.title)}</a></li>' for a in site.most_read)
    return f'<aside class="sidebar"><h3>{text.MOST_READ_HEADING}</h3><ol>{items}</ol></aside>\n'


def bottom(base: str) -> str:
    """Footer and end of document."""
    return f"""</div>
<footer class="site-footer"><p>{esc(text.FOOTER_ABOUT)}</p>
<ul><li><a href="{base}/about">من نحن</a></li><li><a href="{base}/contact">اتصل بنا</a></li></ul>
<p class="rights">{esc(text.FOOTER_RIGHTS)} {short_date(datetime(2024, 6, 1, tzinfo=LOCAL))[-4:]}</p></footer>
</body>
</html>
"""


def byline(base: str, article: Article) -> str:
    """``بقلم <a>أ</a> و<a>ب</a>``, or the desk line of an unsigned story."""
    if not article.authors:
        return f'<span class="byline desk">{text.DESK_LINE}</span>'
    names = [f'<a class="author-name" href="{base}/author/{i}">{esc(n)}</a>'
             for i, n in ((site_author_slug(n), n) for n in article.authors)]
    return f'<span class="byline">بقلم {" و".join(names)}</span>'


def site_author_slug(name: str) -> str:
    """A stable ASCII slug for an author page (the code points of the name)."""
    return "a" + "".join(f"{ord(c) % 97:02d}" for c in name.replace(" ", ""))[:16]


def _jsonld(site: AlMarsadSite, base: str, a: Article) -> dict[str, Any]:
    data: dict[str, Any] = {
        "@context": "https://schema.org", "@type": "NewsArticle", "headline": a.title,
        "datePublished": a.local_published.isoformat(), "articleSection": site.sections[a.section],
        "keywords": "، ".join(site.tags[t] for t in a.tags), "inLanguage": "ar",
        "mainEntityOfPage": base + a.path,
        "publisher": {"@type": "Organization", "name": text.SITE_NAME},
    }
    if a.lede:
        data["description"] = a.lede
    if a.authors:
        data["author"] = [{"@type": "Person", "name": n} for n in a.authors]
    return data


def _body(site: AlMarsadSite, base: str, a: Article) -> str:
    """The paragraphs with "read also" boxes, the newsletter box and the follow line among them."""
    others = [site.article(i) for i in a.read_also]
    parts: list[str] = []
    for i, paragraph in enumerate(a.paragraphs):
        parts.append(f"<p>{esc(paragraph)}</p>")
        if i == len(a.paragraphs) - 1:
            break
        if i in READ_ALSO_AFTER and others:
            other = others.pop(0)
            if other is not None and a.article_id % 2:
                # A plain paragraph: only its words say it is a teaser.
                parts.append(f'<p><strong>{text.READ_ALSO}</strong> '
                             f'<a href="{base}{other.path}">{esc(other.title)}</a></p>')
            elif other is not None:
                parts.append(f'<div class="read-also"><span>{text.READ_ALSO}</span> '
                             f'<a href="{base}{other.path}">{esc(other.title)}</a></div>')
        if i == NEWSLETTER_AFTER:
            parts.append(f"""<div class="newsletter-box"><h4>{text.NEWSLETTER_TITLE}</h4>
<p>{esc(text.NEWSLETTER_TEXT)}</p><form action="{base}/newsletter" method="post"><input type="email" name="email">\
<button>{text.NEWSLETTER_BUTTON}</button></form></div>""")
    if a.source:
        parts.append(f'<p class="source">المصدر: {esc(a.source)}</p>')
    parts.append(f"<p>{text.FOLLOW_LINE}</p>")
    return '<div class="post-body">\n' + "\n".join(parts) + "\n</div>\n"


def article_page(site: AlMarsadSite, base: str, a: Article) -> str:
    """A recent article page (UTF-8)."""
    extra = ""
    if a.date_style == "jsonld":
        extra += jsonld(_jsonld(site, base, a))
    else:
        extra += "".join(f'<meta property="article:tag" content="{esc(site.tags[t])}">\n' for t in a.tags)
        extra += f'<meta property="article:section" content="{esc(site.sections[a.section])}">\n'
    shares = "".join(f'<a class="share-{i}" href="#">{b}</a>' for i, b in enumerate(text.SHARE_BUTTONS))
    tags = "".join(f'<a href="{base}/tag/{t}" rel="tag">{esc(site.tags[t])}</a>' for t in a.tags)
    related = [b for b in site.by_section[a.section] if b is not a][:4]
    rel = "".join(f'<li><a href="{base}{b.path}">{esc(b.title)}</a> <span>{short_date(b.published)}</span></li>'
                  for b in related)
    lede = f'<p class="lead">{esc(a.lede)}</p>' if a.lede else ""
    page = head(base, a.title, base + a.path, "article", a.lede, extra) + top(site, base)
    page += f"""<main class="content">
<div class="post" data-id="{a.article_id}">
<header class="post-header">
<a class="post-section" href="{base}/section/{a.section}">{esc(site.sections[a.section])}</a>
<h1 class="post-title">{esc(a.title)}</h1>
{lede}
<div class="post-meta">{byline(base, a)} <span class="post-date">{visible_date(a)}</span></div>
<div class="share-bar"><span>{text.SHARE_LABEL}:</span>{shares}</div>
</header>
<figure class="post-image"><img src="{base}/media/{a.article_id}.jpg" alt="">\
<figcaption>{text.PHOTO_CREDIT}</figcaption></figure>
{_body(site, base, a)}<div class="post-tags"><span>{text.TAGS_LABEL}</span> {tags}</div>
<div class="ad-slot">{text.AD_LABEL}</div>
</div>
<div class="related-posts"><h3>{text.RELATED_HEADING}</h3><ul>{rel}</ul></div>
</main>
"""
    return page + sidebar(site, base) + bottom(base)


def archive_page(site: AlMarsadSite, base: str, a: Article) -> str:
    """An old article page: table layout, keywords meta, the charset only in ``<meta>`` (windows-1256)."""
    keywords = "، ".join(site.tags[t] for t in a.tags)
    extra = (f'<meta name="keywords" content="{esc(keywords)}">\n'
             f'<meta name="section" content="{esc(site.sections[a.section])}">\n')
    writer = f"بقلم: {' و '.join(a.authors)}" if a.authors else text.DESK_LINE
    body = "\n".join(f"<p>{esc(p)}</p>" for p in a.paragraphs)
    if a.source:
        body += f"\n<p>المصدر: {esc(a.source)}</p>"
    page = head(base, a.title, base + a.path, "article", a.lede, extra, charset="windows-1256")
    page += f"""<body>
<table width="100%" class="layout"><tr><td class="top"><a href="{base}/">{text.SITE_NAME}</a> - \
{esc(text.TAGLINE)}</td></tr>
<tr><td class="main">
<table class="article"><tr><td class="section">{esc(site.sections[a.section])}</td></tr>
<tr><td><h1>{esc(a.title)}</h1></td></tr>
<tr><td class="writer">{esc(writer)}</td></tr>
<tr><td class="date">{visible_date(a)}</td></tr>
<tr><td class="text">
{body}
</td></tr></table>
</td></tr>
<tr><td class="bottom">{esc(text.FOOTER_RIGHTS)}</td></tr></table>
</body>
</html>
"""
    return page


def listing_page(site: AlMarsadSite, base: str, heading: str, path: str, items: list[Article], page: int,
                 per_page: int, pages: int) -> str:
    """Page ``page`` of a listing (``?page=N``), teasers with their Arabic dates."""
    shown = items[(page - 1) * per_page : page * per_page]
    teasers = "".join(
        f'<div class="teaser"><h2><a href="{base}{a.path}">{esc(a.title)}</a></h2>'
        f'<span class="teaser-date">{short_date(a.published)}</span></div>\n'
        for a in shown
    )
    target = path if page == 1 else f"{path}?page={page}"
    nxt = f'<a class="next" rel="next" href="{base}{path}?page={page + 1}">الأقدم</a>' if page < pages else ""
    extra = f'<link rel="next" href="{base}{path}?page={page + 1}">\n' if page < pages else ""
    out = head(base, heading, base + target, "website", None, extra) + top(site, base)
    out += f'<main class="listing"><h1>{esc(heading)}</h1>\n{teasers}<div class="pager">{nxt}</div></main>\n'
    return out + sidebar(site, base) + bottom(base)


def home_page(site: AlMarsadSite, base: str) -> str:
    """The front page: the newest teasers and a link to the news listing."""
    teasers = "".join(f'<li><a href="{base}{a.path}">{esc(a.title)}</a></li>' for a in site.articles[:12])
    out = head(base, text.TAGLINE, base + "/", "website", text.TAGLINE) + top(site, base)
    out += f'<main class="home"><ul>{teasers}</ul><a href="{base}/news">المزيد</a></main>\n'
    return out + sidebar(site, base) + bottom(base)


def static_page(site: AlMarsadSite, base: str, path: str, heading: str, paragraph: str) -> str:
    """About and contact pages: text, not articles."""
    out = head(base, heading, base + path, "website", paragraph) + top(site, base)
    out += f'<main class="page"><h1>{esc(heading)}</h1><p>{esc(paragraph)}</p></main>\n'
    return out + bottom(base)


def not_found_page(site: AlMarsadSite, base: str) -> str:
    """The 404 page."""
    out = head(base, "الصفحة غير موجودة", base + "/", "website", None) + top(site, base)
    return out + '<main class="page"><h1>الصفحة غير موجودة</h1></main>\n' + bottom(base)
