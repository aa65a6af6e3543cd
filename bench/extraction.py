"""Article-body extraction benchmark: the project's generic parser against trafilatura and readability.

Usage::

    python bench/extraction.py --dataset ../shared/benchmarks/article-extraction \\
        --dataset ../shared/benchmarks/trafilatura-eval [--json out.json] [--check-floors]

Each ``--dataset`` is recognised by its files and scored by its own scorer (see
``bench/extraction_sets.py``): article-extraction on 4-token shingles (mean P and R over pages),
trafilatura-eval on the ``with``/``without`` snippets of trafilatura's comparison script.  The
output says which figures come from pages the rules were tuned on: all of article-extraction,
the 70% dev split of trafilatura-eval; its 30% held-out split (a fixed hash of the file name)
was never looked at while tuning and is reported apart.  Times are wall-clock per page, HTML
parsing included, after one warm-up page.  ``project`` extracts the body as the peers do (the
body step and what it reads: title, canonical URL; trafilatura runs without metadata);
``project-record`` is the whole record a crawl stores (dates, authors, tags, image: the same
body, more work), timed beside it.  ``--check-floors`` exits 1 when the project's F1 or
recall falls below ``bench/floors.toml`` (the CI gate).  trafilatura and readability-lxml come
from the ``bench`` extra (``pip install -e .[bench]``).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(1, str(Path(__file__).resolve().parents[1]))

import extraction_gate  # noqa: E402 - the bench directory is put on the path just above
import extraction_sets as sets  # noqa: E402

Extractor = Callable[[str, str], str]
PEERS = ("trafilatura", "readability")


def _project() -> Extractor:
    from crawler.parsers.generic import GenericParser

    def run(html: str, url: str) -> str:
        # The body and what it reads (title, canonical URL): the peers' job, trafilatura.extract without metadata.
        return GenericParser(html, url).parse(fields=("body_text",)).body_text or ""

    return run


def _project_record() -> Extractor:
    from crawler.parsers.generic import GenericParser

    def run(html: str, url: str) -> str:
        # The whole record a crawl stores (dates, authors, tags, image...): the same body, more work.
        return GenericParser(html, url).parse().body_text or ""

    return run


def _trafilatura() -> Extractor:
    import trafilatura

    def run(html: str, url: str) -> str:
        # Comments off: the article-extraction truth has none, and trafilatura-eval's README uses this setting.
        return trafilatura.extract(html, url=url, include_comments=False) or ""

    return run


def _block_text(root) -> str:  # noqa: ANN001 - an lxml element
    """Text of an HTML fragment with a line break around each block element."""
    for el in root.iter("p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "tr"):
        el.tail = "\n" + (el.tail or "")
    return root.text_content()


def _readability() -> Extractor:
    import lxml.html
    from readability import Document

    def run(html: str, url: str) -> str:
        summary = Document(html, url=url).summary(html_partial=True)
        return _block_text(lxml.html.fragment_fromstring(summary, create_parent="div")) if summary else ""

    return run


EXTRACTORS: dict[str, Callable[[], Extractor]] = {
    "project": _project,
    "project-record": _project_record,
    "trafilatura": _trafilatura,
    "readability": _readability,
}


def _cache_file(cache: Path, name: str, kind: str) -> Path:
    return cache / f"{name}-{kind}.json"


def run_extractors(extractors: dict[str, Extractor], kind: str, pages: list[sets.Page],
                   cache: Path | None = None) -> dict[str, list[dict]]:
    """Per-page rows (scores, ms) of each extractor; a peer's texts and times come from ``cache`` when given.

    The extractors take turns page by page, so a change in the shared machine's load between the
    start and the end of a run weighs on all of them alike (the time ratios stay fair).
    """
    cached: dict[str, dict[str, list]] = {}
    for name in extractors:
        path = _cache_file(cache, name, kind) if cache and name in PEERS else None
        cached[name] = json.loads(path.read_text(encoding="utf-8")) if path and path.is_file() else {}
        if pages and not all(p.page_id in cached[name] for p in pages):
            extractors[name](pages[0].html, pages[0].url)  # warm-up: lazy imports and caches are not page time
    rows: dict[str, list[dict]] = {name: [] for name in extractors}
    for page in pages:
        for name, extract in extractors.items():
            if page.page_id in cached[name]:
                predicted, elapsed = cached[name][page.page_id]
            else:
                start = time.perf_counter()
                try:
                    predicted = extract(page.html, page.url)
                except Exception as exc:  # a crash on one page scores that page as empty
                    logging.warning("%s failed on %s: %s", name, page.page_id, exc)
                    predicted = ""
                elapsed = (time.perf_counter() - start) * 1000
                cached[name][page.page_id] = [predicted, elapsed]
            row = sets.page_row(kind, page, predicted)
            row["ms"] = elapsed
            rows[name].append(row)
    for name in extractors:
        if cache and name in PEERS:
            path = _cache_file(cache, name, kind)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(cached[name]), encoding="utf-8")
    return rows


def figure_sets(kind: str, pages: list[sets.Page], rows: list[dict], split: str = "all") -> dict[str, dict]:
    """The figure sets of one dataset: the whole set, plus dev and held-out for trafilatura-eval."""
    if kind == sets.TRAFILATURA_EVAL and split != "all":
        return {f"{kind}/{split}": sets.corpus_figures(kind, rows)}
    out = {kind: sets.corpus_figures(kind, rows)}
    if kind == sets.TRAFILATURA_EVAL:
        held = [sets.held_out(p.page_id) for p in pages]
        dev_rows = [r for r, h in zip(rows, held, strict=True) if not h]
        held_rows = [r for r, h in zip(rows, held, strict=True) if h]
        if dev_rows and held_rows:
            out[f"{kind}/dev"] = sets.corpus_figures(kind, dev_rows)
            out[f"{kind}/held-out"] = sets.corpus_figures(kind, held_rows)
    return out


LABELS = {
    sets.ARTICLE_EXTRACTION: "TUNED ON: every rule was shaped on these pages",
    sets.TRAFILATURA_EVAL: "mixed: its dev split was tuned on, its held-out split never looked at",
    f"{sets.TRAFILATURA_EVAL}/dev": f"TUNED ON: the {100 - sets.HELD_OUT_SHARE}% dev split, used while tuning",
    f"{sets.TRAFILATURA_EVAL}/held-out": f"NOT tuned on: the fixed {sets.HELD_OUT_SHARE}% held-out split "
                                         "(hash of the file name), never looked at",
}


def print_table(set_name: str, results: dict[str, dict]) -> None:
    """One block per figure set: a line per extractor, then the project's ratios to trafilatura."""
    any_fig = next(iter(results.values()))
    print(f"\n{set_name}: {any_fig['pages']} pages - {LABELS.get(set_name, '')}")
    print(f"  {'extractor':<12} {'P':>7} {'R':>7} {'F1':>7} {'med ms':>8} {'p95 ms':>8}")
    for name, f in results.items():
        print(f"  {name:<12} {f['precision']:>7.4f} {f['recall']:>7.4f} {f['f1']:>7.4f} "
              f"{f['median_ms']:>8.2f} {f['p95_ms']:>8.2f}")
    if "project" in results and "trafilatura" in results:
        ours, peer = results["project"], results["trafilatura"]
        ratio = ours["median_ms"] / peer["median_ms"] if peer["median_ms"] else float("inf")
        record = results.get("project-record")
        whole = (f" (the whole record: x{record['median_ms'] / peer['median_ms']:.2f})"
                 if record and peer["median_ms"] else "")
        print(f"  project / trafilatura: F1 x{ours['f1'] / peer['f1']:.3f}, recall x"
              f"{ours['recall'] / peer['recall']:.3f}, median time x{ratio:.2f}{whole}")


