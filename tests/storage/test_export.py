"""`crawler export`: JSONL, CSV and Parquet on both backends, filters, and memory that does not grow with the store."""

from __future__ import annotations

import csv
import importlib.util
import io
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from crawler.cli import main
from storage.db import ensure_schema, make_engine, read_engine
from storage.export import COLUMNS, export

BENCH = Path(__file__).resolve().parents[2] / "bench" / "export_memory.py"


def load_bench():
    spec = importlib.util.spec_from_file_location("export_memory", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def rows_of(url: str, fmt: str, **filters) -> list[dict]:
    buffer = io.BytesIO()
    engine = read_engine(url)
    count = export(engine, buffer, fmt, **filters)
    engine.dispose()
    data = buffer.getvalue()
    if fmt == "jsonl":
        rows = [json.loads(line) for line in data.decode().splitlines()]
    elif fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(data.decode())))
    else:
        import pyarrow.parquet as pq

        rows = pq.read_table(io.BytesIO(data)).to_pylist()
    assert len(rows) == count
    return rows


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "parquet"])
def test_every_article_with_tags_in_each_format(demo_url: str, fmt: str) -> None:
    rows = rows_of(demo_url, fmt)
    engine = make_engine(demo_url)
    with engine.connect() as conn:
        from sqlalchemy import text

        total = conn.execute(text("SELECT count(*) FROM articles")).scalar_one()
        seed_tags = (
            conn.execute(
                text(
                    "SELECT t.tag FROM article_tags t JOIN articles a ON a.id = t.article_id "
                    "WHERE a.title LIKE '%Russian Soldiers%' ORDER BY t.position"
                )
            )
            .scalars()
            .all()
        )
    engine.dispose()
    assert len(rows) == total
    assert list(rows[0]) == list(COLUMNS)
    seed = next(r for r in rows if "Russian Soldiers" in r["title"])
    tags = seed["tags"].split("; ") if fmt == "csv" else seed["tags"]
    assert tags == seed_tags and tags
    published = seed["published_at"]
    if fmt == "parquet":
        assert published == datetime(2019, 8, 21, 6, 30, tzinfo=UTC)
    else:
        assert datetime.fromisoformat(published) == datetime(2019, 8, 21, 6, 30, tzinfo=UTC)
    ids = [int(r["id"]) for r in rows]
    assert ids == sorted(ids)


def test_site_and_since_filters(demo_url: str) -> None:
    since = datetime(2019, 10, 1, tzinfo=UTC)
    rows = rows_of(demo_url, "jsonl", since=since)
    assert rows and all(datetime.fromisoformat(r["published_at"]) >= since for r in rows)
    assert len(rows) < len(rows_of(demo_url, "jsonl"))
    assert rows_of(demo_url, "jsonl", site="no_such_site") == []


def test_export_command_writes_files_and_reports(demo_sqlite_url: str, tmp_path, capsys) -> None:
    target = tmp_path / "out.parquet"
    assert main(["export", "--format", "parquet", "--output", str(target), "--db", demo_sqlite_url]) == 0
    assert target.stat().st_size > 0 and not (tmp_path / "out.parquet.partial").exists()
    assert "exported" in capsys.readouterr().err
    assert main(["export", "--format", "parquet", "--db", demo_sqlite_url]) == 2
    assert "--output" in capsys.readouterr().err
    csv_path = tmp_path / "out.csv"
    args = ["export", "--format", "csv", "--with-html", "--since", "2019-10-01", "-o", str(csv_path)]
    assert main([*args, "--db", demo_sqlite_url]) == 0
    header = csv_path.read_text(encoding="utf-8").splitlines()[0].split(",")
    assert header[-1] == "body_html"


def test_export_command_refuses_a_database_that_is_not_a_store(tmp_path, capsys) -> None:
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    make_engine(url).connect().close()  # an empty file: export never creates one
    assert main(["export", "--db", url]) == 1
    assert "is empty (no crawler tables yet): crawl into it first" in capsys.readouterr().err


def test_export_memory_does_not_grow_with_the_store(tmp_path) -> None:
    """A small version of bench/export_memory.py: 1k vs 8k articles, each exported in a fresh process."""
    bench = load_bench()
    peaks = {}
    for size in (1_000, 8_000):
        url = f"sqlite:///{tmp_path / f'store-{size}.db'}"
        bench.build_store(url, size)
        peaks[size] = bench.measure(url, "jsonl", tmp_path)
        assert peaks[size]["rows"] == size
    # 8x the rows (about 40 MB of text) must not cost a matching amount of memory.
    assert peaks[8_000]["peak_rss_mb"] / peaks[1_000]["peak_rss_mb"] < 1.3, peaks


def test_empty_store_exports_nothing(db_url: str) -> None:
    ensure_schema(make_engine(db_url))
    assert rows_of(db_url, "jsonl") == []
    assert rows_of(db_url, "parquet") == []
