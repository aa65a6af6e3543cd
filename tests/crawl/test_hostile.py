"""Surviving a hostile web (issue: traps, huge and lying pages, flaky servers, hijacked canonicals).

Against :class:`crawler.replica.hostile.HostileServer` (a 40-article replica with the hostile cases mixed
in, all on 127.0.0.1) and a decoy "other site" on ``localhost``:

1. ``crawler crawl syrianobserver -a base_url=...`` and ``crawler crawl auto -a start_url=...`` finish
   (within 120 s: the subprocess's limit) under 400 MB peak RSS, store every valid article once with its
   text intact, store no error or trap page, send at most 50 requests into any trap, none off the site.
2. A category of 700 listing pages is crawled completely by the site spider.
3. A crawl SIGKILLed midway and restarted ends with the store of an uninterrupted crawl, fetching fewer pages.
4. Each limit and trap stop is in the summary ``crawler crawl`` prints and in the run's stored stats.

Figures (wall time, peak RSS, requests per trap, pages fetched) are printed: run with ``-s`` to see them.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from crawler.replica import ReplicaServer, ReplicaSite
from crawler.replica.hostile import DecoyServer, HostileServer
from crawler.replica.hostile_pages import TRAP_PREFIXES
from crawler.replica.posts import Article
from storage.db import make_engine
from storage.models import Article as StoredArticle
from storage.models import CrawlEvent, CrawlRun

pytestmark = pytest.mark.crawl

CRAWL_LIMIT_SECONDS = 120  # the bound, enforced as the subprocess's timeout
MAX_RSS_BYTES = 400 * 1024 * 1024
MAX_TRAP_REQUESTS = 50
# What the hostile server provokes, and the summary and crawl_events must show.
EXPECTED_KINDS = {"too_large", "page_cut", "redirect_limit", "trap", "canonical_refused", "timeout", "bad_encoding"}
# auto follows every link and lets Scrapy follow redirects: it meets the link farm and the off-site redirect too.
EXPECTED_KINDS_AUTO = EXPECTED_KINDS | {"links_cut", "offsite"}


def run_crawl(args: list[str], timeout: float = CRAWL_LIMIT_SECONDS) -> tuple[int, str, float, int]:
    """``crawler crawl ARGS`` in a child process: (exit code, stdout, wall seconds, the child's peak RSS bytes)."""
    started = time.monotonic()
    with tempfile.TemporaryFile("w+") as out:
        proc = subprocess.Popen([sys.executable, "-m", "crawler.cli", "crawl", *args],
                                stdout=out, stderr=subprocess.DEVNULL, text=True)
        while True:
            # wait4: this child's own resource usage (its peak RSS), not every child's of the test process.
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() - started > timeout:
                proc.kill()
                os.wait4(proc.pid, 0)
                raise AssertionError(f"the crawl did not finish within {timeout:.0f}s")
            time.sleep(0.2)
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        return proc.returncode, out.read(), time.monotonic() - started, usage.ru_maxrss * 1024


def rows(db_url: str, stmt):  # noqa: ANN001, ANN201 - a test helper over any select
    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            return conn.execute(stmt).all()
    finally:
        engine.dispose()


def assert_intact(article: Article, body: str, title: str) -> None:
    """Every paragraph of the article as published is in the stored body; no replacement character."""
    assert "\ufffd" not in body and "\ufffd" not in title
    for paragraph in article.paragraphs:
        assert " ".join(paragraph.split()) in " ".join(body.split()), f"{article.path}: paragraph missing"


def known_article(server: HostileServer, path: str) -> Article | None:
    return server.content.article(path) or server.site.article(path)


@pytest.mark.parametrize("spider", ["syrianobserver", "auto"])
def test_a_hostile_site_is_crawled_bounded_and_whole(spider: str, tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'store.db'}"
    with DecoyServer() as decoy, HostileServer(offsite_base=decoy.offsite_base) as server:
        arg = f"base_url={server.base_url}" if spider == "syrianobserver" else f"start_url={server.base_url}/"
        code, out, seconds, rss = run_crawl([spider, "--db", db_url, "-a", arg])
        traps = {name: sum(n for t, n in server.hits.items() if t.startswith(prefix))
                 for name, prefix in TRAP_PREFIXES.items()}
        print(f"\n{spider}: {seconds:.1f}s wall, peak RSS {rss / 2**20:.0f} MiB, {server.requests} requests; "
              f"requests per trap: {traps}; off-site requests: {decoy.requests}")
        assert code == 0, out[-3000:]
        assert rss < MAX_RSS_BYTES
        assert max(traps.values()) <= MAX_TRAP_REQUESTS, traps
        assert decoy.requests == 0
        assert server.hits["/sitemap.xml"] == 1  # the index that lists itself is read once
        base = server.base_url

    stored = {row.url: row for row in rows(db_url, select(StoredArticle))}
    paths = {url.removeprefix(base) for url in stored}
    # Every valid article once (of the replica's article and its republished copy, one), nothing else.
    for group in server.site.article_groups():
        assert len(group & paths) == 1, f"{sorted(group)} stored {len(group & paths)} times"
    for path in server.content.valid_paths():
        assert path in paths, f"valid article {path} not stored"
    allowed = server.valid_paths() | set(server.site.near_copies)
    assert paths <= allowed, f"stored pages that are no valid article: {sorted(paths - allowed)}"
    stray = next(p for p, h in server.content.hostile.items() if h.behaviour == "stray_bytes")
    for url, row in stored.items():
        assert row.canonical_url == url  # no page stored under a URL it claimed (hijack, off-site canonical)
        article = known_article(server, url.removeprefix(base))
        assert article is not None
        if url != base + stray:
            assert_intact(article, row.body_text, row.title)
    # The page that lost a byte: stored as read, its one U+FFFD reported, never passed as clean.
    assert stored[base + stray].body_text.count("\ufffd") == 1
    victim = stored[base + server.content.victim.path]
    assert victim.title == server.content.victim.title  # the hijacked canonical left the article alone

    # Must show 4: each limit and trap stop in the printed summary and in the run's stored stats.
    (run,) = rows(db_url, select(CrawlRun))
    expected = EXPECTED_KINDS_AUTO if spider == "auto" else EXPECTED_KINDS
    kinds = {kind for (kind,) in rows(db_url, select(CrawlEvent.kind).where(CrawlEvent.run_id == run.id))}
    assert expected <= kinds, expected - kinds
    assert expected <= set(run.errors_by_kind), run.errors_by_kind
    summary = out[out.index("limits and traps"):]
    for kind in expected:
        assert kind in summary, f"{kind} missing from the summary"
    events = rows(db_url, select(CrawlEvent.url, CrawlEvent.kind, CrawlEvent.reason).where(CrawlEvent.run_id == run.id))
    too_large = {url.removeprefix(base) for url, kind, _ in events if kind == "too_large"}
    big = {p for p, h in server.content.hostile.items() if h.behaviour in ("huge", "gzip_bomb")}
    assert big <= too_large  # the 60 MB page and the gzip bomb: refused, each with its URL
    assert (base + stray, "bad_encoding") in {(url, kind) for url, kind, _ in events}
    assert all(url and reason for url, _, reason in events)


def test_since_does_not_unbound_traps_dated_today(tmp_path: Path) -> None:
    """``-a since=3d`` stops paging past old articles; the calendar's junk is dated today and still stops."""
    db_url = f"sqlite:///{tmp_path / 'store.db'}"
    with HostileServer(slow=False) as server:
        code, out, seconds, _ = run_crawl(["syrianobserver", "--db", db_url, "-a", f"base_url={server.base_url}",
                                           "-a", "since=3d"])
        traps = {name: sum(n for t, n in server.hits.items() if t.startswith(prefix))
                 for name, prefix in TRAP_PREFIXES.items()}
    print(f"\nsince=3d: {seconds:.1f}s wall; requests per trap: {traps}")
    assert code == 0, out[-3000:]
    assert traps["calendar"] > 1 and traps["endless pagination"] > 1  # the traps were entered (dated today) ...
    assert max(traps.values()) <= MAX_TRAP_REQUESTS  # ... and stopped


def test_the_site_budget_stops_the_run_and_shows_in_the_summary(tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'store.db'}"
    with HostileServer(slow=False) as server:
        code, out, _, _ = run_crawl(["syrianobserver", "--db", db_url, "-a", f"base_url={server.base_url}",
                                     "-s", "SITE_REQUEST_BUDGET=30"])
        served, base = server.requests, server.base_url
    assert code == 0, out[-3000:]
    assert served <= 30 + 2  # robots.txt is the spider's request too; at most a couple in flight past the count
    (run,) = rows(db_url, select(CrawlRun))
    assert run.errors_by_kind.get("site_budget") == 1  # said once, not once per refused request
    assert "site_budget 1" in out[out.index("limits and traps"):]
    (event,) = rows(db_url, select(CrawlEvent.url, CrawlEvent.reason).where(CrawlEvent.kind == "site_budget"))
    assert event.url.startswith(base) and "SITE_REQUEST_BUDGET" in event.reason


def test_a_700_page_category_is_crawled_completely(tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'store.db'}"
    with HostileServer(deep_pages=700, slow=False) as server:
        code, out, seconds, _ = run_crawl(["syrianobserver", "--db", db_url, "-a", f"base_url={server.base_url}"],
                                          timeout=900)
        listing_hits = sum(n for t, n in server.hits.items() if t.startswith("/category/deep-archive/"))
        base = server.base_url
    print(f"\n700-page category: {listing_hits} listing pages fetched in {seconds:.0f}s")
    assert code == 0, out[-3000:]
    assert listing_hits == 700
    stored = {url.removeprefix(base) for (url,) in rows(db_url, select(StoredArticle.url))}
    missing = set(server.content.deep_by_path) - stored
    assert not missing, f"{len(missing)} deep-archive stories not stored, e.g. {sorted(missing)[:3]}"


def test_a_sigkilled_crawl_resumes_where_it_was(tmp_path: Path) -> None:
    site = ReplicaSite(articles=60)
    with ReplicaServer(site=site, delay=0.03) as server:
        reference_db = f"sqlite:///{tmp_path / 'reference.db'}"
        code, out, _, _ = run_crawl(["syrianobserver", "--db", reference_db, "-a", f"base_url={server.base_url}"],
                                    timeout=300)
        assert code == 0, out[-2000:]
        (reference_run,) = rows(reference_db, select(CrawlRun))
        reference = {r.canonical_url: (r.title, r.body_text, r.version) for r in rows(reference_db,
                                                                                      select(StoredArticle))}

        db_url = f"sqlite:///{tmp_path / 'store.db'}"
        proc = subprocess.Popen([sys.executable, "-m", "crawler.cli", "crawl", "syrianobserver", "--db", db_url,
                                 "-a", f"base_url={server.base_url}"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 240
        while _count(db_url) < len(reference) // 2:
            assert proc.poll() is None and time.monotonic() < deadline, "the crawl ended before the kill point"
            time.sleep(0.05)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        at_kill = _count(db_url)
        code, out, _, _ = run_crawl(["syrianobserver", "--db", db_url, "-a", f"base_url={server.base_url}"],
                                    timeout=300)
        assert code == 0, out[-2000:]
        pair = {server.url(p) for copy, original in site.near_copies.items() for p in (copy, original)}
    runs = rows(db_url, select(CrawlRun).order_by(CrawlRun.id))
    assert [r.status for r in runs] == ["killed", "ok"]
    store = {r.canonical_url: (r.title, r.body_text, r.version) for r in rows(db_url, select(StoredArticle))}
    assert len(pair & set(store)) == 1
    assert {k: v for k, v in store.items() if k not in pair} == {k: v for k, v in reference.items() if k not in pair}
    resumed = runs[1]
    print(f"\nresume: {at_kill} of {len(reference)} articles stored at the kill; restart fetched "
          f"{resumed.pages_fetched} pages, an uninterrupted crawl {reference_run.pages_fetched}")
    # Each article the killed run stored is not fetched again (a few may be in flight at the kill).
    assert resumed.pages_fetched <= reference_run.pages_fetched - 0.8 * at_kill


def _count(db_url: str) -> int:
    try:
        return len(rows(db_url, select(StoredArticle.id)))
    except Exception:  # noqa: BLE001 - the store may not exist yet
        return 0
