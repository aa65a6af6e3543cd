"""Scrapy conventions and spider arguments, against the replica on 127.0.0.1."""

from __future__ import annotations

import socket
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, date
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from crawler.replica import ReplicaServer, ReplicaSite

pytestmark = pytest.mark.crawl
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def replica() -> Iterator[ReplicaServer]:
    with ReplicaServer(ReplicaSite(articles=520)) as server:
        yield server


def scrapy(*args: str) -> subprocess.CompletedProcess[str]:
    """`scrapy ...` from the repo root, as a user types it."""
    return subprocess.run(
        [sys.executable, "-m", "scrapy", *args], cwd=REPO, capture_output=True, text=True, timeout=300
    )


def stored(db_url: str, sql: str) -> list[tuple]:
    engine = create_engine(db_url)
    with engine.connect() as conn:
        rows = [tuple(r) for r in conn.execute(text(sql))]
    engine.dispose()
    return rows


def test_scrapy_list_names_the_spider() -> None:
    result = scrapy("list")
    assert result.returncode == 0, result.stderr
    assert "syrianobserver" in result.stdout.split()


def test_since_keeps_only_newer_articles(replica: ReplicaServer, sqlite_url: str) -> None:
    since = date(2019, 10, 15)
    result = scrapy(
        "crawl", "syrianobserver", "-a", f"base_url={replica.base_url}", "-a", f"since={since}",
        "-s", f"DATABASE_URL={sqlite_url}", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "LOG_LEVEL=INFO",
    )
    assert result.returncode == 0, result.stderr[-3000:]
    site = replica.site
    expected = {
        replica.base_url + a.path
        for a in site.articles
        if a.path in site.valid_article_urls and a.published.astimezone(UTC).date() >= since
    }
    assert 0 < len(expected) < len(site.valid_article_urls)
    urls = {row[0] for row in stored(sqlite_url, "SELECT canonical_url FROM articles")}
    assert urls == expected
    assert "stop paging at" in result.stderr
    (run,) = stored(sqlite_url, "SELECT status, args FROM crawl_runs")
    assert run[0] == "ok" and "2019-10-15" in run[1]


def test_max_pages_bounds_the_run(replica: ReplicaServer, sqlite_url: str) -> None:
    result = scrapy(
        "crawl", "syrianobserver", "-a", f"base_url={replica.base_url}", "-a", "max_pages=3",
        "-s", f"DATABASE_URL={sqlite_url}", "-s", "AUTOTHROTTLE_ENABLED=False",
    )
    assert result.returncode == 0, result.stderr[-3000:]
    (count,) = stored(sqlite_url, "SELECT COUNT(*) FROM articles")[0]
    # The home page, the feed's 20 newest and at most 3 listing pages of 10: far from the 518.
    assert 0 < count <= 20 + 3 * 10 + 10
    (pages,) = stored(sqlite_url, "SELECT pages_fetched FROM crawl_runs")[0]
    assert pages < 100
    assert replica.hits["/robots.txt"] >= 1  # robots.txt is read before crawling (ROBOTSTXT_OBEY)
    assert not any(path.startswith(("/wp-admin/", "/__replica__/")) for path in replica.hits)


@pytest.mark.parametrize(
    ("argument", "message"),
    [("since=21-08-2019", "is not a date: use YYYY-MM-DD"), ("max_pages=-1", "must be 1 or more")],
)
def test_bad_spider_argument_is_a_clear_error(argument: str, message: str, sqlite_url: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "crawler.cli", "crawl", "syrianobserver", "-a", argument, "--db", sqlite_url],
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 2
    assert message in result.stderr


def test_unusable_database_url_is_a_clear_error() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "crawler.cli", "crawl", "syrianobserver", "--db", "sqlite:////nonexistent/dir/x.db"],
        capture_output=True, text=True, timeout=120,
    )
    # A well-formed URL whose database cannot be opened: exit 1, as in every command (docs/cli.md).
    assert result.returncode == 1
    assert "cannot open the database 'sqlite:////nonexistent/dir/x.db'" in result.stderr
    assert "Traceback" not in result.stderr


def test_since_takes_a_rolling_window() -> None:
    from spiders.base import SpiderArgumentError, parse_since

    assert parse_since("3d", today=date(2024, 3, 2)) == date(2024, 2, 28)
    assert parse_since("2019-08-21") == date(2019, 8, 21)
    with pytest.raises(SpiderArgumentError, match="or Nd for the last N days"):
        parse_since("last week")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-s", "DOWNLOAD_DELAY=abc"], "-s DOWNLOAD_DELAY=abc: expected a number"),
        (["-s", "AUTOTHROTLE_ENABLED=False"], "-s AUTOTHROTLE_ENABLED=False: no such setting"),
        (["-a", "sinse=2024-01-01"], "unknown spider argument(s) -a sinse=..."),
    ],
)
def test_bad_setting_or_argument_is_refused_and_leaves_no_running_run(
    args: list[str], message: str, sqlite_url: str
) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "crawler.cli", "crawl", "syrianobserver", "--db", sqlite_url, *args],
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 2
    assert message in result.stderr and "Traceback" not in result.stderr
    engine = create_engine(sqlite_url)
    with engine.connect() as conn:
        has_runs = conn.execute(text("SELECT name FROM sqlite_master WHERE name = 'crawl_runs'")).first()
        running_sql = text("SELECT COUNT(*) FROM crawl_runs WHERE status = 'running'")
        running = conn.execute(running_sql).scalar_one() if has_runs else 0
    engine.dispose()
    assert running == 0


def test_unreachable_site_is_one_clear_reason_not_tracebacks(sqlite_url: str) -> None:
    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    result = subprocess.run(
        [sys.executable, "-m", "crawler.cli", "crawl", "syrianobserver", "--db", sqlite_url,
         "-a", f"base_url=http://127.0.0.1:{port}", "-s", "RETRY_TIMES=0"],
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "failed: nothing fetched; first error: network_error" in " ".join(result.stdout.split())
    (reason,) = stored(sqlite_url, "SELECT finish_reason FROM crawl_runs")[0]
    assert reason.startswith("nothing fetched; first error: network_error http://127.0.0.1:")
