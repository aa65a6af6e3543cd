"""The replica site: its model, its pages over HTTP on 127.0.0.1, its switches.

What a complete crawl must store is computed from the site's attributes
(``valid_article_urls`` and friends), never from hard-coded counts.
"""

from __future__ import annotations

import http.client
import re
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin, urlsplit
from urllib.robotparser import RobotFileParser

import pytest

from crawler.parsers.text import content_hash
from crawler.replica import ReplicaServer, ReplicaSite
from crawler.replica.__main__ import main as replica_main

ARTICLE_PATH = re.compile(r"^/[a-z0-9-]+/(?:\d+/)?[a-z0-9_-]+\.html$")
ENTRY_LINK = re.compile(r'<h2 class="entry-title"><a href="([^"]+)"')
NEXT_LINK = re.compile(r'<a class="next page-numbers" href="([^"]+)"')


@pytest.fixture(scope="module")
def site() -> ReplicaSite:
    return ReplicaSite()


@pytest.fixture(scope="module")
def server(site: ReplicaSite) -> Iterator[ReplicaServer]:
    with ReplicaServer(site) as running:
        yield running


def fetch(server: ReplicaServer, target: str) -> tuple[int, dict[str, str], str]:
    """GET a path (or absolute URL on the server) without following redirects."""
    parts = urlsplit(target)
    path = parts.path + (f"?{parts.query}" if parts.query else "") if parts.scheme else target
    conn = http.client.HTTPConnection(urlsplit(server.base_url).hostname, urlsplit(server.base_url).port, timeout=10)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        body = response.read().decode("utf-8")
        return response.status, {k.lower(): v for k, v in response.getheaders()}, body
    finally:
        conn.close()


def walk_listing(server: ReplicaServer, first_page: str) -> tuple[list[str], int]:
    """Follow "next" links from a listing's first page; (entry hrefs as paths, pages seen)."""
    hrefs: list[str] = []
    url, pages = server.url(first_page), 0
    while url:
        status, _, html = fetch(server, url)
        assert status == 200, url
        pages += 1
        entries = ENTRY_LINK.findall(html)
        assert 1 <= len(entries) <= 10, url
        hrefs += [h[len(server.base_url):] for h in entries]
        nxt = NEXT_LINK.search(html)
        url = nxt[1] if nxt else ""
    return hrefs, pages


def clean(href: str) -> str:
    return urlsplit(href).path


# --- the model --------------------------------------------------------------------------


def test_counts_and_categories(site: ReplicaSite) -> None:
    assert len(site.articles) >= 500
    assert sum(1 for items in site.by_category.values() if items) >= 4
    assert {"news", "foreign-actors", "uncategorized", "commentary"} <= set(site.by_category)
    assert {"iran", "uae", "saudi-arabia", "russia"} <= set(site.tags)


def test_article_urls_follow_the_site_contract(site: ReplicaSite) -> None:
    paths = [a.path for a in site.articles]
    assert len(set(paths)) == len(paths)
    assert all(ARTICLE_PATH.match(p) for p in paths)
    assert "/foreign-actors/happy_eid.html" in paths
    assert sum(1 for a in site.articles if a.post_id is None) >= 2
    assert site.seed_article.path == (
        "/news/52360/for-first-time-russia-acknowledges-the-presence-of-russian-soldiers-fighting-in-idleb.html"
    )


def test_special_sets_are_consistent(site: ReplicaSite) -> None:
    served = {a.path for a in site.articles}
    assert site.valid_article_urls == served - site.no_body_urls - site.truncated_urls
    assert site.notice_urls <= site.valid_article_urls
    assert len(site.no_body_urls) == 1 and len(site.truncated_urls) == 1
    assert not site.dead_urls & served
    assert len(site.redirects) == 1
    old, new = next(iter(site.redirects.items()))
    assert old not in served and new in site.valid_article_urls
    assert set(site.tracking_urls.values()) <= site.valid_article_urls
    assert any("?utm_" in v for v in site.tracking_urls) and any("#" in v for v in site.tracking_urls)


def test_ledes_carry_the_fixed_attributions(site: ReplicaSite) -> None:
    phrasings = ("reports Alsouria Net.", "writes SANA.", "reports Al-Hal.", "writes Asharq Al-Awsat.")
    stories = [a for a in site.articles if a.kind == "article"]
    assert all(a.lede.endswith(f" {a.source}.") for a in stories)
    for phrase in phrasings:
        assert any(a.lede.endswith(phrase) for a in stories), phrase
    notices = [a for a in site.articles if a.path in site.notice_urls]
    assert len(notices) >= 3
    assert all(a.source is None for a in notices)
    assert any(a.category == "uncategorized" for a in notices)


def test_bodies_are_distinct(site: ReplicaSite) -> None:
    hashes = [content_hash("\n\n".join(a.paragraphs)) for a in site.articles if a.paragraphs]
    assert len(set(hashes)) == len(hashes)


