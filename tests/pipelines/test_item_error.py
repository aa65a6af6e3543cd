"""An item pipeline that raises loses no article silently (issue 9, must show 4).

Before: Scrapy's ``item_error`` was not recorded, so the article vanished, the run stayed ``ok``
and no event or error was counted.  Now each item a pipeline raises on is a ``pipeline_error``
event with its URL and the exception, an error of that kind, a lost article, and the run is
``failed`` (exit status 1, the summary says so).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from crawler.replica import ReplicaServer, ReplicaSite
from storage.db import make_engine
from storage.models import Article, CrawlEvent, CrawlRun

pytestmark = pytest.mark.crawl

HERE = Path(__file__).resolve().parent
PIPELINES = {
    "crawler.pipelines.ValidatePipeline": 100,
    "crawler.pipelines.NormalizePipeline": 200,
    "crawler.pipelines.DedupePipeline": 300,
    "raising_pipeline.RaisingPipeline": 350,  # after dedupe, before store: a failure here loses the article
    "crawler.pipelines.StorePipeline": 400,
}


def test_each_item_a_pipeline_raises_on_is_an_event_an_error_and_fails_the_run(tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'store.db'}"
    log = tmp_path / "raised.txt"
    log.touch()
    env = dict(os.environ, RAISING_PIPELINE_LOG=str(log), PYTHONPATH=os.pathsep.join([str(HERE), *sys.path]))
    with ReplicaServer(site=ReplicaSite(articles=60)) as server:
        done = subprocess.run(
            [
                sys.executable, "-m", "crawler.cli", "crawl", "syrianobserver", "--db", db_url,
                "-a", f"base_url={server.base_url}", "-s", f"ITEM_PIPELINES={json.dumps(PIPELINES)}",
                "-s", "RUN_HEARTBEAT_SECONDS=0.5",
            ],
            capture_output=True, text=True, timeout=240, env=env, check=False,
        )  # fmt: skip
    raised = log.read_text().split()

    engine = make_engine(db_url)
    with engine.connect() as conn:
        run = conn.execute(select(CrawlRun)).one()
        lost = select(CrawlEvent.url, CrawlEvent.reason).where(CrawlEvent.kind == "pipeline_error")
        events = conn.execute(lost).all()
        stored = set(conn.scalars(select(Article.canonical_url)))
    engine.dispose()

    assert len(raised) >= 5, f"the test pipeline should have failed several articles:\n{done.stderr[-2000:]}"
    # Each lost item is an event with its URL and the exception ...
    assert sorted(url for url, _ in events) == sorted(raised)
    assert all(reason == f"RuntimeError: test pipeline failure on {url}" for url, reason in events)
    # ... an error of its kind, a lost article, and the run is not ok.
    assert run.errors_by_kind["pipeline_error"] == len(raised)
    assert run.articles_lost == len(raised)
    assert run.status == "failed" and f"{len(raised)} articles lost" in run.finish_reason
    # The other articles were stored as usual; none of the lost ones was.
    assert stored and not stored & set(raised)
    assert run.articles_new == len(stored)
    # The crawl owned its run and beat its heartbeat while it ran.
    assert run.pid and run.hostname and run.heartbeat_at > run.started_at
    # The CLI tells the truth: exit 1, the lost count in the summary, the failing health check.
    assert done.returncode == 1, done.stderr[-2000:]
    assert f"run {run.id} failed: {len(raised)} articles lost" in done.stdout
    assert "articles lost" in done.stdout and "health check failed: run_status" in done.stdout
