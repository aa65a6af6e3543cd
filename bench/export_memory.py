"""Export memory benchmark: peak RSS of `crawler export` on 5,000 and 50,000 articles, and the ratio.

Builds a store of synthetic articles (about 3 KB of text each, three tags, full-text
index on) per size, then exports it in each format in a fresh child process and
reads that process's peak resident set size.  Streaming export should cost the
same memory whatever the store size: the ratio 50k / 5k should stay near 1 (the
issue's bar is under 2).

    python bench/export_memory.py                        # SQLite, 5k and 50k, all formats
    python bench/export_memory.py --sizes 5000 50000 --formats jsonl parquet
    python bench/export_memory.py --postgres postgresql://postgres@127.0.0.1:5432/postgres
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

WORDS = (
    "regime forces opposition fighters shelling villages countryside ceasefire talks delegation council "
    "humanitarian convoy displaced families bread fuel prices electricity reconstruction checkpoint "
    "militia patrol border crossing negotiations committee constitution refugees return camps winter "
    "aid agencies ministry officials reported sources local residents statement agreement withdrawal"
).split()
PLACES = ("Idleb", "Aleppo", "Daraa", "Deir Ezzor", "Raqqa", "Hama", "Homs", "Latakia", "Damascus", "Qamishli")
TAGS = ("Russia", "Turkey", "Iran", "HTS", "SDF", "Economy", "Refugees", "Idleb", "Aleppo", "Daraa")


def build_store(url: str, count: int, seed: int = 50_000) -> None:
    """Fill an empty database at ``url`` with ``count`` synthetic articles (bulk inserts, one transaction)."""
    from sqlalchemy import insert

    from storage.db import ensure_schema, make_engine
    from storage.models import Article, ArticleTag, Site

    rng = random.Random(seed)
    engine = make_engine(url)
    ensure_schema(engine)
    now = datetime(2026, 1, 1, tzinfo=UTC)
    with engine.begin() as conn:
        conn.execute(insert(Site).values(key="bench", name="Bench", base_url="http://bench", created_at=now))
        for start in range(0, count, 2_000):
            articles, tags = [], []
            for i in range(start, min(start + 2_000, count)):
                place = rng.choice(PLACES)
                sentences = [
                    " ".join(rng.choice(WORDS) for _ in range(rng.randint(12, 24))).capitalize() + f" in {place}."
                    for _ in range(24)
                ]
                body = "\n\n".join(" ".join(sentences[j : j + 4]) for j in range(0, 24, 4))
                published = now - timedelta(minutes=37 * i)
                articles.append(
                    {
                        "id": i + 1,
                        "site": "bench",
                        "url": f"http://bench/news/{i}.html",
                        "canonical_url": f"http://bench/news/{i}.html",
                        "title": f"{rng.choice(WORDS).capitalize()} {rng.choice(WORDS)} in {place} ({i})",
                        "summary": sentences[0],
                        "source": rng.choice(("SANA", "Al-Hal", None)),
                        "body_text": body,
                        "category": "news",
                        "authors": ["The Bench Desk"],
                        "language": "en",
                        "published_at": published,
                        "published_raw": published.isoformat(),
                        "content_hash": uuid.UUID(int=rng.getrandbits(128)).hex * 2,
                        "provenance": {},
                        "version": 1,
                        "first_seen_at": now,
                        "last_seen_at": now,
                        "last_changed_at": now,
                    }
                )
                tags.extend(
                    {"article_id": i + 1, "tag": tag, "position": p} for p, tag in enumerate(rng.sample(TAGS, 3))
                )
            conn.execute(insert(Article), articles)
            conn.execute(insert(ArticleTag), tags)
    engine.dispose()


def child(url: str, fmt: str, out: str) -> None:
    """Export in this (fresh) process and print a JSON line with the peak RSS."""
    from storage.db import read_engine
    from storage.export import export

    started = time.perf_counter()
    engine = read_engine(url)
    with open(out, "wb") as fh:
        count = export(engine, fh, fmt)  # type: ignore[arg-type]
    engine.dispose()
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # kilobytes on Linux
    print(
        json.dumps({"rows": count, "peak_rss_mb": round(peak_kb / 1024, 1), "seconds": time.perf_counter() - started})
    )


def measure(url: str, fmt: str, workdir: Path) -> dict[str, float]:
    """Peak RSS (MB), rows and seconds of one export in a fresh child process."""
    out = workdir / f"export.{fmt}"
    done = subprocess.run(
        [sys.executable, __file__, "--child", url, fmt, str(out)], capture_output=True, text=True, check=True
    )
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["file_mb"] = round(out.stat().st_size / 1e6, 1)
    out.unlink()
    return result


def _postgres_database(admin_url: str) -> tuple[str, str]:
    import psycopg
    from sqlalchemy.engine import make_url

    name = f"crawler_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return name, make_url(admin_url).set(database=name).render_as_string(hide_password=False)


def _drop_postgres(admin_url: str, name: str) -> None:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main() -> int:
    """Build each store, export it per format in a child process, print the figures and ratios."""
    if len(sys.argv) == 5 and sys.argv[1] == "--child":
        child(*sys.argv[2:5])
        return 0
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[5_000, 50_000])
    parser.add_argument("--formats", nargs="+", default=["jsonl", "csv", "parquet"])
    parser.add_argument("--postgres", metavar="ADMIN_URL", help="also measure on PostgreSQL (temporary databases)")
    args = parser.parse_args()

    backends = ["sqlite"] + (["postgresql"] if args.postgres else [])
    results: dict[tuple[str, str, int], dict[str, float]] = {}
    with tempfile.TemporaryDirectory(prefix="export-bench-") as tmp:
        workdir = Path(tmp)
        for backend in backends:
            for size in args.sizes:
                name = None
                if backend == "sqlite":
                    url = f"sqlite:///{workdir / f'store-{size}.db'}"
                else:
                    name, url = _postgres_database(args.postgres)
                started = time.perf_counter()
                build_store(url, size)
                print(f"built {backend} store of {size:,} articles in {time.perf_counter() - started:.1f}s", flush=True)
                try:
                    for fmt in args.formats:
                        results[(backend, fmt, size)] = r = measure(url, fmt, workdir)
                        print(
                            f"  {fmt:8} {r['rows']:>7,} rows  peak RSS {r['peak_rss_mb']:7.1f} MB"
                            f"  {r['seconds']:6.1f}s  file {r['file_mb']:.1f} MB",
                            flush=True,
                        )
                finally:
                    if name:
                        _drop_postgres(args.postgres, name)
                    else:
                        (workdir / f"store-{size}.db").unlink()

    small, large = min(args.sizes), max(args.sizes)
    print(f"\nPeak RSS of `crawler export`, {small:,} vs {large:,} articles (each in a fresh process):")
    print(f"{'backend':10} {'format':8} {f'{small:,} rows':>12} {f'{large:,} rows':>12} {'ratio':>7}")
    worst = 0.0
    for backend in backends:
        for fmt in args.formats:
            a, b = results[(backend, fmt, small)]["peak_rss_mb"], results[(backend, fmt, large)]["peak_rss_mb"]
            ratio = b / a
            worst = max(worst, ratio)
            print(f"{backend:10} {fmt:8} {a:>9.1f} MB {b:>9.1f} MB {ratio:>7.2f}")
    verdict = "bounded (under 2)" if worst < 2 else "NOT bounded"
    print(f"worst ratio {worst:.2f}: memory {verdict}")
    return 0 if worst < 2 else 1


if __name__ == "__main__":
    sys.exit(main())
