"""Run one crawl in this process with a live progress line, and read back its crawl_runs row.

Twisted's reactor cannot restart, so one process runs one crawl: the CLI calls
``run_crawl`` once; the scheduler starts ``crawler crawl`` in a child process.
"""

from __future__ import annotations

import logging
import os
import sys
import time
from dataclasses import dataclass, field
from typing import Any

from rich.console import Console

from crawler.args import is_loopback


class CrawlSetupError(Exception):
    """The crawl could not start: unknown spider, bad argument. The message says what to do."""


OUTCOME_ARTICLE_COUNTS: tuple[str, ...] = (
    "new", "updated", "unchanged", "duplicate", "dropped", "skipped", "not_modified", "removed",
)
"""The ``crawl_runs.articles_*`` counts a crawl summary shows, in order."""
ARTICLE_COUNT_LABELS = {
    "skipped": "skipped (known, not re-checked)",
    "not_modified": "not modified (304)",
    "removed": "removed (404/410)",
}


@dataclass
class CrawlOutcome:
    """What a finished crawl reports: its run row's figures."""

    run_id: int | None
    status: str
    finish_reason: str | None
    pages_fetched: int = 0
    articles: dict[str, int] = field(default_factory=dict)
    errors: int = 0
    errors_by_kind: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0
    articles_lost: int = 0
    failed_checks: list[str] = field(default_factory=list)
    """``check: detail`` of each health check the run failed."""
    unwritten_file: str | None = None
    """The JSON file listing what the database did not get (it was away at close)."""
    recorded: bool = True
    """False when the run row could not be updated (the database was away at close)."""
    worker_share: bool = False
    """Distributed mode: these are this worker's figures only; the run goes on in other workers."""
    worker_pages: int | None = None
    """Distributed mode: the pages this worker fetched itself."""


def project_settings(db_url: str | None, overrides: dict[str, str]) -> Any:
    """The project's settings with ``--db`` and ``-s`` overrides applied."""
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "crawler.settings")
    from scrapy.utils.project import get_project_settings

    settings = get_project_settings()
    if db_url:
        settings.set("DATABASE_URL", db_url, priority="cmdline")
    for key, value in overrides.items():
        settings.set(key, value, priority="cmdline")
    return settings


def run_crawl(
    spider_name: str,
    db_url: str | None = None,
    spider_args: dict[str, str] | None = None,
    overrides: dict[str, str] | None = None,
    console: Console | None = None,
) -> CrawlOutcome:
    """Crawl with ``spider_name`` in this process, showing progress on stderr; return the run's figures."""
    from scrapy import signals
    from scrapy.crawler import CrawlerProcess
    from twisted.internet import task

    from crawler.extensions import CrawlRunRecorder

    spider_args = dict(spider_args or {})
    overrides = dict(overrides or {})
    console = console or Console(stderr=True)
    base_url = spider_args.get("base_url") or spider_args.get("start_url", "")  # the auto spider starts from start_url
    if base_url and is_loopback(base_url) and "AUTOTHROTTLE_ENABLED" not in overrides:
        overrides["AUTOTHROTTLE_ENABLED"] = "False"  # politeness delays are pointless on 127.0.0.1
    check_overrides(overrides)
    settings = project_settings(db_url, overrides)
    check_database(settings.get("DATABASE_URL"))
    process = CrawlerProcess(settings)
    # Scrapy logs an unreachable robots.txt with a traceback; the spider reports the same
    # failure as one line per page (network_error), which is what a user needs.
    logging.getLogger("scrapy.downloadermiddlewares.robotstxt").setLevel(logging.CRITICAL)
    try:
        crawler = process.create_crawler(spider_name)
    except KeyError:
        known = ", ".join(sorted(process.spider_loader.list()))
        raise CrawlSetupError(f"unknown spider {spider_name!r}; known spiders: {known} (see `scrapy list`)") from None

    failures: list[BaseException] = []
    started = time.monotonic()

    def show_progress() -> None:
        stats = crawler.stats.get_stats() if crawler.stats else {}
        line = (
            f"[{time.monotonic() - started:5.0f}s] pages {stats.get('response_received_count', 0)}"
            f" | new {stats.get('articles/new', 0)} updated {stats.get('articles/updated', 0)}"
            f" unchanged {stats.get('articles/unchanged', 0)} duplicate {stats.get('articles/duplicate', 0)}"
            f" dropped {stats.get('articles/dropped', 0)} skipped {stats.get('recheck/skipped', 0)}"
            f" not-modified {stats.get('recheck/not_modified', 0)}"
            f" | queued {stats.get('scheduler/enqueued', 0) - stats.get('scheduler/dequeued', 0)}"
        )
        if console.is_terminal:
            console.print(line, end="\r", highlight=False, soft_wrap=True)
        else:
            console.print(line, highlight=False, soft_wrap=True)

    loops: list[task.LoopingCall] = []

    def start_progress() -> None:
        # Built from a signal: LoopingCall imports the reactor, which Scrapy must install first.
        loops.append(task.LoopingCall(show_progress))
        loops[0].start(0.5 if console.is_terminal else 5.0, now=False)

    crawler.signals.connect(start_progress, signal=signals.engine_started)
    deferred = process.crawl(crawler, **spider_args)
    deferred.addErrback(lambda failure: failures.append(failure.value))
    process.start()
    for loop in loops:
        if loop.running:
            loop.stop()
    if console.is_terminal:
        console.print(" " * 100, end="\r")
    if failures:
        error = failures[0]
        raise CrawlSetupError(f"the crawl could not run: {error}") from error

    recorder = crawler.get_extension(CrawlRunRecorder) if crawler.extensions else None
    seconds = time.monotonic() - started
    if recorder is not None and recorder.refused:
        return CrawlOutcome(run_id=None, status="busy", finish_reason=recorder.refused, seconds=seconds)
    if recorder is None or recorder.final is None:
        return read_outcome(settings.get("DATABASE_URL"), recorder.run_id if recorder else None, seconds)
    # What the recorder wrote (or could not write: the database may be away now): no second read needed.
    return outcome_from_figures(recorder.final, recorder.health, seconds)


