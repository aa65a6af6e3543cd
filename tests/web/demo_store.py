"""A demo store for the web tests: the replica crawled, its seed article edited and re-crawled, then a redesign.

Built as the crawl tests build theirs (tests/crawl/test_layout_change.py): real `crawler crawl`
child processes against the replica served on 127.0.0.1.
"""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace
from typing import Any

from crawler.replica import ReplicaServer, ReplicaSite
from crawler.replica.levantpost import LevantPostServer, LevantPostSite
from crawler.replica.seed import SEED_PATH

# The edit the second crawl finds on the seed article: a new headline word and a corrected paragraph.
EDITED_TITLE_SUFFIX = " (Updated)"
EDITED_SENTENCE = "This report was corrected after publication by the editors."


def crawl(db_url: str, base_url: str, spider: str = "syrianobserver", *settings: str) -> None:
    """One `crawler crawl SPIDER` of a replica into ``db_url`` (``settings``: NAME=VALUE for ``-s``)."""
    overrides = [arg for setting in settings for arg in ("-s", setting)]
    result = subprocess.run(
        [sys.executable, "-m", "crawler.cli", "crawl", spider, "--db", db_url, "-a", f"base_url={base_url}",
         *overrides],
        capture_output=True, text=True, timeout=300,
    )
    # A crawl of the redesigned layout is still a completed run (exit 0): the health checks judge it.
    assert result.returncode in (0, 1), result.stderr[-3000:]


def edit_seed(site: ReplicaSite) -> None:
    """The replica's seed article, republished with an edited headline and an added paragraph."""
    old = site.article(SEED_PATH)
    assert old is not None
    new = replace(old, title=old.title + EDITED_TITLE_SUFFIX, paragraphs=(*old.paragraphs, EDITED_SENTENCE))
    site.articles[site.articles.index(old)] = new
    site._by_path[SEED_PATH] = new  # noqa: SLF001 - the replica has no public edit API; tests reach in
    site._index()  # noqa: SLF001 - listings hold the article objects: rebuild them around the new one


def build_demo_store(db_url: str, articles: int = 60) -> dict[str, Any]:
    """Syrian Observer: the first crawl, a re-crawl after the seed article was edited, a crawl of the redesign
    (runs 1-3); then one healthy crawl of The Levant Post's replica (run 4), so the sources page has both kinds."""
    site = ReplicaSite(articles=articles)
    with ReplicaServer(site) as server:
        crawl(db_url, server.base_url)
        # The seed article is years old: outside the re-check window a re-crawl would skip it (and the
        # redesigned pages), so these re-crawls fetch every known article again (as test_layout_change.py does).
        edit_seed(site)
        crawl(db_url, server.base_url, "syrianobserver", "RECHECK_ENABLED=False")
        server.set_layout("redesign")
        crawl(db_url, server.base_url, "syrianobserver", "RECHECK_ENABLED=False")
    with LevantPostServer(LevantPostSite(articles=40, seed=7)) as levant:
        crawl(db_url, levant.base_url, "levantpost")
    return {"site": site}
