"""The benchmark sets of bench/extraction.py: loading pages and scoring one page, per set.

Two layouts are known, recognised by their files:

* ``article-extraction`` (``scrapinghub/article-extraction-benchmark``): ``ground-truth.json``
  (``{id: {articleBody, url}}``) and ``html/<id>.html.gz``; scored on 4-token shingles, mean
  precision and recall over pages (an empty prediction is left out of the precision mean).
* ``trafilatura-eval`` (trafilatura's ``tests/evaldata.json``): ``evaldata.json``
  (``{url: {file, with, without}}``) and the pages in ``cache/`` or ``eval/``; every ``with``
  snippet found is a true positive, every ``without`` snippet found a false positive, summed
  over pages (the scoring of trafilatura's own comparison script).

The trafilatura-eval pages are split by a hash of their file name: a fixed 30% is held out
(:func:`held_out`), never read while tuning, and its figures are reported apart.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import logging
import re
import statistics
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

_TOKEN = re.compile(r"\w+")
SHINGLE = 4
HELD_OUT_SHARE = 30
"""Percent of trafilatura-eval pages held out from tuning (by a hash of the file name)."""

ARTICLE_EXTRACTION = "article-extraction"
TRAFILATURA_EVAL = "trafilatura-eval"


@dataclass
class Page:
    """One benchmark page: its HTML and what the set's scorer needs to judge an extraction."""

    page_id: str
    url: str
    html: str
    truth: str = ""
    """article-extraction: the expected body."""
    with_snippets: list[str] = field(default_factory=list)
    """trafilatura-eval: snippets a good body contains."""
    without_snippets: list[str] = field(default_factory=list)
    """trafilatura-eval: snippets a good body leaves out."""


def held_out(file_name: str) -> bool:
    """Whether a trafilatura-eval page is in the fixed held-out split (never looked at)."""
    return int(hashlib.sha256(file_name.encode("utf-8")).hexdigest()[:8], 16) % 100 < HELD_OUT_SHARE


def detect_kind(path: Path) -> str:
    """The layout of a dataset directory; a one-line error when it is neither."""
    if (path / "ground-truth.json").is_file() and (path / "html").is_dir():
        return ARTICLE_EXTRACTION
    if (path / "evaldata.json").is_file():
        return TRAFILATURA_EVAL
    raise SystemExit(
        f"error: {path} is not a benchmark dataset: expected ground-truth.json and html/ (article-extraction) "
        "or evaldata.json with cache/ and eval/ (trafilatura-eval); pass --dataset DIR"
    )


def load_article_extraction(path: Path) -> list[Page]:
    """Pages of the article-extraction layout, sorted by id."""
    truth = json.loads((path / "ground-truth.json").read_text(encoding="utf-8"))
    pages = []
    for page_id in sorted(truth):
        html_file = path / "html" / f"{page_id}.html.gz"
        if not html_file.is_file():
            logging.warning("missing page %s", html_file)
            continue
        html = gzip.decompress(html_file.read_bytes()).decode("utf-8", "replace")
        pages.append(Page(page_id, truth[page_id].get("url", ""), html, truth=truth[page_id]["articleBody"]))
    return pages


def _read_page(path: Path) -> str:
    data = path.read_bytes()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")  # the set's README: the few non-UTF-8 pages are Latin-1


def load_trafilatura_eval(path: Path, split: str = "all") -> list[Page]:
    """Pages of the trafilatura-eval layout, sorted by file name; ``split`` is all, dev or held-out."""
    entries = json.loads((path / "evaldata.json").read_text(encoding="utf-8"))
    pages = []
    for url, entry in sorted(entries.items(), key=lambda item: item[1]["file"]):
        name = entry["file"]
        if split != "all" and held_out(name) != (split == "held-out"):
            continue
        found = next((d / name for d in (path / "cache", path / "eval") if (d / name).is_file()), None)
        if found is None:
            logging.warning("missing page %s", name)
            continue
        pages.append(Page(name, url, _read_page(found), with_snippets=list(entry.get("with") or []),
                          without_snippets=list(entry.get("without") or [])))
    return pages