def test_determinism() -> None:
    one, two = ReplicaSite(articles=60, seed=7), ReplicaSite(articles=60, seed=7)
    paths = ["/", "/feed/", "/sitemap.xml", "/robots.txt", *(a.path for a in one.articles), *one.listing_paths()]
    for path in paths:
        assert one.render(path, "http://127.0.0.1:1") == two.render(path, "http://127.0.0.1:1"), path
    other = ReplicaSite(articles=60, seed=8)
    assert [a.title for a in other.articles] != [a.title for a in one.articles]


def test_too_small_a_site_is_refused() -> None:
    with pytest.raises(ValueError, match="at least"):
        ReplicaSite(articles=10)


def test_rendering_is_fast() -> None:
    started = time.perf_counter()
    fresh = ReplicaSite()
    for path in [*(a.path for a in fresh.articles), *fresh.listing_paths()]:
        fresh.render(path, "http://127.0.0.1:2")
    assert time.perf_counter() - started < 10


# --- over HTTP --------------------------------------------------------------------------


def test_base_url_is_loopback_with_ephemeral_port(server: ReplicaServer) -> None:
    parts = urlsplit(server.base_url)
    assert parts.scheme == "http" and parts.hostname == "127.0.0.1" and parts.port


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        ("/", "text/html; charset=UTF-8"),
        ("/category/news/", "text/html; charset=UTF-8"),
        ("/feed/", "application/rss+xml; charset=UTF-8"),
        ("/sitemap.xml", "application/xml; charset=UTF-8"),
        ("/robots.txt", "text/plain; charset=UTF-8"),
    ],
)
def test_content_types_name_the_charset(server: ReplicaServer, path: str, content_type: str) -> None:
    status, headers, _ = fetch(server, path)
    assert status == 200 and headers["content-type"] == content_type


