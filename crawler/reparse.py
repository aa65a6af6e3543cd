"""Re-extract archived pages after a parser fix, without a single request (``crawler reparse``).

For each URL in the archive index (of a site, fetched since a date) the newest capture is read
from its WARC file and goes the way a crawled page goes: the parser the spider would pick for
the site (``crawler.parsers.parse_article`` with the site key), validation, normalization, then
the store step of the crawl (``crawler.store.ArticleStore``), so changed fields, versions,
duplicates and syndicated copies come out as in a crawl.  What it writes is dated at the
capture's fetch time: the content is as of then.  Versions it adds have no run (``run_id`` NULL).
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy.engine import Engine

from crawler.normalize import normalize_record, validation_problem
from crawler.parsers import parse_article
from crawler.parsers.text import decode_html
from crawler.sites import SITES
from crawler.store import ArticleStore, StoreConfig
from storage.archive import ArchiveIndexRepository, read_response
from storage.db import session_scope
from storage.models import ArchivedPage
from storage.records import ArticleRecord
from storage.repository import ArticleRepository

logger = logging.getLogger(__name__)

OUTCOMES = ("new", "updated", "unchanged", "duplicate", "dropped", "failed")


@dataclass
class ReparseSummary:
    """What a reparse did: pages read, outcome counts, and each failed or dropped page with its reason."""

    total: int = 0
    pages: int = 0
    counts: Counter[str] = field(default_factory=Counter)
    problems: list[tuple[str, str, str]] = field(default_factory=list)
    """(outcome, URL, reason) of every ``dropped``, ``duplicate`` and ``failed`` page."""
    changed_fields: Counter[str] = field(default_factory=Counter)
    """How many updated articles changed each field."""

    def count(self, outcome: str, url: str = "", reason: str = "") -> None:
        self.counts[outcome] += 1
        if reason:
            self.problems.append((outcome, url, reason))


Progress = Callable[[ReparseSummary], None]


def parser_site(site: str) -> str | None:
    """The site key the spiders hand to ``parse_article``: the key when it has a profile, else None (by host)."""
    return site if site in SITES else None


def reparse(
    engine: Engine,
    archive_dir: Path,
    config: StoreConfig,
    min_title: int,
    min_body: int,
    site: str | None = None,
    since: datetime | None = None,
    progress: Progress | None = None,
) -> ReparseSummary:
    """Re-extract the newest capture of every archived URL (of ``site``, fetched since ``since``)."""
    with session_scope(engine) as session:
        rows = ArchiveIndexRepository(session).latest_pages(site, since)
    summary = ReparseSummary(total=len(rows))
    stores: dict[str, ArticleStore] = {}
    for row in rows:
        summary.pages += 1
        record, problem = _extract(archive_dir, row)
        if record is None:
            summary.count("failed", row.url, problem)
        elif (problem := validation_problem(record, min_title, min_body)) is not None:
            summary.count("dropped", row.url, problem)
        else:
            _store(engine, stores, config, normalize_record(record), row, summary)
        if progress is not None:
            progress(summary)
    return summary


def _extract(archive_dir: Path, row: ArchivedPage) -> tuple[ArticleRecord | None, str]:
    """The page's record, or None and why it could not be read or parsed."""
    try:
        response = read_response(archive_dir, row)
    except (OSError, ValueError) as exc:
        return None, f"archive record unreadable ({row.file}@{row.offset}): {exc}"
    html = decode_html(response.body, response.header("Content-Type"))
    try:
        record = parse_article(html, row.url, site=parser_site(row.site))
    except Exception as exc:  # noqa: BLE001 - a parser bug on one page must not end the reparse
        logger.exception("parser failed on %s", row.url)
        return None, f"parse_error: {type(exc).__name__}: {exc}"
    record.site = row.site
    record.http_status = row.status
    record.fetched_at = row.fetched_at
    return record, ""


def _store(
    engine: Engine,
    stores: dict[str, ArticleStore],
    config: StoreConfig,
    record: ArticleRecord,
    row: ArchivedPage,
    summary: ReparseSummary,
) -> None:
    """One transaction per page, as in a crawl; a database error fails the page, not the reparse."""
    store = stores.get(row.site)
    try:
        with session_scope(engine) as session:
            repository = ArticleRepository(session)
            if store is None:
                store = stores[row.site] = ArticleStore(config)
            outcome = store.store(repository, record, None, row.fetched_at)
    except Exception as exc:  # noqa: BLE001 - counted with its reason; the next page may succeed
        logger.warning("reparse: %s not stored: %s", row.url, exc)
        summary.count("failed", row.url, f"not stored: {type(exc).__name__}: {exc}")
        return
    store.committed(record, outcome, row.fetched_at)
    if outcome.outcome == "duplicate":
        summary.count("duplicate", row.url, outcome.duplicate_reason)
        return
    summary.count(outcome.outcome)
    summary.changed_fields.update(outcome.result.changed_fields)
    if outcome.replaced_url:
        summary.problems.append(("replaced", outcome.replaced_url, f"replaced by earlier-published copy {row.url}"))
