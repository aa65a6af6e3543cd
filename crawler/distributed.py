"""Distributed mode: several worker processes, on one machine or several, crawl one site together.

Off unless ``REDIS_URL`` is set (``CRAWLER_REDIS_URL``): ``RedisAddon`` raises NotConfigured and
every setting stays Scrapy's.  On, the addon switches the crawl to scrapy-redis: ``SCHEDULER`` is
``RedisScheduler`` (scrapy-redis's, with the reliable queue of ``crawler/reliable_queue.py``),
``DUPEFILTER_CLASS`` scrapy-redis's ``RFPDupeFilter``, ``STATS_CLASS`` ``SharedRunStats``, and
``StartOnceMiddleware`` joins the spider middlewares.

**Keys** are namespaced per site and run: ``<REDIS_KEY_PREFIX>:<site>`` holds the site's pointer
to its current run (``:run``) and a lock; ``<prefix>:<site>:run<id>:`` the run's queue
(``requests``), dupefilter, processing hashes, workers, heartbeats and shared stats.  Two sites
never share a queue; a finished run's keys are deleted by its last worker, so the next run of the
site starts with an empty dupefilter.

**One run, many workers** (``crawler/shared_run.py``).  The first worker of a site (under the
site's Redis lock) claims a ``crawl_runs`` row, or shares the one ``CRAWL_RUN_ID`` names
(``crawler crawl --workers N``, the daemon), and points the site at it; every later worker with
the same Redis joins that run.  The row has no owning process (``pid`` empty): each worker beats
its heartbeat, so the run lives while any worker does, and is closed as killed only when all are
silent for ``RUN_STALE_SECONDS``.
Events are written by the worker that saw them, under the one run id.  The run's figures are the
sum of every worker's: the counters the run row is made of are added to a Redis hash the moment
they change (``SharedRunStats``), so a worker killed mid-crawl leaves its counts behind.  The
last worker to leave fills the row from that hash, closes the run and runs the health checks;
the others only say they are done.  A request a killed worker had taken is fetched again by
another worker (at least once): its page counts twice in ``pages_fetched`` (two fetches happened),
and its article, stored once, counts ``new`` once and ``unchanged`` the second time.

**Start requests** are enqueued once per run, by the worker that wins ``<ns>:seeder``; the others
take their requests from the queue.  (A seeder killed in the first moments, before its few start
requests are all queued, leaves the rest unqueued: ``<ns>:seeded`` is not set then, and the run
is best started again.)  **Closing**: a worker with nothing to do stays open
(``DontCloseSpider``) while the queue has requests, any worker holds one, or another live worker is
busy; it requeues the requests of dead workers meanwhile.  A hung worker (alive, not progressing)
keeps its requests until it is stopped.
"""

from __future__ import annotations

import logging
import threading
import weakref
from typing import Any

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import CloseSpider, DontCloseSpider, NotConfigured
from scrapy.statscollectors import MemoryStatsCollector
from scrapy_redis.dupefilter import RFPDupeFilter
from scrapy_redis.scheduler import Scheduler as ScrapyRedisScheduler

from crawler.reliable_queue import ReliableQueue
from crawler.shared_run import SharedRun, join
from storage.repository import RunBusy

logger = logging.getLogger(__name__)

SHARED_STAT_PREFIXES = ("articles/", "recheck/", "outcomes/", "lost/", "coverage/")
"""Stats the run row is made of (``CrawlRunRecorder.figures``): added up in Redis across workers."""
SHARED_STATS = ("response_received_count", "downloader/response_bytes", "spider_exceptions/count")

_runs: weakref.WeakKeyDictionary[Crawler, SharedRun | Exception] = weakref.WeakKeyDictionary()


def shared_run_of(crawler: Crawler) -> SharedRun | Exception | None:
    """The run this crawler joined in distributed mode, the error that stopped it joining, or None (off)."""
    return _runs.get(crawler)


def redis_client(url: str) -> Any:
    """A Redis client for ``url`` (bytes replies), as scrapy-redis builds it."""
    from scrapy_redis.connection import get_redis

    return get_redis(url=url, socket_timeout=30, socket_connect_timeout=10, retry_on_timeout=True)


