"""The WARC archive: records readable by warcio, random access by offset, the index and retention on both backends."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select
from warcio.archiveiterator import ArchiveIterator

from storage.archive import ArchiveIndexRepository, WarcFileWriter, prune, read_response
from storage.db import ensure_schema, make_engine, session_scope
from storage.models import ArchivedPage

NOW = datetime(2026, 12, 1, 12, tzinfo=UTC)
HEADERS = [("Content-Type", "text/html; charset=utf-8"), ("Content-Encoding", "gzip"), ("Server", "replica")]


def page(i: int) -> bytes:
    return f"<html><body><h1>Story {i}</h1><p>{'Body text of the story. ' * (20 + i)}</p></body></html>".encode()


def test_records_read_back_by_warcio_and_by_offset(tmp_path: Path) -> None:
    writer = WarcFileWriter(tmp_path, "syrianobserver", 7, NOW)
    refs = [writer.write_response(f"http://x/{i}.html", 200, HEADERS, page(i), NOW + timedelta(seconds=i),
                                  {"WARC-Crawler-Run": "7"}) for i in range(5)]
    writer.close()
    assert {r.file for r in refs} == {"syrianobserver/syrianobserver-20261201T120000Z-run7.warc.gz"}
    with open(tmp_path / refs[0].file, "rb") as handle:
        records = list(
            (r.rec_type, r.rec_headers.get_header("WARC-Target-URI"), r.rec_headers.get_header("WARC-Crawler-Run"),
             r.http_headers.get_header("Content-Encoding") if r.http_headers else None, r.content_stream().read())
            for r in ArchiveIterator(handle)
        )
    assert records[0][0] == "warcinfo"
    # The body is kept decoded, so the wire's Content-Encoding is not repeated.
    assert records[1:] == [("response", f"http://x/{i}.html", "7", None, page(i)) for i in range(5)]
    for i in (3, 0, 4):  # any record alone, in any order
        back = read_response(tmp_path, refs[i])
        assert (back.url, back.status, back.body) == (f"http://x/{i}.html", 200, page(i))
        assert back.header("content-type") == "text/html; charset=utf-8"
        assert back.fetched_at == NOW + timedelta(seconds=i)


def test_a_file_rotates_past_its_size_bound(tmp_path: Path) -> None:
    writer = WarcFileWriter(tmp_path, "levantpost", 1, NOW, max_file_bytes=600)
    refs = [writer.write_response(f"http://x/{i}.html", 200, HEADERS, page(i), NOW) for i in range(4)]
    writer.close()
    assert len({r.file for r in refs}) == 4 and len(writer.files) == 4
    assert [read_response(tmp_path, r).body for r in refs] == [page(i) for i in range(4)]


def write_file(archive: Path, site: str, at: datetime, pages: int, engine) -> str:  # noqa: ANN001
    writer = WarcFileWriter(archive, site, None, at)
    with session_scope(engine) as session:
        index = ArchiveIndexRepository(session)
        for i in range(pages):
            ref = writer.write_response(f"http://{site}/{at:%j}/{i}.html", 200, HEADERS, page(i), at)
            index.add(site, f"http://{site}/{at:%j}/{i}.html", at, ref, 200, None)
    writer.close()
    assert writer.current is not None
    return writer.current


def test_index_rows_and_retention_by_age_and_by_size(db_url: str, tmp_path: Path) -> None:
    engine = make_engine(db_url)
    ensure_schema(engine)
    archive = tmp_path / "archive"
    old = write_file(archive, "syrianobserver", NOW - timedelta(days=120), 3, engine)
    middle = write_file(archive, "levantpost", NOW - timedelta(days=20), 3, engine)
    recent = write_file(archive, "syrianobserver", NOW - timedelta(days=1), 3, engine)
    with session_scope(engine) as session:
        latest = ArchiveIndexRepository(session).latest_pages("syrianobserver", since=NOW - timedelta(days=30))
        assert [p.url for p in latest] == [f"http://syrianobserver/{(NOW - timedelta(days=1)):%j}/{i}.html"
                                           for i in range(3)]
        assert {p.file for p in latest} == {recent}
    with session_scope(engine) as session:
        removed = prune(session, archive, NOW, max_age_days=90)
    assert (removed.files, removed.rows) == (1, 3) and not (archive / old).exists()
    # By size: the oldest left goes first, never the file being written.
    sizes = {name: (archive / name).stat().st_size for name in (middle, recent)}
    with session_scope(engine) as session:
        kept = prune(session, archive, NOW, max_bytes=sizes[recent], keep=frozenset({recent}))
    assert (kept.files, kept.bytes) == (1, sizes[middle])
    assert not (archive / middle).exists() and (archive / recent).exists()
    with session_scope(engine) as session:
        assert session.scalar(select(func.count()).select_from(ArchivedPage)) == 3
        assert set(session.scalars(select(ArchivedPage.file))) == {recent}
    with session_scope(engine) as session:
        assert prune(session, archive, NOW, max_age_days=0, max_bytes=0).files == 0  # both bounds off
    engine.dispose()


def test_a_file_without_index_rows_is_aged_by_its_modification_time(sqlite_url: str, tmp_path: Path) -> None:
    engine = make_engine(sqlite_url)
    ensure_schema(engine)
    writer = WarcFileWriter(tmp_path, "syrianobserver", None, NOW)
    writer.write_response("http://x/a.html", 200, HEADERS, page(1), NOW)
    writer.close()
    path = tmp_path / writer.files[0]
    stamp = (NOW - timedelta(days=100)).timestamp()
    os.utime(path, (stamp, stamp))
    with session_scope(engine) as session:
        assert prune(session, tmp_path, NOW, max_age_days=90).files == 1
    assert not path.exists()
    engine.dispose()


def test_the_default_directory_is_next_to_the_sqlite_file_else_the_working_directory(tmp_path: Path) -> None:
    from crawler.archive import archive_dir

    assert archive_dir("", f"sqlite:///{tmp_path / 'data' / 'news.db'}") == tmp_path / "data" / "archive"
    assert archive_dir("", "postgresql+psycopg://user@127.0.0.1/news") == Path("archive")
    assert archive_dir(str(tmp_path / "elsewhere"), f"sqlite:///{tmp_path / 'news.db'}") == tmp_path / "elsewhere"
