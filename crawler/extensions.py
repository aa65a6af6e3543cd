"""CrawlRunRecorder: one ``crawl_runs`` row per run, and the page-level outcomes of the run.

Every article is accounted for: stored (new / updated / unchanged), or a counted ``crawl_events``
row with URL and reason (dropped, duplicate, ``pipeline_error`` when an item pipeline raised,
``unwritten`` when the database stayed away).  A run that lost an article is not ``ok``.
Events are written through a ``DatabaseRetry``: during an outage they wait in memory and are
written when the database is back; if it is still away at close, they go to a JSON file
(``UNWRITTEN_DIR``) and the log, and the in-memory outcome tells the CLI.
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import CloseSpider, DropItem
from scrapy.http import Response
from sqlalchemy import func, select
from twisted.python.failure import Failure

from crawler.distributed import SharedRun, shared_run_of
from crawler.exceptions import DuplicateItem
from crawler.health import after_run
from crawler.items import COVERAGE_FIELDS
from crawler.liveness import claim_run, this_process
from crawler.retry import DatabaseRetry, DatabaseUnavailable, describe, is_unavailable
from crawler.signals import page_outcome
from crawler.sites import SITES
from storage.db import ensure_schema, make_engine, session_scope
from storage.models import Article
from storage.repository import CrawlRunRepository, RunBusy, SiteRepository

logger = logging.getLogger(__name__)

# Scrapy close reasons that mean the run did not end by itself.
STATUS_BY_REASON = {
    "finished": "ok",
    "closespider_pagecount": "ok",
    "closespider_itemcount": "ok",
    "closespider_timeout": "timed_out",
    "shutdown": "interrupted",
    "cancelled": "interrupted",
}
# Event kinds that mean an article was lost (counted in crawl_runs.articles_lost).
LOST_KINDS = ("pipeline_error", "unwritten")
# Page outcomes kept as events that are no error of the crawl: a redirect, an article the site removed.
NOT_ERRORS = ("redirect", "removed")


@dataclass(frozen=True)
class Event:
    """A page-level outcome waiting to be written."""

    url: str
    kind: str
    reason: str
    at: datetime


class CrawlRunRecorder:
    """Claims the run's ``crawl_runs`` row when the crawl starts and fills it when it closes.

    It owns the crawl's database engine and its ``DatabaseRetry`` (the store pipeline borrows
    both), beats the run's heartbeat, and keeps every dropped item, duplicate, lost article and
    page outcome in ``crawl_events``.  After the crawl, ``final`` holds the figures it recorded
    (or could not record), for the CLI's summary.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        settings = crawler.settings
        self.engine = make_engine(settings.get("DATABASE_URL"))
        ensure_schema(self.engine)
        spider = crawler.spider
        assert spider is not None
        self.site = getattr(spider, "site_key", spider.name)
        self.run_id: int | None = None
        self.refused: str | None = None  # why the run did not start (another run of the site is going)
        self.first_error: str | None = None  # shown as the reason of a run that fetched nothing
        self.retry = DatabaseRetry(settings.getfloat("STORE_RETRY_SECONDS"))
        self.pending: list[Event] = []  # events not yet written (database away)
        self.lost: list[Event] = []  # every lost article of the run
        self.final: dict[str, Any] | None = None
        self.health: list[Any] = []
        self._heartbeat: Any = None
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(self.item_dropped, signal=signals.item_dropped)
        crawler.signals.connect(self.item_error, signal=signals.item_error)
        crawler.signals.connect(self.page_outcome, signal=page_outcome)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CrawlRunRecorder:
        return cls(crawler)

    # --- start ------------------------------------------------------------------

    def spider_opened(self, spider: Spider) -> None:
        """Claim the run (or take over the one ``CRAWL_RUN_ID`` names) once the crawl really starts.

        Not earlier: a crawl whose setup fails (a bad ``-s`` value, say) never opens the
        spider.  When another run of the site is going, the crawl closes at once (``busy``).
        """
        try:
            self.retry.run(lambda: self._claim(spider), "claiming the run")
        except RunBusy as exc:
            self.refused = str(exc)
            logger.info("not crawling %s: %s", self.site, exc)  # the CLI says it in one line
            raise CloseSpider("busy") from None
        except DatabaseUnavailable as exc:
            self.refused = str(exc)
            logger.error("not crawling %s: %s", self.site, exc)
            raise CloseSpider("database_unavailable") from None
        logger.info("crawl run %s started for site %s", self.run_id, self.site)
        self._start_heartbeat()

    def _claim(self, spider: Spider) -> None:
        settings = self.crawler.settings
        now = datetime.now(UTC)
        profile = SITES.get(self.site)
        base_url = getattr(spider, "base_url", None) or (profile.base_url if profile else "")
        with session_scope(self.engine) as session:
            SiteRepository(session).ensure(self.site, profile.name if profile else self.site, base_url, now)
            shared = shared_run_of(self.crawler)
            if isinstance(shared, Exception):
                raise shared  # distributed mode: the scheduler could not join (RunBusy: another run is going)
            if shared is not None:
                self.run_id = shared.run_id  # one run row for every worker (crawler/distributed.py)
                return
            run_id = settings.getint("CRAWL_RUN_ID")
            if run_id and CrawlRunRepository(session).take_over(run_id, this_process(), now) is not None:
                self.run_id = run_id
                return
        args = dict(getattr(spider, "run_args", {}))
        trigger = settings.get("CRAWL_TRIGGER", "manual")
        self.run_id = claim_run(self.engine, self.site, spider.name, trigger, now, args, settings)

    def _start_heartbeat(self) -> None:
        from twisted.internet import task

        seconds = self.crawler.settings.getfloat("RUN_HEARTBEAT_SECONDS")
        if seconds > 0:
            self._heartbeat = task.LoopingCall(self.beat)
            self._heartbeat.start(seconds, now=False)

    def beat(self) -> None:
        """Refresh the run's heartbeat (one attempt: never blocks the crawl) and write waiting events."""
        if self.run_id is None:
            return
        try:
            with session_scope(self.engine) as session:
                CrawlRunRepository(session).heartbeat(self.run_id, datetime.now(UTC))
        except Exception as exc:  # noqa: BLE001 - a missed heartbeat must not break the crawl
            level = logging.DEBUG if is_unavailable(exc) else logging.WARNING
            logger.log(level, "heartbeat of run %s not written: %s", self.run_id, describe(exc))
            return
        if self.pending and not self.retry.in_outage:
            self._flush()

    # --- outcomes -----------------------------------------------------------------

    def _event(self, url: str, kind: str, reason: str) -> None:
        assert self.run_id is not None, "page outcomes come after spider_opened"
        self.pending.append(Event(url, kind, reason, datetime.now(UTC)))
        self._flush()

    def _flush(self) -> bool:
        """Write the waiting events; True when none is left (False: the database is away, they wait)."""
        batch = list(self.pending)
        if not batch or self.run_id is None:
            return not batch

        def write() -> None:
            with session_scope(self.engine) as session:
                runs = CrawlRunRepository(session)
                for e in batch:
                    runs.add_event(self.run_id, e.url, e.kind, e.reason, e.at)

        try:
            self.retry.run(write, f"{len(batch)} crawl events")
        except DatabaseUnavailable:
            return False
        del self.pending[: len(batch)]
        return not self.pending

    def page_outcome(self, url: str, kind: str, reason: str) -> None:
        """Keep and count an outcome a spider reported."""
        self.stats.inc_value(f"outcomes/{kind}")
        if kind not in NOT_ERRORS:
            self.first_error = self.first_error or f"{kind} {url}: {reason}"
        self._event(url, kind, reason)

    def item_dropped(self, item: Any, response: Response, exception: DropItem, spider: Spider) -> None:
        """Keep and count a dropped item: a duplicate or a page that is not an article."""
        kind = "duplicate" if isinstance(exception, DuplicateItem) else "dropped"
        self.record_drop(getattr(item, "url", None) or getattr(response, "url", ""), kind, str(exception))

    def record_drop(self, url: str, kind: str, reason: str) -> None:
        """Count and keep a drop (``dropped`` or ``duplicate``)."""
        self.stats.inc_value(f"articles/{kind}")
        self._event(url, kind, reason)

    def record_event(self, url: str, kind: str, reason: str) -> None:
        """Keep an outcome that is neither an error nor a count of its own (``replaced``)."""
        self._event(url, kind, reason)

    def item_error(self, item: Any, response: Response | None, spider: Spider, failure: Failure) -> None:
        """An item pipeline raised: the article is lost. Keep it as a ``pipeline_error`` event and an error."""
        url = getattr(item, "url", None) or getattr(response, "url", "") or "(unknown URL)"
        self.record_lost(url, "pipeline_error", describe(failure.value))

    def record_lost(self, url: str, kind: str, reason: str) -> None:
        """Count a lost article (``pipeline_error`` or ``unwritten``), log its URL, keep it as an event."""
        self.stats.inc_value(f"lost/{kind}")
        logger.error("article lost (%s): %s: %s", kind, url, reason)
        self.lost.append(Event(url, kind, reason, datetime.now(UTC)))
        self._event(url, kind, reason)

    # --- close --------------------------------------------------------------------

    def figures(self, reason: str, stats: dict[str, Any] | None = None) -> dict[str, Any]:
        """The run row's final values, from the crawl's stats (or ``stats``: every worker's, summed)."""
        stats = self.stats.get_stats() if stats is None else stats
        errors_by_kind = {
            key.split("/", 1)[1]: value
            for key, value in stats.items()
            if key.startswith(("outcomes/", "lost/")) and key.split("/", 1)[1] not in NOT_ERRORS
        }
        spider_errors = stats.get("spider_exceptions/count", 0)
        if spider_errors:
            errors_by_kind["spider_exception"] = spider_errors
        pages = stats.get("coverage/pages", 0)
        # Every measured field is listed, 0.0 included: a field nobody filled is the loudest signal.
        coverage: dict[str, Any] = (
            {name: round(stats.get(f"coverage/{name}", 0) / pages, 4) for name in COVERAGE_FIELDS} if pages else {}
        )
        coverage["pages"] = pages
        status = STATUS_BY_REASON.get(reason, "failed")
        fetched = stats.get("response_received_count", 0)
        if status == "ok" and fetched == 0:
            status = "failed"  # nothing answered: the site is down or the base URL is wrong
            reason = f"nothing fetched; first error: {self.first_error or 'none recorded'}"
        lost = sum(stats.get(f"lost/{kind}", 0) for kind in LOST_KINDS)
        if lost:
            kinds = ", ".join(f"{stats[f'lost/{k}']} {k}" for k in LOST_KINDS if stats.get(f"lost/{k}"))
            reason = f"{lost} articles lost ({kinds}; see crawl_events); {reason}"
            if status == "ok":
                status = "failed"  # never a green run with holes
        return {
            "status": status,
            "finish_reason": reason[:200],
            "finished_at": datetime.now(UTC),
            "pages_fetched": fetched,
            "bytes_fetched": stats.get("downloader/response_bytes", 0),
            "articles_new": stats.get("articles/new", 0),
            "articles_updated": stats.get("articles/updated", 0),
            "articles_unchanged": stats.get("articles/unchanged", 0),
            "articles_duplicate": stats.get("articles/duplicate", 0),
            "articles_dropped": stats.get("articles/dropped", 0),
            "articles_lost": lost,
            # Incremental re-crawls (crawler/recheck.py): known articles not fetched, answered 304, gone.
            "articles_skipped": stats.get("recheck/skipped", 0),
            "articles_not_modified": stats.get("recheck/not_modified", 0),
            "articles_removed": stats.get("recheck/removed", 0),
            "errors": sum(errors_by_kind.values()),
            "errors_by_kind": errors_by_kind,
            "field_coverage": coverage,
        }

    def spider_closed(self, spider: Spider, reason: str) -> None:
        """Fill the run row from the crawl's stats, waiting out a database outage for a bounded time."""
        if self._heartbeat is not None and self._heartbeat.running:
            self._heartbeat.stop()
        if self.run_id is None:
            self.engine.dispose()
            return
        self.retry.new_window()  # one more full wait for the database before giving anything up
        events_written = self._flush()
        shared = shared_run_of(self.crawler)
        if isinstance(shared, SharedRun) and not shared.last:
            # Another worker of the run is still going: the last one to leave closes the run.
            self.final = {"run_id": self.run_id, "recorded": events_written, **self.figures(reason),
                          "unwritten_file": None if events_written else self._write_unrecorded({}, True)}
            self.final["finish_reason"] = f"worker done ({reason}); run {self.run_id} goes on in other workers"
            self.final["worker_share"] = True
            # Judged by how this worker ended alone: one that joined late may have found nothing left to fetch.
            self.final["status"] = STATUS_BY_REASON.get(reason, "failed")
            self.final["worker_pages"] = self.final["pages_fetched"]
            self.engine.dispose()
            return
        figures = self.figures(reason) if shared is None else self.shared_figures(shared, reason)
        own_pages = self.stats.get_value("response_received_count", 0) if shared is not None else None

        def write() -> None:
            with session_scope(self.engine) as session:
                run = CrawlRunRepository(session).get(self.run_id)
                assert run is not None
                if run.status == "killed":  # closed by another process while this one hung: keep that verdict
                    figures["status"] = "killed"
                    figures["finish_reason"] = f"{run.finish_reason}; it ended later: {figures['finish_reason']}"[:200]
                for name, value in figures.items():
                    setattr(run, name, value)

        try:
            self.retry.run(write, f"closing run {self.run_id}")
            recorded = True
        except DatabaseUnavailable as exc:
            recorded = False
            figures["status"] = "failed"
            figures["finish_reason"] = f"{exc}; the run row could not be updated; {figures['finish_reason']}"[:200]
        self.final = {"run_id": self.run_id, "recorded": recorded, **figures, "unwritten_file": None,
                      "worker_pages": own_pages}
        if not (recorded and events_written):
            self.final["unwritten_file"] = self._write_unrecorded(figures, recorded)
        logger.log(
            logging.INFO if figures["status"] == "ok" else logging.ERROR,
            "crawl run %s closed: %s (%s)",
            self.run_id,
            figures["status"],
            figures["finish_reason"],
        )
        if recorded:
            # Health checks after every run, manual or scheduled; alerts go out from a background thread.
            self.health = after_run(self.engine, self.run_id, self.crawler.settings, datetime.now(UTC))
        self.engine.dispose()

    def shared_figures(self, shared: SharedRun, reason: str) -> dict[str, Any]:
        """The figures of a run several workers shared: their stats summed; which workers ended how."""
        figures = self.figures(reason, shared.merged)
        # A worker SIGKILLed between an article's commit and its counter leaves the counter one short:
        # the new articles are counted from the store itself (the rows this run created).
        with session_scope(self.engine) as session:
            stored_new = session.scalar(
                select(func.count()).select_from(Article).where(Article.first_run_id == self.run_id)
            )
        if stored_new != figures["articles_new"]:
            logger.warning("run %s: %s new articles stored, %s counted by the workers; the store's count is kept",
                           self.run_id, stored_new, figures["articles_new"])
            figures["articles_new"] = stored_new
        others = {w: r for w, r in shared.reasons.items() if w != shared.worker and r != "finished"}
        total = len(shared.reasons) + len(shared.dead)
        notes = [f"{total} worker{'s' * (total != 1)}"] + [f"{w} {r}" for w, r in sorted(others.items())]
        if shared.dead:
            notes.append(f"{len(shared.dead)} gone, their {sum(shared.dead.values())} requests re-queued")
        figures["finish_reason"] = f"{figures['finish_reason']} ({'; '.join(notes)})"[:200]
        return figures

    def _write_unrecorded(self, figures: dict[str, Any], recorded: bool) -> str | None:
        """Write what the database did not get (the run's figures, lost articles, events) to a JSON file."""
        folder = Path(self.crawler.settings.get("UNWRITTEN_DIR") or ".")
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        path = folder / f"unwritten-{self.site}-run{self.run_id}-{stamp}.json"
        payload = {
            "run_id": self.run_id,
            "site": self.site,
            "run_row_updated": recorded,
            "run": {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in figures.items()},
            "lost_articles": [_jsonable(e) for e in self.lost],
            "events_not_written": [_jsonable(e) for e in self.pending],
        }
        for e in self.lost:
            logger.error("run %s lost article (%s): %s: %s", self.run_id, e.kind, e.url, e.reason)
        try:
            folder.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(payload, indent=2, ensure_ascii=False), encoding="utf-8")
        except OSError as exc:
            logger.error("could not write %s (%s); the list is in the log above", path, exc)
            return None
        logger.error(
            "run %s: the database did not get %d events (%d lost articles); they are listed in %s",
            self.run_id,
            len(self.pending),
            len(self.lost),
            path,
        )
        return str(path)


def _jsonable(event: Event) -> dict[str, Any]:
    out = asdict(event)
    out["at"] = event.at.isoformat()
    return out
