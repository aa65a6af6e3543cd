"""The pure navigation helpers: feeds (RSS, Atom, JSON Feed) and sitemaps (urlset, index, news, gzip, robots.txt)."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime

from crawler.discovery.feeds import parse_feed
from crawler.discovery.sitemaps import parse_sitemap, robots_sitemaps
from crawler.replica.levantpost import LevantPostSite
from crawler.replica.levantpost.feeds import FEED_ITEMS

RSS = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>
<item><title> First   story </title><link>https://news.example/a.html</link>
<pubDate>Wed, 21 Aug 2019 10:00:00 +0300</pubDate></item>
<item><title>No link</title></item>
<item><title>Relative</title><link>/b.html</link></item>
</channel></rss>"""

ATOM = b"""<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>x</title>
<entry><title>A</title><link rel="alternate" href="/news/1-a"/><id>1</id>
<published>2024-05-01T10:00:00+03:00</published><updated>2024-05-02T10:00:00+03:00</updated></entry>
</feed>"""

JSON_FEED = b"""{"version": "https://jsonfeed.org/version/1.1", "title": "J",
"items": [{"id": "1", "url": "/j/1", "title": "One", "date_published": "2024-01-01T12:00:00Z"},
          {"id": "2", "external_url": "https://other.example/2"}, {"id": "3"}]}"""

NEWS_SITEMAP = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
<url><loc>https://news.example/n/1</loc><lastmod>2024-01-02</lastmod>
<news:news><news:publication><news:name>P</news:name><news:language>en</news:language></news:publication>
<news:publication_date>2024-01-01T12:00:00+02:00</news:publication_date><news:title>Hello</news:title></news:news></url>
<url><loc>https://news.example/n/2</loc></url>
</urlset>"""

INDEX = b"""<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>https://news.example/s-1.xml</loc><lastmod>2024-03-01T00:00:00Z</lastmod></sitemap>
<sitemap><loc>/s-2.xml</loc></sitemap></sitemapindex>"""


def test_rss_entries_in_order_with_utc_dates_and_resolved_links() -> None:
    entries = parse_feed(RSS, "https://news.example/feed/")
    assert [e.url for e in entries] == ["https://news.example/a.html", "https://news.example/b.html"]
    assert entries[0].published == datetime(2019, 8, 21, 7, 0, tzinfo=UTC)
    assert entries[0].title == "First story" and entries[1].published is None


def test_atom_entry() -> None:
    (entry,) = parse_feed(ATOM, "https://news.example/feeds/latest.atom")
    assert entry.url == "https://news.example/news/1-a"
    assert entry.published == datetime(2024, 5, 1, 7, 0, tzinfo=UTC)  # published, not updated


def test_json_feed_entries() -> None:
    entries = parse_feed(JSON_FEED, "https://news.example/feed.json")
    assert [e.url for e in entries] == ["https://news.example/j/1", "https://other.example/2"]
    assert entries[0].published == datetime(2024, 1, 1, 12, tzinfo=UTC) and entries[0].title == "One"


def test_unreadable_feed_is_empty() -> None:
    assert parse_feed(b"<html><body>not a feed</body></html>") == []
    assert parse_feed(b"") == []


def test_news_sitemap_fields_are_read() -> None:
    sitemap = parse_sitemap(NEWS_SITEMAP)
    assert not sitemap.is_index
    first, second = sitemap.urls
    assert first.url == "https://news.example/n/1" and first.news_title == "Hello"
    assert first.news_published == datetime(2024, 1, 1, 10, tzinfo=UTC)
    assert first.lastmod == datetime(2024, 1, 2, tzinfo=UTC) and first.published == first.news_published
    assert second.lastmod is None and second.published is None


def test_sitemap_index_gzip_and_relative_locs() -> None:
    sitemap = parse_sitemap(gzip.compress(INDEX), "https://news.example/sitemap_index.xml")
    assert sitemap.is_index and sitemap.urls == []
    assert sitemap.sitemaps == [
        ("https://news.example/s-1.xml", datetime(2024, 3, 1, tzinfo=UTC)),
        ("https://news.example/s-2.xml", None),
    ]
    assert parse_sitemap(b"not xml at all").urls == []


def test_robots_sitemap_lines() -> None:
    robots = "User-agent: *\nDisallow: /search\nSitemap: https://news.example/a.xml\nsitemap: /b.xml # note\n"
    assert robots_sitemaps(robots, "https://news.example/robots.txt") == [
        "https://news.example/a.xml", "https://news.example/b.xml",
    ]
    assert robots_sitemaps(b"User-agent: *\nDisallow:\n") == []


def test_the_levant_post_files_read_as_the_model_says() -> None:
    site, base = LevantPostSite(articles=60), "https://www.levantpost.example"
    feed = parse_feed(site.render("/feeds/latest.atom", base)[2], base + "/feeds/latest.atom")
    assert [e.url for e in feed] == [base + a.path for a in site.articles[:FEED_ITEMS]]
    assert [e.published for e in feed] == [a.published.astimezone(UTC) for a in site.articles[:FEED_ITEMS]]
    robots = robots_sitemaps(site.render("/robots.txt", base)[2], base)
    assert robots == [base + "/sitemap_index.xml"]
    index = parse_sitemap(site.render("/sitemap_index.xml", base)[2], base)
    children = [parse_sitemap(site.render(loc.removeprefix(base), base)[2], base) for loc, _ in index.sitemaps]
    urls = {e.url for child in children for e in child.urls}
    assert urls == site.article_urls(base)
    assert any(e.news_published is not None for child in children for e in child.urls)
