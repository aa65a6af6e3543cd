"""Sitemaps and feeds are read with entity expansion off and a size bound: an XML bomb costs nothing."""

from __future__ import annotations

import resource

from crawler.discovery.feeds import parse_feed
from crawler.discovery.sitemaps import parse_sitemap
from crawler.replica.hostile_pages import billion_laughs


def test_an_entity_bomb_sitemap_is_not_read() -> None:
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    sitemap = parse_sitemap(billion_laughs("urlset"), "http://news.example/")
    assert sitemap.urls == [] and sitemap.sitemaps == []
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 50 * 1024  # KiB: nothing was expanded


def test_an_entity_bomb_feed_is_not_read() -> None:
    assert parse_feed(billion_laughs("rss"), "http://news.example/") == []


def test_a_plain_sitemap_still_reads() -> None:
    xml = (b'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
           b"<url><loc>http://news.example/a.html</loc></url></urlset>")
    assert [e.url for e in parse_sitemap(xml).urls] == ["http://news.example/a.html"]
