"""Streaming export of articles to JSON Lines, CSV or Parquet (``crawler export``).

Rows come from one server-side cursor (PostgreSQL) or SQLite's lazy cursor in
batches of ``batch_size`` and are written as they arrive, so memory stays flat
however large the store is.  Dates are UTC ISO 8601 strings in JSONL and CSV and
``timestamp[us, UTC]`` in Parquet; ``tags`` and ``authors`` are lists (joined by
``"; "`` in CSV).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import datetime
from typing import IO, Any, Literal

from sqlalchemy import Engine, literal_column, select

from storage.models import Article

ExportFormat = Literal["jsonl", "csv", "parquet"]
FORMATS: tuple[ExportFormat, ...] = ("jsonl", "csv", "parquet")

COLUMNS: tuple[str, ...] = (
    "id",
    "site",
    "url",
    "canonical_url",
    "title",
    "summary",
    "source",
    "category",
    "tags",
    "authors",
    "language",
    "published_at",
    "published_raw",
    "modified_at",
    "image_url",
    "image_caption",
    "disclaimer",
    "body_text",
    "content_hash",
    "version",
    "first_seen_at",
    "last_seen_at",
    "last_changed_at",
)
"""Exported columns, in order; ``body_html`` is added with ``with_html=True``."""

LIST_COLUMNS = frozenset({"tags", "authors"})
TIME_COLUMNS = frozenset({"published_at", "modified_at", "first_seen_at", "last_seen_at", "last_changed_at"})
INT_COLUMNS = frozenset({"id", "version"})

# Tags in page order as one JSON array per article, aggregated by the database.
_TAGS_SQL = {
    "sqlite": "(SELECT json_group_array(t.tag) FROM (SELECT tag FROM article_tags"
    " WHERE article_id = articles.id ORDER BY position) AS t)",
    "postgresql": "(SELECT json_agg(tag ORDER BY position) FROM article_tags WHERE article_id = articles.id)",
}


def columns(with_html: bool = False) -> tuple[str, ...]:
    """The exported column names."""
    return COLUMNS + (("body_html",) if with_html else ())


def iter_articles(
    engine: Engine,
    *,
    site: str | None = None,
    since: datetime | None = None,
    with_html: bool = False,
    batch_size: int = 500,
) -> Iterator[list[dict[str, Any]]]:
    """Batches of article rows (dicts in ``columns()`` order), oldest id first, streamed."""
    dialect = engine.dialect.name
    if dialect not in _TAGS_SQL:
        raise NotImplementedError(f"export is implemented for SQLite and PostgreSQL, not {dialect}")
    names = columns(with_html)
    selected = [
        literal_column(_TAGS_SQL[dialect]).label("tags") if name == "tags" else getattr(Article, name) for name in names
    ]
    stmt = select(*selected).order_by(Article.id)
    if site:
        stmt = stmt.where(Article.site == site)
    if since:
        stmt = stmt.where(
            (Article.published_at >= since) | (Article.published_at.is_(None) & (Article.first_seen_at >= since))
        )
    # Export only reads: on SQLite take no write lock, so crawls keep writing meanwhile.
    with engine.connect() as conn:
        conn = conn.execution_options(sqlite_begin="DEFERRED", stream_results=True, yield_per=batch_size)
        with conn.begin():
            result = conn.execute(stmt)
            for partition in result.partitions(batch_size):
                batch = []
                for row in partition:
                    record = dict(zip(names, row, strict=True))
                    tags = record["tags"]
                    record["tags"] = json.loads(tags) if isinstance(tags, str) else (tags or [])
                    record["authors"] = list(record["authors"] or [])
                    batch.append(record)
                yield batch


def export(
    engine: Engine,
    out: IO[bytes],
    fmt: ExportFormat,
    *,
    site: str | None = None,
    since: datetime | None = None,
    with_html: bool = False,
    batch_size: int = 500,
) -> int:
    """Write the matching articles to the binary stream ``out`` in ``fmt``; return how many were written."""
    batches = iter_articles(engine, site=site, since=since, with_html=with_html, batch_size=batch_size)
    names = columns(with_html)
    if fmt == "parquet":
        return _write_parquet(batches, names, out)
    text = io.TextIOWrapper(out, encoding="utf-8", newline="", write_through=False)
    try:
        if fmt == "jsonl":
            return _write_jsonl(batches, text)
        if fmt == "csv":
            return _write_csv(batches, names, text)
        raise ValueError(f"unknown export format {fmt!r}: use one of {', '.join(FORMATS)}")
    finally:
        text.flush()
        text.detach()  # leave `out` open: the caller owns it


def _iso(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def _write_jsonl(batches: Iterator[list[dict[str, Any]]], out: IO[str]) -> int:
    count = 0
    for batch in batches:
        out.write("".join(json.dumps({k: _iso(v) for k, v in row.items()}, ensure_ascii=False) + "\n" for row in batch))
        count += len(batch)
    return count


def _write_csv(batches: Iterator[list[dict[str, Any]]], names: tuple[str, ...], out: IO[str]) -> int:
    writer = csv.writer(out)
    writer.writerow(names)
    count = 0
    for batch in batches:
        writer.writerows(
            ["; ".join(v) if k in LIST_COLUMNS else ("" if v is None else _iso(v)) for k, v in row.items()]
            for row in batch
        )
        count += len(batch)
    return count


def parquet_schema(names: tuple[str, ...]):  # noqa: ANN201 - pyarrow.Schema
    """The Arrow schema of an export with these columns."""
    import pyarrow as pa

    def field_type(name: str) -> Any:
        if name in LIST_COLUMNS:
            return pa.list_(pa.string())
        if name in TIME_COLUMNS:
            return pa.timestamp("us", tz="UTC")
        if name in INT_COLUMNS:
            return pa.int64()
        return pa.string()

    return pa.schema([pa.field(name, field_type(name), nullable=name not in INT_COLUMNS) for name in names])


def _write_parquet(batches: Iterator[list[dict[str, Any]]], names: tuple[str, ...], out: IO[bytes]) -> int:
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = parquet_schema(names)
    count = 0
    # Arrow's default mimalloc pool keeps freed pages, so peak memory crept up with the row count;
    # the system allocator gives them back (measured by bench/export_memory.py).
    previous_pool = pa.default_memory_pool()
    pa.set_memory_pool(pa.system_memory_pool())
    try:
        # One row group per batch: the writer never holds more than one batch.
        with pq.ParquetWriter(out, schema, compression="zstd") as writer:
            for batch in batches:
                writer.write_batch(pa.RecordBatch.from_pylist(batch, schema=schema))
                count += len(batch)
    finally:
        pa.set_memory_pool(previous_pool)
    return count