def test_category_pagination_reaches_every_article(server: ReplicaServer, site: ReplicaSite) -> None:
    found: set[str] = set()
    for slug, items in site.by_category.items():
        hrefs, pages = walk_listing(server, f"/category/{slug}/")
        assert pages == -(-len(items) // 10)
        found |= {clean(h) for h in hrefs}
    served = {a.path for a in site.articles}
    assert found == served | site.dead_urls


def test_listings_are_newest_first_with_chrome(server: ReplicaServer) -> None:
    status, _, html = fetch(server, "/category/news/page/2/")
    assert status == 200
    assert 'alt="Logo Wide"' in html and ">Search<" in html
    assert '<h1 class="page-title">News</h1>' in html
    assert "About Us" in html and "daily online news service covering Syrian political" in html
    assert 'rel="next"' in html and 'rel="prev"' in html
    stamps = re.findall(r'<time class="entry-date published" datetime="([^"]+)"', html)
    assert len(stamps) == 10 and stamps == sorted(stamps, reverse=True)
    assert fetch(server, "/category/news/page/2")[0] == 200  # WordPress serves both spellings
    assert fetch(server, "/category/news/page/999/")[0] == 404


def test_tag_and_date_listings(server: ReplicaServer, site: ReplicaSite) -> None:
    hrefs, _ = walk_listing(server, "/tag/iran/")
    assert {clean(h) for h in hrefs} == {a.path for a in site.by_tag["iran"]}
    status, _, html = fetch(server, "/2019/08/")
    assert status == 200 and '<h1 class="page-title">August 2019</h1>' in html
    hrefs, _ = walk_listing(server, "/2019/08/")
    expected = {a.path for a in site.by_month[(2019, 8)]}
    got = {site.redirects.get(clean(h), clean(h)) for h in hrefs}
    assert got == expected
    assert site.seed_article.path in got


def test_articles_are_reachable_from_several_listings(site: ReplicaSite) -> None:
    seed = site.seed_article
    assert seed in site.by_category["news"] and seed in site.by_month[(2019, 8)]
    assert all(seed in site.by_tag[t] for t in seed.tags)


def test_feed_is_rss2_with_latest_items(server: ReplicaServer, site: ReplicaSite) -> None:
    _, _, body = fetch(server, "/feed/")
    root = ET.fromstring(body)
    assert root.tag == "rss" and root.get("version") == "2.0"
    items = root.findall("./channel/item")
    assert len(items) == 20
    dates = [parsedate_to_datetime(i.findtext("pubDate")) for i in items]
    assert dates == sorted(dates, reverse=True)
    links = [i.findtext("link") for i in items]
    assert [clean(link) for link in links] == [a.path for a in site.articles[:20]]
    assert fetch(server, links[0])[0] == 200


def test_sitemap_lists_every_served_article(server: ReplicaServer, site: ReplicaSite) -> None:
    _, _, body = fetch(server, "/sitemap.xml")
    ns = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    urls = ET.fromstring(body).findall("sm:url", ns)
    served = {a.path for a in site.articles} | set(site.near_copies)
    assert {clean(u.findtext("sm:loc", namespaces=ns)) for u in urls} == served
    assert all(re.match(r"\d{4}-\d{2}-\d{2}T", u.findtext("sm:lastmod", namespaces=ns)) for u in urls)


def test_robots_allows_articles_and_names_the_sitemap(server: ReplicaServer, site: ReplicaSite) -> None:
    _, _, body = fetch(server, "/robots.txt")
    robots = RobotFileParser()
    robots.parse(body.splitlines())
    assert robots.can_fetch("news-monitor-crawler", server.url(site.seed_article.path))
    assert not robots.can_fetch("news-monitor-crawler", server.url("/wp-admin/"))
    assert not robots.can_fetch("news-monitor-crawler", server.url("/__replica__/state"))
    assert robots.site_maps() == [server.url("/sitemap.xml")]


def test_dead_links_are_linked_and_404(server: ReplicaServer, site: ReplicaSite) -> None:
    assert len(site.dead_urls) >= 2
    for path in site.dead_urls:
        assert fetch(server, path)[0] == 404
    linked = {clean(h) for slug in site.by_category for h in walk_listing(server, f"/category/{slug}/")[0]}
    assert site.dead_urls <= linked


def test_redirect_is_a_301_to_the_new_url(server: ReplicaServer, site: ReplicaSite) -> None:
    old, new = next(iter(site.redirects.items()))
    status, headers, _ = fetch(server, old)
    assert status == 301 and headers["location"] == server.url(new)
    assert fetch(server, new)[0] == 200


def test_tracking_variants_serve_the_article_with_a_clean_canonical(server: ReplicaServer, site: ReplicaSite) -> None:
    for variant, path in site.tracking_urls.items():
        status, _, html = fetch(server, variant.split("#")[0])
        assert status == 200
        assert f'<link rel="canonical" href="{server.url(path)}">' in html


def test_no_body_page(server: ReplicaServer, site: ReplicaSite) -> None:
    (path,) = site.no_body_urls
    status, _, html = fetch(server, path)
    assert status == 200 and '<h1 class="entry-title">' in html
    assert re.search(r'<div class="entry-content">\s*</div>', html)


def test_truncated_page_stops_after_the_title(server: ReplicaServer, site: ReplicaSite) -> None:
    (path,) = site.truncated_urls
    status, headers, html = fetch(server, path)
    assert status == 200 and int(headers["content-length"]) == len(html.encode("utf-8"))
    assert html.rstrip().endswith('<div class="entry-me')
    assert "</h1>" in html and 'class="entry-content"' not in html and "</html>" not in html


def test_head_and_unknown_paths(server: ReplicaServer) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", urlsplit(server.base_url).port, timeout=10)
    conn.request("HEAD", "/")
    response = conn.getresponse()
    assert response.status == 200 and response.read() == b""
    conn.close()
    assert fetch(server, "/no/such/page.html")[0] == 404


# --- runtime switches -------------------------------------------------------------------


def test_layout_switch_over_http_and_in_process(site: ReplicaSite) -> None:
    with ReplicaServer(site) as server:
        path = site.seed_article.path
        assert 'class="entry-content"' in fetch(server, path)[2]
        status, _, body = fetch(server, "/__replica__/layout?name=redesign")
        assert status == 200 and '"layout": "redesign"' in body
        html = fetch(server, path)[2]
        assert 'class="entry-content"' not in html and "story__body" in html
        assert "article:published_time" not in html and "<time" not in html
        assert server.layout == "redesign"
        server.set_layout("standard")
        assert 'class="entry-content"' in fetch(server, path)[2]
        assert fetch(server, "/__replica__/layout?name=nonsense")[0] == 400
        with pytest.raises(ValueError):
            server.set_layout("nonsense")


def test_delay_switch(site: ReplicaSite) -> None:
    with ReplicaServer(site, delay=0.0) as server:
        assert fetch(server, "/__replica__/delay?seconds=0.3")[0] == 200
        started = time.perf_counter()
        fetch(server, "/robots.txt")
        assert time.perf_counter() - started >= 0.3
        server.set_delay(0)
        status, _, body = fetch(server, "/__replica__/state")
        assert status == 200 and '"delay": 0.0' in body


def test_hits_count_page_requests(site: ReplicaSite) -> None:
    with ReplicaServer(site) as server:
        fetch(server, "/feed/")
        fetch(server, "/__replica__/state")
        assert server.hits["/feed/"] == 1 and server.requests == 1


def test_cli_help_teaches(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        replica_main(["--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert "--layout" in out and "__replica__/layout?name=redesign" in out


def test_listing_links_resolve_against_the_server(server: ReplicaServer) -> None:
    _, _, html = fetch(server, "/")
    hrefs = re.findall(r'href="([^"]+)"', html)
    local = [h for h in hrefs if not h.startswith("#") and urljoin(server.base_url, h).startswith(server.base_url)]
    assert server.url("/category/news/") in local
    assert all(h.startswith(server.base_url) for h in local)


def test_near_copy_repeats_an_article_with_one_line_added(server: ReplicaServer, site: ReplicaSite) -> None:
    ((copy_path, original_path),) = site.near_copies.items()
    copy, original = site.article(copy_path), site.article(original_path)
    assert copy is not None and original is not None
    assert copy.paragraphs[:-1] == original.paragraphs and copy.title == original.title
    assert copy_path not in site.valid_article_urls
    status, _, _ = fetch(server, copy_path)
    assert status == 200
