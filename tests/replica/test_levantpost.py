"""The Levant Post replica: its model, its pages over HTTP, and what the generic extractor makes of them.

The ground truth (``LevantPostSite.expected_record``, ``article_urls``, ``non_article_urls``)
comes from the model that generates the pages, never from parsing them: these tests check
that the pages agree with the model, so crawler tests can trust it as the expected answer.
"""

from __future__ import annotations

import http.client
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import UTC, datetime
from urllib.parse import urlsplit
from urllib.robotparser import RobotFileParser
from zoneinfo import ZoneInfo

import lxml.html
import pytest

from crawler.replica.levantpost import SITE_TIMEZONE, LevantPostServer, LevantPostSite
from crawler.replica.levantpost.__main__ import main as levantpost_main
from crawler.replica.levantpost.feeds import FEED_ITEMS, NEWS_WINDOW

ATOM = "{http://www.w3.org/2005/Atom}"
SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
NEWS = "{http://www.google.com/schemas/sitemap-news/0.9}"
ARTICLE_PATH = re.compile(r"^/news/\d+-[a-z0-9-]+$")


@pytest.fixture(scope="module")
def site() -> LevantPostSite:
    return LevantPostSite(articles=120, seed=7)


@pytest.fixture(scope="module")
def server(site: LevantPostSite) -> Iterator[LevantPostServer]:
    with LevantPostServer(site) as running:
        yield running


def fetch(server: LevantPostServer, target: str, method: str = "GET") -> tuple[int, dict[str, str], str]:
    """Request a path with query (or an absolute URL on the server) without following redirects."""
    parts = urlsplit(target)
    if parts.scheme:
        target = parts.path + (f"?{parts.query}" if parts.query else "")
    host = urlsplit(server.base_url)
    conn = http.client.HTTPConnection(host.hostname, host.port, timeout=10)
    try:
        conn.request(method, target)
        response = conn.getresponse()
        body = response.read().decode("utf-8")
        return response.status, {k.lower(): v for k, v in response.getheaders()}, body
    finally:
        conn.close()


def page(server: LevantPostServer, target: str) -> lxml.html.HtmlElement:
    status, _, body = fetch(server, target)
    assert status == 200, target
    return lxml.html.fromstring(body)


def local_path(server: LevantPostServer, href: str) -> str:
    """Path and query of a link on the server (fragment dropped)."""
    parts = urlsplit(href)
    assert f"{parts.scheme}://{parts.netloc}" == server.base_url, href
    return parts.path + (f"?{parts.query}" if parts.query else "")


def jsonld_types(doc: lxml.html.HtmlElement) -> list[str]:
    return [json.loads(s.text)["@type"] for s in doc.xpath('//script[@type="application/ld+json"]')]


# --- the model ----------------------------------------------------------------------------------


def test_model_shape(site: LevantPostSite) -> None:
    assert len(site.articles) == 120
    assert len(LevantPostSite(articles=45).articles) == 45
    assert all(ARTICLE_PATH.match(a.path) for a in site.articles)
    assert len({a.path for a in site.articles}) == 120
    assert len({a.title for a in site.articles}) == 120
    assert len({a.paragraphs for a in site.articles}) == 120
    dates = [a.published for a in site.articles]
    assert dates == sorted(dates, reverse=True) and all(d.tzinfo is UTC for d in dates)
    assert sum(1 for items in site.by_section.values() if items) >= 5
    assert {len(a.authors) for a in site.articles} == {0, 1, 2}
    assert all(a.tags for a in site.articles) and len(site.tags) >= 15
    jsonld_share = sum(a.has_jsonld for a in site.articles) / len(site.articles)
    assert 0.45 <= jsonld_share <= 0.75
    zoneless = [a for a in site.articles if not a.has_jsonld and a.date_style != "iso"]
    assert len(zoneless) >= 15, "pages whose only date has no zone"
    assert 10 <= len(site.amp_articles) <= 60
    assert all(2 <= len(a.comments) <= 3 and a.read_also for a in site.articles)


