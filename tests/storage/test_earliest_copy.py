"""Within one site the copy kept is the earliest published: a later-crawled, earlier-published copy takes its place."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from types import SimpleNamespace

import pytest
from scrapy.utils.test import get_crawler
from sqlalchemy import func, select

from crawler.items import ArticleRecord
from crawler.pipelines import DedupePipeline, DuplicateItem, NormalizePipeline, StorePipeline
from crawler.retry import DatabaseRetry
from storage.db import ensure_schema, make_engine, session_scope
from storage.models import Article, ArticleVersion
from storage.repository import ArticleRepository, CrawlRunRepository, SiteRepository

BODY = " ".join(f"Sentence {i} on the water cuts from the Alouk station to Hasakah this summer." for i in range(30))
NEAR = BODY.replace("Sentence 7 on", "Sentence 7 about") + " Republished with edits."


def open_run(db_url: str) -> tuple[StorePipeline, NormalizePipeline, DedupePipeline, Callable[[], list]]:
    engine = make_engine(db_url)
    ensure_schema(engine)
    now = datetime.now(UTC)
    with session_scope(engine) as session:
        SiteRepository(session).ensure("syrianobserver", "The Syrian Observer", "http://x", now)
        run = CrawlRunRepository(session).start("syrianobserver", "syrianobserver", "manual", now, {})
        run.status, run_id = "ok", run.id
    crawler = get_crawler(settings_dict={"NEAR_DUPLICATE_THRESHOLD": 0.9, "NEAR_DUPLICATE_WINDOW_DAYS": 30})
    pipeline = StorePipeline(crawler)
    pipeline.recorder = SimpleNamespace(  # type: ignore[assignment]
        engine=engine, site="syrianobserver", run_id=run_id, retry=DatabaseRetry(60),
    )
    with session_scope(engine) as session:
        pipeline._index_bodies(ArticleRepository(session))
    return pipeline, NormalizePipeline(crawler), DedupePipeline(crawler), lambda: stored_events(pipeline)


def stored_events(store: StorePipeline) -> list[tuple[str, str, str]]:
    """The run's events as stored (a ``replaced`` event is written with the article that displaced the URL)."""
    with session_scope(store.recorder.engine) as session:
        return [(e.url, e.kind, e.reason) for e in CrawlRunRepository(session).events(store.recorder.run_id)]


def record(url: str, body: str, day: int) -> ArticleRecord:
    return ArticleRecord(url=url, site="syrianobserver", title="Water cuts", body_text=body,
                         published_at=datetime(2026, 11, day, 9, tzinfo=UTC))


def articles(store: StorePipeline) -> list[tuple[str, int]]:
    with session_scope(store.recorder.engine) as session:
        return [tuple(r) for r in session.execute(select(Article.canonical_url, Article.version))]


@pytest.mark.parametrize("copy_body", [NEAR, BODY], ids=["near-copy", "exact-copy"])
def test_an_earlier_published_copy_replaces_the_stored_one_and_the_displaced_url_stays_a_duplicate(
    db_url: str, copy_body: str
) -> None:
    store, normalize, _, _ = open_run(db_url)
    store.process_item(normalize.process_item(record("http://x/news/2/late.html", BODY, day=10)))
    with session_scope(store.recorder.engine) as session:
        first_id = session.scalar(select(Article.id))
    # The next crawl finds the same story under another URL, published a day earlier.
    store, normalize, _, events = open_run(db_url)
    store.process_item(normalize.process_item(record("http://x/news/1/early.html", copy_body, day=9)))
    assert articles(store) == [("http://x/news/1/early.html", 2)]
    assert store.stats.get_value("articles/updated") == 1 and store.stats.get_value("articles/replaced") == 1
    assert events() == [("http://x/news/2/late.html", "replaced",
                              "replaced by earlier-published copy http://x/news/1/early.html")]
    with session_scope(store.recorder.engine) as session:
        version = session.scalars(select(ArticleVersion).where(ArticleVersion.version == 2)).one()
        assert version.article_id == first_id and version.changed_fields[0] == "canonical_url"
    # The displaced URL, crawled again, is a counted duplicate of the kept copy: no flip-flop.
    store, normalize, _, _ = open_run(db_url)
    with pytest.raises(DuplicateItem, match="http://x/news/1/early.html"):
        store.process_item(normalize.process_item(record("http://x/news/2/late.html", BODY, day=10)))
    assert articles(store) == [("http://x/news/1/early.html", 2)]


def test_a_later_published_copy_stays_a_duplicate(db_url: str) -> None:
    store, normalize, _, events = open_run(db_url)
    store.process_item(normalize.process_item(record("http://x/news/1/early.html", BODY, day=9)))
    with pytest.raises(DuplicateItem, match="near-duplicate"):
        store.process_item(normalize.process_item(record("http://x/news/2/late.html", NEAR, day=10)))
    with pytest.raises(DuplicateItem, match="same body"):
        store.process_item(normalize.process_item(record("http://x/news/3/same.html", BODY, day=9)))
    assert articles(store) == [("http://x/news/1/early.html", 1)] and events() == []


def test_within_one_run_the_earlier_published_exact_copy_goes_through_dedupe_and_is_kept(db_url: str) -> None:
    store, normalize, dedupe, events = open_run(db_url)
    flow = [normalize, dedupe, store]

    def crawl(item: ArticleRecord) -> None:
        for stage in flow:
            item = stage.process_item(item)

    crawl(record("http://x/news/2/late.html", BODY, day=10))
    crawl(record("http://x/news/1/early.html", BODY, day=9))  # published earlier: not dropped in the run
    with pytest.raises(DuplicateItem, match="same body as http://x/news/1/early.html"):
        crawl(record("http://x/news/3/later.html", BODY, day=11))
    assert articles(store) == [("http://x/news/1/early.html", 2)]
    # Each page counted once: one new, one updated (it took the row), one duplicate (raised above).
    assert (store.stats.get_value("articles/new"), store.stats.get_value("articles/updated")) == (1, 1)
    assert [e[0] for e in events()] == ["http://x/news/2/late.html"]
    with session_scope(store.recorder.engine) as session:
        assert session.scalar(select(func.count()).select_from(Article)) == 1
