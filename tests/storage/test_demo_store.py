"""The demo store both backends share: a sanity check of the fixture itself."""

from __future__ import annotations

from store_helpers import DEMO_ARTICLES, table_counts


def test_demo_store_has_articles_runs_and_a_second_version(demo_url: str) -> None:
    counts = table_counts(demo_url)
    assert DEMO_ARTICLES * 0.8 <= counts["articles"] <= DEMO_ARTICLES
    assert counts["crawl_runs"] == 2
    assert counts["article_versions"] == counts["articles"] + 1
