"""SpillingScheduler: Scrapy's scheduler with its request queue on disk, in a folder of the run's own.

Scrapy keeps pending requests in memory unless ``JOBDIR`` is set; a sitemap of 50,000 articles then
holds 50,000 requests at once, and the crawl's memory grows with the site.  With
``SCHEDULER_SPILL_TO_DISK`` on and no ``JOBDIR``, this scheduler gives Scrapy's own disk queues
(``SCHEDULER_DISK_QUEUE``) a temporary folder under ``SCHEDULER_SPILL_DIR`` (the system's temporary
directory when empty), removed when the spider closes: the run keeps pending requests on disk, not in
memory, and leaves nothing behind.  A request that cannot be pickled goes to the memory queue, as in
Scrapy (counted in ``scheduler/unserializable``).  With ``JOBDIR`` set it is Scrapy's scheduler,
unchanged (the folder is the user's and persists); distributed mode replaces it with scrapy-redis.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
from typing import Any

from scrapy.core.scheduler import Scheduler
from scrapy.crawler import Crawler
from scrapy.utils.job import job_dir

logger = logging.getLogger(__name__)


class SpillingScheduler(Scheduler):
    """Scrapy's ``Scheduler``, its disk queue in a temporary folder when no ``JOBDIR`` is set."""

    spill_dir: str | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SpillingScheduler:
        settings = crawler.settings
        spill_dir = None
        if job_dir(settings) is None and settings.getbool("SCHEDULER_SPILL_TO_DISK"):
            parent = settings.get("SCHEDULER_SPILL_DIR") or None
            try:
                spill_dir = tempfile.mkdtemp(prefix="crawler-requests-", dir=parent)
            except OSError as exc:
                # Named, then the crawl goes on as Scrapy's does without a JOBDIR: in memory.
                logger.warning("SCHEDULER_SPILL_DIR %r is unusable (%s): pending requests stay in memory;"
                               " set it to a writable folder", parent, exc)
        scheduler = super().from_crawler(crawler)
        if spill_dir is not None:
            # What JOBDIR would do for the queues (open() builds them on dqdir), the dupefilter untouched.
            scheduler.dqdir = scheduler._dqdir(spill_dir)
            scheduler.spill_dir = spill_dir
        return scheduler

    def close(self, reason: str) -> Any:
        """Scrapy's close (which writes the queues' state), then the run's folder removed."""
        try:
            return super().close(reason)
        finally:
            if self.spill_dir is not None:
                shutil.rmtree(self.spill_dir, ignore_errors=True)