def test_timeline_crosses_beirut_dst(site: LevantPostSite) -> None:
    offsets = {a.local_published.utcoffset().total_seconds() / 3600 for a in site.articles}
    assert offsets == {2.0, 3.0}
    assert SITE_TIMEZONE == "Asia/Beirut"


def test_determinism_and_seed() -> None:
    one, two, other = LevantPostSite(seed=7), LevantPostSite(seed=7), LevantPostSite(seed=8)
    target = one.articles[5].path
    assert one.render(target, "http://h")[2] == two.render(target, "http://h")[2]
    assert one.render("/news?page=3", "http://h") == two.render("/news?page=3", "http://h")
    assert [a.title for a in one.articles] != [a.title for a in other.articles]


def test_too_small_a_site_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 30"):
        LevantPostSite(articles=10)


def test_chrome_phrases_never_occur_in_article_text(site: LevantPostSite) -> None:
    assert len(site.chrome_phrases) >= 20
    for a in site.articles:
        record = site.expected_record(a, "http://h")
        stored = "\n".join([record["title"], record["body_text"], record["summary"] or ""])
        assert not [p for p in site.chrome_phrases if p in stored], a.path


def test_expected_record_shape(site: LevantPostSite) -> None:
    a = site.articles[0]
    record = site.expected_record(a, "http://127.0.0.1:1/")
    assert set(record) == {"canonical_url", "title", "body_text", "published_at", "authors", "tags", "category",
                           "language", "summary"}
    assert record["canonical_url"] == "http://127.0.0.1:1" + a.path
    assert record["published_at"].endswith("+00:00")
    assert datetime.fromisoformat(record["published_at"]) == a.published
    assert record["body_text"].split("\n\n") == list(a.paragraphs)
    assert record["category"] in site.sections.values() and record["language"] == "en"
    assert any(site.expected_record(x, "http://h")["summary"] is None for x in site.articles)
    assert site.article_urls("http://h/") == {"http://h" + x.path for x in site.articles}
    assert not site.article_urls("http://h") & site.non_article_urls("http://h")


# --- the server -------------------------------------------------------------------------------


def test_server_binds_loopback_and_logs_every_request(site: LevantPostSite) -> None:
    with LevantPostServer(site) as server:
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+", server.base_url) and not server.base_url.endswith(":0")
        for target in ("/robots.txt", "/news?page=2", "/nope", "/news?page=2"):
            fetch(server, target)
        fetch(server, "/about", method="HEAD")
        assert server.requests == ["/robots.txt", "/news?page=2", "/nope", "/news?page=2", "/about"]
        assert server.hits["/news?page=2"] == 2 and server.hits["/nope"] == 1
    second = LevantPostServer(site).start()
    try:
        assert fetch(second, "/")[0] == 200 and second.requests == ["/"]
    finally:
        second.stop()


def _targets(site: LevantPostSite) -> list[tuple[str, int, str]]:
    a = site.articles[3]
    return [
        ("/", 200, "text/html"),
        ("/news", 200, "text/html"),
        ("/news?page=2", 200, "text/html"),
        (a.path, 200, "text/html"),
        (a.path + "?utm_source=x&utm_medium=y", 200, "text/html"),
        (site.amp_articles[0].amp_path, 200, "text/html"),
        ("/section/politics?page=2", 200, "text/html"),
        (f"/tag/{site.articles[0].tags[0]}", 200, "text/html"),
        (f"/author/{next(iter(site.by_author))}", 200, "text/html"),
        ("/about", 200, "text/html"),
        ("/contact", 200, "text/html"),
        ("/robots.txt", 200, "text/plain"),
        ("/feeds/latest.atom", 200, "application/atom+xml"),
        ("/sitemap_index.xml", 200, "application/xml"),
        ("/sitemaps/news.xml", 200, "application/xml"),
        ("/sitemaps/articles-1.xml", 200, "application/xml"),
        ("/nothing-here", 404, "text/html"),
        ("/news/", 404, "text/html"),
        ("/news?page=0", 404, "text/html"),
        ("/news?page=abc", 404, "text/html"),
        ("/news?page=99", 404, "text/html"),
        ("/news/1-no-such-story", 404, "text/html"),
        ("/section/sport", 404, "text/html"),
    ]


