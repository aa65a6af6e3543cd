"""ArticleStore: the store step shared by a crawl (StorePipeline) and ``crawler reparse``.

One call stores one normalized record in the caller's transaction:

- a new URL whose body repeats (exactly or nearly) a stored article of the same site is a
  duplicate, except when it was published earlier: then it takes the stored row's place (the
  site keeps its earliest-published copy; the row, its versions and links stay), and the URL it
  displaced is reported as ``replaced``;
- a new URL whose body nearly matches an article of another site is stored and linked to it in
  ``syndicated_copies`` (``SYNDICATION_THRESHOLD``);
- everything else goes to ``ArticleRepository.upsert`` (new, updated, unchanged, duplicate).

The near-duplicate index holds the recently seen bodies of every site (of this site only when
syndication is off), bounded by the window and ``NEAR_DUPLICATE_MAX_ENTRIES``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from crawler.dedupe import NearDuplicate, NearDuplicateIndex
from storage.models import Article
from storage.records import ArticleRecord
from storage.repository import ArticleRepository, UpsertResult
from storage.syndication import SyndicationRepository

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class StoreConfig:
    """The store's thresholds and bounds (``NEAR_DUPLICATE_*``, ``SYNDICATION_THRESHOLD``)."""

    near_threshold: float = 0.9
    syndication_threshold: float = 0.7
    window_days: float = 30
    max_entries: int | None = 5000

    @classmethod
    def from_settings(cls, settings: Any) -> StoreConfig:
        """From Scrapy settings (anything with ``getfloat`` / ``getint``)."""
        return cls(
            near_threshold=settings.getfloat("NEAR_DUPLICATE_THRESHOLD"),
            syndication_threshold=settings.getfloat("SYNDICATION_THRESHOLD"),
            window_days=settings.getfloat("NEAR_DUPLICATE_WINDOW_DAYS"),
            max_entries=settings.getint("NEAR_DUPLICATE_MAX_ENTRIES") or None,
        )


@dataclass
class StoreOutcome:
    """What storing one record did: the upsert's result, and what else happened around it."""

    result: UpsertResult
    duplicate_reason: str = ""
    """For ``duplicate``: the message naming the stored twin."""
    replaced_url: str | None = None
    """The stored URL an earlier-published copy replaced (it is now a duplicate of this record)."""
    copies: list[tuple[int, float]] = field(default_factory=list)
    """(article id, similarity) of the other sites' articles this one was linked to."""

    @property
    def outcome(self) -> str:
        return self.result.outcome


def published_earlier(record: ArticleRecord, stored: Article) -> bool:
    """True when both dates are known and the record's is earlier (an unknown date never displaces)."""
    return record.published_at is not None and stored.published_at is not None and (
        record.published_at < stored.published_at
    )