def _shown(path: Path) -> str:
    """``path`` relative to the repository when inside it (``bench/floors.toml``), else as given."""
    try:
        return str(path.resolve().relative_to(Path(__file__).resolve().parents[1]))
    except ValueError:
        return str(path)


def _f1(row: dict) -> float:
    p, r = row["precision"] or 0.0, row["recall"]
    return 2 * p * r / (p + r) if p + r else 0.0


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark on every dataset and print the figures; 1 when ``--check-floors`` fails."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dataset", type=Path, action="append", required=True,
                        help="a benchmark directory (repeatable): article-extraction or trafilatura-eval")
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    parser.add_argument("--only", nargs="+", choices=list(EXTRACTORS), help="run only these extractors")
    parser.add_argument("--split", choices=("all", "dev", "held-out"), default="all",
                        help="trafilatura-eval pages to run (dev while tuning; default all)")
    parser.add_argument("--limit", type=int, help="first N pages of each set only (quick checks)")
    parser.add_argument("--cache", type=Path, help="reuse trafilatura/readability texts and times from this directory")
    parser.add_argument("--worst", type=int, default=0,
                        help="list the project's N lowest-F1 pages (held-out pages are never listed)")
    parser.add_argument("--check-floors", nargs="?", type=Path, const=extraction_gate.FLOORS_FILE,
                        help="fail (exit 1) when the project is below these floors (default bench/floors.toml)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")

    names = args.only or list(EXTRACTORS)
    extractors: dict[str, Extractor] = {}
    for name in names:
        try:
            extractors[name] = EXTRACTORS[name]()
        except ImportError as exc:
            print(f"{name}: not installed ({exc}); install the bench extra: pip install -e '.[bench]'",
                  file=sys.stderr)
    all_results: dict[str, dict[str, dict]] = {}
    for path in args.dataset:
        kind, pages = sets.load(path, args.split)
        pages = pages[: args.limit]
        print(f"{kind}: {len(pages)} pages from {path}" + (" (cached peer results)" if args.cache else ""))
        all_rows = run_extractors(extractors, kind, pages, args.cache)
        for name, rows in all_rows.items():
            for set_name, figures in figure_sets(kind, pages, rows, args.split).items():
                all_results.setdefault(set_name, {})[name] = figures
            if name == "project" and args.worst:
                shown = [(r, p) for r, p in zip(rows, pages, strict=True)
                         if kind != sets.TRAFILATURA_EVAL or not sets.held_out(p.page_id)]
                print(f"  project's {args.worst} lowest-F1 pages of {kind} (held-out pages not listed):")
                for row, _ in sorted(shown, key=lambda rp: _f1(rp[0]))[: args.worst]:
                    print(f"    {_f1(row):.3f} P={row['precision'] or 0:.3f} R={row['recall']:.3f} "
                          f"{row['id'][:40]} {row['url'][:80]}")
    for set_name, results in all_results.items():
        print_table(set_name, results)
    if args.json:
        args.json.write_text(json.dumps(all_results, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    if args.check_floors:
        project = {set_name: r["project"] for set_name, r in all_results.items() if "project" in r}
        failures = extraction_gate.check(project, extraction_gate.load_floors(args.check_floors),
                                         _shown(args.check_floors))
        for message in failures:
            print(f"bench/extraction.py: FLOOR FAILED: {message}", file=sys.stderr)
        if failures:
            return 1
        print(f"\nfloors of {args.check_floors}: all met")
    return 0


if __name__ == "__main__":
    sys.exit(main())