def test_every_kind_of_page_has_its_status_and_type(server: LevantPostServer, site: LevantPostSite) -> None:
    for target, status, content_type in _targets(site):
        got_status, headers, body = fetch(server, target)
        assert (got_status, headers["content-type"]) == (status, f"{content_type}; charset=utf-8"), target
        assert body, target
    not_amp = next(a for a in site.articles if not a.has_amp)
    assert fetch(server, not_amp.amp_path)[0] == 404


def test_a_wrong_slug_redirects_to_the_article(server: LevantPostServer, site: LevantPostSite) -> None:
    a = site.articles[7]
    status, headers, _ = fetch(server, f"/news/{a.article_id}-old-slug")
    assert status == 301 and headers["location"] == server.url(a.path)


def _walk(server: LevantPostServer, first: str) -> tuple[list[str], list[str]]:
    """Follow ``pager__next`` links; (article hrefs as paths, listing targets seen)."""
    hrefs: list[str] = []
    seen: list[str] = []
    target: str | None = first
    while target:
        seen.append(target)
        doc = page(server, target)
        hrefs += [local_path(server, h) for h in doc.xpath('//h2[@class="teaser__title"]/a/@href')]
        nxt = doc.xpath('//a[@class="pager__next"]/@href')
        target = local_path(server, nxt[0]) if nxt else None
    return hrefs, seen


def test_query_string_pagination_reaches_every_article(server: LevantPostServer, site: LevantPostSite) -> None:
    hrefs, seen = _walk(server, "/news")
    assert seen[:3] == ["/news", "/news?page=2", "/news?page=3"]
    assert hrefs == [a.path for a in site.articles]
    in_sections: list[str] = []
    for slug, items in site.by_section.items():
        section_hrefs, pages_seen = _walk(server, f"/section/{slug}")
        assert section_hrefs == [a.path for a in items]
        assert all(p == f"/section/{slug}" or p.startswith(f"/section/{slug}?page=") for p in pages_seen)
        in_sections += section_hrefs
    assert sorted(in_sections) == sorted(a.path for a in site.articles)
    assert set(site.listing_targets()) >= set(seen)


def test_listing_head_has_prev_and_next(server: LevantPostServer) -> None:
    doc = page(server, "/news?page=2")
    assert doc.xpath('//link[@rel="prev"]/@href') == [server.url("/news")]
    assert doc.xpath('//link[@rel="next"]/@href') == [server.url("/news?page=3")]
    assert doc.xpath('//link[@rel="canonical"]/@href') == [server.url("/news?page=2")]


def test_atom_feed_lists_the_newest_articles(server: LevantPostServer, site: LevantPostSite) -> None:
    home = page(server, "/")
    feed_links = home.xpath('//link[@rel="alternate"][@type="application/atom+xml"]/@href')
    assert feed_links == [server.url("/feeds/latest.atom")]
    root = ET.fromstring(fetch(server, "/feeds/latest.atom")[2])
    entries = root.findall(f"{ATOM}entry")
    assert len(entries) == FEED_ITEMS
    urls = [e.find(f"{ATOM}link").get("href") for e in entries]
    assert urls == [server.url(a.path) for a in site.articles[:FEED_ITEMS]]
    for entry, a in zip(entries, site.articles, strict=False):
        assert entry.find(f"{ATOM}title").text == a.title
        assert datetime.fromisoformat(entry.find(f"{ATOM}published").text) == a.published
        assert [n.text for n in entry.iter(f"{ATOM}name")] == list(a.authors)


