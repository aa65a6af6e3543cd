"""Syndicated copies across sites: stored on both sites and linked; measured on a constructed set."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from itertools import combinations
from types import SimpleNamespace

import pytest
from scrapy.exceptions import DropItem
from scrapy.utils.test import get_crawler
from sqlalchemy import select
from syndication_corpus import OUTLETS, build  # tests/pipelines is on sys.path (rootdir-relative, no packages)

from crawler.parsers import parse_article
from crawler.pipelines import DedupePipeline, NormalizePipeline, StorePipeline, ValidatePipeline
from crawler.retry import DatabaseRetry
from storage.db import ensure_schema, make_engine, session_scope
from storage.models import Article, SyndicatedCopy
from storage.repository import ArticleRepository, CrawlRunRepository, SiteRepository

NOW = datetime(2026, 11, 20, tzinfo=UTC)


def crawl_pages(engine, site: str, pages: list, settings: dict | None = None) -> StorePipeline:  # noqa: ANN001
    """Push the pages of one site through the real parser and the four pipelines, as one crawl would."""
    with session_scope(engine) as session:
        SiteRepository(session).ensure(site, site, f"http://{site}.example", NOW)
        run = CrawlRunRepository(session).start(site, site, "manual", NOW, {})
        run.status, run_id = "ok", run.id
    crawler = get_crawler(settings_dict={"NEAR_DUPLICATE_THRESHOLD": 0.9, "SYNDICATION_THRESHOLD": 0.7,
                                         "NEAR_DUPLICATE_WINDOW_DAYS": 30, "NEAR_DUPLICATE_MAX_ENTRIES": 5000,
                                         **(settings or {})})
    stages = [ValidatePipeline(crawler), NormalizePipeline(crawler), DedupePipeline(crawler)]
    store = StorePipeline(crawler)
    store.recorder = SimpleNamespace(engine=engine, site=site, run_id=run_id, retry=DatabaseRetry(60))  # type: ignore[assignment]
    with session_scope(engine) as session:
        store._index_bodies(ArticleRepository(session))  # what open_spider does with the run recorder's engine
    for page in pages:
        record = parse_article(page.html, page.url)
        record.site = site
        try:
            for stage in [*stages, store]:
                record = stage.process_item(record)
        except DropItem:
            crawler.stats.inc_value("test/dropped")
    return store


def test_links_on_the_constructed_set_reach_the_precision_and_recall(sqlite_url: str) -> None:
    pages = build()
    engine = make_engine(sqlite_url)
    ensure_schema(engine)
    story_of = {p.url: p.story for p in pages}
    outlet_of = {p.url: p.outlet for p in pages}
    rng = random.Random(3)
    stats = {}
    for outlet in OUTLETS:  # one crawl per outlet, in its own order
        own = [p for p in pages if p.outlet == outlet]
        rng.shuffle(own)
        stats[outlet] = crawl_pages(engine, outlet, own).stats
    with session_scope(engine) as session:
        url_of = dict(session.execute(select(Article.id, Article.url)).all())
        links = {frozenset((url_of[a], url_of[b])) for a, b in
                 session.execute(select(SyndicatedCopy.article_id, SyndicatedCopy.copy_article_id))}
    engine.dispose()
    # Every page is stored: a copy on another site is not a duplicate.
    assert set(url_of.values()) == set(story_of)
    truth = {frozenset(pair) for pair in combinations(story_of, 2)
             if story_of[pair[0]] == story_of[pair[1]] and outlet_of[pair[0]] != outlet_of[pair[1]]}
    found = links & truth
    precision = len(found) / len(links) if links else 0.0
    recall = len(found) / len(truth)
    print(f"syndicated copies: {len(truth)} true pairs, {len(links)} linked, {len(found)} correct; "
          f"precision {precision:.3f}, recall {recall:.3f}")
    assert len(truth) > 60
    assert precision >= 0.95 and recall >= 0.9
    assert sum(s.get_value("syndication/linked", 0) for s in stats.values()) == len(links)


def test_a_link_points_from_the_earlier_published_and_both_copies_stay(db_url: str) -> None:
    pages = [p for p in build(stories=6, decoys=0) if p.story == "s1"]
    assert {p.outlet for p in pages} >= {"wire", "outlet_b"}
    engine = make_engine(db_url)
    ensure_schema(engine)
    # The copy is crawled first; the wire original (published an hour earlier) later.
    crawl_pages(engine, "outlet_b", [p for p in pages if p.outlet == "outlet_b"])
    crawl_pages(engine, "wire", [p for p in pages if p.outlet == "wire"])
    with session_scope(engine) as session:
        site_of = dict(session.execute(select(Article.id, Article.site)).all())
        rows = list(session.execute(select(SyndicatedCopy.article_id, SyndicatedCopy.copy_article_id,
                                           SyndicatedCopy.similarity)))
    engine.dispose()
    assert set(site_of.values()) == {"outlet_b", "wire"}
    ((original, copy, similarity),) = rows
    assert (site_of[original], site_of[copy]) == ("wire", "outlet_b")
    assert 0.7 <= similarity < 1.0


def test_syndication_off_stores_both_and_links_nothing(sqlite_url: str) -> None:
    pages = [p for p in build(stories=6, decoys=0) if p.story == "s1"]
    engine = make_engine(sqlite_url)
    ensure_schema(engine)
    for outlet in ("wire", "outlet_b"):
        crawl_pages(engine, outlet, [p for p in pages if p.outlet == outlet], {"SYNDICATION_THRESHOLD": 0})
    with session_scope(engine) as session:
        assert len(session.scalars(select(Article)).all()) == 2
        assert session.scalars(select(SyndicatedCopy)).all() == []
    engine.dispose()


@pytest.mark.parametrize("threshold", [0.7])
def test_unrelated_same_topic_articles_are_not_linked(sqlite_url: str, threshold: float) -> None:
    pages = [p for p in build(stories=12, decoys=24) if p.story.startswith("d") or p.outlet == "wire"]
    engine = make_engine(sqlite_url)
    ensure_schema(engine)
    for outlet in OUTLETS:
        crawl_pages(engine, outlet, [p for p in pages if p.outlet == outlet], {"SYNDICATION_THRESHOLD": threshold})
    with session_scope(engine) as session:
        assert session.scalars(select(SyndicatedCopy)).all() == []
        assert len(session.scalars(select(Article)).all()) == len(pages)
    engine.dispose()