class RedisAddon:
    """Switches scheduler, dupefilter and stats to Redis when ``REDIS_URL`` is set; NotConfigured otherwise."""

    def __init__(self, crawler: Crawler) -> None:
        if not crawler.settings.get("REDIS_URL"):
            raise NotConfigured  # silent: off is the normal case
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RedisAddon:
        return cls(crawler)

    def update_settings(self, settings: Any) -> None:
        """The scrapy-redis switchboard (priority ``addon``: a ``-s`` on the command line still wins)."""
        # "project": in place of settings.py's own SCHEDULER (the spilling one), still below a ``-s``.
        settings.set("SCHEDULER", "crawler.distributed.RedisScheduler", priority="project")
        settings.set("DUPEFILTER_CLASS", "scrapy_redis.dupefilter.RFPDupeFilter", priority="addon")
        settings.set("SCHEDULER_QUEUE_CLASS", "crawler.reliable_queue.ReliableQueue", priority="addon")
        # The last worker deletes the run's keys itself; scrapy-redis must not flush them at each close.
        settings.set("SCHEDULER_PERSIST", True, priority="addon")
        settings.set("STATS_CLASS", "crawler.distributed.SharedRunStats", priority="addon")
        settings["SPIDER_MIDDLEWARES"]["crawler.distributed.StartOnceMiddleware"] = 5


class RedisScheduler(ScrapyRedisScheduler):
    """scrapy-redis's scheduler on the run's keys, with the reliable queue, joining and leaving the run."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RedisScheduler:
        instance = super().from_crawler(crawler)
        instance.crawler = crawler
        instance.stats = None  # counted here without the deprecated ``spider`` argument scrapy-redis passes
        return instance

    def enqueue_request(self, request: Request) -> bool:
        """Queue ``request`` unless the run's dupefilter has seen it (``dont_filter`` passes)."""
        queued = super().enqueue_request(request)
        if queued:
            self.crawler.stats.inc_value("scheduler/enqueued/redis")
            self.crawler.stats.inc_value("scheduler/enqueued")
        return queued

    def open(self, spider: Any) -> None:
        """Join the run, then open its queue and dupefilter; a refused join closes the crawl (``busy``)."""
        self.spider = spider
        try:
            self.shared = join(self.crawler, spider, self.server)
        except RunBusy as exc:
            _runs[self.crawler] = exc
            raise CloseSpider("busy") from None
        _runs[self.crawler] = self.shared
        settings = self.crawler.settings
        self.enqueue_only = settings.getbool("REDIS_ENQUEUE_ONLY")
        self.queue = ReliableQueue(
            self.server, spider, self.shared.namespace, self.shared.worker,
            settings.getfloat("REDIS_WORKER_TIMEOUT_SECONDS"), self.serializer,
        )
        self.df = RFPDupeFilter(self.server, key=f"{self.shared.namespace}:dupefilter")
        self._stop = threading.Event()
        period = settings.getfloat("REDIS_WORKER_HEARTBEAT_SECONDS")
        self._beater = threading.Thread(target=self._beat_forever, args=(period,), name="redis-heartbeat", daemon=True)
        if self.enqueue_only:
            return  # no heartbeat, no requests taken: it only puts the start requests in the queue
        self._beater.start()
        self.crawler.signals.connect(self.spider_idle, signal=signals.spider_idle)
        from twisted.internet import task

        self._waker = task.LoopingCall(self._wake)
        self._waker.start(0.25, now=False)
        if len(self.queue):
            logger.info("run %d: %d requests already queued by other workers", self.shared.run_id, len(self.queue))

    def _beat_forever(self, period: float) -> None:
        """The heartbeat thread: beats until the crawl closes (a SIGKILL stops it with the process)."""
        while not self._stop.is_set():
            try:
                self.queue.beat()
            except Exception as exc:  # noqa: BLE001 - Redis away: the next beat retries
                logger.warning("redis heartbeat failed: %s", exc)
            self._stop.wait(period)

    def _wake(self) -> None:
        """Ask the engine for requests when the queue has some: other workers fill it, and the engine
        only looks again when one of its own requests ends or every 5 seconds (its heartbeat)."""
        nextcall = getattr(getattr(self.crawler.engine, "_slot", None), "nextcall", None)
        try:
            if nextcall is not None and len(self.queue) > 0:
                nextcall.schedule()
        except Exception as exc:  # noqa: BLE001 - Redis away for a moment: the next tick retries
            logger.debug("wake: %s", exc)

    def _ack_done(self) -> None:
        """Acknowledge the popped requests the engine has finished (no longer in its in-progress set).

        Scrapy has no signal for "this request and everything it led to is handled"; the engine's
        slot drops a request from ``inprogress`` exactly then, after its callback's items went
        through the pipelines and its new requests were scheduled.
        """
        engine = getattr(self.crawler, "engine", None)
        slot = getattr(engine, "_slot", None)
        inprogress = getattr(slot, "inprogress", None)
        if inprogress is None:
            return
        for request in [r for r in self.queue.unacked if r not in inprogress]:
            self.queue.ack(request)

    def next_request(self) -> Request | None:
        """Acknowledge what is done, then pop the next request into this worker's processing hash."""
        if self.enqueue_only:
            return None
        self._ack_done()
        request = super().next_request()
        if request is not None:
            self.crawler.stats.inc_value("scheduler/dequeued/redis")
            self.crawler.stats.inc_value("scheduler/dequeued")
        return request

    def has_pending_requests(self) -> bool:
        """Requests in the run's queue (an enqueue-only crawl takes none: it has nothing pending)."""
        return not self.enqueue_only and len(self) > 0

    def spider_idle(self, spider: Any) -> None:
        """Nothing to do here: stay open while the run is not drained; requeue dead workers' requests."""
        self._ack_done()
        dead = self.queue.requeue_dead()
        for worker, moved in dead.items():
            self.server.hincrby(f"{self.shared.namespace}:dead", worker, moved)
        if any(dead.values()):
            raise DontCloseSpider("requests of a dead worker were queued again")
        self.queue.set_idle()
        if not self.queue.drained():
            raise DontCloseSpider("other workers are still busy")

    def close(self, reason: str) -> None:
        """Leave the run; the last worker reads the summed stats and deletes the run's keys."""
        shared = getattr(self, "shared", None)
        if shared is None:
            return  # the join was refused: nothing of this crawl is in Redis
        if self.enqueue_only:
            return  # not a worker: the workers close the run
        if self._waker.running:
            self._waker.stop()
        self._stop.set()
        self._beater.join(timeout=10)  # no beat may register this worker again after it left
        self._ack_done()
        self.server.hset(f"{shared.namespace}:reasons", shared.worker, reason)
        left = self.queue.leave()
        if left == 0:
            shared.last = True
            stats = self.server.hgetall(f"{shared.namespace}:stats")
            shared.merged = {k.decode(): int(v) for k, v in stats.items()}
            reasons = self.server.hgetall(f"{shared.namespace}:reasons")
            shared.reasons = {k.decode(): v.decode() for k, v in reasons.items()}
            dead = self.server.hgetall(f"{shared.namespace}:dead")
            shared.dead = {k.decode(): int(v) for k, v in dead.items()}
            shared.delete_keys()