def test_sitemaps_list_article_urls(server: LevantPostServer, site: LevantPostSite) -> None:
    index = ET.fromstring(fetch(server, "/sitemap_index.xml")[2])
    maps = [loc.text for loc in index.iter(f"{SM}loc")]
    assert maps == [server.url("/sitemaps/news.xml"), server.url("/sitemaps/articles-1.xml")]
    full = ET.fromstring(fetch(server, "/sitemaps/articles-1.xml")[2])
    entries = {u.find(f"{SM}loc").text: u.find(f"{SM}lastmod").text for u in full.findall(f"{SM}url")}
    assert set(entries) == site.article_urls(server.base_url)
    assert all(datetime.fromisoformat(v).tzinfo is not None for v in entries.values())
    news = ET.fromstring(fetch(server, "/sitemaps/news.xml")[2])
    recent = [a for a in site.articles if site.articles[0].published - a.published <= NEWS_WINDOW]
    assert 3 <= len(recent) < len(site.articles)
    urls = news.findall(f"{SM}url")
    assert [u.find(f"{SM}loc").text for u in urls] == [server.url(a.path) for a in recent]
    for u, a in zip(urls, recent, strict=True):
        assert u.find(f"{NEWS}news/{NEWS}title").text == a.title
        assert datetime.fromisoformat(u.find(f"{NEWS}news/{NEWS}publication_date").text) == a.published


def test_robots_disallows_linked_paths_and_names_the_index(server: LevantPostServer, site: LevantPostSite) -> None:
    body = fetch(server, "/robots.txt")[2]
    assert f"Sitemap: {server.url('/sitemap_index.xml')}" in body.splitlines()
    robots = RobotFileParser()
    robots.parse(body.splitlines())
    assert site.disallowed_prefixes == ["/search", "/account/", "/print/"]
    a = site.articles[0]
    doc = page(server, a.path)
    linked = [local_path(server, h) for h in doc.xpath("//a/@href")]
    for prefix in site.disallowed_prefixes:
        blocked = [t for t in linked if t.startswith(prefix)]
        assert blocked, f"no link under {prefix} on {a.path}"
        assert not any(robots.can_fetch("*", server.url(t)) for t in blocked)
    allowed = site.article_urls(server.base_url) | site.non_article_urls(server.base_url)
    assert all(robots.can_fetch("*", url) for url in allowed)


def test_amp_twins_point_at_their_article(server: LevantPostServer, site: LevantPostSite) -> None:
    for a in site.amp_articles[:5]:
        amp = page(server, a.amp_path)
        assert amp.get("amp") is not None
        assert amp.xpath('//link[@rel="canonical"]/@href') == [server.url(a.path)]
        assert [p.text_content() for p in amp.xpath('//div[@class="amp-body"]/p')] == list(a.paragraphs)
        assert page(server, a.path).xpath('//link[@rel="amphtml"]/@href') == [server.url(a.amp_path)]
    home_amp = {local_path(server, h) for h in page(server, "/").xpath("//a/@href") if "/amp/" in h}
    assert home_amp and home_amp <= {a.amp_path for a in site.amp_articles}
    section = site.amp_articles[0].section
    listing = page(server, f"/section/{section}").xpath('//a[@class="teaser__amp"]/@href')
    assert listing and server.url(site.amp_articles[0].amp_path) in listing


def test_tracking_links_serve_the_article_with_a_clean_canonical(
    server: LevantPostServer, site: LevantPostSite
) -> None:
    hrefs = [h for h in page(server, "/").xpath("//a/@href") if "utm_" in h or "#" in h]
    assert any("utm_source=" in h and "utm_medium=" in h for h in hrefs) and any(h.endswith("#comments") for h in hrefs)
    for href in hrefs:
        clean = urlsplit(href).path
        assert site.tracking_links[href[len(server.base_url):]] == clean
        doc = page(server, local_path(server, href))
        assert doc.xpath('//link[@rel="canonical"]/@href') == [server.url(clean)]


