"""CrawlRunRecorder: one ``crawl_runs`` row per run, and the page-level outcomes of the run."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from scrapy.http import Response

from crawler.exceptions import DuplicateItem
from crawler.health import after_run
from crawler.items import COVERAGE_FIELDS
from crawler.signals import page_outcome
from crawler.sites import SITES
from storage.db import ensure_schema, make_engine, session_scope
from storage.repository import CrawlRunRepository, SiteRepository

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


class CrawlRunRecorder:
    """Creates the run's ``crawl_runs`` row when the crawl starts and fills it when it closes.

    It owns the crawl's database engine (the store pipeline borrows it) and keeps
    every dropped item, duplicate and page outcome in ``crawl_events``.
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
        self.first_error: str | None = None  # shown as the reason of a run that fetched nothing
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(self.item_dropped, signal=signals.item_dropped)
        crawler.signals.connect(self.page_outcome, signal=page_outcome)

    def spider_opened(self, spider: Spider) -> None:
        """Create (or take over) the run's row once the crawl really starts.

        Not earlier: a crawl whose setup fails (a bad ``-s`` value, say) never opens the
        spider, and must not leave a run ``running`` forever.
        """
        settings = self.crawler.settings
        now = datetime.now(UTC)
        with session_scope(self.engine) as session:
            profile = SITES.get(self.site)
            base_url = getattr(spider, "base_url", None) or (profile.base_url if profile else "")
            SiteRepository(session).ensure(self.site, profile.name if profile else self.site, base_url, now)
            runs = CrawlRunRepository(session)
            run_id = settings.getint("CRAWL_RUN_ID")
            if run_id and runs.get(run_id) is not None:
                self.run_id = run_id
            else:
                args = dict(getattr(spider, "run_args", {}))
                trigger = settings.get("CRAWL_TRIGGER", "manual")
                self.run_id = runs.start(self.site, spider.name, trigger, now, args).id
        logger.info("crawl run %s started for site %s", self.run_id, self.site)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CrawlRunRecorder:
        return cls(crawler)

    def _event(self, url: str, kind: str, reason: str) -> None:
        assert self.run_id is not None, "page outcomes come after spider_opened"
        with session_scope(self.engine) as session:
            CrawlRunRepository(session).add_event(self.run_id, url, kind, reason, datetime.now(UTC))

    def page_outcome(self, url: str, kind: str, reason: str) -> None:
        """Keep and count an outcome a spider reported."""
        self.stats.inc_value(f"outcomes/{kind}")
        if kind != "redirect":
            self.first_error = self.first_error or f"{kind} {url}: {reason}"
        self._event(url, kind, reason)

    def item_dropped(self, item: Any, response: Response, exception: DropItem, spider: Spider) -> None:
        """Keep and count a dropped item: a duplicate or a page that is not an article."""
        kind = "duplicate" if isinstance(exception, DuplicateItem) else "dropped"
        self.stats.inc_value(f"articles/{kind}")
        self._event(getattr(item, "url", response.url), kind, str(exception))

    def spider_closed(self, spider: Spider, reason: str) -> None:
        """Fill the run row from the crawl's stats."""
        if self.run_id is None:
            return
        stats = self.stats.get_stats()
        errors_by_kind = {
            key.split("/", 1)[1]: value
            for key, value in stats.items()
            if key.startswith("outcomes/") and key != "outcomes/redirect"
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
        with session_scope(self.engine) as session:
            run = CrawlRunRepository(session).get(self.run_id)
            assert run is not None
            run.status = status
            run.finish_reason = reason
            run.finished_at = datetime.now(UTC)
            run.pages_fetched = fetched
            run.bytes_fetched = stats.get("downloader/response_bytes", 0)
            run.articles_new = stats.get("articles/new", 0)
            run.articles_updated = stats.get("articles/updated", 0)
            run.articles_unchanged = stats.get("articles/unchanged", 0)
            run.articles_duplicate = stats.get("articles/duplicate", 0)
            run.articles_dropped = stats.get("articles/dropped", 0)
            run.errors = sum(errors_by_kind.values())
            run.errors_by_kind = errors_by_kind
            run.field_coverage = coverage
        logger.info("crawl run %s closed: %s (%s)", self.run_id, status, reason)
        # Health checks after every run, manual or scheduled; alerts go out from a background thread.
        after_run(self.engine, self.run_id, self.crawler.settings, datetime.now(UTC))
        self.engine.dispose()
