"""Near-duplicate detection: MinHash LSH (datasketch) over word shingles of article bodies.

An article republished under another URL with small edits (a corrected typo, a changed
byline, a tracking line) has a different exact fingerprint but the same text.  The index
finds candidates in constant time per article; the exact Jaccard similarity of their
shingle sets decides.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

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


@dataclass(frozen=True)
class NearDuplicate:
    """The stored article a body nearly repeats, and how closely."""

    url: str
    similarity: float


class NearDuplicateIndex:
    """Bodies seen so far, keyed by canonical URL; ``find`` returns the closest one above the threshold."""

    def __init__(self, threshold: float = 0.9) -> None:
        if not 0.0 < threshold <= 1.0:
            raise ValueError(f"near-duplicate threshold {threshold} must be in (0, 1]")
        self.threshold = threshold
        # Candidates are tuned for recall well below the threshold (a MinHash estimate is off by
        # about 0.03): a missed copy is worse than an extra exact Jaccard check, which decides.
        self._lsh = MinHashLSH(threshold=max(0.5, threshold - 0.2), num_perm=NUM_PERM, weights=(0.2, 0.8))
        self._shingles: dict[str, set[str]] = {}

    def __len__(self) -> int:
        return len(self._shingles)

    @staticmethod
    def _minhash(items: set[str]) -> MinHash:
        signature = MinHash(num_perm=NUM_PERM)
        signature.update_batch([s.encode("utf-8") for s in items])
        return signature

    def add(self, url: str, body: str) -> None:
        """Index ``body`` under ``url``, replacing what the URL held (an article changes)."""
        items = shingles(body)
        if not items or self._shingles.get(url) == items:
            return
        if url in self._shingles:
            self._lsh.remove(url)
        self._shingles[url] = items
        self._lsh.insert(url, self._minhash(items))

    def find(self, url: str, body: str) -> NearDuplicate | None:
        """The most similar indexed body under another URL, if at least ``threshold`` similar."""
        items = shingles(body)
        if not items:
            return None
        best: NearDuplicate | None = None
        for candidate in self._lsh.query(self._minhash(items)):
            if candidate == url:
                continue
            similarity = jaccard(items, self._shingles[candidate])
            if similarity >= self.threshold and (best is None or similarity > best.similarity):
                best = NearDuplicate(candidate, round(similarity, 3))
        return best