class SharedRunStats(MemoryStatsCollector):
    """Scrapy's stats, with the counters of the run row also added to the run's Redis hash as they change."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self._crawler_ref = crawler
        self._warned = False

    def inc_value(self, key: str, count: int = 1, start: int = 0, spider: Any = None) -> None:
        super().inc_value(key, count, start)
        if not (key.startswith(SHARED_STAT_PREFIXES) or key in SHARED_STATS):
            return
        shared = _runs.get(self._crawler_ref)
        if not isinstance(shared, SharedRun):
            return
        try:
            shared.add_stat(key, count)
        except Exception as exc:  # noqa: BLE001 - the worker's own stats stay right; the run's may be short
            if not self._warned:
                self._warned = True
                logger.error("run %d: shared stats not updated in Redis (%s)", shared.run_id, exc)


class StartOnceMiddleware:
    """Spider middleware: only the run's seeder passes the spider's start requests on; the others none."""

    def __init__(self, crawler: Crawler) -> None:
        if not crawler.settings.get("REDIS_URL"):
            raise NotConfigured
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StartOnceMiddleware:
        return cls(crawler)

    async def process_start(self, start: Any) -> Any:
        """Iterated once the run is joined (after the scheduler opened)."""
        shared = _runs.get(self.crawler)
        if isinstance(shared, SharedRun) and not shared.seeder:
            logger.info("run %d: start requests come from the seeding worker", shared.run_id)
            return
        async for item in start:
            yield item
        if isinstance(shared, SharedRun):
            shared.mark_seeded()
