"""Item pipelines, in the order of ITEM_PIPELINES: validate -> normalize -> dedupe -> store.

Each is an ordinary Scrapy item pipeline over ArticleRecord items.  A page that is
not an article is dropped with ``DropItem`` (URL and reason logged, counted and
kept in ``crawl_events`` by the run recorder); duplicates raise ``DuplicateItem``.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from crawler.dedupe import NearDuplicateIndex
from crawler.exceptions import DuplicateItem
from crawler.extensions import CrawlRunRecorder
from crawler.items import COVERAGE_FIELDS, ArticleRecord
from crawler.normalize import normalize_record, validation_problem
from crawler.retry import DatabaseUnavailable, describe
from crawler.store import ArticleStore, StoreConfig
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
    """Upsert each article by canonical URL, one transaction per article (the rules: crawler/store.py).

    A new URL whose body repeats a stored article of the site is a duplicate (unless published
    earlier: it then takes the stored row's place); one that nearly matches another site's article
    is stored and linked to it as a syndicated copy.  The checks and the insert share one
    transaction, under a per-site lock, so two crawls writing at once cannot both store the pair.
    """

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.articles = ArticleStore(StoreConfig.from_settings(crawler.settings))
        self.unwritten: list[ArticleRecord] = []  # articles the database did not take yet (outage)

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
        if self.near is not None:
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

    def process_item(self, item: ArticleRecord) -> ArticleRecord:
        """Store the item; count new / updated / unchanged; raise DuplicateItem for a stored twin.

        While the database is away the write is retried (the crawl waits) for ``STORE_RETRY_SECONDS``;
        after that the article waits in ``unwritten`` and is written as soon as a write succeeds again,
        or at close (``close_spider``), so no article is silently lost.
        """
        try:
            self.recorder.retry.run(lambda: self._store(item), item.url)
        except DatabaseUnavailable:
            self.unwritten.append(item)
            logger.warning("database unavailable: %s kept for later (%d waiting)", item.url, len(self.unwritten))
            return item
        if self.unwritten:
            self._write_unwritten()
        return item

    def _store(self, item: ArticleRecord) -> str:
        """One transaction: the duplicate checks and the upsert; the outcome counted. Raises DuplicateItem."""
        now = datetime.now(UTC)
        item.site = item.site or self.recorder.site
        evicted = self.near.evicted if self.near is not None else 0
        with session_scope(self.recorder.engine) as session:
            outcome = self.articles.store(ArticleRepository(session), item, self.recorder.run_id, now)
        if outcome.outcome == "duplicate":
            raise DuplicateItem(outcome.duplicate_reason)
        self.articles.committed(item, outcome, now)
        if self.near is not None:
            self._count_evictions(self.near.evicted - evicted)
        self.stats.inc_value(f"articles/{outcome.outcome}")
        if outcome.copies:
            self.stats.inc_value("syndication/linked", len(outcome.copies))
        if outcome.replaced_url:
            # The displaced URL was counted when stored; its story now lives on under this earlier copy.
            self.stats.inc_value("articles/replaced")
            record_event = getattr(self.recorder, "record_event", None)
            if record_event is not None:
                record_event(outcome.replaced_url, "replaced", f"replaced by earlier-published copy {item.url}")
        return outcome.outcome

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

    def close_spider(self) -> None:
        """Write what waited; what the database still does not take is counted ``unwritten``, by URL."""
        if not self.unwritten:
            return
        logger.warning("closing: writing %d articles kept aside during a database outage", len(self.unwritten))
        self.recorder.retry.new_window()
        self._write_unwritten()
        window = self.crawler.settings.getfloat("STORE_RETRY_SECONDS")
        for item in self.unwritten:
            reason = f"database unavailable for {window:.0f}s (STORE_RETRY_SECONDS): {self.recorder.retry.last_error}"
            self.recorder.record_lost(item.url, "unwritten", reason)
        self.unwritten.clear()
