"""A test-only item pipeline that raises on some items (tests/pipelines/test_item_error.py).

It fails every article whose canonical URL hashes to 0 modulo 4 (a fixed, reproducible quarter),
and appends each URL it failed on to the file named by ``$RAISING_PIPELINE_LOG``.
"""

from __future__ import annotations

import hashlib
import os

from crawler.items import ArticleRecord


def fails(url: str) -> bool:
    """True for the URLs this pipeline raises on."""
    return int(hashlib.sha256(url.encode()).hexdigest(), 16) % 4 == 0


class RaisingPipeline:
    """Raises ``RuntimeError`` for one article in four, as a buggy pipeline would."""

    def process_item(self, item: ArticleRecord) -> ArticleRecord:
        url = item.canonical_url or item.url
        if fails(url):
            with open(os.environ["RAISING_PIPELINE_LOG"], "a", encoding="utf-8") as log:
                log.write(url + "\n")
            raise RuntimeError(f"test pipeline failure on {url}")
        return item
