"""Batched writes: many articles per transaction, with the same outcomes as one transaction each.

The batch is written by ``StorePipeline._write_batch`` (what the worker thread runs); these tests
call it directly and drive ``WriteBatcher`` with a synchronous runner and a fake clock, so no
reactor is needed.  A real crawl writes in batches too (tests/crawl/test_demo_crawl.py).
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from scrapy.utils.test import get_crawler
from sqlalchemy import func, select
from store_setup import site_and_run
from twisted.internet import defer
from twisted.internet.task import Clock

from crawler.batching import WriteBatcher
from crawler.exceptions import DuplicateItem
from crawler.items import ArticleRecord
from crawler.normalize import normalize_record
from crawler.pipelines import Stored, StorePipeline, Unwritten
from crawler.retry import DatabaseRetry
from storage.db import session_scope
from storage.models import Article, ArticleTag, ArticleVersion

BODY = " ".join(f"Paragraph sentence {i} on the advance of regime forces near Khan Sheikhoun." for i in range(30))
OTHER = " ".join(f"Line {i}: the price of bread rose again in Daraa this week, traders said." for i in range(30))
THIRD = " ".join(f"Note {i}: a new school opened in Idlib for children displaced by the fighting." for i in range(30))


def open_pipeline(db_url: str, batch: int = 10) -> tuple[StorePipeline, object]:
    engine, run_id = site_and_run(db_url, run_status="ok")
    crawler = get_crawler(settings_dict={"NEAR_DUPLICATE_THRESHOLD": 0.9, "NEAR_DUPLICATE_WINDOW_DAYS": 30,
                                         "STORE_BATCH_SIZE": batch, "STORE_BATCH_SECONDS": 0.5})
    pipeline = StorePipeline(crawler)
    pipeline.recorder = SimpleNamespace(  # type: ignore[assignment]
        engine=engine, site="syrianobserver", run_id=run_id, retry=DatabaseRetry(0.01, first_pause=0.001)
    )
    return pipeline, engine


def record(url: str, body: str, tags: list[str] | None = None) -> ArticleRecord:
    return normalize_record(ArticleRecord(url=url, site="syrianobserver", title="A title", body_text=body,
                                          tags=tags or []))


def break_broken_articles(pipeline: StorePipeline, monkeypatch: pytest.MonkeyPatch) -> None:
    """Storing an article whose URL ends in ``/broken.html`` raises, as a bug in its path would."""
    store = pipeline.articles.store

    def store_or_break(repository, item, run_id, now):  # noqa: ANN001, ANN202
        if item.url.endswith("/broken.html"):
            raise ValueError("a bug in one article's path")
        return store(repository, item, run_id, now)

    monkeypatch.setattr(pipeline.articles, "store", store_or_break)


def rows(engine: object, model: type) -> int:
    with session_scope(engine) as session:  # type: ignore[arg-type]
        return session.scalar(select(func.count()).select_from(model)) or 0


def test_a_batch_stores_each_article_once_and_catches_twins_inside_the_batch(db_url: str) -> None:
    """Exact and near copies within one batch are duplicates of the article stored earlier in it."""
    pipeline, engine = open_pipeline(db_url)
    near = BODY.replace("sentence 3 on", "sentence 3 about") + " Republished."
    batch = [
        record("http://x/news/1/a.html", BODY, ["Idlib", "Hama"]),
        record("http://x/news/2/b.html", OTHER),
        record("http://x/news/3/exact.html", BODY),
        record("http://x/news/4/near.html", near),
        record("http://x/news/1/a.html", BODY, ["Idlib", "Hama"]),  # the same URL again: unchanged
    ]
    results = pipeline._write_batch(batch)
    assert [type(r).__name__ for r in results] == ["Stored", "Stored", "DuplicateItem", "DuplicateItem", "Stored"]
    assert [r.outcome.outcome for r in results if isinstance(r, Stored)] == ["new", "new", "unchanged"]
    assert "same body as stored http://x/news/1/a.html" in str(results[2])
    assert "near-duplicate: http://x/news/4/near.html repeats http://x/news/1/a.html" in str(results[3])
    assert rows(engine, Article) == 2 and rows(engine, ArticleVersion) == 2 and rows(engine, ArticleTag) == 2


def test_an_article_that_breaks_the_batch_is_lost_alone(db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The batch is rolled back and written article by article: the others are kept."""
    pipeline, engine = open_pipeline(db_url)
    break_broken_articles(pipeline, monkeypatch)
    results = pipeline._write_batch([
        record("http://x/news/1/a.html", BODY),
        record("http://x/news/2/broken.html", OTHER),
        record("http://x/news/3/c.html", THIRD),
    ])
    assert isinstance(results[0], Stored) and isinstance(results[2], Stored)
    assert isinstance(results[1], ValueError)
    assert rows(engine, Article) == 2


