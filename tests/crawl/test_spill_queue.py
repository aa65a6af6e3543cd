"""Pending requests wait on disk, in a folder of the run's own, removed at the end (issue 15, flat memory).

A crawl of the replica through ``scrapy crawl`` from the repo root: Scrapy's own stats say where each
request waited (``scheduler/enqueued/disk`` against ``.../memory``) and that none failed to pickle.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from crawler.replica import ReplicaServer, ReplicaSite

pytestmark = pytest.mark.crawl

REPO = Path(__file__).resolve().parents[2]


def crawl(base_url: str, db_url: str, *settings: str) -> tuple[subprocess.CompletedProcess[str], dict]:
    """`scrapy crawl syrianobserver` with ``settings``; the run and the stats Scrapy dumped at its end."""
    command = [sys.executable, "-m", "scrapy", "crawl", "syrianobserver", "-a", f"base_url={base_url}",
               "-s", f"DATABASE_URL={db_url}", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "LOG_LEVEL=INFO"]
    for setting in settings:
        command += ["-s", setting]
    result = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    dumped = re.search(r"Dumping Scrapy stats:\n(\{.*?\})\n", result.stderr, re.S)
    assert dumped, result.stderr[-3000:]
    # Scrapy prints the dict with pprint: datetimes are repr'd, the counters are plain literals.
    counters = dict(re.findall(r"'([^']+)': (\d+),?\n", dumped.group(1)))
    return result, {key: int(value) for key, value in counters.items()}


def stored_urls(db_url: str) -> set[str]:
    engine = create_engine(db_url)
    with engine.connect() as conn:
        urls = {row[0] for row in conn.execute(text("SELECT canonical_url FROM articles"))}
    engine.dispose()
    return urls


def test_pending_requests_wait_on_disk_and_the_folder_goes_with_the_run(tmp_path: Path, sqlite_url: str) -> None:
    spill = tmp_path / "queues"
    spill.mkdir()
    with ReplicaServer(ReplicaSite(articles=120)) as server:
        _, stats = crawl(server.base_url, sqlite_url, f"SCHEDULER_SPILL_DIR={spill}")
        expected = {server.url(path) for path in server.site.valid_article_urls}
        groups = [{server.url(p) for p in group} for group in server.site.article_groups()]
    assert stats["scheduler/enqueued/disk"] > len(expected), "every request waited on disk"
    assert stats.get("scheduler/enqueued/memory", 0) == 0
    assert stats.get("scheduler/unserializable", 0) == 0, "every request of the crawl pickles"
    assert stats["scheduler/dequeued/disk"] == stats["scheduler/enqueued/disk"]
    assert list(spill.iterdir()) == [], "the run's queue folder is removed when the spider closes"
    # Every article once: a group's one URL (none of this replica's articles has a near-copy twice).
    urls = stored_urls(sqlite_url)
    assert [len(g & urls) for g in groups] == [1] * len(groups)
    assert urls <= expected | {u for g in groups for u in g}


def test_off_the_queue_is_scrapys_memory_queue(tmp_path: Path, sqlite_url: str) -> None:
    spill = tmp_path / "queues"
    spill.mkdir()
    with ReplicaServer(ReplicaSite(articles=40)) as server:
        _, stats = crawl(server.base_url, sqlite_url, "SCHEDULER_SPILL_TO_DISK=False", f"SCHEDULER_SPILL_DIR={spill}")
    assert stats.get("scheduler/enqueued/disk", 0) == 0 and stats["scheduler/enqueued/memory"] > 0
    assert list(spill.iterdir()) == []


def test_an_unusable_spill_folder_is_named_and_the_crawl_goes_on_in_memory(tmp_path: Path, sqlite_url: str) -> None:
    not_a_folder = tmp_path / "a-file"
    not_a_folder.write_text("")
    with ReplicaServer(ReplicaSite(articles=40)) as server:
        result, stats = crawl(server.base_url, sqlite_url, f"SCHEDULER_SPILL_DIR={not_a_folder}")
    assert f"SCHEDULER_SPILL_DIR '{not_a_folder}' is unusable" in result.stderr
    assert "set it to a writable folder" in result.stderr
    assert stats["scheduler/enqueued/memory"] > 0 and stats.get("scheduler/enqueued/disk", 0) == 0
