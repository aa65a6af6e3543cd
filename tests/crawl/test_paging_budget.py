"""``-a max_pages=N`` counts listing pages actually fetched, not links to pages the dupe filter drops.

Every page of the replica links to the same ~40 category, tag and archive listings: a budget
spent per link was gone after two pages, and no ``/page/N/`` listing was ever fetched.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from crawler.replica import ReplicaServer, ReplicaSite
from spiders.syrianobserver import SyrianObserverSpider

pytestmark = pytest.mark.crawl
REPO = Path(__file__).resolve().parents[2]


def listing_hits(replica: ReplicaServer) -> dict[str, int]:
    """Listing paths the crawl requested, with how often."""
    spider = SyrianObserverSpider(base_url=replica.base_url)
    return {path: n for path, n in replica.hits.items() if spider.is_listing(replica.base_url + path)}


@pytest.mark.parametrize("max_pages", [100])
def test_max_pages_fetches_that_many_listing_pages_deeper_pages_included(sqlite_url: str, max_pages: int) -> None:
    with ReplicaServer(ReplicaSite(articles=520)) as replica:
        result = subprocess.run(
            [
                sys.executable, "-m", "scrapy", "crawl", "syrianobserver",
                "-a", f"base_url={replica.base_url}", "-a", f"max_pages={max_pages}",
                "-s", f"DATABASE_URL={sqlite_url}", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "LOG_LEVEL=INFO",
            ],
            cwd=REPO, capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        assert result.returncode == 0, result.stderr[-3000:]
        hits = listing_hits(replica)
    deeper = sorted(path for path in hits if "/page/" in path)
    print(f"max_pages={max_pages}: {len(hits)} listing pages fetched, {len(deeper)} of them /page/N/ pages")
    # Each listing fetched once (the dupe filter never had to drop a counted request), exactly the budget.
    assert set(hits.values()) == {1}
    assert len(hits) == max_pages
    assert deeper, "no /page/N/ listing was fetched"


def test_a_listing_url_already_requested_does_not_spend_the_budget() -> None:
    spider = SyrianObserverSpider(base_url="http://127.0.0.1:1", max_pages="2")
    first = spider.listing_request("http://127.0.0.1:1/category/news/")
    again = spider.listing_request("http://127.0.0.1:1/category/news/#top")  # the same page for the dupe filter
    second = spider.listing_request("http://127.0.0.1:1/category/news/page/2/")
    third = spider.listing_request("http://127.0.0.1:1/tag/aleppo/")
    assert first is not None and again is None and second is not None and third is None
    assert spider.listing_pages == 2
