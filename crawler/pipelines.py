"""Item pipelines, in the order of ITEM_PIPELINES: validate -> normalize -> dedupe -> store.

Each is an ordinary Scrapy item pipeline over ArticleRecord items.  A page that is
not an article is dropped with ``DropItem`` (URL and reason logged, counted and
kept in ``crawl_events`` by the run recorder); duplicates raise ``DuplicateItem``.
"""

from __future__ import annotations

import logging
from collections.abc import Coroutine
from datetime import UTC, datetime
from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet import defer

from crawler.batching import WriteBatcher
from crawler.dedupe import NearDuplicateIndex
from crawler.exceptions import DuplicateItem
from crawler.extensions import CrawlRunRecorder
from crawler.items import COVERAGE_FIELDS, ArticleRecord
from crawler.normalize import normalize_record, validation_problem
from crawler.retry import DatabaseUnavailable, describe
from crawler.store import ArticleStore, StoreConfig
from crawler.store_process import WriterProcess, WriterSpec
from crawler.store_writer import ArticleWriter, Duplicate, Stored, Unwritten
from storage.db import session_scope
from storage.repository import ArticleRepository

logger = logging.getLogger(__name__)


class _CrawlerPipeline:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> _CrawlerPipeline:
        return cls(crawler)


class ValidatePipeline(_CrawlerPipeline):
    """Drop pages that are not articles: no title or no body. Also counts field coverage."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.min_title = crawler.settings.getint("VALIDATE_MIN_TITLE_CHARS")
        self.min_body = crawler.settings.getint("VALIDATE_MIN_BODY_CHARS")

    def process_item(self, item: ArticleRecord) -> ArticleRecord:
        """Return the item, or raise DropItem naming what is missing."""
        # Coverage counts every parsed page, so a parser that breaks after a redesign shows.
        self.stats.inc_value("coverage/pages")
        for name in COVERAGE_FIELDS:
            # A field the generic fallback had to fill means the site's own parser missed it.
            if getattr(item, name) and not item.provenance.get(name, "").startswith("generic:"):
                self.stats.inc_value(f"coverage/{name}")
        problem = validation_problem(item, self.min_title, self.min_body)
        if problem:
            raise DropItem(problem)
        return item


class NormalizePipeline(_CrawlerPipeline):
    """Whitespace and Unicode NFC, dates in UTC, the canonical URL, the content fingerprint."""

    def process_item(self, item: ArticleRecord) -> ArticleRecord:
        """Normalize the item in place and return it."""
        return normalize_record(item)


class DedupePipeline(_CrawlerPipeline):
    """Drop an article already seen in this run, by canonical URL or by body fingerprint.

    A same-body article published earlier than the one seen goes on: the store keeps the
    earliest-published copy.  Duplicates of stored articles (same body, or nearly the same
    under another URL) are caught by StorePipeline inside the transaction that would store them.
    """

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.seen_urls: set[str] = set()
        self.seen_hashes: dict[str, tuple[str, datetime | None]] = {}

    def process_item(self, item: ArticleRecord) -> ArticleRecord:
        """Return the item, or raise DuplicateItem."""
        url = item.canonical_url or item.url
        if url in self.seen_urls:
            raise DuplicateItem(f"duplicate: {item.url} is {url}, already seen in this run")
        if item.content_hash in self.seen_hashes:
            twin, twin_published = self.seen_hashes[item.content_hash]
            earlier = None not in (item.published_at, twin_published) and item.published_at < twin_published
            if not earlier:
                raise DuplicateItem(f"duplicate: {item.url} has the same body as {twin}")
        self.seen_urls.add(url)
        if item.content_hash:
            self.seen_hashes[item.content_hash] = (url, item.published_at)
        return item


class StorePipeline(_CrawlerPipeline):
    """Upsert each article by canonical URL, many articles per transaction (the rules: crawler/store.py).

    A new URL whose body repeats a stored article of the site is a duplicate (unless published
    earlier: it then takes the stored row's place); one that nearly matches another site's article
    is stored and linked to it as a syndicated copy.  The checks and the insert share one
    transaction, under a per-site lock, so two crawls writing at once cannot both store the pair.

    Writes are batched (``STORE_BATCH_SIZE`` articles or ``STORE_BATCH_SECONDS`` after the first,
    and at close) and run in a worker thread, one batch at a time (crawler/batching.py); each
    article's outcome is counted on the reactor thread once its batch committed.  A batch that one
    article breaks is written again article by article, so the others are kept.
    ``STORE_BATCH_SIZE = 1``: one transaction per article, written inline.
    """

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.articles = ArticleStore(StoreConfig.from_settings(crawler.settings))
        self.unwritten: list[ArticleRecord] = []  # articles the database did not take yet (outage)
        size = crawler.settings.getint("STORE_BATCH_SIZE")
        seconds = crawler.settings.getfloat("STORE_BATCH_SECONDS")
        self.batcher: WriteBatcher[ArticleRecord] | None = (
            WriteBatcher(self._write_batch, size, seconds) if size > 1 else None
        )
        writer = crawler.settings.get("STORE_WRITER") or "thread"
        if writer not in ("thread", "process"):
            raise ValueError(f"STORE_WRITER is {writer!r}: use 'thread' or 'process' (see crawler/settings.py)")
        # The writer process serves batches only: one article per transaction is written inline.
        self.use_process = writer == "process" and self.batcher is not None
        self.remote: WriterProcess | None = None

    @property
    def near(self) -> NearDuplicateIndex | None:
        """The near-duplicate index (None when both thresholds are 0)."""
        return self.articles.near

    @property
    def indexed_up_to(self) -> int:
        return self.articles.indexed_up_to

    def open_spider(self) -> None:
        """Use the run recorder's engine and run id; index the recently seen bodies."""
        recorder = self.crawler.get_extension(CrawlRunRecorder)
        if recorder is None:
            raise RuntimeError("StorePipeline needs crawler.extensions.CrawlRunRecorder in EXTENSIONS")
        self.recorder = recorder
        if self.use_process:
            self.remote = WriterProcess(WriterSpec(
                database_url=recorder.engine.url.render_as_string(hide_password=False),
                site=recorder.site,
                config=self.articles.config,
                retry_seconds=self.crawler.settings.getfloat("STORE_RETRY_SECONDS"),
                log_level=self.crawler.settings.get("LOG_LEVEL") or "INFO",
            ))
            self.remote.start()
            self._count_evictions(self.remote.evicted)
            logger.info("store writer process started; near-duplicate index: %d recently seen articles",
                        self.remote.indexed)
        elif self.near is not None:
            with session_scope(recorder.engine) as session:
                self._index_bodies(ArticleRepository(session))
            logger.info("near-duplicate index: %d recently seen articles", len(self.near))

    def _index_bodies(self, repository: ArticleRepository, now: datetime | None = None) -> None:
        """Index the articles stored since the index last looked, seen within the window; evictions counted."""
        evicted = self.articles.index_bodies(repository, self.recorder.site, now)
        self._count_evictions(evicted)

    def _count_evictions(self, evicted: int) -> None:
        if evicted:
            self.stats.inc_value("near_duplicates/evicted", evicted)

    def process_item(self, item: ArticleRecord) -> ArticleRecord | Coroutine[Any, Any, ArticleRecord]:
        """Store the item; count new / updated / unchanged; raise DuplicateItem for a stored twin.

        Batched, the result is a coroutine (Scrapy awaits it) that ends once the item's batch is written.
        While the database is away the write is retried (the crawl waits) for ``STORE_RETRY_SECONDS``;
        after that the article waits in ``unwritten`` and is written as soon as a write succeeds again,
        or at close (``close_spider``), so no article is silently lost.
        """
        if self.batcher is None:
            return self._process_inline(item)
        return self._process_batched(self.batcher, item)

    async def _process_batched(self, batcher: WriteBatcher[ArticleRecord], item: ArticleRecord) -> ArticleRecord:
        written = await maybe_deferred_to_future(batcher.add(item))
        self.stats.set_value("store/batches", batcher.batches)
        if isinstance(written, Unwritten):
            self._keep_unwritten(item)
        else:
            self._account(item, written)
            if self.unwritten:
                # Under the batch lock: on the reactor thread, while no batch is being written.
                await maybe_deferred_to_future(batcher.lock.run(lambda: defer.succeed(self._write_unwritten())))
        return item

    def _process_inline(self, item: ArticleRecord) -> ArticleRecord:
        try:
            self.recorder.retry.run(lambda: self._store(item), item.url)
        except DatabaseUnavailable:
            self._keep_unwritten(item)
            return item
        if self.unwritten:
            self._write_unwritten()
        return item

    def _keep_unwritten(self, item: ArticleRecord) -> None:
        self.unwritten.append(item)
        logger.warning("database unavailable: %s kept for later (%d waiting)", item.url, len(self.unwritten))

    # --- writing (in the batch thread, the writer process, or inline) --------------------

    def _writer(self) -> ArticleWriter:
        """The in-process writer: this pipeline's index, the recorder's engine and retry window."""
        return ArticleWriter(self.articles, self.recorder.engine, self.recorder.site, self.recorder.retry)

    def _store_in(self, repository: ArticleRepository, item: ArticleRecord, now: datetime) -> Stored:
        """Store one item in the caller's transaction; the index updated. Raises DuplicateItem."""
        try:
            return self._writer().store_in(repository, item, self.recorder.run_id, now)
        except Duplicate as exc:
            raise DuplicateItem(str(exc)) from None

    def _store(self, item: ArticleRecord) -> str:
        """One transaction: the duplicate checks and the upsert; the outcome counted. Raises DuplicateItem."""
        if self.remote is not None:
            try:
                stored = self.remote.write_one(item, self.recorder.run_id)
            except Duplicate as exc:
                raise DuplicateItem(str(exc)) from None
        else:
            now = datetime.now(UTC)
            with session_scope(self.recorder.engine) as session:
                stored = self._store_in(ArticleRepository(session), item, now)
        self._account(item, stored)
        return stored.outcome.outcome

    def _write_batch(self, items: list[ArticleRecord]) -> list[Any]:
        """In the batch thread: the items in one transaction; per item a Stored, a DuplicateItem or Unwritten."""
        if self.remote is not None:
            results = self.remote.write_batch(items, self.recorder.run_id)
        else:
            results = self._writer().write_batch(items, self.recorder.run_id)
        # The writer is Scrapy-free (it may run in the writer process): its Duplicate is Scrapy's drop here.
        return [DuplicateItem(str(r)) if isinstance(r, Duplicate) else r for r in results]

    # --- accounting (reactor thread) ------------------------------------------------------

    def _account(self, item: ArticleRecord, stored: Stored) -> None:
        """Count a committed outcome: new / updated / unchanged, links, evictions, a replaced row's event."""
        outcome = stored.outcome
        self._count_evictions(stored.evicted)
        self.stats.inc_value(f"articles/{outcome.outcome}")
        if outcome.copies:
            self.stats.inc_value("syndication/linked", len(outcome.copies))
        if outcome.replaced_url:
            # The displaced URL was counted when stored; its story now lives on under this earlier copy
            # (its ``replaced`` event was written with the article).
            self.stats.inc_value("articles/replaced")

    def _write_unwritten(self) -> None:
        """Write the articles kept aside during an outage, oldest first, until the database fails again."""
        while self.unwritten:
            item = self.unwritten[0]
            try:
                self.recorder.retry.run(lambda item=item: self._store(item), item.url)
            except DatabaseUnavailable:
                return
            except DuplicateItem as exc:
                self.recorder.record_drop(item.url, "duplicate", str(exc))
            except Exception as exc:  # noqa: BLE001 - any other failure loses this article, counted
                self.recorder.record_lost(item.url, "pipeline_error", describe(exc))
            self.unwritten.pop(0)

    def close_spider(self) -> Coroutine[Any, Any, None] | None:
        """Write what waited; what the database still does not take is counted ``unwritten``, by URL."""
        if self.batcher is not None:
            return self._drain_and_close(self.batcher)
        self._close_unwritten()
        return None

    async def _drain_and_close(self, batcher: WriteBatcher[ArticleRecord]) -> None:
        await maybe_deferred_to_future(batcher.drain())
        try:
            self._close_unwritten()
        finally:
            if self.remote is not None:
                self.remote.close()

    def _close_unwritten(self) -> None:
        if not self.unwritten:
            return
        logger.warning("closing: writing %d articles kept aside during a database outage", len(self.unwritten))
        self.recorder.retry.new_window()
        if self.remote is not None:
            self.remote.new_window()
        self._write_unwritten()
        window = self.crawler.settings.getfloat("STORE_RETRY_SECONDS")
        last_error = self.remote.last_error if self.remote is not None else self.recorder.retry.last_error
        for item in self.unwritten:
            reason = f"database unavailable for {window:.0f}s (STORE_RETRY_SECONDS): {last_error}"
            self.recorder.record_lost(item.url, "unwritten", reason)
        self.unwritten.clear()
