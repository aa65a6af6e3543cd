"""Distributed mode is a switch: without REDIS_URL a crawl's settings are Scrapy's own; with it, scrapy-redis's.

Also the command line of ``crawler crawl --workers N``: explained in ``--help``, refused without Redis
and on SQLite (one writer at a time, one machine) before anything starts.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from scrapy.crawler import Crawler
from scrapy.settings import Settings, default_settings
from scrapy.utils.project import get_project_settings

from spiders.syrianobserver import SyrianObserverSpider

SWITCHED = ("SCHEDULER", "DUPEFILTER_CLASS", "STATS_CLASS", "SCHEDULER_QUEUE_CLASS", "SCHEDULER_PERSIST")


def crawl_settings(**overrides: str) -> Settings:
    """The settings a crawl runs with, add-ons applied (as Scrapy does when the crawl starts)."""
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "crawler.settings")
    settings = get_project_settings()
    for name, value in overrides.items():
        settings.set(name, value, priority="cmdline")
    crawler = Crawler(SyrianObserverSpider, settings)
    crawler.addons.load_settings(crawler.settings)  # what Crawler.crawl() does first, before reading STATS_CLASS
    return crawler.settings


def test_without_redis_url_the_settings_are_scrapys_own() -> None:
    from scrapy.core.scheduler import Scheduler
    from scrapy.utils.misc import load_object

    settings = crawl_settings(REDIS_URL="")
    for name in SWITCHED:
        if name == "SCHEDULER":
            # The project's one change to Scrapy's scheduler: its queue on disk (crawler/spill_queue.py).
            assert settings.get(name) == "crawler.spill_queue.SpillingScheduler"
            assert issubclass(load_object(settings.get(name)), Scheduler)
            continue
        assert settings.get(name) == getattr(default_settings, name, None), name
    # The project's own components, exactly as crawler/settings.py lists them: nothing added.
    project = get_project_settings()
    for name in ("SPIDER_MIDDLEWARES", "DOWNLOADER_MIDDLEWARES", "ITEM_PIPELINES", "EXTENSIONS"):
        assert settings.getdict(name) == project.getdict(name), name


def test_redis_url_switches_scheduler_dupefilter_stats_and_start_requests() -> None:
    settings = crawl_settings(REDIS_URL="redis://127.0.0.1:6379/0")
    assert settings.get("SCHEDULER") == "crawler.distributed.RedisScheduler"
    assert settings.get("DUPEFILTER_CLASS") == "scrapy_redis.dupefilter.RFPDupeFilter"
    assert settings.get("SCHEDULER_QUEUE_CLASS") == "crawler.reliable_queue.ReliableQueue"
    assert settings.get("STATS_CLASS") == "crawler.distributed.SharedRunStats"
    assert settings.getbool("SCHEDULER_PERSIST")
    assert "crawler.distributed.StartOnceMiddleware" in settings.getdict("SPIDER_MIDDLEWARES")


def crawler_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "crawler.cli", *args], capture_output=True, text=True, timeout=120, env=env
    )


def test_help_explains_workers() -> None:
    done = crawler_cli("crawl", "--help")
    assert done.returncode == 0
    assert "--workers N" in done.stdout and "REDIS_URL" in done.stdout and "SQLite is refused" in done.stdout


def test_several_workers_without_redis_are_refused(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "CRAWLER_REDIS_URL"}
    done = crawler_cli("crawl", "syrianobserver", "--workers", "2", "--db", f"sqlite:///{tmp_path}/x.db", env=env)
    assert done.returncode == 2
    assert "CRAWLER_REDIS_URL" in done.stderr
    assert not (tmp_path / "x.db").exists()


def test_several_workers_on_sqlite_are_refused_saying_why_and_what_to_do(tmp_path: Path) -> None:
    env = dict(os.environ, CRAWLER_REDIS_URL="redis://127.0.0.1:6379/0")
    done = crawler_cli("crawl", "syrianobserver", "--workers", "3", "--db", f"sqlite:///{tmp_path}/x.db", env=env)
    assert done.returncode == 2, done.stderr
    assert "SQLite takes one writer at a time" in done.stderr and "postgresql://" in done.stderr
    assert not (tmp_path / "x.db").exists()


def test_workers_must_be_a_positive_number() -> None:
    done = crawler_cli("crawl", "syrianobserver", "--workers", "0")
    assert done.returncode == 2 and "--workers" in done.stderr
