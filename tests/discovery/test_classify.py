"""The pure pieces of automatic discovery: URL shapes, pagination, the article decision, the draft profile."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from crawler.discovery.classify import classify_page, looks_like_listing_url
from crawler.discovery.draft import draft_profile, key_for_host, listing_templates
from crawler.discovery.links import (
    Pagination,
    is_asset,
    learn_article_pattern,
    page_links,
    page_url,
    pagination_of,
    segment_shape,
)
from crawler.discovery.report import DiscoveryReport
from crawler.profiles import parse_profile
from crawler.replica import ReplicaSite
from crawler.replica.levantpost import LevantPostSite

BASE = "http://127.0.0.1:9"


@pytest.mark.parametrize(
    ("segment", "shape"),
    [
        ("52360", r"\d+"),
        ("18095-security-services-arrest", r"\d+-[a-z0-9-]+"),
        ("russia-warns-turkey.html", r"[a-z0-9-]+\.html"),
        ("happy_eid.html", r"[a-z0-9_-]+\.html"),
        ("Some Page!", "[^/]+"),
    ],
)
def test_segment_shapes(segment: str, shape: str) -> None:
    assert segment_shape(segment) == shape


def test_article_pattern_generalises_ids_and_slugs_keeps_constant_segments() -> None:
    urls = [f"https://x.example/news/{n}-story-number-{n}" for n in range(100, 140)]
    pattern = learn_article_pattern(urls + ["https://x.example/about"])
    assert pattern is not None
    assert pattern.regex == r"^/news/\d+-[a-z0-9-]+$"  # the lone /about is 1 of 41 URLs: a stray page
    assert pattern.matches("https://x.example/news/999-new-story")
    assert not pattern.matches("https://x.example/author/jad-nassar")
    assert not pattern.matches("https://x.example/amp/news/999-new-story")


def test_article_pattern_of_the_syrian_observer_replica_covers_pre_id_posts() -> None:
    site = ReplicaSite(articles=60)
    pattern = learn_article_pattern(BASE + a.path for a in site.articles)
    assert pattern is not None and pattern.covered == pattern.total == len(site.articles)
    assert all(pattern.matches(BASE + a.path) for a in site.articles)
    assert not any(pattern.matches(BASE + p) for p in site.listing_paths())


def test_feed_urls_decide_which_sitemap_shapes_are_articles() -> None:
    articles = [f"https://x.example/{y}/05/{d:02d}/story-{d}/" for y in (2023, 2024) for d in range(1, 20)]
    pages = [f"https://x.example/{slug}/" for slug in ("about", "contact", "advertise", "jobs", "privacy")]
    sections = [f"https://x.example/category/{slug}/" for slug in ("world", "sport", "business")]
    mixed = learn_article_pattern(articles + pages + sections)
    assert mixed is not None and mixed.matches("https://x.example/about/")  # a sitemap alone cannot tell
    pattern = learn_article_pattern(articles + pages + sections, confirm=articles[:10])
    assert pattern is not None and pattern.regex == r"^/\d+/\d+/\d+/[a-z0-9-]+/$"  # digits never stay literal
    assert not pattern.matches("https://x.example/about/") and not pattern.matches("https://x.example/category/x/")
    # Too few feed URLs to decide: the sitemap's shapes stand.
    assert learn_article_pattern(articles + pages, confirm=articles[:2]) == learn_article_pattern(articles + pages)


def test_no_urls_no_pattern() -> None:
    assert learn_article_pattern([]) is None
    assert learn_article_pattern(["https://x.example/"]) is None


def test_pagination_styles() -> None:
    path = pagination_of("https://x.example/category/news/page/3/")
    assert path == Pagination("path", "/category/news/", 3)
    query = pagination_of("https://x.example/news?page=2")
    assert query == Pagination("query", "/news", 2, "page")
    assert pagination_of("https://x.example/news") is None
    assert page_url("https://x.example/news?page=2", query, 5) == "https://x.example/news?page=5"
    assert page_url("https://x.example/category/news/page/3/", path, 4) == "https://x.example/category/news/page/4/"
    assert looks_like_listing_url("https://x.example/tag/russia/") and looks_like_listing_url("https://x.example/?page=2")
    assert not looks_like_listing_url("https://x.example/news/12-story")
    assert is_asset("https://x.example/a/b.jpg") and not is_asset("https://x.example/news/12-story")


def test_page_links_finds_feeds_next_pages_and_canonical() -> None:
    site = LevantPostSite(articles=40)
    status, _, body = site.render("/news", BASE)
    links = page_links(body.decode(), BASE + "/news")
    assert status == 200
    assert links.feeds == [BASE + "/feeds/latest.atom"]
    assert BASE + "/news?page=2" in links.next_pages
    assert links.canonical == BASE + "/news"
    amp = site.amp_articles[0]
    _, _, body = site.render(amp.amp_path, BASE)
    assert page_links(body.decode(), BASE + amp.amp_path).canonical == BASE + amp.path


def test_classify_articles_and_everything_else_on_both_replicas() -> None:
    so = ReplicaSite(articles=60)
    so_pattern = learn_article_pattern(BASE + a.path for a in so.articles)
    lp = LevantPostSite(articles=40)
    lp_pattern = learn_article_pattern(lp.article_urls(BASE))
    cases = [(so, so_pattern, a.path, True) for a in so.articles[:15] if a.kind in ("article", "notice")]
    cases += [(so, so_pattern, path, False) for path in ["/", *so.listing_paths()[:40]]]
    cases += [(lp, lp_pattern, a.path, True) for a in lp.articles[:15]]
    cases += [(lp, lp_pattern, target, False) for target in ["/", "/about", "/contact", *lp.listing_targets()[:40]]]
    wrong = []
    for site, pattern, target, is_article in cases:
        _, _, body = site.render(target, BASE)
        verdict = classify_page(body.decode(), BASE + target, pattern)
        if verdict.is_article != is_article:
            wrong.append(f"{target}: {verdict.explain()}")
    assert not wrong


def test_classify_without_a_pattern_leans_on_structured_data_and_text() -> None:
    so = ReplicaSite(articles=60)
    article = next(a for a in so.articles if a.kind == "article")
    _, _, body = so.render(article.path, BASE)
    verdict = classify_page(body.decode(), BASE + article.path)
    assert verdict.is_article and "og:type=article +2" in verdict.reasons
    _, _, body = so.render("/tag/russia/", BASE)
    assert not classify_page(body.decode(), BASE + "/tag/russia/").is_article
    assert not classify_page("", BASE + "/x").is_article


def test_keys_from_hosts() -> None:
    assert key_for_host("https://www.levantpost.example/") == "levantpost"
    assert key_for_host("https://news.example.co/") == "example"
    assert key_for_host("http://127.0.0.1:8001/") == "site_127_0_0_1_8001"


def test_listing_templates_group_sibling_listings() -> None:
    listings = [Pagination("query", "/news", 1, "page"), Pagination("query", "/section/politics", 1, "page"),
                Pagination("query", "/section/region", 1, "page"), Pagination("path", "/category/news/", 1)]
    assert listing_templates(listings) == [
        Pagination("query", "/news", 1, "page"),
        Pagination("query", "/section/{slug}", 1, "page"),
        Pagination("path", "/category/news/", 1),
    ]


def test_draft_profile_validates(tmp_path: Path) -> None:
    report = DiscoveryReport("https://www.levantpost.example/", site_name="The Levant Post", language="en-GB")
    report.feeds = ["https://www.levantpost.example/feeds/latest.atom"]
    report.sitemaps = ["https://www.levantpost.example/sitemap_index.xml"]
    report.feed_urls = {f"https://www.levantpost.example/news/{n}-it-happened" for n in range(10, 30)}
    report.add_next_link("https://www.levantpost.example/news", "https://www.levantpost.example/news?page=2")
    text = draft_profile(report, "levantpost", notes="a note\nwith two lines")
    data = tomllib.loads(text)
    profile = parse_profile(data, tmp_path / "levantpost.toml")
    assert profile.language == "en" and profile.hosts == ["www.levantpost.example"]
    assert profile.discovery is not None
    assert profile.discovery.article_pattern == r"^/news/\d+-[a-z0-9-]+$"
    assert profile.discovery.feeds == ["/feeds/latest.atom"]
    assert [(ls.url, ls.pagination) for ls in profile.discovery.listings] == [("/", "none"), ("/news", "query")]
    assert text.rstrip().endswith("# with two lines")


def test_check_site_counts_dates_printed_without_a_zone() -> None:
    from crawler.items import ArticleRecord
    from crawler.sitecheck import zoneless_dates

    records = [
        ArticleRecord(url="https://x.example/1", published_raw="2024-04-06 16:44"),
        ArticleRecord(url="https://x.example/2", published_raw="2024-04-06T16:44:00+03:00"),
        ArticleRecord(url="https://x.example/3", published_raw="Sat, 06 Apr 2024 13:44:00 GMT"),
        ArticleRecord(url="https://x.example/4"),
    ]
    assert zoneless_dates(records) == 1