def test_non_article_pages_are_not_articles(server: LevantPostServer, site: LevantPostSite) -> None:
    amp = {server.url(a.amp_path) for a in site.amp_articles}
    pages_ = sorted(site.non_article_urls(server.base_url) - amp)
    assert {server.url("/"), server.url("/about"), server.url("/contact")} <= set(pages_)
    assert any("/author/" in u for u in pages_) and any("/tag/" in u for u in pages_)
    for url in pages_:
        doc = page(server, url)
        assert "NewsArticle" not in jsonld_types(doc), url
        assert doc.xpath('//meta[@property="og:type"]/@content') == ["website"], url
    assert "ProfilePage" in jsonld_types(page(server, f"/author/{next(iter(site.by_author))}"))


def test_structured_data_and_dates_follow_the_model(server: LevantPostServer, site: LevantPostSite) -> None:
    beirut = ZoneInfo(SITE_TIMEZONE)
    for a in site.articles[:40]:
        doc = page(server, a.path)
        types = jsonld_types(doc)
        assert types == (["NewsArticle"] if a.has_jsonld else []), a.path
        assert doc.xpath('//meta[@property="og:type"]/@content') == ["article"]
        local = a.published.astimezone(beirut)
        shown = doc.xpath('//*[contains(@class, "story__date")]')[0]
        if a.date_style == "iso":
            assert datetime.fromisoformat(shown.get("datetime")) == a.published
        elif a.date_style == "local_time":
            assert shown.get("datetime") is None and shown.text == local.strftime("%Y-%m-%d %H:%M")
        else:
            assert shown.tag == "span" and shown.text.endswith(local.strftime("%Y, %H:%M"))
        published_meta = doc.xpath('//meta[@property="article:published_time"]/@content')
        assert published_meta == ([local.isoformat()] if not a.has_jsonld and a.date_style == "iso" else [])
        if a.has_jsonld:
            data = json.loads(doc.xpath('//script[@type="application/ld+json"]')[0].text)
            assert datetime.fromisoformat(data["datePublished"]) == a.published
            assert [p["name"] for p in data.get("author", [])] == list(a.authors)


def test_expected_record_agrees_with_the_page(server: LevantPostServer, site: LevantPostSite) -> None:
    for a in site.articles:
        record = site.expected_record(a, server.base_url)
        doc = page(server, a.path)
        assert doc.xpath('//link[@rel="canonical"]/@href') == [record["canonical_url"]]
        assert [h.text for h in doc.xpath("//h1")] == [record["title"]]
        body = doc.xpath('//div[@class="story__body"]')[0]
        paragraphs = [p.text_content() for p in body.xpath("./p[not(@class)]")]
        assert "\n\n".join(paragraphs) == record["body_text"], a.path
        assert [x.text for x in doc.xpath('//a[@class="byline__name"]')] == record["authors"]
        assert [x.text for x in doc.xpath('//a[@rel="tag"]')] == record["tags"]
        assert doc.xpath('//a[@class="kicker"]/text()') == [record["category"]]
        assert doc.get("lang") == record["language"]
        assert doc.xpath('//p[@class="story__lede"]/text()') == ([record["summary"]] if record["summary"] else [])


def test_article_chrome_is_on_the_page(server: LevantPostServer, site: LevantPostSite) -> None:
    a = next(x for x in site.articles if len(x.paragraphs) >= 5)
    html = fetch(server, a.path)[2]
    doc = lxml.html.fromstring(html)
    body_text = doc.xpath('//div[@class="story__body"]')[0].text_content()
    assert "Read also:" in body_text and "Get the Levant Morning Brief" in body_text
    comments = [c.text for c in doc.xpath('//p[@class="comment__text"]')]
    assert comments == [c.text for c in a.comments]
    present = [p for p in site.chrome_phrases if p in html]
    assert len(present) >= 15
    styles = {x.read_also_style for x in site.articles}
    assert styles == {"aside", "paragraph"}


def test_cli_help_teaches(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stop:
        levantpost_main(["--help"])
    assert stop.value.code == 0
    out = capsys.readouterr().out
    assert "--port 8001" in out and "/feeds/latest.atom" in out

