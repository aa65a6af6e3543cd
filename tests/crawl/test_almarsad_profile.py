"""Al-Marsad (Arabic, right-to-left) crawled through its profile (crawler/profiles/almarsad.toml), no parser code.

One full crawl (`crawler crawl almarsad -a base_url=...`) of the replica on 127.0.0.1; the store is
compared field by field with the records the replica's model says a correct crawl stores
(``AlMarsadSite.expected_record``): Arabic text exactly as published, dates from Arabic month names
(Levantine and Egyptian) and Arabic-Indic digits read in Damascus time, windows-1256 archive pages
decoded from their ``<meta charset>``, no Arabic chrome label stored.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from crawler.replica.almarsad import AlMarsadServer, AlMarsadSite

pytestmark = pytest.mark.crawl
REPO = Path(__file__).resolve().parents[2]
FIELDS = (
    "canonical_url", "title", "body_text", "published_at", "authors", "tags", "category", "language", "summary",
    "source",
)


def crawl(*args: str) -> subprocess.CompletedProcess[str]:
    """`crawler crawl ...` from the repo root, as a user types it."""
    return subprocess.run(
        [sys.executable, "-m", "crawler.cli", "crawl", *args], cwd=REPO, capture_output=True, text=True, timeout=600,
        env=dict(os.environ),
    )


def rows(db_url: str, sql: str) -> list[dict[str, Any]]:
    engine = create_engine(db_url)
    with engine.connect() as conn:
        out = [dict(r._mapping) for r in conn.execute(text(sql))]
    engine.dispose()
    return out


@dataclass
class Crawled:
    server: AlMarsadServer
    db_url: str
    result: subprocess.CompletedProcess[str]

    @property
    def site(self) -> AlMarsadSite:
        return self.server.site


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Crawled]:
    db_url = f"sqlite:///{tmp_path_factory.mktemp('almarsad') / 'am.db'}"
    with AlMarsadServer(AlMarsadSite(articles=64, seed=11)) as server:
        result = crawl("almarsad", "--db", db_url, "-a", f"base_url={server.base_url}")
        yield Crawled(server, db_url, result)


def stored_records(crawled: Crawled) -> dict[str, dict[str, Any]]:
    """Stored articles in the expected record's shape, by canonical URL."""
    tags: dict[int, list[str]] = {}
    for row in rows(crawled.db_url, "SELECT article_id, tag FROM article_tags ORDER BY article_id, position"):
        tags.setdefault(row["article_id"], []).append(row["tag"])
    out = {}
    for a in rows(crawled.db_url, "SELECT * FROM articles"):
        published = a["published_at"]
        if isinstance(published, str):
            published = datetime.fromisoformat(published)
        record = {name: a.get(name) for name in FIELDS}
        record["published_at"] = published.replace(tzinfo=UTC).isoformat() if published else None
        record["tags"] = tags.get(a["id"], [])
        authors = a["authors"]
        record["authors"] = json.loads(authors) if isinstance(authors, str) else list(authors or [])
        record["body_html"] = a.get("body_html")
        out[a["canonical_url"]] = record
    return out


def test_crawl_completes_without_errors(crawled: Crawled) -> None:
    assert crawled.result.returncode == 0, crawled.result.stderr[-3000:]
    (run,) = rows(crawled.db_url, "SELECT * FROM crawl_runs")
    assert run["status"] == "ok" and run["site"] == "almarsad" and run["errors"] == 0, run
    assert run["articles_new"] == len(crawled.site.articles)


