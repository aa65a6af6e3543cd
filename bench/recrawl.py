"""Re-crawl benchmark: a first crawl of the replica, a re-crawl with nothing changed, one after 2% were edited.

All three crawls run in the same run of this script, against one replica on 127.0.0.1 whose
timeline is moved to end an hour ago (so "articles younger than N days" means the newest
posts), each crawl a fresh ``crawler crawl syrianobserver`` child process into one store:

1. first crawl: every article is new;
2. re-crawl, nothing changed: known articles outside the re-check window must not be fetched,
   those inside it are asked conditionally (a 304 each); the bar is at most 10% of the first
   crawl's wall time;
3. re-crawl after ``--edit-share`` (2%) of the articles were edited (a third headline
   corrections, a third tag added: metadata only; a third a paragraph added to the body) and
   ``--remove`` articles deleted: exactly the edited articles get a new version, with the
   changed fields the edit made, and the deleted ones get ``removed_at``.

Edits land in the re-check window (``--recent-days``, the newest posts), where news
corrections happen; an edit to an older article is seen at its next periodic check
(``RECHECK_OLDER_EVERY_DAYS``).

    python bench/recrawl.py                                   # 5,000 articles, SQLite
    python bench/recrawl.py --articles 5000 --json recrawl.json
    python bench/recrawl.py --db postgresql://postgres@127.0.0.1:5432/bench_recrawl
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import create_engine, text  # noqa: E402

from crawler.replica import ReplicaServer, ReplicaSite  # noqa: E402
from crawler.replica.edits import (  # noqa: E402
    EDIT_KINDS,
    edit_articles,
    editable_paths,
    remove_articles,
    shift_timeline,
)

SPIDER = "syrianobserver"


def crawl(db_url: str, base_url: str, recent_days: float) -> tuple[float, dict[str, Any]]:
    """One crawl in a child process: its wall time and its crawl_runs row."""
    command = [
        sys.executable, "-m", "crawler.cli", "crawl", SPIDER, "--db", db_url, "-a", f"base_url={base_url}",
        "-s", f"RECHECK_RECENT_DAYS={recent_days}", "--log-level", "ERROR",
    ]
    started = time.monotonic()
    result = subprocess.run(command, capture_output=True, text=True, timeout=3600)
    seconds = time.monotonic() - started
    if result.returncode != 0:
        raise SystemExit(f"bench/recrawl.py: the crawl failed (exit {result.returncode}):\n{result.stderr[-3000:]}")
    (run,) = rows(db_url, "SELECT * FROM crawl_runs ORDER BY id DESC LIMIT 1")
    return seconds, run


def rows(db_url: str, sql: str, **params: Any) -> list[dict[str, Any]]:
    """The rows of one query, as dicts."""
    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(text(sql), params)]
    finally:
        engine.dispose()


def article_fetches(server: ReplicaServer, site: ReplicaSite, since: int, paths: set[str]) -> int:
    """Requests for article pages among ``paths`` the server got after the first ``since`` requests."""
    return sum(1 for target in server.request_log[since:] if target.split("?", 1)[0] in paths)


def main() -> int:
    """Run the three crawls and print (and optionally write) the figures."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=5000, help="replica size (default 5000)")
    parser.add_argument("--edit-share", type=float, default=0.02, help="share of articles edited (default 0.02)")
    parser.add_argument("--remove", type=int, default=10, help="articles deleted before the last crawl (default 10)")
    parser.add_argument("--recent-days", type=float, default=30.0,
                        help="re-check window: articles younger than this are re-checked every run (default 30)")
    parser.add_argument("--db", help="database URL (default: a new SQLite file in a temporary folder)")
    parser.add_argument("--json", metavar="PATH", help="also write the figures as JSON")
    parser.add_argument("--seed", type=int, default=7, help="which articles are edited (default 7)")
    args = parser.parse_args()

    site = ReplicaSite(articles=args.articles)
    now = datetime.now(UTC)
    shift_timeline(site, now - timedelta(hours=1))
    window_start = now - timedelta(days=args.recent_days)
    edits = round(args.articles * args.edit_share)

    with tempfile.TemporaryDirectory() as folder:
        db_url = args.db or f"sqlite:///{Path(folder) / 'recrawl.db'}"
        with ReplicaServer(site) as server:
            base = server.base_url
            first_s, first = crawl(db_url, base, args.recent_days)
            stored = {r["canonical_url"].removeprefix(base): r for r in rows(
                db_url, "SELECT canonical_url, published_at FROM articles")}
            outside = {p for p in stored if site.article(p) and site.article(p).published < window_start}  # type: ignore[union-attr]
            # Edits go to stored articles in the window (a page the first crawl kept as a near-duplicate of
            # another is no article of the store: editing it makes no version).
            # A day's margin: the window is measured from each crawl's start, and the crawls take a while.
            margin = window_start + timedelta(days=1)
            in_window = [p for p in editable_paths(site)
                         if p in stored and site.article(p).published >= margin]  # type: ignore[union-attr]
            if edits + args.remove > len(in_window):
                raise SystemExit(f"bench/recrawl.py: {edits + args.remove} edits and removals but only "
                                 f"{len(in_window)} stored articles in the {args.recent_days:g}-day window; "
                                 "raise --recent-days")
            chosen = random.Random(args.seed).sample(in_window, edits + args.remove)
            edited, removed = chosen[:edits], chosen[edits:]

            mark = len(server.request_log)
            not_modified_before = sum(server.not_modified.values())
            unchanged_s, unchanged = crawl(db_url, base, args.recent_days)
            unchanged_fetches = article_fetches(server, site, mark, set(stored))
            unchanged_outside = article_fetches(server, site, mark, outside)
            answered_304 = sum(server.not_modified.values()) - not_modified_before

            expected: dict[str, frozenset[str]] = {}
            thirds = [edited[i::len(EDIT_KINDS)] for i in range(len(EDIT_KINDS))]
            for kind, paths in zip(EDIT_KINDS, thirds, strict=True):
                expected.update(edit_articles(site, paths, kind))
            remove_articles(site, removed)
            versions_before = rows(db_url, "SELECT COALESCE(MAX(id), 0) AS n FROM article_versions")[0]["n"]
            edited_s, edited_run = crawl(db_url, base, args.recent_days)

        new_versions = rows(db_url, "SELECT a.canonical_url, v.changed_fields FROM article_versions v "
                                    "JOIN articles a ON a.id = v.article_id WHERE v.id > :n", n=versions_before)
        found = {r["canonical_url"].removeprefix(base): r["changed_fields"] for r in new_versions}
        found = {p: frozenset(json.loads(f) if isinstance(f, str) else f) for p, f in found.items()}
        marked = {r["canonical_url"].removeprefix(base) for r in rows(
            db_url, "SELECT canonical_url FROM articles WHERE removed_at IS NOT NULL")}

    figures = {
        "articles": args.articles,
        "stored": first["articles_new"],
        "first_s": round(first_s, 2),
        "unchanged_s": round(unchanged_s, 2),
        "edited_s": round(edited_s, 2),
        "unchanged_ratio": round(unchanged_s / first_s, 4),
        "first_pages": first["pages_fetched"],
        "unchanged_pages": unchanged["pages_fetched"],
        "unchanged_article_fetches": unchanged_fetches,
        "unchanged_fetches_outside_window": unchanged_outside,
        "unchanged_skipped": unchanged["articles_skipped"],
        "unchanged_not_modified": unchanged["articles_not_modified"],
        "unchanged_304_answers": answered_304,
        "edited_articles": len(expected),
        "edited_versions": len(found),
        "edited_versions_exact": found == expected,
        "removed": len(removed),
        "removed_marked": len(marked & set(removed)),
        "edited_run_updated": edited_run["articles_updated"],
    }
    width = max(len(k) for k in figures)
    for key, value in figures.items():
        print(f"{key:<{width}}  {value}")
    if found != expected:
        wrong = {p: (sorted(found.get(p, ())), sorted(expected.get(p, ()))) for p in set(found) | set(expected)
                 if found.get(p) != expected.get(p)}
        print(f"versions that differ from the edits (found, expected): {dict(list(wrong.items())[:5])}")
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
