"""StorePipeline on SQLite and PostgreSQL: outcomes, exact and near duplicates of stored articles."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from scrapy.utils.test import get_crawler
from sqlalchemy import func, select

from crawler.items import ArticleRecord
from crawler.pipelines import DuplicateItem, NormalizePipeline, StorePipeline
from crawler.retry import DatabaseRetry
from storage.db import ensure_schema, make_engine, session_scope
from storage.models import Article
from storage.repository import CrawlRunRepository, SiteRepository

BODY = " ".join(f"Paragraph sentence {i} on the advance of regime forces near Khan Sheikhoun." for i in range(30))
OTHER = " ".join(f"Line {i}: the price of bread rose again in Daraa this week, traders said." for i in range(30))


def open_pipeline(db_url: str) -> tuple[StorePipeline, NormalizePipeline]:
    """A StorePipeline wired to a real database, as CrawlRunRecorder would wire it."""
    engine = make_engine(db_url)
    ensure_schema(engine)
    from datetime import UTC, datetime

    now = datetime.now(UTC)
    with session_scope(engine) as session:
        SiteRepository(session).ensure("syrianobserver", "The Syrian Observer", "http://x", now)
        run = CrawlRunRepository(session).start("syrianobserver", "syrianobserver", "manual", now, {})
        run.status = "ok"  # one running run per site; these tests open several pipelines at once
        run_id = run.id
    crawler = get_crawler(settings_dict={"NEAR_DUPLICATE_THRESHOLD": 0.9, "NEAR_DUPLICATE_WINDOW_DAYS": 30})
    pipeline = StorePipeline(crawler)
    pipeline.recorder = SimpleNamespace(  # type: ignore[assignment]
        engine=engine, site="syrianobserver", run_id=run_id, retry=DatabaseRetry(60)
    )
    with session_scope(engine) as session:
        from storage.repository import ArticleRepository

        pipeline._index_bodies(ArticleRepository(session))
    return pipeline, NormalizePipeline(crawler)


def record(url: str, body: str) -> ArticleRecord:
    return ArticleRecord(url=url, site="syrianobserver", title="A title", body_text=body)


def test_near_copy_of_a_stored_article_is_a_duplicate(db_url: str) -> None:
    store, normalize = open_pipeline(db_url)
    store.process_item(normalize.process_item(record("http://x/news/1/a.html", BODY)))
    # A second crawl process starts with the article already stored.
    second, normalize = open_pipeline(db_url)
    copy = BODY.replace("sentence 3 on", "sentence 3 about") + " This report was republished."
    with pytest.raises(DuplicateItem, match=r"near-duplicate: http://x/news/9/copy.html repeats http://x/news/1/a.html"):
        second.process_item(normalize.process_item(record("http://x/news/9/copy.html", copy)))
    with pytest.raises(DuplicateItem, match="same body as stored http://x/news/1/a.html"):
        second.process_item(normalize.process_item(record("http://x/news/10/exact.html", BODY)))
    second.process_item(normalize.process_item(record("http://x/news/2/b.html", OTHER)))
    # The same URL with an edited body is an update, not a near-duplicate of itself.
    second.process_item(normalize.process_item(record("http://x/news/1/a.html", copy)))
    assert second.stats.get_value("articles/updated") == 1
    with session_scope(store.recorder.engine) as session:
        assert session.scalar(select(func.count()).select_from(Article)) == 2


def test_articles_stored_by_another_crawl_meanwhile_are_compared(db_url: str) -> None:
    first, normalize = open_pipeline(db_url)
    other, _ = open_pipeline(db_url)  # opened before anything was stored
    first.process_item(normalize.process_item(record("http://x/news/1/a.html", BODY)))
    copy = BODY + " Republished."
    with pytest.raises(DuplicateItem, match="near-duplicate"):
        other.process_item(normalize.process_item(record("http://x/news/9/copy.html", copy)))
