"""The demo store both backends share: a sanity check of the fixture itself."""

from __future__ import annotations

from sqlalchemy import func, select
from store_helpers import DEMO_ARTICLES, table_counts

from storage.db import make_engine
from storage.models import CrawlEvent


def replaced_events(url: str) -> int:
    """Rows an earlier-published copy took over (each adds one version, in whichever run met the copy second)."""
    engine = make_engine(url)
    with engine.connect() as conn:
        n = conn.execute(select(func.count()).select_from(CrawlEvent).where(CrawlEvent.kind == "replaced")).scalar_one()
    engine.dispose()
    return n


def test_demo_store_has_articles_runs_and_a_second_version(demo_url: str) -> None:
    counts = table_counts(demo_url)
    assert DEMO_ARTICLES * 0.8 <= counts["articles"] <= DEMO_ARTICLES
    assert counts["crawl_runs"] == 2
    # One version per article, one for the edited article, one per row taken over (arrival order decides).
    assert counts["article_versions"] == counts["articles"] + 1 + replaced_events(demo_url)