def outcome_from_figures(final: dict[str, Any], checks: list[Any], seconds: float) -> CrawlOutcome:
    """A CrawlOutcome from the recorder's final figures and its health check results."""
    return CrawlOutcome(
        run_id=final["run_id"],
        status=final["status"],
        finish_reason=final["finish_reason"],
        pages_fetched=final["pages_fetched"],
        articles={name: final.get(f"articles_{name}", 0) for name in OUTCOME_ARTICLE_COUNTS},
        errors=final["errors"],
        errors_by_kind=dict(final["errors_by_kind"]),
        seconds=seconds,
        articles_lost=final["articles_lost"],
        failed_checks=[f"{c.check}: {c.detail}" for c in checks if c.failed],
        unwritten_file=final.get("unwritten_file"),
        recorded=final["recorded"],
        worker_share=bool(final.get("worker_share")),
        worker_pages=final.get("worker_pages"),
    )


def check_overrides(overrides: dict[str, str]) -> None:
    """Refuse a ``-s NAME=VALUE`` whose name no component knows or whose value has the wrong type."""
    from scrapy.settings import default_settings

    from crawler import settings as project

    for name, value in overrides.items():
        if hasattr(project, name):
            default = getattr(project, name)
        elif hasattr(default_settings, name):
            default = getattr(default_settings, name)
        else:
            raise CrawlSetupError(
                f"-s {name}={value}: no such setting (see crawler/settings.py and Scrapy's settings reference); "
                "check the spelling"
            )
        kind = type(default)
        if kind is bool:
            if value.strip().lower() not in ("true", "false", "1", "0"):
                raise CrawlSetupError(f"-s {name}={value}: expected True or False (default {default})")
        elif kind in (int, float):
            try:
                float(value)  # some int defaults (DOWNLOAD_DELAY = 0) take fractions
            except ValueError:
                raise CrawlSetupError(f"-s {name}={value}: expected a number (default {default})") from None


def check_database(db_url: str) -> None:
    """Fail before crawling when the database URL cannot be opened, saying what to pass instead."""
    from sqlalchemy import text
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError

    from crawler.secrets import mask_secrets, mask_url
    from storage.db import make_engine

    try:
        engine = make_engine(db_url)
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
    except (ArgumentError, NoSuchModuleError, OperationalError) as exc:
        reason = mask_secrets(str(exc).strip().splitlines()[0])
        raise CrawlSetupError(
            f"cannot open the database {mask_url(db_url)!r}: {reason}. Pass --db (or set CRAWLER_DATABASE_URL) to a "
            "SQLAlchemy URL such as sqlite:///crawler.db or postgresql://user@127.0.0.1:5432/dbname"
        ) from None