def test_a_replacement_rolled_back_with_its_batch_still_finds_the_row_it_would_displace(
        db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The general pattern: an index change made inside a transaction that rolls back must not lose a stored row.

    An earlier-published original replaces its stored copy; its batch then rolls back (here an
    article breaks it; in the outage test the connection drops). Rewritten, the original must
    still find the copy's row, else both are stored.
    """
    from datetime import UTC, datetime

    pipeline, engine = open_pipeline(db_url)
    copy = record("http://x/news/2/copy.html", BODY.replace("sentence 3 on", "sentence 3 about") + " Republished.")
    copy.published_at = datetime(2024, 5, 2, tzinfo=UTC)
    assert isinstance(pipeline._write_batch([copy])[0], Stored)
    break_broken_articles(pipeline, monkeypatch)
    original = record("http://x/news/1/original.html", BODY)
    original.published_at = datetime(2024, 5, 1, tzinfo=UTC)
    results = pipeline._write_batch([original, record("http://x/news/3/broken.html", OTHER)])
    assert isinstance(results[0], Stored) and results[0].outcome.replaced_url == "http://x/news/2/copy.html"
    with session_scope(engine) as session:
        assert list(session.scalars(select(Article.canonical_url))) == ["http://x/news/1/original.html"]
    indexed = {m.url for m in pipeline.articles.near.find_all("http://x/news/9/other.html", BODY + " Again.")}
    assert indexed == {"http://x/news/1/original.html"}, "the displaced URL is forgotten once the batch committed"


def test_a_database_outage_past_the_window_keeps_the_whole_batch_for_later(db_url: str,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    from sqlalchemy.exc import OperationalError

    pipeline, engine = open_pipeline(db_url)

    def unavailable(*_args: object) -> None:
        raise OperationalError("SELECT 1", {}, Exception("connection refused"))

    monkeypatch.setattr(pipeline.articles, "store", unavailable)
    results = pipeline._write_batch([record("http://x/news/1/a.html", BODY), record("http://x/news/2/b.html", OTHER)])
    assert all(isinstance(r, Unwritten) for r in results)
    assert rows(engine, Article) == 0


def run_now(write, items):  # noqa: ANN001, ANN201 - the worker thread, synchronously
    return defer.maybeDeferred(write, items)


def test_the_batcher_flushes_by_count_by_time_and_on_drain_in_arrival_order() -> None:
    written: list[list[int]] = []

    def write(items: list[int]) -> list[object]:
        written.append(items)
        return [DuplicateItem(f"twin {i}") if i == 4 else i * 10 for i in items]

    clock = Clock()
    batcher: WriteBatcher[int] = WriteBatcher(write, size=3, seconds=0.5, reactor=clock, in_thread=run_now)
    results: dict[int, object] = {}
    for i in range(1, 6):
        batcher.add(i).addBoth(lambda r, i=i: results.__setitem__(i, r))
    assert written == [[1, 2, 3]]  # by count
    assert results[1] == 10 and results[3] == 30 and 4 not in results
    clock.advance(0.4)
    assert written == [[1, 2, 3]]
    clock.advance(0.2)  # by time: half a second after the batch's first item
    assert written == [[1, 2, 3], [4, 5]]
    assert results[5] == 50 and results[4].check(DuplicateItem)  # type: ignore[union-attr]
    batcher.add(6).addBoth(lambda r: results.__setitem__(6, r))
    batcher.drain()
    assert written[-1] == [6] and results[6] == 60 and batcher.batches == 3
    assert not clock.getDelayedCalls()


def test_a_batch_of_one_is_refused() -> None:
    with pytest.raises(ValueError, match="write inline"):
        WriteBatcher(lambda items: items, size=1, seconds=0.5, reactor=Clock(), in_thread=run_now)


def test_store_batch_size_one_writes_inline(sqlite_url: str) -> None:
    pipeline, engine = open_pipeline(sqlite_url, batch=1)
    assert pipeline.batcher is None
    assert pipeline.process_item(record("http://x/news/1/a.html", BODY)).url == "http://x/news/1/a.html"
    assert rows(engine, Article) == 1
