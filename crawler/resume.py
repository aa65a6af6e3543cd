"""ResumeMiddleware: a crawl started after its site's run was killed goes on where that run was.

The frontier is the store: a killed (SIGKILL, hung), interrupted or timed-out run kept every article
it stored.  The next run fetches the listings, feeds and sitemaps again (they are few and change), so
the frontier is rebuilt, but skips each article page those unfinished runs stored: nothing is lost
(what they did not reach is fetched now) and nothing is stored twice (articles are keyed by URL).
Only after an unfinished run (``RESUME_AFTER_KILL``): a normal run re-reads every article for changes.
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy import Request
from scrapy.crawler import Crawler

from crawler.guard import GuardRefused, is_article_request
from crawler.urls import canonical_url, strip_tracking

logger = logging.getLogger(__name__)


class ResumeMiddleware:
    """Downloader middleware: skip article pages stored by the site's unfinished previous runs."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.enabled = crawler.settings.getbool("RESUME_AFTER_KILL")
        self.skip: set[str] | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ResumeMiddleware:
        return cls(crawler)

    def _load(self) -> set[str]:
        from crawler.extensions import CrawlRunRecorder
        from storage.db import session_scope
        from storage.resume import article_urls_seen_since, unfinished_runs

        recorder = self.crawler.get_extension(CrawlRunRecorder)
        if recorder is None or recorder.run_id is None:
            return set()
        try:
            with session_scope(recorder.engine) as session:
                runs = unfinished_runs(session, recorder.site, recorder.run_id)
                if not runs:
                    return set()
                urls = article_urls_seen_since(session, recorder.site, min(r.started_at for r in runs))
        except Exception as exc:  # noqa: BLE001 - without the store's answer, fetch everything
            logger.warning("resume: could not read the previous runs (%s); fetching every page", exc)
            return set()
        ids = ", ".join(str(r.id) for r in runs)
        logger.warning("resuming after unfinished run(s) %s of %s: %d stored article URLs are not fetched again",
                       ids, recorder.site, len(urls))
        self.crawler.stats.set_value("resume/after_runs", ids)
        return {canonical_url(u) for u in urls}

    def process_request(self, request: Request, spider: Any = None) -> None:
        """Refuse (quietly, counted in ``resume/skipped``) an article page an unfinished run already stored."""
        if not self.enabled or not is_article_request(request):
            return
        if self.skip is None:
            self.skip = self._load()
        if self.skip and canonical_url(strip_tracking(request.url)) in self.skip:
            self.crawler.stats.inc_value("resume/skipped")
            raise GuardRefused(f"stored by the unfinished previous run: {request.url}")