class ArticleStore:
    """Stores records of any site through one near-duplicate index (see the module docstring)."""

    def __init__(self, config: StoreConfig) -> None:
        self.config = config
        self.window = timedelta(days=config.window_days)
        thresholds = [t for t in (config.near_threshold, config.syndication_threshold) if t > 0]
        self.near: NearDuplicateIndex | None = None
        if thresholds:
            self.near = NearDuplicateIndex(
                max(thresholds) if config.near_threshold <= 0 else config.near_threshold,
                self.window,
                config.max_entries,
                lowest_threshold=min(thresholds),
            )
        self.indexed_up_to = 0  # highest article id the index has looked at
        self._caught_up_in: object | None = None  # the transaction whose catch-up was done, under the site's lock

    @property
    def every_site(self) -> bool:
        """The index holds every site's bodies (needed to find copies on other sites)."""
        return self.config.syndication_threshold > 0

    def index_bodies(self, repository: ArticleRepository, site: str, now: datetime | None = None,
                     catch_up: bool = False) -> int:
        """Index the articles stored since the index last looked and seen within the window; the evictions.

        ``catch_up``: a look between two stores, for what other crawls stored meanwhile.  Their
        rows were seen just now, so all are in the window: one query past the highest id read.
        """
        if self.near is None:
            return 0
        now = now or datetime.now(UTC)
        before = self.near.evicted
        self.near.expire(now)
        scope = None if self.every_site else site
        # Read first: rows stored while the bodies stream are looked at next time, none is skipped.
        newest_id = 0 if catch_up else repository.newest_article_id(scope)
        rows = repository.bodies(scope, now - self.window, self.indexed_up_to, newest=self.config.max_entries)
        for article_id, url, body, seen_at, row_site in rows:
            self.near.add(url, body, seen_at, row_site)
            self.indexed_up_to = max(self.indexed_up_to, article_id)
        # Rows outside the window are never indexed later either: do not read them again.
        self.indexed_up_to = max(self.indexed_up_to, newest_id)
        return self.near.evicted - before

    def store(self, repository: ArticleRepository, item: ArticleRecord, run_id: int | None, now: datetime
              ) -> StoreOutcome:
        """Store one normalized record of ``item.site`` in the caller's transaction (see the module docstring)."""
        site = item.site or ""
        url = item.canonical_url or item.url
        copies: list[tuple[Article, float]] = []
        checked_new = False
        if self.near is not None and item.body_text and repository.by_canonical_url(url) is None:
            repository.lock_new_articles(site)
            transaction = repository.session.get_transaction()
            if transaction is None or transaction is not self._caught_up_in:
                # What other crawls stored meanwhile; once per transaction, as the site's lock then holds
                # until the commit (an article of a batch would else read back the batch's earlier ones).
                self.index_bodies(repository, site, now, catch_up=True)
                self._caught_up_in = transaction
            exact = repository.by_content_hash(item.content_hash or "", site)
            # Under the site's lock, neither lookup can change before the upsert: it need not repeat them.
            checked_new = exact is None
            near, near_row = (None, None) if exact else self._stored_near(repository, url, item.body_text, site)
            twin = exact or near_row
            if twin is not None and published_earlier(item, twin):
                result = repository.replace_with_earlier(twin, item, run_id, now)
                return StoreOutcome(result, replaced_url=result.replaced_url)
            if twin is not None and exact is None and near is not None:
                reason = f"near-duplicate: {item.url} repeats {near.url} (similarity {near.similarity:.2f})"
                return StoreOutcome(UpsertResult("duplicate", twin.id, duplicate_of=near.url), reason)
            if self.config.syndication_threshold > 0 and twin is None:
                for match in self.near.find_copies(url, item.body_text, site, self.config.syndication_threshold):
                    other = repository.by_canonical_url(match.url)
                    if other is not None and other.site != site:
                        copies.append((other, match.similarity))
        result = repository.upsert(item, run_id, now, checked_new=checked_new)
        if result.outcome == "duplicate":
            return StoreOutcome(result, f"duplicate: {item.url} has the same body as stored {result.duplicate_of}")
        outcome = StoreOutcome(result)
        if result.outcome == "new" and copies:
            stored = repository.session.get(Article, result.article_id)
            assert stored is not None
            links = SyndicationRepository(repository.session)
            for other, similarity in copies:
                links.link(stored, other, similarity, now)
                outcome.copies.append((other.id, similarity))
        return outcome

    def _stored_near(self, repository: ArticleRepository, url: str, body: str, site: str
                     ) -> tuple[NearDuplicate | None, Article | None]:
        """The most similar indexed body whose row is stored under its URL, and that row.

        An entry may name no row: one learned in a transaction that rolled back, or one a
        replacement renamed in the open transaction; the next match is then the twin.
        """
        if self.config.near_threshold <= 0 or self.near is None:
            return None, None
        for match in self.near.find_all(url, body, site=site):
            row = repository.by_canonical_url(match.url)
            if row is not None:
                return match, row
        return None, None

    def learned(self, item: ArticleRecord, outcome: StoreOutcome, now: datetime) -> None:
        """Index the body ``store`` just wrote, inside its transaction: the batch's next articles see it.

        Only adds: a stale entry is harmless (``_stored_near``), a lost one is not; what a
        replacement displaced is forgotten by ``forget_displaced`` once the transaction committed.
        """
        if self.near is not None and item.body_text and outcome.outcome in ("new", "updated"):
            self.near.add(item.canonical_url or item.url, item.body_text, now, item.site or "")

    def forget_displaced(self, outcome: StoreOutcome) -> None:
        """Once the transaction committed: forget the URL a replacement displaced (its row holds another now).

        Never before: were the transaction rolled back, the row would still hold that URL, and an
        index without it would let the earlier copy be stored a second time.
        """
        if self.near is not None and outcome.replaced_url:
            self.near.discard(outcome.replaced_url)

    def committed(self, item: ArticleRecord, outcome: StoreOutcome, now: datetime) -> None:
        """Bring the index up to date once the transaction of ``store`` committed."""
        self.forget_displaced(outcome)
        self.learned(item, outcome, now)
