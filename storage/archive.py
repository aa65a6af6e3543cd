"""The raw page archive: WARC files of fetched article pages, and their index in ``archived_pages``.

Each page is one WARC ``response`` record (the HTTP status line and headers, then the raw body)
in its own gzip member, so a record is read back by seeking to its offset: the index row keeps
the file (relative to the archive directory), the offset and the compressed length.  A file
starts with a ``warcinfo`` record; files rotate past a size bound.  Retention deletes whole
files (too old, or the oldest past a total size) together with their index rows.

Neither Scrapy nor the crawler is imported: the crawl (``crawler/archive.py``) and
``crawler reparse`` both go through here.  Repositories never commit: the caller does.
"""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session
from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from storage.models import ArchivedPage

logger = logging.getLogger(__name__)

WARC_SUFFIX = ".warc.gz"
SOFTWARE = "news-monitor-crawler"
# Headers that described the bytes on the wire, not the decoded body kept in the record.
_WIRE_HEADERS = {"content-encoding", "transfer-encoding", "content-length"}
_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]+")


@dataclass(frozen=True)
class RecordRef:
    """Where one record is: ``file`` relative to the archive directory, gzip member ``offset`` and ``length``."""

    file: str
    offset: int
    length: int


@dataclass(frozen=True)
class ArchivedResponse:
    """One response read back from the archive."""

    url: str
    status: int
    headers: list[tuple[str, str]]
    body: bytes
    fetched_at: datetime | None

    def header(self, name: str) -> str:
        """The first value of header ``name`` (case-insensitive), or ''."""
        wanted = name.lower()
        return next((v for k, v in self.headers if k.lower() == wanted), "")


class WarcFileWriter:
    """Appends response records to ``<archive_dir>/<site>/<site>-<stamp>-run<id>[-N].warc.gz``.

    A new file is started past ``max_file_bytes`` (0: never).  Not thread-safe: one writer per crawl.
    """

    def __init__(self, archive_dir: Path, site: str, run_id: int | None, started: datetime, max_file_bytes: int = 0):
        self.archive_dir = Path(archive_dir)
        safe_site = _UNSAFE.sub("_", site) or "site"
        stamp = started.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
        self._stem = f"{safe_site}/{safe_site}-{stamp}-run{run_id if run_id is not None else 0}"
        self.max_file_bytes = max_file_bytes
        self._part = 0
        self._handle: io.BufferedWriter | None = None
        self._writer: WARCWriter | None = None
        self.current: str | None = None
        """The file being written, relative to ``archive_dir`` (None before the first record)."""
        self.files: list[str] = []

    def _open(self) -> None:
        self._part += 1
        name = f"{self._stem}{WARC_SUFFIX}" if self._part == 1 else f"{self._stem}-{self._part}{WARC_SUFFIX}"
        path = self.archive_dir / name
        path.parent.mkdir(parents=True, exist_ok=True)
        self._handle = open(path, "ab")  # noqa: SIM115 - kept open for the crawl, closed by close()
        self._writer = WARCWriter(self._handle, gzip=True)
        self.current = name
        self.files.append(name)
        info = self._writer.create_warcinfo_record(name, {"software": SOFTWARE, "format": "WARC File Format 1.1"})
        self._writer.write_record(info)
        self._handle.flush()

    def write_response(
        self,
        url: str,
        status: int,
        headers: list[tuple[str, str]],
        body: bytes,
        fetched_at: datetime,
        extra: dict[str, str] | None = None,
    ) -> RecordRef:
        """Append one response record; where it is.  ``extra``: more WARC headers (e.g. the run id)."""
        if self._handle is None or (self.max_file_bytes and self._handle.tell() >= self.max_file_bytes):
            self.close()
            self._open()
        assert self._handle is not None and self._writer is not None and self.current is not None
        kept = [(k, v) for k, v in headers if k.lower() not in _WIRE_HEADERS]
        kept.append(("Content-Length", str(len(body))))
        http_headers = StatusAndHeaders(f"{status} {_reason(status)}", kept, protocol="HTTP/1.1")
        warc_headers = {"WARC-Date": _warc_date(fetched_at), **(extra or {})}
        record = self._writer.create_warc_record(
            url, "response", payload=io.BytesIO(body), length=len(body),
            http_headers=http_headers, warc_headers_dict=warc_headers,
        )
        offset = self._handle.tell()
        self._writer.write_record(record)
        self._handle.flush()  # a crash loses at most the record being written
        return RecordRef(self.current, offset, self._handle.tell() - offset)

    def close(self) -> None:
        """Close the current file (the next record starts a new one)."""
        if self._handle is not None:
            self._handle.close()
        self._handle = None
        self._writer = None


