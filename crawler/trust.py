"""TrustPipeline: a page's own claims are checked before the store believes them.

- ``rel=canonical``: an article is stored under its canonical URL, so a page naming another
  article's URL would replace that article.  A canonical is obeyed when it is on the site and
  names the same content: the article already stored or fetched in this run under it has a body
  at least ``CANONICAL_MIN_SIMILARITY`` alike (word-shingle Jaccard, estimated from a small
  bottom-k sketch per article), or, unseen so far, it is a variant of the page's own URL (same
  path, an ``/amp`` or print twin).  Otherwise the page is stored under its own URL and the refusal
  is a ``canonical_refused`` event; the other article is untouched.
- Text holding U+FFFD (bytes the page's charset could not decode) is stored as read, never as clean:
  each such article is a ``bad_encoding`` event with the count.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from urllib.parse import urlsplit

import numpy as np
from scrapy.crawler import Crawler

from crawler.dedupe import shingle_hashes
from crawler.guard import on_hosts, report
from crawler.items import ArticleRecord
from crawler.urls import canonical_url

logger = logging.getLogger(__name__)

SKETCH_SIZE = 128
"""Shingle hashes kept per article (bottom-k): enough to tell a twin from another story."""
SKETCHES_HELD = 10_000
"""This run's articles whose sketch is held (the most recent); an older one is read back from the store."""


def sketch(text: str | None) -> np.ndarray:
    """The ``SKETCH_SIZE`` smallest hashes of the text's 5-word shingles (lower-cased), ascending."""
    return shingle_hashes(text or "")[:SKETCH_SIZE].copy()


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    """Estimated Jaccard similarity of two texts from their sketches (0 when either is empty)."""
    if not a.size or not b.size:
        return 0.0
    union_bottom = np.union1d(a, b)[:SKETCH_SIZE]
    both = np.isin(union_bottom, a, assume_unique=True) & np.isin(union_bottom, b, assume_unique=True)
    return int(both.sum()) / len(union_bottom)


def is_variant(url: str, other: str) -> bool:
    """True when two URLs name one page in two forms: same path, or one path inside the other (AMP, print)."""
    a, b = (urlsplit(u).path.strip("/").lower() for u in (url, other))
    if a == b:
        return True
    return bool(a and b) and (a in b or b in a)


class TrustPipeline:
    """Refuse hijacked or off-site canonicals; report text with replacement characters (module docstring)."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.threshold = crawler.settings.getfloat("CANONICAL_MIN_SIMILARITY")
        # Canonical URL -> body sketch of this run's recent articles (bounded: memory stays flat).
        self.sketches: OrderedDict[str, np.ndarray] = OrderedDict()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> TrustPipeline:
        return cls(crawler)

    def process_item(self, item: ArticleRecord) -> ArticleRecord:
        """The item, its canonical URL replaced by its own when the declared one is not to be trusted."""
        self._check_text(item)
        own = canonical_url(item.url)
        declared = item.canonical_url
        body = sketch(item.body_text)
        if declared and declared != own:
            refusal = self._refusal(own, declared, body)
            if refusal is not None:
                self.crawler.stats.inc_value("guard/canonical_refused")
                report(self.crawler, item.url, "canonical_refused", f"{refusal}; stored under its own URL")
                item.canonical_url = own
        key = item.canonical_url or own
        if key not in self.sketches:
            self.sketches[key] = body
            if len(self.sketches) > SKETCHES_HELD:
                self.sketches.popitem(last=False)
        return item

    def _refusal(self, own: str, declared: str, body: np.ndarray) -> str | None:
        spider = self.crawler.spider
        hosts = [h for h in (getattr(spider, "allowed_domains", None) or []) if h]
        if hosts and not on_hosts(urlsplit(declared).hostname or "", hosts):
            return f"rel=canonical {declared} is on another site"
        known = self.sketches.get(declared)
        if known is None:
            known = self._stored_sketch(declared)
        if known is None:
            if is_variant(own, declared):
                return None
            return f"rel=canonical {declared} names a page neither stored nor fetched, and not a form of this URL"
        alike = similarity(body, known)
        if alike < self.threshold:
            return (f"rel=canonical {declared} names another article (body similarity {alike:.2f} < "
                    f"CANONICAL_MIN_SIMILARITY {self.threshold})")
        return None

    def _stored_sketch(self, url: str) -> np.ndarray | None:
        """The sketch of the article stored under ``url``, None when there is none or the store is away."""
        from crawler.extensions import CrawlRunRecorder
        from storage.db import session_scope
        from storage.repository import ArticleRepository

        recorder = self.crawler.get_extension(CrawlRunRecorder)
        if recorder is None:
            return None
        try:
            with session_scope(recorder.engine) as session:
                article = ArticleRepository(session).by_canonical_url(url)
                return sketch(article.body_text) if article is not None else None
        except Exception as exc:  # noqa: BLE001 - the store being away must not drop the article here
            logger.warning("canonical check of %s: store unavailable (%s)", url, exc)
            return None

    def _check_text(self, item: ArticleRecord) -> None:
        bad = sum((getattr(item, name) or "").count("\ufffd") for name in ("title", "summary", "body_text"))
        if bad:
            self.crawler.stats.inc_value("guard/bad_encoding")
            report(self.crawler, item.url, "bad_encoding",
                   f"{bad} characters could not be decoded (U+FFFD) and are stored as such")
