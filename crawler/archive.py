"""PageArchiveMiddleware: keep every fetched article page as a WARC record, indexed in ``archived_pages``.

A spider middleware, so it sees each response with what its callback made of it: a page is an
article page when its callback is ``parse_article`` (the site spiders) or when the callback
yields an ArticleRecord (the ``auto`` spider decides per page).  Pages that fail to parse or
validate are kept too: a parser fix is what they wait for (``crawler reparse``).  Only 2xx responses
are kept (a redirect or an error page has no article).

The WARC files live under ``ARCHIVE_DIR`` (default: ``archive/`` next to a SQLite database, else
``./archive``); ``ARCHIVE_ENABLED = False`` turns archiving off.  When the crawl closes, retention
(``ARCHIVE_RETENTION_DAYS``, ``ARCHIVE_MAX_BYTES``) deletes old files and their index rows.
Index rows are written in batches (``INDEX_BATCH_ROWS`` or ``INDEX_BATCH_SECONDS``, and at close); an
index row the database does not take waits and is retried; the WARC record is kept either way.
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator, Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response
from scrapy.settings import BaseSettings

from crawler.extensions import CrawlRunRecorder
from crawler.items import ArticleRecord
from crawler.retry import DatabaseUnavailable, describe
from storage.archive import ArchiveIndexRepository, RecordRef, WarcFileWriter, prune
from storage.db import database_url, session_scope

logger = logging.getLogger(__name__)

ARTICLE_CALLBACKS = frozenset({"parse_article"})
"""Spider callbacks whose every response is an article page."""
INDEX_BATCH_ROWS = 50
INDEX_BATCH_SECONDS = 2.0
"""Index rows are written when this many wait or this long after the last write, and at close."""
ARCHIVED_KEY = "archived_record"
"""Response meta flag: this response is written already (one record per response)."""


def archive_dir(setting: str | None, db_url: str | None = None) -> Path:
    """The archive directory: ``setting`` when given, else ``archive/`` beside a SQLite file, else ``./archive``."""
    if setting:
        return Path(setting).expanduser()
    from sqlalchemy.engine import make_url

    try:
        url = make_url(database_url(db_url))
    except Exception:  # noqa: BLE001 - an unparsable URL fails elsewhere with its own message
        return Path("archive")
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        return Path(url.database).expanduser().resolve().parent / "archive"
    return Path("archive")


def archive_dir_for(settings: BaseSettings) -> Path:
    """The archive directory of a crawl with these settings."""
    return archive_dir(settings.get("ARCHIVE_DIR"), settings.get("DATABASE_URL"))


class PageArchiveMiddleware:
    """Writes article pages to WARC files and their index rows (see the module docstring)."""

    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        if not settings.getbool("ARCHIVE_ENABLED"):
            raise NotConfigured("ARCHIVE_ENABLED is off")
        self.crawler = crawler
        self.stats = crawler.stats
        self.directory = archive_dir_for(settings)
        self.max_file_bytes = settings.getint("ARCHIVE_FILE_MAX_BYTES")
        self.retention_days = settings.getfloat("ARCHIVE_RETENTION_DAYS")
        self.max_bytes = settings.getint("ARCHIVE_MAX_BYTES")
        self.writer: WarcFileWriter | None = None
        self.recorder: CrawlRunRecorder | None = None
        self.pending: list[tuple[str, datetime, RecordRef, int]] = []  # index rows not written yet
        self.indexed_at = time.monotonic()  # when index rows were last written
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> PageArchiveMiddleware:
        return cls(crawler)

    # --- which responses -------------------------------------------------------------

    @staticmethod
    def _article_callback(response: Response) -> bool:
        callback = getattr(response.request, "callback", None) if response.request is not None else None
        return getattr(callback, "__name__", "") in ARTICLE_CALLBACKS

    def process_spider_output(self, response: Response, result: Iterable[Any]) -> Iterable[Any]:
        """Pass the callback's output through; archive the response first when it is an article page."""
        if self._article_callback(response):
            self.archive(response)
        for item in result:
            if isinstance(item, ArticleRecord):
                self.archive(response)
            yield item

    async def process_spider_output_async(self, response: Response, result: AsyncIterator[Any]) -> AsyncIterator[Any]:
        """The same for asynchronous callbacks."""
        if self._article_callback(response):
            self.archive(response)
        async for item in result:
            if isinstance(item, ArticleRecord):
                self.archive(response)
            yield item

    # --- writing ---------------------------------------------------------------------

    def archive(self, response: Response) -> None:
        """Write ``response`` once as a WARC record and index it; a failure is logged and counted, never raised."""
        if not 200 <= response.status < 300 or response.request is None or response.meta.get(ARCHIVED_KEY):
            return
        response.meta[ARCHIVED_KEY] = True
        if self.recorder is None:
            self.recorder = self.crawler.get_extension(CrawlRunRecorder)
            if self.recorder is None:  # a crawl that stores nothing (a sample): nothing to index pages into
                return
        run_id, site = self.recorder.run_id, self.recorder.site
        now = datetime.now(UTC)
        try:
            if self.writer is None:
                self.writer = WarcFileWriter(self.directory, site, run_id, now, self.max_file_bytes)
            headers = [(k.decode("latin-1"), v.decode("latin-1"))
                       for k, values in response.headers.items() for v in values]
            extra = {"WARC-Crawler-Site": site, "WARC-Crawler-Run": str(run_id or "")}
            ref = self.writer.write_response(response.url, response.status, headers, response.body, now, extra)
        except OSError as exc:
            self.stats.inc_value("archive/write_failed")
            logger.error("archive: %s not written to %s: %s", response.url, self.directory, exc)
            return
        self.stats.inc_value("archive/pages")
        self.stats.inc_value("archive/bytes", ref.length)
        self.pending.append((response.url, now, ref, response.status))
        # Index rows go in batches: one transaction per page would take the database's write lock
        # (SQLite's only one) once per page, against the store's batches.
        if len(self.pending) >= INDEX_BATCH_ROWS or time.monotonic() - self.indexed_at >= INDEX_BATCH_SECONDS:
            self._index(site, run_id)

    def _index(self, site: str, run_id: int | None, wait: bool = False) -> bool:
        """Write the waiting index rows: one try (``wait``: through the crawl's database retry); True when done."""
        batch = list(self.pending)
        if not batch:
            return True

        recorder = self.recorder
        assert recorder is not None, "index rows come after the first archived page"

        def write() -> None:
            with session_scope(recorder.engine) as session:
                index = ArchiveIndexRepository(session)
                for url, at, ref, status in batch:
                    index.add(site, url, at, ref, status, run_id)

        try:
            if wait:
                recorder.retry.run(write, f"{len(batch)} archive index rows")
            else:
                write()
        except (DatabaseUnavailable, Exception) as exc:  # noqa: BLE001 - the crawl goes on; rows wait
            logger.debug("archive index: %d rows wait (%s)", len(batch), describe(exc))
            return False
        del self.pending[: len(batch)]
        self.indexed_at = time.monotonic()
        return True

    def spider_closed(self, spider: Spider, reason: str) -> None:
        """Close the file, write what waited, then apply retention."""
        if self.writer is not None:
            self.writer.close()
        if self.recorder is None or self.recorder.run_id is None:
            return
        if not self._index(self.recorder.site, self.recorder.run_id, wait=True):
            self.stats.inc_value("archive/unindexed", len(self.pending))
            logger.error(
                "archive: %d index rows not written (database unavailable); the records are in %s",
                len(self.pending), ", ".join(self.writer.files) if self.writer else self.directory,
            )
        if not (self.retention_days > 0 or self.max_bytes > 0):
            return
        keep = frozenset([self.writer.current] if self.writer and self.writer.current else [])
        try:
            with session_scope(self.recorder.engine) as session:
                removed = prune(session, self.directory, datetime.now(UTC), self.retention_days, self.max_bytes, keep)
        except Exception as exc:  # noqa: BLE001 - retention is retried at the next crawl's close
            logger.warning("archive retention skipped: %s", describe(exc))
            return
        self.stats.inc_value("archive/files_removed", removed.files)
