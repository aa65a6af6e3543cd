"""Web search benchmark: the articles search page of `crawler web` over a store of 50,000 articles.

Bulk-inserts synthetic articles (about 2.5 KB of text each, three tags, one of eight authors and
sources; the full-text index filled by the store's own triggers), then times N requests per query
through the app's test client (the whole page: routing, the search, the template) and prints the
median and p95 per query and over all requests.  The bar: a median under 300 ms.

    python bench/web_search.py                                   # SQLite, 50,000 articles, 30 requests a query
    python bench/web_search.py --articles 50000 --requests 50
    python bench/web_search.py --postgres postgresql://postgres@127.0.0.1:5432/postgres
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

WORDS = (
    "regime forces opposition fighters shelling villages countryside ceasefire talks delegation council "
    "humanitarian convoy displaced families bread fuel prices electricity reconstruction checkpoint "
    "militia patrol border crossing negotiations committee constitution refugees return camps winter "
    "aid agencies ministry officials reported sources local residents statement agreement withdrawal"
).split()
# Rarer words: each article draws a few, so a query on one matches a few percent of the store.
RARE = (
    "drought wheat harvest cholera vaccination earthquake aftershock smuggling currency exchange "
    "teachers salaries strike protest sanctions embargo pipeline bakery olive pistachio cotton"
).split()
PLACES = ("Idleb", "Aleppo", "Daraa", "Deir Ezzor", "Raqqa", "Hama", "Homs", "Latakia", "Damascus", "Qamishli")
TAGS = ("Russia", "Turkey", "Iran", "HTS", "SDF", "Economy", "Refugees", "Idleb", "Aleppo", "Daraa")
AUTHORS = (
    "Rania Haddad", "Omar Said", "Lina Khoury", "Sami Nasr", "Huda Ali", "Karim Aziz", "Maya Saleh", "Adel Fares",
)
SOURCES = ("SANA", "Enab Baladi", "Alsouria Net", "Al-Modon", "Syria TV", "Zaman al-Wasl", "North Press", "Al-Hal")

QUERIES = (
    "drought",                       # a rare word: a few percent of the articles
    "wheat harvest",                 # two rare words, both required
    '"cholera vaccination"',         # a phrase
    "Idleb",                         # a place: a tenth of the titles and bodies
    "sanctions -embargo",            # an exclusion
    "earthquake&site=bench&author=Omar+Said",   # words and filters
    "bakery&from=2025-06-01&to=2025-12-31",     # words and a date range
    "bread",                         # a common word: nearly every article (the worst case)
)


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
                rare = rng.sample(RARE, 2)
                sentences = [
                    " ".join(rng.choice(WORDS) for _ in range(rng.randint(10, 20))).capitalize() + f" in {place}."
                    for _ in range(18)
                ]
                sentences[rng.randrange(18)] += f" The {rare[0]} and the {rare[1]} were discussed."
                body = "\n\n".join(" ".join(sentences[j : j + 3]) for j in range(0, 18, 3))
                published = now - timedelta(minutes=37 * i)
                articles.append({
                    "id": i + 1, "site": "bench", "url": f"http://bench/news/{i}.html",
                    "canonical_url": f"http://bench/news/{i}.html",
                    "title": f"{rng.choice(WORDS).capitalize()} {rng.choice(WORDS)} in {place} ({i})",
                    "summary": sentences[0], "source": rng.choice(SOURCES), "body_text": body,
                    "category": "news", "authors": [rng.choice(AUTHORS)], "language": "en",
                    "published_at": published, "published_raw": published.isoformat(),
                    "content_hash": uuid.UUID(int=rng.getrandbits(128)).hex * 2, "provenance": {},
                    "version": 1, "first_seen_at": now, "last_seen_at": now, "last_changed_at": now,
                })
                tags.extend(
                    {"article_id": i + 1, "tag": tag, "position": p} for p, tag in enumerate(rng.sample(TAGS, 3))
                )
            conn.execute(insert(Article), articles)
            conn.execute(insert(ArticleTag), tags)
    engine.dispose()


def time_requests(url: str, requests: int) -> dict[str, list[float]]:
    """Milliseconds of each request per query (after one warm-up request per query)."""
    from crawler.web import create_app

    app = create_app(url)
    client = app.test_client()
    timings: dict[str, list[float]] = {}
    for query in QUERIES:
        words, _, filters = query.partition("&")
        path = f"/articles?q={quote(words)}" + (f"&{filters}" if filters else "")
        response = client.get(path)
        assert response.status_code == 200, (path, response.get_data(as_text=True)[:500])
        assert "ol class=\"hits\"" in response.get_data(as_text=True)
        samples = []
        for _ in range(requests):
            started = time.perf_counter()
            response = client.get(path)
            samples.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200
        timings[query] = samples
    app.extensions["crawler_store"].dispose()
    return timings


def p95(values: list[float]) -> float:
    """The 95th percentile (inclusive method)."""
    return statistics.quantiles(values, n=20, method="inclusive")[-1]


def report(backend: str, count: int, build_seconds: float, timings: dict[str, list[float]]) -> float:
    """Print the table; return the overall median."""
    print(f"\n{backend}: {count:,} articles (built in {build_seconds:.0f} s)")
    print(f"{'query':<44} {'median ms':>10} {'p95 ms':>8}")
    for query, samples in timings.items():
        print(f"{query:<44} {statistics.median(samples):>10.1f} {p95(samples):>8.1f}")
    every = [s for samples in timings.values() for s in samples]
    overall = statistics.median(every)
    print(f"{'all ' + str(len(every)) + ' requests':<44} {overall:>10.1f} {p95(every):>8.1f}")
    print(f"bar: median under 300 ms -> {'met' if overall < 300 else 'NOT met'}")
    return overall


def main() -> int:
    """Build the store(s), time the requests, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=50_000)
    parser.add_argument("--requests", type=int, default=30, help="timed requests per query (default 30)")
    parser.add_argument("--postgres", metavar="ADMIN_URL", help="also on PostgreSQL (a scratch database is made)")
    args = parser.parse_args()
    overall = []
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bench.db'}"
        started = time.perf_counter()
        build_store(url, args.articles)
        built = time.perf_counter() - started
        overall.append(report("SQLite", args.articles, built, time_requests(url, args.requests)))
    if args.postgres:
        import psycopg
        from sqlalchemy.engine import make_url

        name = f"crawler_bench_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(args.postgres, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        try:
            url = make_url(args.postgres).set(drivername="postgresql+psycopg", database=name)
            url_text = url.render_as_string(hide_password=False)
            started = time.perf_counter()
            build_store(url_text, args.articles)
            built = time.perf_counter() - started
            overall.append(report("PostgreSQL", args.articles, built, time_requests(url_text, args.requests)))
        finally:
            with psycopg.connect(args.postgres, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    return 0 if all(m < 300 for m in overall) else 1


if __name__ == "__main__":
    sys.exit(main())