def load(path: Path, split: str = "all") -> tuple[str, list[Page]]:
    """``(kind, pages)`` of a dataset directory."""
    kind = detect_kind(path)
    if kind == ARTICLE_EXTRACTION:
        return kind, load_article_extraction(path)
    return kind, load_trafilatura_eval(path, split)


# -- scoring -------------------------------------------------------------------------------------


def tokens(text: str | None) -> list[str]:
    """Word tokens of a text, case kept."""
    return _TOKEN.findall(text or "")


def shingles(toks: list[str]) -> Counter[tuple[str, ...]]:
    """Multiset of consecutive 4-token windows; 1 to 3 tokens give one shorter shingle."""
    if not toks:
        return Counter()
    if len(toks) < SHINGLE:
        return Counter([tuple(toks)])
    return Counter(tuple(toks[i : i + SHINGLE]) for i in range(len(toks) - SHINGLE + 1))


def shingle_scores(predicted: str | None, truth: str) -> tuple[float | None, float, bool]:
    """article-extraction: (precision or None for an empty prediction, recall, exact token match)."""
    ptoks, ttoks = tokens(predicted), tokens(truth)
    pred, gold = shingles(ptoks), shingles(ttoks)
    if not pred:
        return None, 0.0, not gold
    tp = sum((pred & gold).values())
    precision = tp / sum(pred.values())
    recall = tp / sum(gold.values()) if gold else 1.0
    return precision, recall, ptoks == ttoks


def _ws(text: str | None) -> str:
    return " ".join((text or "").split())


def snippet_counts(predicted: str | None, page: Page) -> tuple[int, int, int, int]:
    """trafilatura-eval: (tp, fn, fp, tn) of one page's snippets."""
    body = _ws(predicted)
    tp = sum(1 for s in page.with_snippets if _ws(s) in body)
    fp = sum(1 for s in page.without_snippets if _ws(s) in body)
    return tp, len(page.with_snippets) - tp, fp, len(page.without_snippets) - fp


def page_row(kind: str, page: Page, predicted: str | None) -> dict:
    """The per-page figures of one extraction, in the set's own terms."""
    if kind == ARTICLE_EXTRACTION:
        precision, recall, same = shingle_scores(predicted, page.truth)
        return {"id": page.page_id, "url": page.url, "precision": precision, "recall": recall, "exact": same}
    tp, fn, fp, tn = snippet_counts(predicted, page)
    precision = tp / (tp + fp) if tp + fp else None
    recall = tp / (tp + fn) if tp + fn else 1.0
    return {"id": page.page_id, "url": page.url, "precision": precision, "recall": recall,
            "tp": tp, "fn": fn, "fp": fp, "tn": tn}


def corpus_figures(kind: str, rows: list[dict]) -> dict:
    """Precision, recall, F1 (and accuracy for article-extraction) plus median/p95 ms of the rows."""
    if kind == ARTICLE_EXTRACTION:
        precisions = [r["precision"] for r in rows if r["precision"] is not None]
        p = statistics.fmean(precisions) if precisions else 0.0
        r = statistics.fmean(row["recall"] for row in rows) if rows else 0.0
        extra = {"accuracy": round(sum(row["exact"] for row in rows) / len(rows), 4) if rows else 0.0}
    else:
        tp, fn, fp = (sum(row[k] for row in rows) for k in ("tp", "fn", "fp"))
        p = tp / (tp + fp) if tp + fp else 0.0
        r = tp / (tp + fn) if tp + fn else 0.0
        extra = {"tp": tp, "fn": fn, "fp": fp}
    times = sorted(row["ms"] for row in rows)
    return {
        "pages": len(rows),
        "precision": round(p, 4),
        "recall": round(r, 4),
        "f1": round(2 * p * r / (p + r), 4) if p + r else 0.0,
        "median_ms": round(statistics.median(times), 2) if times else 0.0,
        "p95_ms": round(times[min(len(times) - 1, int(0.95 * len(times)))], 2) if times else 0.0,
        **extra,
    }
