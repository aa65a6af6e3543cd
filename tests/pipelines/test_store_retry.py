"""StorePipeline and DatabaseRetry during a database outage, with a simulated failure and a fake clock.

The real outage (PostgreSQL stopped, or its connections cut) is in tests/crawl/test_database_outage.py;
these pin the rules down without waiting: retry with backoff inside the window, keep articles aside
after it, write them when the database is back, and count what never got written, by URL.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from scrapy.utils.test import get_crawler
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError, OperationalError
from store_setup import site_and_run

from crawler.items import ArticleRecord
from crawler.pipelines import NormalizePipeline, StorePipeline
from crawler.retry import DatabaseRetry, DatabaseUnavailable, describe
from storage.db import session_scope
from storage.models import Article


class FakeClock:
    """time.monotonic and time.sleep for DatabaseRetry: sleeping advances the clock."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def refused() -> OperationalError:
    return OperationalError("SELECT 1", {}, ConnectionRefusedError("connection refused"))


def test_retry_waits_out_a_short_outage_with_backoff() -> None:
    clock = FakeClock()
    retry = DatabaseRetry(60, clock=clock, sleep=clock.sleep)
    calls = []

    def write() -> str:
        calls.append(clock.now)
        if clock.now < 10:
            raise refused()
        return "written"

    assert retry.run(write, "x") == "written"
    assert clock.sleeps[:5] == [0.5, 1.0, 2.0, 4.0, 5.0] and max(clock.sleeps) == 5.0
    assert 10 <= clock.now < 15 and not retry.in_outage


def test_retry_gives_up_after_the_window_then_tries_once_per_call() -> None:
    clock = FakeClock()
    retry = DatabaseRetry(20, clock=clock, sleep=clock.sleep)
    with pytest.raises(DatabaseUnavailable, match="ConnectionRefusedError: connection refused"):
        retry.run(lambda: (_ for _ in ()).throw(refused()), "x")
    assert clock.now == pytest.approx(20)
    waited = len(clock.sleeps)
    with pytest.raises(DatabaseUnavailable):
        retry.run(lambda: (_ for _ in ()).throw(refused()), "y")
    assert len(clock.sleeps) == waited  # no second window: one quick attempt
    retry.new_window()
    with pytest.raises(DatabaseUnavailable):
        retry.run(lambda: (_ for _ in ()).throw(refused()), "z")
    assert clock.now == pytest.approx(40)  # new_window: one more full wait (at close)


def test_errors_that_retrying_cannot_fix_are_raised_at_once() -> None:
    clock = FakeClock()
    retry = DatabaseRetry(60, clock=clock, sleep=clock.sleep)
    integrity = IntegrityError("INSERT", {}, ValueError("duplicate key"))
    with pytest.raises(IntegrityError):
        retry.run(lambda: (_ for _ in ()).throw(integrity), "x")
    assert clock.sleeps == [] and describe(integrity) == "ValueError: duplicate key"


class Outage:
    """Wraps StorePipeline._store: raises OperationalError while the clock is inside [start, end)."""

    def __init__(self, pipeline: StorePipeline, clock: FakeClock, start: float, end: float) -> None:
        self.store, self.clock, self.start, self.end = pipeline._store, clock, start, end
        pipeline._store = self  # type: ignore[method-assign]

    def __call__(self, item: ArticleRecord) -> str:
        if self.start <= self.clock.now < self.end:
            raise refused()
        return self.store(item)


def open_pipeline(db_url: str, window: float) -> tuple[StorePipeline, FakeClock, list[tuple[str, str, str]]]:
    engine, run_id = site_and_run(db_url)
    clock = FakeClock()
    lost: list[tuple[str, str, str]] = []
    crawler = get_crawler(settings_dict={"NEAR_DUPLICATE_THRESHOLD": 0, "STORE_RETRY_SECONDS": window})
    pipeline = StorePipeline(crawler)
    pipeline.recorder = SimpleNamespace(  # type: ignore[assignment]
        engine=engine,
        site="syrianobserver",
        run_id=run_id,
        retry=DatabaseRetry(window, clock=clock, sleep=clock.sleep),
        record_lost=lambda url, kind, reason: lost.append((url, kind, reason)),
        record_drop=lambda url, kind, reason: None,
    )
    return pipeline, clock, lost


def article(i: int) -> ArticleRecord:
    body = " ".join(f"Sentence {j} of article {i} about the situation in Idleb province." for j in range(12))
    return NormalizePipeline(get_crawler()).process_item(
        ArticleRecord(url=f"http://x/news/{i}/a.html", site="syrianobserver", title=f"Article {i}", body_text=body)
    )


def stored(pipeline: StorePipeline) -> int:
    with session_scope(pipeline.recorder.engine) as session:
        return session.scalar(select(func.count()).select_from(Article))


def test_an_outage_shorter_than_the_window_loses_nothing(sqlite_url: str) -> None:
    pipeline, clock, lost = open_pipeline(sqlite_url, window=60)
    Outage(pipeline, clock, start=0, end=10)
    for i in range(5):
        pipeline.process_item(article(i))
    pipeline.close_spider()
    assert stored(pipeline) == 5 and lost == [] and pipeline.stats.get_value("articles/new") == 5
    assert clock.now >= 10  # the crawl waited for the database


def test_articles_kept_aside_after_the_window_are_written_when_the_database_is_back(sqlite_url: str) -> None:
    pipeline, clock, lost = open_pipeline(sqlite_url, window=5)
    Outage(pipeline, clock, start=0, end=30)
    for i in range(4):
        pipeline.process_item(article(i))  # the first waits 5 s; the others try once each
    assert len(pipeline.unwritten) == 4 and stored(pipeline) == 0 and clock.now == pytest.approx(5)
    clock.now = 30  # the database is back
    pipeline.process_item(article(4))
    assert stored(pipeline) == 5 and pipeline.unwritten == [] and lost == []
    assert pipeline.stats.get_value("articles/new") == 5


def test_what_the_database_never_gets_is_counted_unwritten_by_url(sqlite_url: str) -> None:
    pipeline, clock, lost = open_pipeline(sqlite_url, window=5)
    pipeline.process_item(article(0))
    Outage(pipeline, clock, start=0, end=1000)
    for i in range(1, 4):
        pipeline.process_item(article(i))
    pipeline.close_spider()  # one more window, then each waiting article is counted lost
    assert clock.now == pytest.approx(10)
    assert [(url, kind) for url, kind, _ in lost] == [(f"http://x/news/{i}/a.html", "unwritten") for i in (1, 2, 3)]
    assert all("database unavailable for 5s (STORE_RETRY_SECONDS): ConnectionRefusedError" in r for *_, r in lost)
    assert stored(pipeline) == 1 and pipeline.unwritten == []


def test_the_database_back_during_the_close_window_loses_nothing(sqlite_url: str) -> None:
    """Regression (issue 9): a crawl that ended during the outage left holes and a run ``running``."""
    pipeline, clock, lost = open_pipeline(sqlite_url, window=5)
    Outage(pipeline, clock, start=0, end=8)
    for i in range(3):
        pipeline.process_item(article(i))
    pipeline.close_spider()  # at 5 s: the close window lasts to 10 s, the database is back at 8 s
    assert stored(pipeline) == 3 and lost == []