def read_outcome(db_url: str, run_id: int | None, seconds: float) -> CrawlOutcome:
    """The figures of run ``run_id`` from its crawl_runs row."""
    from sqlalchemy import select

    from storage.db import make_engine, session_scope
    from storage.models import HealthCheck
    from storage.repository import CrawlRunRepository

    if run_id is None:
        return CrawlOutcome(run_id=None, status="failed", finish_reason="no run recorded", seconds=seconds)
    engine = make_engine(db_url)
    with session_scope(engine) as session:
        run = CrawlRunRepository(session).get(run_id)
        assert run is not None
        outcome = CrawlOutcome(
            run_id=run.id,
            status=run.status,
            finish_reason=run.finish_reason,
            pages_fetched=run.pages_fetched,
            articles={
                "new": run.articles_new,
                "updated": run.articles_updated,
                "unchanged": run.articles_unchanged,
                "duplicate": run.articles_duplicate,
                "dropped": run.articles_dropped,
                "skipped": run.articles_skipped,
                "not_modified": run.articles_not_modified,
                "removed": run.articles_removed,
            },
            errors=run.errors,
            errors_by_kind=dict(run.errors_by_kind or {}),
            seconds=seconds,
            articles_lost=run.articles_lost or 0,
            failed_checks=[
                f"{check.check}: {check.detail}"
                for check in session.scalars(
                    select(HealthCheck)
                    .where(HealthCheck.run_id == run_id, HealthCheck.status == "fail")
                    .order_by(HealthCheck.id)
                )
            ],
        )
    engine.dispose()
    return outcome


def print_summary(outcome: CrawlOutcome, console: Console | None = None) -> None:
    """The end-of-crawl summary table."""
    from rich.table import Table

    console = console or Console()
    share = " (this worker's share; the run goes on in other workers)" if outcome.worker_share else ""
    table = Table(title=f"Crawl run {outcome.run_id}: {'worker done' if share else outcome.status}{share}")
    table.add_column("figure")
    table.add_column("value", justify="right")
    table.add_row("pages fetched", str(outcome.pages_fetched))
    for name, value in outcome.articles.items():
        table.add_row(f"articles {ARTICLE_COUNT_LABELS.get(name, name)}", str(value))
    table.add_row("articles lost", str(outcome.articles_lost))
    errors = ", ".join(f"{k} {v}" for k, v in sorted(outcome.errors_by_kind.items())) or "none"
    table.add_row("errors", f"{outcome.errors} ({errors})")
    from crawler.guard import GUARD_KINDS

    # Limits hit and traps stopped, by kind (also in crawl_events with URL and reason).
    limits = ", ".join(f"{k} {outcome.errors_by_kind[k]}" for k in GUARD_KINDS if outcome.errors_by_kind.get(k))
    table.add_row("limits and traps", limits or "none")
    table.add_row("seconds", f"{outcome.seconds:.1f}")
    console.print(table)
    if outcome.worker_pages is not None:
        console.print(f"this worker fetched {outcome.worker_pages} pages", highlight=False)
    if outcome.status != "ok":
        console.print(f"run {outcome.run_id} {outcome.status}: {outcome.finish_reason}", highlight=False)
    if outcome.articles_lost:
        where = f" and in {outcome.unwritten_file}" if outcome.unwritten_file else ""
        console.print(
            f"{outcome.articles_lost} articles were not stored; their URLs and reasons are in crawl_events "
            f"(kinds pipeline_error, unwritten){where}",
            highlight=False,
        )
    if not outcome.recorded:
        console.print(
            f"the database was away at the end: run {outcome.run_id} is not recorded there; "
            f"its figures and lost articles are in {outcome.unwritten_file or 'the log'}",
            highlight=False,
        )
    for check in outcome.failed_checks:
        console.print(f"health check failed: {check}", highlight=False)


def exit_code(outcome: CrawlOutcome) -> int:
    """0 for a completed run, 1 for a failed (articles lost included), timed-out, killed or refused one
    (``busy``: another run of the site is going), 130 for an interrupted one."""
    return {"ok": 0, "interrupted": 130}.get(outcome.status, 1)


def parse_pairs(pairs: list[str] | None, flag: str) -> dict[str, str]:
    """``["k=v", ...]`` to a dict; a clear error for an item without ``=``."""
    result: dict[str, str] = {}
    for pair in pairs or []:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            print(f"crawler: {flag} {pair!r} is not KEY=VALUE, e.g. {flag} since=2024-01-01", file=sys.stderr)
            raise SystemExit(2)
        result[key.strip()] = value
    return result
