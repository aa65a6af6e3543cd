"""A crawl keeps every article page in WARC files; `crawler reparse` applies a parser fix to them offline."""

from __future__ import annotations

import gzip
import re
import socket
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from warcio.archiveiterator import ArchiveIterator

from crawler.replica import ReplicaServer, ReplicaSite
from storage.archive import ArchiveIndexRepository, WarcFileWriter
from storage.db import make_engine, session_scope

pytestmark = pytest.mark.crawl


def crawl(db_url: str, base_url: str, *settings: str) -> None:
    overrides = [arg for s in settings for arg in ("-s", s)]
    result = subprocess.run(
        [sys.executable, "-m", "crawler.cli", "crawl", "syrianobserver", "--db", db_url,
         "-a", f"base_url={base_url}", *overrides],
        capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]


def query(db_url: str, sql: str) -> list[tuple]:
    engine = create_engine(db_url)
    with engine.connect() as conn:
        rows = [tuple(r) for r in conn.execute(text(sql))]
    engine.dispose()
    return rows


@pytest.fixture
def archive(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """This test's archive directory, for the crawls it starts (the default is tested in test_archive.py)."""
    monkeypatch.setenv("CRAWLER_ARCHIVE_DIR", str(tmp_path / "archive"))
    return tmp_path / "archive"


def test_every_article_page_is_archived_readable_and_indexed_and_retention_removes_old_files(
    tmp_path: Path, archive: Path
) -> None:
    db_url = f"sqlite:///{tmp_path / 'store.db'}"
    with ReplicaServer(ReplicaSite(articles=40)) as server:
        crawl(db_url, server.base_url)
        # Every stored article's page is in the archive, from run 1, with status 200.
        stored = {row[0] for row in query(db_url, "SELECT url FROM articles")}
        index = query(db_url, "SELECT url, file, \"offset\", length, status, run_id FROM archived_pages")
        assert len(stored) > 30
        assert stored <= {row[0] for row in index}
        assert {(row[4], row[5]) for row in index} == {(200, 1)}
        # The dropped and duplicate pages are kept too: a parser fix may turn them into articles.
        drops = "SELECT url FROM crawl_events WHERE kind IN ('dropped', 'duplicate')"
        events = {row[0] for row in query(db_url, drops)}
        assert events and events <= {row[0] for row in index}

        # The whole file reads with warcio: a warcinfo record, then one response record per index row.
        (name,) = {row[1] for row in index}
        with open(archive / name, "rb") as handle:
            records = [
                (r.rec_type, r.rec_headers.get_header("WARC-Target-URI"), r.http_headers, r.content_stream().read())
                for r in ArchiveIterator(handle)
            ]
        assert records[0][0] == "warcinfo"
        responses = {uri: (headers, body) for kind, uri, headers, body in records[1:] if kind == "response"}
        assert set(responses) == {row[0] for row in index}
        headers, body = responses[sorted(stored)[0]]
        assert headers.get_statuscode() == "200" and "html" in headers.get_header("Content-Type")
        assert b"<h1" in body and int(headers.get_header("Content-Length")) == len(body)
        # Each record is its own gzip member: the index's offset and length read it alone.
        url, _, offset, length, _, _ = index[0]
        with open(archive / name, "rb") as handle:
            handle.seek(offset)
            member = gzip.decompress(handle.read(length))
        assert member.startswith(b"WARC/1.") and url.encode() in member

        # An old file of an earlier crawl, indexed, dated 200 days ago.
        old_at = datetime.now(UTC) - timedelta(days=200)
        writer = WarcFileWriter(archive, "syrianobserver", None, old_at)
        ref = writer.write_response("http://old.example/a.html", 200, [("Content-Type", "text/html")], b"<p>old</p>",
                                    old_at)
        writer.close()
        engine = make_engine(db_url)
        with session_scope(engine) as session:
            ArchiveIndexRepository(session).add("syrianobserver", "http://old.example/a.html", old_at, ref, 200, None)
        engine.dispose()
        assert (archive / ref.file).exists()

        # A crawl with archiving off writes nothing; with retention on, the next crawl removes the old file.
        crawl(db_url, server.base_url, "ARCHIVE_ENABLED=False", "ARCHIVE_RETENTION_DAYS=30")
        assert query(db_url, "SELECT COUNT(*) FROM archived_pages WHERE run_id = 2") == [(0,)]
        assert (archive / ref.file).exists()  # retention runs with the archive: off, nothing is touched
        # Re-check off: every article page is fetched (and so archived) again, known or not.
        crawl(db_url, server.base_url, "ARCHIVE_RETENTION_DAYS=30", "RECHECK_ENABLED=False")
    assert not (archive / ref.file).exists()
    assert query(db_url, "SELECT COUNT(*) FROM archived_pages WHERE url = 'http://old.example/a.html'") == [(0,)]
    assert (archive / name).exists()
    runs = dict(query(db_url, "SELECT run_id, COUNT(*) FROM archived_pages GROUP BY run_id"))
    assert runs == {1: len(index), 3: len(index)}


def test_archive_off_writes_no_file_and_no_row(tmp_path: Path, archive: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'store.db'}"
    with ReplicaServer(ReplicaSite(articles=40)) as server:
        crawl(db_url, server.base_url, "ARCHIVE_ENABLED=False")
    assert query(db_url, "SELECT COUNT(*) FROM articles")[0][0] > 30
    assert query(db_url, "SELECT COUNT(*) FROM archived_pages") == [(0,)]
    assert not archive.exists()


def test_reparse_applies_a_parser_fix_to_every_affected_article_without_a_request(
    tmp_path: Path, archive: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from crawler.cli import main
    from crawler.parsers.sites.syrianobserver import SyrianObserverParser

    db_url = f"sqlite:///{tmp_path / 'store.db'}"
    with ReplicaServer(ReplicaSite(articles=40)) as server:
        crawl(db_url, server.base_url)
    # The server is stopped. From here on any connection attempt is recorded and refused.
    attempts: list[object] = []

    def refuse(self: socket.socket, address: object) -> None:
        attempts.append(address)
        raise OSError("network use during reparse")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)

    before = {url: (category, version) for url, category, version in
              query(db_url, "SELECT canonical_url, category, version FROM articles")}
    # The parser fix: the category as the site shows it ("foreign actors"), not its URL slug.
    slug_rule = SyrianObserverParser.category
    monkeypatch.setattr(SyrianObserverParser, "category",
                        lambda self: (slug_rule(self) or "").replace("-", " ") or None)
    affected = {url for url, (category, _) in before.items() if category and "-" in category}
    assert 0 < len(affected) < len(before)  # some articles change, others are left alone

    # Only versions reparse adds are compared: the crawl itself may add one (an earlier-published copy
    # found later takes over its URL's row), depending on the order the pages arrived in.
    [(last_version,)] = query(db_url, "SELECT MAX(id) FROM article_versions")
    code = main(["reparse", "--db", db_url, "--site", "syrianobserver", "--archive-dir", str(archive)])
    out = capsys.readouterr().out
    print(out)
    assert code == 0, out
    assert attempts == []

    after = {url: (category, version) for url, category, version in
             query(db_url, "SELECT canonical_url, category, version FROM articles")}
    assert set(after) == set(before)
    for url, (category, version) in before.items():
        if url in affected:
            assert after[url] == (category.replace("-", " "), version + 1), url
        else:
            assert after[url] == (category, version), url
    versions = query(db_url, "SELECT a.canonical_url, v.changed_fields, v.run_id FROM article_versions v "
                             f"JOIN articles a ON a.id = v.article_id WHERE v.id > {last_version}")
    assert {row[0] for row in versions} == affected
    assert {(row[1], row[2]) for row in versions} == {('["category"]', None)}
    figures = dict(re.findall(r"│ ([a-z ]+?) +│ (\d+)", out))
    assert figures["updated"] == str(len(affected))
    assert figures["unchanged"] == str(len(before) - len(affected))
    assert figures["failed"] == "0"
    # Run again: nothing left to change.
    assert main(["reparse", "--db", db_url, "--archive-dir", str(archive)]) == 0
    assert query(db_url, f"SELECT COUNT(*) FROM article_versions WHERE id > {last_version}") == [(len(affected),)]
    assert attempts == []