def read_response(archive_dir: Path, ref: RecordRef | ArchivedPage) -> ArchivedResponse:
    """The response record at ``ref`` (an index row or a RecordRef); OSError or ValueError when unreadable."""
    path = Path(archive_dir) / ref.file
    with open(path, "rb") as handle:
        handle.seek(ref.offset)
        data = handle.read(ref.length) if ref.length else handle.read()
    for record in ArchiveIterator(io.BytesIO(data)):
        if record.rec_type != "response":
            raise ValueError(f"{ref.file}@{ref.offset} is a {record.rec_type} record, not a response")
        headers = record.http_headers
        status = int(headers.get_statuscode()) if headers is not None else 0
        body = record.content_stream().read()
        url = record.rec_headers.get_header("WARC-Target-URI") or ""
        return ArchivedResponse(url, status, list(headers.headers) if headers else [], body,
                                _parse_warc_date(record.rec_headers.get_header("WARC-Date")))
    raise ValueError(f"no WARC record at {ref.file}@{ref.offset}")


def _reason(status: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


def _warc_date(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _parse_warc_date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)
    except ValueError:
        return None


@dataclass(frozen=True)
class PruneResult:
    """What retention removed."""

    files: int = 0
    bytes: int = 0
    rows: int = 0


class ArchiveIndexRepository:
    """The ``archived_pages`` table."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, site: str, url: str, fetched_at: datetime, ref: RecordRef, status: int, run_id: int | None) -> None:
        """Index one written record."""
        self.session.add(
            ArchivedPage(site=site, url=url, fetched_at=fetched_at, file=ref.file, offset=ref.offset,
                         length=ref.length, status=status, run_id=run_id)
        )

    def latest_pages(self, site: str | None = None, since: datetime | None = None) -> list[ArchivedPage]:
        """The newest capture of each URL (of ``site``, fetched at or after ``since``), by site then URL."""
        newest = select(func.max(ArchivedPage.id)).group_by(ArchivedPage.site, ArchivedPage.url)
        if site is not None:
            newest = newest.where(ArchivedPage.site == site)
        if since is not None:
            newest = newest.where(ArchivedPage.fetched_at >= since)
        stmt = select(ArchivedPage).where(ArchivedPage.id.in_(newest)).order_by(ArchivedPage.site, ArchivedPage.url)
        return list(self.session.scalars(stmt))

    def newest_by_file(self) -> dict[str, datetime]:
        """Each indexed file with the fetch time of its newest record."""
        stmt = select(ArchivedPage.file, func.max(ArchivedPage.fetched_at)).group_by(ArchivedPage.file)
        return {file: _aware(newest) for file, newest in self.session.execute(stmt)}

    def forget_file(self, file: str) -> int:
        """Delete the index rows of ``file``; how many."""
        return self.session.execute(delete(ArchivedPage).where(ArchivedPage.file == file)).rowcount or 0


def _aware(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def archive_files(archive_dir: Path) -> Iterator[tuple[str, Path]]:
    """Every WARC file under the archive directory, as (name relative to it, path)."""
    root = Path(archive_dir)
    if not root.is_dir():
        return
    for path in sorted(root.rglob(f"*{WARC_SUFFIX}")):
        yield path.relative_to(root).as_posix(), path


def prune(
    session: Session,
    archive_dir: Path,
    now: datetime,
    max_age_days: float = 0,
    max_bytes: int = 0,
    keep: frozenset[str] = frozenset(),
) -> PruneResult:
    """Delete WARC files whose newest record is older than ``max_age_days``, then the oldest files while
    the archive holds more than ``max_bytes`` (0: no bound of that kind); their index rows go too.

    A file's age is its newest indexed record (its modification time when it has none); files in
    ``keep`` (being written) are never deleted.
    """
    newest = ArchiveIndexRepository(session).newest_by_file()
    files: list[tuple[datetime, str, Path, int]] = []
    for name, path in archive_files(archive_dir):
        try:
            size = path.stat().st_size
            age = newest.get(name) or datetime.fromtimestamp(path.stat().st_mtime, UTC)
        except OSError:
            continue  # deleted meanwhile by another crawl's retention
        files.append((age, name, path, size))
    files.sort()
    doomed: list[tuple[str, Path, int]] = []
    if max_age_days > 0:
        cutoff = now - timedelta(days=max_age_days)
        doomed += [(n, p, s) for age, n, p, s in files if age < cutoff and n not in keep]
    if max_bytes > 0:
        gone = {n for n, _, _ in doomed}
        remaining = [(n, p, s) for _, n, p, s in files if n not in gone]
        total = sum(s for _, _, s in remaining)
        for name, path, size in remaining:
            if total <= max_bytes:
                break
            if name in keep:
                continue
            doomed.append((name, path, size))
            total -= size
    repository = ArchiveIndexRepository(session)
    result = PruneResult()
    for name, path, size in doomed:
        try:
            path.unlink()
        except FileNotFoundError:
            pass
        except OSError as exc:
            logger.warning("archive retention: could not delete %s (%s)", path, exc)
            continue
        rows = repository.forget_file(name)
        result = PruneResult(result.files + 1, result.bytes + size, result.rows + rows)
    if result.files:
        logger.info("archive retention: %d files (%d bytes, %d index rows) removed", result.files, result.bytes,
                    result.rows)
    return result
