"""`crawler crawl auto -a start_url=HOME` on both replicas: from the home page alone, every article
found, nothing else stored, bodies as the replica's model has them, robots.txt obeyed.

The figures (found/total, non-articles stored, mean body token F1) are printed: run with -s to see them.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections import Counter
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from crawler.replica import ReplicaServer, ReplicaSite
from crawler.replica.levantpost import LevantPostServer, LevantPostSite

pytestmark = pytest.mark.crawl

_TOKEN = re.compile(r"\w+")


def token_f1(got: str | None, expected: str) -> float:
    """Bag-of-words F1 of two texts (case-folded word tokens)."""
    a, b = Counter(_TOKEN.findall((got or "").casefold())), Counter(_TOKEN.findall(expected.casefold()))
    common = sum((a & b).values())
    if not common:
        return 0.0
    precision, recall = common / sum(a.values()), common / sum(b.values())
    return 2 * precision * recall / (precision + recall)


def crawl_auto(db_url: str, start_url: str) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, "-m", "crawler.cli", "crawl", "auto", "--db", db_url, "-a", f"start_url={start_url}"],
        capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result


def stored(db_url: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    engine = create_engine(db_url)
    with engine.connect() as conn:
        rows = [dict(r._mapping) for r in conn.execute(text("SELECT * FROM articles"))]
        runs = [dict(r._mapping) for r in conn.execute(text("SELECT * FROM crawl_runs"))]
    engine.dispose()
    return rows, runs


def test_auto_crawls_the_syrian_observer_replica_from_its_home_page(sqlite_url: str) -> None:
    site = ReplicaSite(articles=120)
    with ReplicaServer(site) as server:
        crawl_auto(sqlite_url, server.base_url + "/")
        base, hits = server.base_url, dict(server.hits)
    rows, runs = stored(sqlite_url)
    urls = {row["canonical_url"] for row in rows}
    # One path of each group is the article (a republished near-copy joins its original's group).
    groups = [{base + path for path in group} for group in site.article_groups()]
    found = sum(1 for group in groups if group & urls)
    non_articles = urls - set().union(*groups)
    scores = []
    for row in rows:
        article = site.article(row["canonical_url"][len(base):])
        assert article is not None, row["canonical_url"]
        scores.append(token_f1(row["body_text"], "\n\n".join(article.paragraphs)))
    mean_f1 = sum(scores) / len(scores)
    print(f"\nSyrian Observer replica, auto: found {found}/{len(groups)} articles, "
          f"{len(non_articles)} non-articles stored, mean body token F1 {mean_f1:.4f}")
    assert found >= 0.98 * len(groups)
    assert not non_articles
    assert len(urls) == len(rows), "an article stored twice"
    assert mean_f1 >= 0.95
    (run,) = runs
    assert (run["site"], run["spider"], run["status"]) == (f"auto_127_0_0_1_{base.rsplit(':', 1)[1]}", "auto", "ok")
    assert not [path for path in hits if path.startswith(("/wp-admin/", "/__replica__/"))]


def test_auto_crawls_the_levant_post_replica_from_its_home_page(sqlite_url: str) -> None:
    site = LevantPostSite(articles=120)
    with LevantPostServer(site) as server:
        result = crawl_auto(sqlite_url, server.base_url + "/")
        base, requested = server.base_url, list(server.requests)
    rows, _ = stored(sqlite_url)
    urls = {row["canonical_url"] for row in rows}
    expected = site.article_urls(base)
    found = len(expected & urls)
    non_articles = urls - expected
    scores = []
    for row in rows:
        article = site.article_for(row["canonical_url"])
        assert article is not None, row["canonical_url"]
        record = site.expected_record(article, base)
        scores.append(token_f1(row["body_text"], record["body_text"]))
        for phrase in site.chrome_phrases:
            assert phrase not in (row["body_text"] or ""), f"{phrase!r} in the body of {row['url']}"
    mean_f1 = sum(scores) / len(scores)
    print(f"\nLevant Post replica, auto: found {found}/{len(expected)} articles, "
          f"{len(non_articles)} non-articles stored, mean body token F1 {mean_f1:.4f}")
    assert found >= 0.98 * len(expected)
    assert not non_articles
    assert len(urls) == len(rows), "an article stored twice"
    assert mean_f1 >= 0.95
    # robots.txt: no disallowed page requested, though every one of them is linked.
    assert not [target for target in requested if target.startswith(tuple(site.disallowed_prefixes))]
    # AMP twins were seen and left for their canonical page.
    assert any(target.startswith("/amp/") for target in requested)
    assert "new" in result.stdout


def test_auto_needs_a_start_url(sqlite_url: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "crawler.cli", "crawl", "auto", "--db", sqlite_url, "-a", "start_url=ftp://x"],
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 2
    assert "start_url='ftp://x' is not an http(s) URL" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_profile_with_automatic_discovery_crawls_with_auto_under_its_key(sqlite_url: str, tmp_path: Any) -> None:
    site = LevantPostSite(articles=40)
    with LevantPostServer(site) as server:
        (tmp_path / "lp_auto.toml").write_text(
            f'key = "lp_auto"\nname = "The Levant Post, auto"\nbase_url = "{server.base_url}"\n'
        )
        env = {**os.environ, "CRAWLER_SITE_PROFILES": str(tmp_path)}
        result = subprocess.run(
            [sys.executable, "-m", "crawler.cli", "crawl", "lp_auto", "--db", sqlite_url,
             "-s", "AUTOTHROTTLE_ENABLED=False"],
            capture_output=True, text=True, timeout=300, env=env,
        )
        assert result.returncode == 0, result.stderr[-3000:]
        expected = site.article_urls(server.base_url)
    rows, runs = stored(sqlite_url)
    assert {row["canonical_url"] for row in rows} == expected
    assert {row["site"] for row in rows} == {"lp_auto"}
    assert [(run["site"], run["spider"], run["status"]) for run in runs] == [("lp_auto", "lp_auto", "ok")]
