"""The store's writer process (STORE_WRITER = "process"): the thread writer's outcomes, from a child process.

These drive ``WriterProcess`` directly: a real child (``python -m crawler.store_process``) writing
into SQLite and PostgreSQL.  A crawl writes through it by default (tests/crawl/ run the CLI).
"""

from __future__ import annotations

import os
import signal

import pytest
from sqlalchemy import select
from store_setup import site_and_run

from crawler.items import ArticleRecord
from crawler.normalize import normalize_record
from crawler.store import StoreConfig
from crawler.store_process import WriterProcess, WriterSpec
from crawler.store_writer import Duplicate, Stored, StoreWriteError
from storage.db import make_engine, session_scope
from storage.models import Article

BODY = " ".join(f"Paragraph sentence {i} on the advance of regime forces near Khan Sheikhoun." for i in range(30))
OTHER = " ".join(f"Line {i}: the price of bread rose again in Daraa this week, traders said." for i in range(30))


def prepare(db_url: str) -> int:
    engine, run_id = site_and_run(db_url)
    engine.dispose()
    return run_id


def record(url: str, body: str) -> ArticleRecord:
    return normalize_record(ArticleRecord(url=url, site="syrianobserver", title="A title", body_text=body))


def stored_urls(db_url: str) -> set[str]:
    engine = make_engine(db_url)
    with session_scope(engine) as session:
        urls = set(session.scalars(select(Article.canonical_url)))
    engine.dispose()
    return urls


def writer(db_url: str, retry_seconds: float = 5) -> WriterProcess:
    spec = WriterSpec(db_url, "syrianobserver", StoreConfig(near_threshold=0.9, syndication_threshold=0.7),
                      retry_seconds, log_level="WARNING")
    process = WriterProcess(spec)
    process.start()
    return process


def test_a_batch_written_by_the_child_has_the_thread_writers_outcomes(db_url: str) -> None:
    """New, unchanged, exact and near copies inside the batch: as crawler/store_writer.py decides."""
    run_id = prepare(db_url)
    process = writer(db_url)
    try:
        near = BODY.replace("sentence 3 on", "sentence 3 about") + " Republished."
        results = process.write_batch([
            record("http://x/news/1/a.html", BODY),
            record("http://x/news/2/b.html", OTHER),
            record("http://x/news/3/exact.html", BODY),
            record("http://x/news/4/near.html", near),
            record("http://x/news/1/a.html", BODY),
        ], run_id)
        assert [type(r).__name__ for r in results] == ["Stored", "Stored", "Duplicate", "Duplicate", "Stored"]
        assert [r.outcome.outcome for r in results if isinstance(r, Stored)] == ["new", "new", "unchanged"]
        assert "near-duplicate: http://x/news/4/near.html repeats http://x/news/1/a.html" in str(results[3])
        # One article alone: its twin, stored by the batch above, is known to the child's index.
        with pytest.raises(Duplicate, match="near-duplicate"):
            process.write_one(record("http://x/news/5/again.html", near + " Again."), run_id)
    finally:
        process.close()
    assert process.child is None
    assert stored_urls(db_url) == {"http://x/news/1/a.html", "http://x/news/2/b.html"}


def test_a_new_child_indexes_what_earlier_runs_stored(sqlite_url: str) -> None:
    run_id = prepare(sqlite_url)
    first = writer(sqlite_url)
    first.write_batch([record("http://x/news/1/a.html", BODY)], run_id)
    first.close()
    second = writer(sqlite_url)
    try:
        assert second.indexed == 1
        copy = BODY.replace("sentence 7 on", "sentence 7 about")
        assert isinstance(second.write_batch([record("http://x/news/9/copy.html", copy)], run_id)[0], Duplicate)
    finally:
        second.close()


def test_the_child_ends_when_the_crawl_goes(sqlite_url: str) -> None:
    """The crawl killed (its end of the pipe closed, as by SIGKILL): the child exits on its own."""
    prepare(sqlite_url)
    process = writer(sqlite_url)
    child = process.child
    assert child is not None and child.stdin is not None
    child.stdin.close()
    assert child.wait(timeout=30) == 0


def test_a_child_that_dies_fails_its_batch_by_name_and_is_started_again(sqlite_url: str) -> None:
    run_id = prepare(sqlite_url)
    process = writer(sqlite_url)
    try:
        assert process.child is not None
        os.kill(process.child.pid, signal.SIGKILL)
        process.child.wait(timeout=30)
        # The next write finds the child gone and starts another: nothing is written twice or lost silently.
        results = process.write_batch([record("http://x/news/1/a.html", BODY)], run_id)
        assert isinstance(results[0], Stored) and process.starts == 2
        # A child killed during a request: that request fails with a reason naming the writer process.
        assert process.child is not None and process.child.stdin is not None
        os.kill(process.child.pid, signal.SIGKILL)
        process.child.wait(timeout=30)
        process.child.poll = lambda: None  # type: ignore[method-assign]  # seen alive just before it died
        with pytest.raises(StoreWriteError, match="writer process exited"):
            process.write_batch([record("http://x/news/2/b.html", OTHER)], run_id)
    finally:
        process.close()
    assert stored_urls(sqlite_url) == {"http://x/news/1/a.html"}


def test_an_unreachable_database_is_reported_when_the_child_starts() -> None:
    spec = WriterSpec("postgresql://nobody@127.0.0.1:1/none", "syrianobserver", StoreConfig(), 0.01, "CRITICAL")
    process = WriterProcess(spec)
    with pytest.raises(StoreWriteError, match="could not start"):
        process.start()
    process.close()


def test_the_writer_process_runs_without_scrapy() -> None:
    """The child imports the store and the driver only: Scrapy and Twisted would cost it ~27 MB for nothing."""
    import subprocess
    import sys

    code = ("import sys, crawler.store_process; "
            "print(sorted({m.split('.')[0] for m in sys.modules} & {'scrapy', 'twisted', 'parsel'}))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_an_unknown_store_writer_is_refused_with_the_choices() -> None:
    """A typo in ``-s STORE_WRITER=...`` stops the crawl before anything is fetched, naming what is allowed."""
    from scrapy.utils.test import get_crawler

    from crawler.pipelines import StorePipeline

    with pytest.raises(ValueError, match=r"STORE_WRITER is 'proces': use 'thread' or 'process'"):
        StorePipeline(get_crawler(settings_dict={"STORE_WRITER": "proces"}))
