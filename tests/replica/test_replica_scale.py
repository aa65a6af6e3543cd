"""The replica at benchmark sizes: valid, unique ids and URLs at 60,000 posts, pages that do not grow.

Model only (plus a handful of rendered pages): no server, no crawl.
"""

from __future__ import annotations

import re
from collections import Counter

import pytest

from crawler.replica import ReplicaSite
from crawler.replica.pages import ARCHIVE_WIDGET_MONTHS
from crawler.replica.seed import SEED_ID, SEED_PATH
from crawler.sites import SITES

SIZE = 60_000
ARCHIVE_LINK = re.compile(r'<li><a href="[^"]*/(\d{4})/(\d{2})/">')


@pytest.fixture(scope="module")
def big() -> ReplicaSite:
    return ReplicaSite(articles=SIZE)


def article_pattern() -> re.Pattern[str]:
    """The article URL pattern the syrianobserver crawl follows (its profile's ``article_pattern``)."""
    profile = SITES["syrianobserver"].profile
    assert profile is not None and profile.discovery is not None
    return re.compile(profile.discovery.article_pattern)


def test_every_id_positive_and_unique(big: ReplicaSite) -> None:
    posts = [*big.articles, *big._near_copies, *big._dead]
    ids = [a.post_id for a in posts if a.post_id is not None]
    assert len(big.articles) == SIZE
    assert len(ids) >= SIZE - 3  # the three pre-id posts have none
    assert min(ids) > 0
    duplicated = [i for i, n in Counter(ids).items() if n > 1]
    assert duplicated == []


def test_every_url_unique_and_an_article_url_of_the_spider(big: ReplicaSite) -> None:
    pattern = article_pattern()
    paths = [a.path for a in (*big.articles, *big._near_copies, *big._dead)]
    assert len(paths) == len(set(paths))
    assert [p for p in paths if not pattern.match(p)] == []
    assert len(big.valid_article_urls) >= SIZE - 3  # all but the no-body and truncated pages
    assert all(big.article(p) is not None for p in big.valid_article_urls)


def test_seed_keeps_its_id_and_path(big: ReplicaSite) -> None:
    assert big.seed_article.post_id == SEED_ID
    assert big.seed_article.path == SEED_PATH


def test_archive_widget_capped_and_page_size_flat(big: ReplicaSite) -> None:
    small = ReplicaSite(articles=5000)
    sizes = []
    for site in (small, big):
        status, _, body = site.render(site.articles[100].path)
        assert status == 200
        months = ARCHIVE_LINK.findall(body.decode())
        assert len(months) == ARCHIVE_WIDGET_MONTHS
        newest = max(site.by_month)
        assert (int(months[0][0]), int(months[0][1])) == newest
        sizes.append(len(body))
    assert max(sizes) < 1.2 * min(sizes)


def test_small_replica_lists_every_month() -> None:
    site = ReplicaSite(articles=520)
    _, _, body = site.render(site.articles[0].path)
    assert len(ARCHIVE_LINK.findall(body.decode())) == len(site.by_month) < ARCHIVE_WIDGET_MONTHS


def test_related_posts_are_the_category_neighbours(big: ReplicaSite) -> None:
    from crawler.replica.pages import related_posts

    for article in big.articles[:: SIZE // 50]:
        same = [a for a in big.by_category[article.category] if a.kind != "dead" and a.path != article.path]
        idx = next((i for i, a in enumerate(same) if a.published <= article.published), len(same))
        assert related_posts(big, article) == (same[max(0, idx - 2):idx] + same[idx:idx + 2])[:3]
