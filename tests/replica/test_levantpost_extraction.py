"""The Levant Post's pages as parser input: the stored fixture pages, and the generic extractor's figures.

The generic extractor's figures are a measurement, not a target: printed (``pytest -s``
shows them), they tell a site profile which selectors and settings it needs.  The expected
records come from the replica's model (``LevantPostSite.expected_record``), never from a
parser.  The assertions hold whatever the extractor's quality: every article is measured, and a wrong date on a
page that prints no zone is wrong by exactly Beirut's offset (local time read as UTC).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from crawler.parsers import parse_article
from crawler.replica.levantpost import LevantPostSite
from crawler.replica.levantpost.model import Article

BASE = "http://127.0.0.1:8001"
FIELDS = ("canonical_url", "title", "body_text", "published_at", "authors", "tags", "category", "language", "summary")
WORD = re.compile(r"\w+")


def token_f1(expected: str, got: str | None) -> float:
    """F1 of the two texts' word-token multisets."""
    truth, guess = Counter(WORD.findall(expected.lower())), Counter(WORD.findall((got or "").lower()))
    common = sum((truth & guess).values())
    if not common:
        return 0.0
    precision, recall = common / sum(guess.values()), common / sum(truth.values())
    return 2 * precision * recall / (precision + recall)


def extracted(article: Article, site: LevantPostSite) -> dict[str, Any]:
    """The generic extractor's record of the article page, in the expected record's shape."""
    record = parse_article(site.render(article.path, BASE)[2], BASE + article.path)
    values = {name: getattr(record, name) for name in FIELDS}
    if record.published_at is not None:
        values["published_at"] = record.published_at.astimezone(UTC).isoformat()
    return values


def group_of(article: Article) -> str:
    """The markup family of a page: structured data, or meta tags and markup only."""
    return "jsonld" if article.has_jsonld else "no-jsonld"


@pytest.fixture(scope="module")
def site() -> LevantPostSite:
    return LevantPostSite(articles=120, seed=7)


@pytest.fixture(scope="module")
def results(site: LevantPostSite) -> list[tuple[Article, dict[str, Any], dict[str, Any]]]:
    return [(a, site.expected_record(a, BASE), extracted(a, site)) for a in site.articles]


def test_generic_extractor_figures(
    site: LevantPostSite, results: list[tuple[Article, dict[str, Any], dict[str, Any]]]
) -> None:
    matches: Counter[tuple[str, str]] = Counter()
    totals: Counter[str] = Counter(group_of(a) for a, _, _ in results)
    dates: Counter[tuple[str, bool]] = Counter()
    f1s: list[float] = []
    for a, want, got in results:
        for name in FIELDS:
            matches[name, group_of(a)] += got[name] == want[name]
        dates[("jsonld" if a.has_jsonld else a.date_style), got["published_at"] == want["published_at"]] += 1
        f1s.append(token_f1(want["body_text"], got["body_text"]))
    lines = [f"generic extractor on The Levant Post ({len(results)} articles, seed {site.seed}): exact matches",
             f"{'field':<14}{'all':>9}{'JSON-LD':>12}{'no JSON-LD':>13}"]
    for name in FIELDS:
        j, n = matches[name, "jsonld"], matches[name, "no-jsonld"]
        row = f"{j + n:>5}/{len(results):<3}{j:>6}/{totals['jsonld']:<5}{n:>6}/{totals['no-jsonld']:<5}"
        lines.append(f"{name:<14}{row}")
    for style in ("jsonld", "iso", "local_time", "local_text"):
        ok, bad = dates[style, True], dates[style, False]
        lines.append(f"published_at, date from {style:<10}: {ok}/{ok + bad}")
    lines.append(f"body token F1: mean {sum(f1s) / len(f1s):.3f}, min {min(f1s):.3f}")
    print("\n" + "\n".join(lines))
    assert sum(totals.values()) == len(site.articles) == len(results)
    assert all(0.0 <= f <= 1.0 for f in f1s)


def test_wrong_dates_on_zoneless_pages_are_local_time_read_as_utc(
    results: list[tuple[Article, dict[str, Any], dict[str, Any]]]
) -> None:
    zoneless = [(a, want, got) for a, want, got in results if not a.has_jsonld and a.date_style != "iso"]
    assert zoneless
    for a, want, got in zoneless:
        if got["published_at"] == want["published_at"]:
            continue
        shift = datetime.fromisoformat(got["published_at"]) - datetime.fromisoformat(want["published_at"])
        assert shift == a.local_published.utcoffset(), a.path


# --- stored pages -------------------------------------------------------------------------------

STORED = Path(__file__).resolve().parent.parent / "fixtures" / "replica_pages" / "levantpost"


def test_stored_pages_are_what_the_replica_renders() -> None:
    """The parser fixtures under tests/fixtures/replica_pages/levantpost/ match the current markup.

    A change of the replica's pages must rebuild them: ``python
    tests/fixtures/replica_pages/levantpost/build_pages.py``.
    """
    cases = sorted(p for p in STORED.iterdir() if p.is_dir())
    assert [c.name for c in cases] == ["jsonld-two-authors", "markup-zoneless-date"]
    fresh = LevantPostSite(articles=120, seed=7)
    for case in cases:
        assert sorted(p.name for p in case.iterdir()) == ["meta.json", "page.html"], case
        meta = json.loads((case / "meta.json").read_text(encoding="utf-8"))
        assert set(meta) == {"site", "url"} and meta["site"] == "levantpost"
        article = fresh.article_for(meta["url"])
        assert article is not None, f"{case}: {meta['url']} is no article of LevantPostSite(seed=7)"
        rebuild = "rebuild with python tests/fixtures/replica_pages/levantpost/build_pages.py"
        assert (case / "page.html").read_bytes() == fresh.render(article.path, meta["url"][: -len(article.path)])[2], (
            f"{case}/page.html differs from the replica's page; {rebuild}"
        )