def test_expected_records_match_field_by_field(crawled: Crawled) -> None:
    site, base = crawled.site, crawled.server.base_url
    stored = stored_records(crawled)
    matches: Counter[str] = Counter()
    by_style: Counter[tuple[str, bool]] = Counter()
    mismatches: list[str] = []
    for article in site.articles:
        want = site.expected_record(article, base)
        got = stored.get(want["canonical_url"])
        assert got is not None, f"not stored: {want['canonical_url']}"
        for name in FIELDS:
            ok = got[name] == want[name]
            matches[name] += ok
            if not ok:
                mismatches.append(f"{article.path} {name}: want {want[name]!r:.80} got {got[name]!r:.80}")
        style = "archive (windows-1256)" if article.archive else article.date_style
        by_style[style, got["published_at"] == want["published_at"]] += 1
    total = len(site.articles)
    print(f"\nAl-Marsad through its profile: {total} articles, exact matches per field")
    for name in FIELDS:
        print(f"  {name:<14} {matches[name]:>4}/{total}")
    for style in sorted({s for s, _ in by_style}):
        right, count = by_style[style, True], by_style[style, True] + by_style[style, False]
        print(f"  published_at, dates from {style:<22} {right:>3}/{count}")
    assert total >= 20
    assert not mismatches, "\n".join(mismatches[:20])
    # Every way the site prints a date was met, and both UTC offsets of the archive years.
    assert {s for s, _ in by_style} == {"jsonld", "levantine_indic", "egyptian", "egyptian_indic",
                                        "archive (windows-1256)"}
    offsets = {a.local_published.utcoffset() for a in site.archive_articles}
    assert len(offsets) == 2, offsets


def test_text_is_stored_exactly_as_published(crawled: Crawled) -> None:
    """Tashkeel, tatweel, hamza forms and Arabic-Indic digits survive: normalization is for search only."""
    stored = stored_records(crawled)
    bodies = " ".join(r["body_text"] for r in stored.values())
    titles = " ".join(r["title"] for r in stored.values())
    assert "إنّ" in bodies or "المتّحدة" in bodies or "مساعٍ" in bodies
    assert any(ch in bodies for ch in "٠١٢٣٤٥٦٧٨٩")
    assert "ّ" in titles  # shadda in a headline (يعلّق، تغيّر)
    (lang,) = rows(crawled.db_url, "SELECT DISTINCT language FROM articles")
    assert lang["language"] == "ar"


def test_no_arabic_chrome_in_stored_text(crawled: Crawled) -> None:
    stored = stored_records(crawled)
    phrases = crawled.site.chrome_phrases
    assert phrases
    found = [
        (url, name, phrase)
        for url, record in stored.items()
        for name in ("title", "summary", "body_text", "body_html", "source")
        for phrase in phrases
        if phrase in (record.get(name) or "")
    ]
    assert not found, found[:10]
    assert not [r["authors"] for r in stored.values() if any("المرصد" in n for n in r["authors"])]


def test_each_article_stored_once_and_no_listing_stored(crawled: Crawled) -> None:
    site, base = crawled.site, crawled.server.base_url
    urls = [r["canonical_url"] for r in rows(crawled.db_url, "SELECT canonical_url FROM articles")]
    assert len(urls) == len(set(urls)) == len(site.articles)
    assert set(urls) == site.article_urls(base)
    assert not set(urls) & site.non_article_urls(base)
    # The old pages came from the sitemap only (no listing links them), in windows-1256.
    assert site.archive_articles and all(f"{base}{a.path}" in urls for a in site.archive_articles)


def test_robots_disallowed_paths_are_never_requested(crawled: Crawled) -> None:
    requested = crawled.server.requests
    assert "/robots.txt" in requested
    offending = [t for t in requested if t.startswith(tuple(crawled.site.disallowed_prefixes))]
    assert not offending, offending[:10]


def test_the_crawled_store_is_searchable_in_arabic(crawled: Crawled, capsys: pytest.CaptureFixture[str]) -> None:
    """A headline with hamza and taa marbuta is found typed with bare alef and haa."""
    from crawler.cli import main
    from storage.arabic import normalize_arabic

    article = next(a for a in crawled.site.articles if any(ch in a.title for ch in "أإآة"))
    words = [w for w in article.title.split() if any(ch in w for ch in "أإآة")][:2]
    query = " ".join(normalize_arabic(w) for w in words)
    assert query != " ".join(words)
    assert main(["search", query, "--db", crawled.db_url, "--format", "json", "--limit", "50"]) == 0
    hits = json.loads(capsys.readouterr().out)
    assert crawled.server.base_url + article.path in [h["url"] for h in hits]
    # Every hit holds both words in some spelling: no unrelated article matched.
    stored = stored_records(crawled)
    for hit in hits:
        record = stored[hit["url"]]
        keyed = normalize_arabic(" ".join(record[f] or "" for f in ("title", "summary", "body_text")))
        assert all(normalize_arabic(w) in keyed for w in words), (hit["title"], words)
