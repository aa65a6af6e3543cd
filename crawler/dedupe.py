"""Near-duplicate detection: MinHash LSH (datasketch) over word shingles of article bodies.

An article republished under another URL with small edits (a corrected typo, a changed
byline, a tracking line) has a different exact fingerprint but the same text.  The index
finds candidates in constant time per article; the exact Jaccard similarity of their
shingle sets decides.

The index is bounded: an entry not seen within ``window`` is evicted (copies appear close
in time), and past ``max_entries`` the least recently seen entries go first.
"""

from __future__ import annotations

import heapq
import itertools
import re
from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache

import numpy as np
from datasketch import MinHash, MinHashLSH

_WORD = re.compile(r"\w+")

SHINGLE_WORDS = 5
NUM_PERM = 128


def shingles(text: str, size: int = SHINGLE_WORDS) -> set[str]:
    """The set of ``size``-word windows of the text, case-folded (one window for a short text)."""
    words = _WORD.findall(text.casefold())
    if len(words) <= size:
        return {" ".join(words)} if words else set()
    return {" ".join(words[i : i + size]) for i in range(len(words) - size + 1)}


def jaccard(a: set[str], b: set[str]) -> float:
    """|a ∩ b| / |a ∪ b|; 0 for two empty sets."""
    union = len(a | b)
    return len(a & b) / union if union else 0.0


_MIX = np.uint64(0x100000001B3)  # FNV-1a's 64-bit prime: spreads each word of the window


@lru_cache(maxsize=64)
def shingle_hashes(text: str, size: int = SHINGLE_WORDS) -> np.ndarray:
    """The text's ``size``-word shingles (as :func:`shingles` cuts them) as sorted unique 64-bit hashes.

    About ten times smaller than the strings: what the index holds per article.  Two different
    shingles share a hash with negligible probability.  Words are hashed with Python's own string
    hash, salted per process: hashes are only ever compared within one process (the index is
    rebuilt from the store's bodies by each crawl).
    Memoized (the trust check, the index lookup and the index itself hash the same body): the
    array is read-only.
    """
    words = _WORD.findall(text.casefold())
    if not words:
        empty = np.empty(0, dtype=np.uint64)
        empty.flags.writeable = False
        return empty
    hashed = np.fromiter(map(hash, words), dtype=np.int64, count=len(words)).view(np.uint64)
    width = min(size, len(hashed))
    count = len(hashed) - width + 1
    grams = np.zeros(count, dtype=np.uint64)
    with np.errstate(over="ignore"):  # modular arithmetic: the wrap-around is the point
        for offset in range(width):
            grams = grams * _MIX + hashed[offset : offset + count]
    unique = np.unique(grams)
    unique.flags.writeable = False
    return unique


def hashed_jaccard(a: np.ndarray, b: np.ndarray) -> float:
    """Jaccard similarity of two :func:`shingle_hashes` arrays; 0 for two empty ones."""
    common = np.intersect1d(a, b, assume_unique=True).size
    union = a.size + b.size - common
    return common / union if union else 0.0


_MAX_HASH = np.uint64((1 << 32) - 1)
_TEMPLATE = MinHash(num_perm=NUM_PERM, seed=1)  # its permutations are drawn once, shared by every signature


def _signature(hashes: np.ndarray) -> MinHash:
    """The MinHash of a shingle-hash array (folded to the 32-bit values datasketch's scheme permutes)."""
    signature = MinHash(
        num_perm=NUM_PERM, seed=1, hashfunc=int, permutations=_TEMPLATE.permutations, scheme=_TEMPLATE.scheme
    )
    signature.update_batch(((hashes ^ (hashes >> np.uint64(32))) & _MAX_HASH).tolist())
    return signature


@dataclass(frozen=True)
class NearDuplicate:
    """The stored article a body nearly repeats, and how closely."""

    url: str
    similarity: float
    site: str = ""


