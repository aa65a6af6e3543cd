"""ArticleWriter: the store's writes, free of Scrapy's crawler, for StorePipeline and its writer process.

StorePipeline runs these writes in its batch thread (``STORE_WRITER = "thread"``) or hands them to
a child process that owns an ``ArticleWriter`` of its own (``"process"``, crawler/store_process.py).
Either way the rules are the same: one batch per transaction under the site's lock; a duplicate
writes nothing and the batch goes on; a batch that one article breaks is written article by article;
an outage longer than the retry window gives ``Unwritten`` for each article, which the pipeline
keeps aside.

Per article a write gives a ``Stored``, a ``Duplicate``, an ``Unwritten`` or the exception
that lost it.  Nothing here imports Scrapy (the writer process runs without it): the pipeline
turns a ``Duplicate`` into Scrapy's ``DuplicateItem``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine

from crawler.retry import DatabaseRetry, DatabaseUnavailable, describe
from crawler.store import ArticleStore, StoreOutcome
from storage.db import session_scope
from storage.records import ArticleRecord
from storage.repository import ArticleRepository, CrawlRunRepository

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Stored:
    """One article's committed outcome, and how many index entries storing it evicted."""

    outcome: StoreOutcome
    evicted: int = 0


@dataclass(frozen=True)
class Unwritten:
    """The database stayed away past the retry window: the article waits in the pipeline's ``unwritten``."""

    reason: str = ""


class Duplicate(Exception):  # noqa: N818 - an outcome, raised and returned like Scrapy's DropItem
    """The store holds this article already (same body, or nearly, under another URL): nothing written."""


class StoreWriteError(Exception):
    """An article's write failed for a reason other than an outage (raised in a writer process, named here)."""


class ArticleWriter:
    """Writes records of ``site`` through ``articles`` (the near-duplicate index) into ``engine``."""

    def __init__(self, articles: ArticleStore, engine: Engine, site: str, retry: DatabaseRetry) -> None:
        self.articles = articles
        self.engine = engine
        self.site = site
        self.retry = retry

    def index_bodies(self) -> int:
        """Index the recently seen bodies (at the start of a crawl); the evictions."""
        if self.articles.near is None:
            return 0
        with session_scope(self.engine) as session:
            return self.articles.index_bodies(ArticleRepository(session), self.site)

    def store_in(self, repository: ArticleRepository, item: ArticleRecord, run_id: int | None, now: datetime
                 ) -> Stored:
        """Store one item in the caller's transaction; the index updated. Raises Duplicate."""
        item.site = item.site or self.site
        near = self.articles.near
        evicted = near.evicted if near is not None else 0
        outcome = self.articles.store(repository, item, run_id, now)
        if outcome.outcome == "duplicate":
            raise Duplicate(outcome.duplicate_reason)
        if outcome.replaced_url and run_id is not None:
            # In the article's own transaction: a crawl killed right after the commit still has the event.
            CrawlRunRepository(repository.session).add_event(
                run_id, outcome.replaced_url, "replaced", f"replaced by earlier-published copy {item.url}", now
            )
        self.articles.learned(item, outcome, now)
        return Stored(outcome, (near.evicted - evicted) if near is not None else 0)

    def write_batch(self, items: list[ArticleRecord], run_id: int | None) -> list[Any]:
        """The items in one transaction; per item a Stored, a Duplicate or Unwritten.

        The index learns each article as it is stored, before the commit, so the next article of
        the batch is checked against it; after a rollback an entry may name a row that is not
        there, which the store skips (``ArticleStore._stored_near``).  What a replacement displaced
        is forgotten only once the batch committed.
        """
        now = datetime.now(UTC)

        def write_all() -> list[Any]:
            results: list[Any] = []
            with session_scope(self.engine) as session:
                repository = ArticleRepository(session)
                # First, as every single write takes it before any row lock: two crawls of the site
                # writing batches at once then queue instead of deadlocking (PostgreSQL; SQLite: no-op).
                repository.lock_new_articles(self.site)
                for item in items:
                    try:  # a duplicate writes nothing: the batch goes on
                        results.append(self.store_in(repository, item, run_id, now))
                    except Duplicate as exc:
                        results.append(exc)
            return results

        try:
            results = self.retry.run(write_all, f"a batch of {len(items)} articles")
        except DatabaseUnavailable:
            return [Unwritten(self.retry.last_error) for _ in items]
        except Exception as exc:  # noqa: BLE001 - one article broke the batch: each is written alone
            logger.warning("a batch of %d articles failed (%s); writing each alone", len(items), describe(exc))
            return [self.write_alone(item, run_id) for item in items]
        self._forget_displaced(results)
        return results

    def write_alone(self, item: ArticleRecord, run_id: int | None) -> Any:
        """The item in a transaction of its own: a Stored, a Duplicate, Unwritten or the exception."""
        now = datetime.now(UTC)

        def write() -> Stored:
            with session_scope(self.engine) as session:
                return self.store_in(ArticleRepository(session), item, run_id, now)

        try:
            stored = self.retry.run(write, item.url)
        except DatabaseUnavailable:
            return Unwritten(self.retry.last_error)
        except Exception as exc:  # noqa: BLE001 - handed to the pipeline as this item's failure (counted lost)
            return exc
        self._forget_displaced([stored])
        return stored

    def _forget_displaced(self, results: list[Any]) -> None:
        for result in results:
            if isinstance(result, Stored):
                self.articles.forget_displaced(result.outcome)