class NearDuplicateIndex:
    """Bodies seen recently, keyed by canonical URL; ``find`` returns the closest one above the threshold.

    ``window``: entries last seen longer ago than this are evicted (by ``expire`` and on every
    ``add``); ``max_entries``: past this many, the least recently seen entry is evicted.
    Either may be ``None`` (no bound of that kind).
    """

    def __init__(
        self,
        threshold: float = 0.9,
        window: timedelta | None = None,
        max_entries: int | None = None,
        lowest_threshold: float | None = None,
    ) -> None:
        if not 0.0 < threshold <= 1.0:
            raise ValueError(f"near-duplicate threshold {threshold} must be in (0, 1]")
        lowest = threshold if lowest_threshold is None else min(threshold, lowest_threshold)
        if not 0.0 < lowest <= 1.0:
            raise ValueError(f"near-duplicate threshold {lowest} must be in (0, 1]")
        if max_entries is not None and max_entries < 1:
            raise ValueError(f"near-duplicate index cap {max_entries} must be 1 or more")
        self.threshold = threshold
        self.window = window
        self.max_entries = max_entries
        # Candidates are tuned for recall well below the threshold (a MinHash estimate is off by
        # about 0.03): a missed copy is worse than an extra exact Jaccard check, which decides.
        # ``lowest``: the lowest threshold ``find_copies`` is asked for (syndicated copies across sites).
        self.lowest_threshold = lowest
        self._lsh = MinHashLSH(threshold=max(0.3, lowest - 0.2), num_perm=NUM_PERM, weights=(0.2, 0.8))
        self._shingles: dict[str, np.ndarray] = {}
        # The last few bodies asked about, hashed and signed: a body is looked up, then added.
        self._memo: OrderedDict[str, tuple[np.ndarray, MinHash]] = OrderedDict()
        self._site: dict[str, str] = {}
        self._seen: dict[str, datetime] = {}
        # (seen_at, tie-breaker, url), oldest first; an entry whose seen_at is stale was re-seen later.
        self._by_age: list[tuple[datetime, int, str]] = []
        self._counter = itertools.count()
        self._latest: datetime | None = None  # the newest seen_at: "now" for the window when adding
        self.evicted = 0  # entries evicted so far, by age or by the cap

    def __len__(self) -> int:
        return len(self._shingles)

    def _signed(self, body: str) -> tuple[np.ndarray, MinHash | None]:
        """The body's shingle hashes and MinHash (``None`` for a body without words), memoized."""
        found = self._memo.get(body)
        if found is not None:
            self._memo.move_to_end(body)
            return found
        hashes = shingle_hashes(body)
        signed = (hashes, _signature(hashes) if hashes.size else None)
        self._memo[body] = signed
        if len(self._memo) > 8:
            self._memo.popitem(last=False)
        return signed

    def add(self, url: str, body: str, seen_at: datetime | None = None, site: str = "") -> None:
        """Index ``body`` of ``site`` under ``url`` as seen at ``seen_at`` (default now), replacing the URL's body."""
        seen_at = _utc(seen_at or datetime.now(UTC))
        items, signature = self._signed(body)
        if signature is None:
            return
        self._site[url] = site
        stored = self._shingles.get(url)
        if stored is None or not np.array_equal(stored, items):
            if stored is not None:
                self._lsh.remove(url)
            self._shingles[url] = items
            self._lsh.insert(url, signature)
        if url not in self._seen or seen_at > self._seen[url]:
            self._seen[url] = seen_at
            heapq.heappush(self._by_age, (seen_at, next(self._counter), url))
            if len(self._by_age) > 2 * len(self._seen) + 1000:  # re-seen URLs left stale entries behind
                self._by_age = [(t, next(self._counter), u) for u, t in self._seen.items()]
                heapq.heapify(self._by_age)
        self._latest = max(self._latest or seen_at, seen_at)
        self._evict(self._cutoff(self._latest))

    def expire(self, now: datetime) -> int:
        """Evict entries last seen before ``now - window``; the number evicted."""
        before = self.evicted
        self._evict(self._cutoff(_utc(now)))
        return self.evicted - before

    def _cutoff(self, now: datetime) -> datetime | None:
        return now - self.window if self.window is not None else None

    def _evict(self, cutoff: datetime | None) -> None:
        """Drop entries seen before ``cutoff``, then the oldest ones past ``max_entries``."""
        while self._by_age:
            seen_at, _, url = self._by_age[0]
            if self._seen.get(url) != seen_at:  # a stale heap entry: the URL was seen again later
                heapq.heappop(self._by_age)
                continue
            too_old = cutoff is not None and seen_at < cutoff
            too_many = self.max_entries is not None and len(self._shingles) > self.max_entries
            if not (too_old or too_many):
                break
            heapq.heappop(self._by_age)
            self._remove(url)

    def _remove(self, url: str) -> None:
        del self._seen[url]
        del self._shingles[url]
        self._site.pop(url, None)
        self._lsh.remove(url)
        self.evicted += 1

    def discard(self, url: str) -> None:
        """Forget ``url`` (its row now holds another URL); not counted as an eviction."""
        if url in self._shingles:
            self._remove(url)
            self.evicted -= 1

    def _similar(self, url: str, body: str, threshold: float) -> list[NearDuplicate]:
        """Indexed bodies under other URLs at least ``threshold`` similar, most similar first."""
        if threshold < self.lowest_threshold:
            raise ValueError(f"threshold {threshold} is below the index's lowest {self.lowest_threshold}")
        items, signature = self._signed(body)
        if signature is None:
            return []
        found = []
        for candidate in self._lsh.query(signature):
            if candidate == url:
                continue
            similarity = hashed_jaccard(items, self._shingles[candidate])
            if similarity >= threshold:
                found.append(NearDuplicate(candidate, round(similarity, 3), self._site.get(candidate, "")))
        return sorted(found, key=lambda m: (-m.similarity, m.url))

    def find(self, url: str, body: str, site: str | None = None) -> NearDuplicate | None:
        """The most similar indexed body under another URL (of ``site``, when given), if at least ``threshold``."""
        matches = self.find_all(url, body, site)
        return matches[0] if matches else None

    def find_all(self, url: str, body: str, site: str | None = None) -> list[NearDuplicate]:
        """Every indexed body under another URL (of ``site``, when given) at least ``threshold`` similar, best first."""
        return [m for m in self._similar(url, body, self.threshold) if site is None or m.site == site]

    def find_copies(self, url: str, body: str, site: str, threshold: float) -> list[NearDuplicate]:
        """Indexed bodies of sites other than ``site`` at least ``threshold`` similar, most similar first."""
        return [m for m in self._similar(url, body, threshold) if m.site != site]


def _utc(value: datetime) -> datetime:
    """Aware UTC; a naive datetime is taken to be UTC already."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
