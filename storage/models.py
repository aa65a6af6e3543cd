"""The SQL schema as typed SQLAlchemy 2.0 models.

The schema is a public interface (see docs/schema.md) and changes only by an
Alembic migration under ``storage/migrations/``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite keeps no zone, so store naive UTC)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: pass a timezone-aware datetime")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: JSON(), list[str]: JSON()}


class Site(Base):
    """A monitored site, keyed by the same snake_case key as its spider and parser."""

    __tablename__ = "sites"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    base_url: Mapped[str] = mapped_column(String(2000))
    created_at: Mapped[datetime]


class Article(Base):
    """The current state of one article, one row per canonical URL."""

    __tablename__ = "articles"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    site: Mapped[str] = mapped_column(ForeignKey("sites.key"), index=True)
    url: Mapped[str] = mapped_column(String(2000))
    canonical_url: Mapped[str] = mapped_column(String(2000), unique=True)
    title: Mapped[str] = mapped_column(Text)
    summary: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str | None] = mapped_column(String(200), index=True)
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str | None] = mapped_column(Text)
    disclaimer: Mapped[str | None] = mapped_column(Text)
    category: Mapped[str | None] = mapped_column(String(200), index=True)
    authors: Mapped[list[str]] = mapped_column(default=list)
    language: Mapped[str | None] = mapped_column(String(16))
    published_at: Mapped[datetime | None] = mapped_column(index=True)
    published_raw: Mapped[str | None] = mapped_column(String(200))
    modified_at: Mapped[datetime | None]
    image_url: Mapped[str | None] = mapped_column(String(2000))
    image_caption: Mapped[str | None] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(64), index=True)
    provenance: Mapped[dict[str, Any]] = mapped_column(default=dict)
    version: Mapped[int] = mapped_column(default=1)
    first_seen_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    last_changed_at: Mapped[datetime]
    first_run_id: Mapped[int | None] = mapped_column(ForeignKey("crawl_runs.id"))
    etag: Mapped[str | None] = mapped_column(String(500))
    """The ``ETag`` the site last sent for the page, replayed as ``If-None-Match`` on a re-check."""
    last_modified: Mapped[str | None] = mapped_column(String(100))
    """The ``Last-Modified`` header as sent, replayed as ``If-Modified-Since``."""
    last_checked_at: Mapped[datetime | None]
    """When a crawl last asked the site about the article (a 200 or a 304)."""
    removed_at: Mapped[datetime | None] = mapped_column(index=True)
    """When a re-check got 404 or 410 (the row and its versions are kept); cleared by a later 200."""

    tags: Mapped[list[ArticleTag]] = relationship(
        back_populates="article", cascade="all, delete-orphan", order_by="ArticleTag.position"
    )
    versions: Mapped[list[ArticleVersion]] = relationship(
        back_populates="article", cascade="all, delete-orphan", order_by="ArticleVersion.version"
    )

    # The exact-twin lookup of each new article (site, content_hash): migration 0007.
    __table_args__ = (Index("ix_articles_site_content_hash", "site", "content_hash"),)


class ArticleTag(Base):
    """One tag of an article, in page order."""

    __tablename__ = "article_tags"

    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True)
    tag: Mapped[str] = mapped_column(String(200), primary_key=True)
    position: Mapped[int] = mapped_column(default=0)

    article: Mapped[Article] = relationship(back_populates="tags")

    __table_args__ = (Index("ix_article_tags_tag", "tag"),)


class ArticleVersion(Base):
    """A snapshot of an article's content each time it changed (version 1 is the first seen)."""

    __tablename__ = "article_versions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), index=True)
    version: Mapped[int]
    title: Mapped[str] = mapped_column(Text)
    summary: Mapped[str | None] = mapped_column(Text)
    body_text: Mapped[str] = mapped_column(Text)
    # The other compared fields as they were (revision 0005): NULL in versions stored before it.
    source: Mapped[str | None] = mapped_column(String(200))
    disclaimer: Mapped[str | None] = mapped_column(Text)
    category: Mapped[str | None] = mapped_column(String(200))
    authors: Mapped[list[str] | None] = mapped_column(JSON())
    tags: Mapped[list[str] | None] = mapped_column(JSON())
    language: Mapped[str | None] = mapped_column(String(16))
    published_at: Mapped[datetime | None]
    modified_at: Mapped[datetime | None]
    image_url: Mapped[str | None] = mapped_column(String(2000))
    image_caption: Mapped[str | None] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(64))
    captured_at: Mapped[datetime]
    run_id: Mapped[int | None] = mapped_column(ForeignKey("crawl_runs.id"))
    changed_fields: Mapped[list[str] | None] = mapped_column(JSON())
    """The fields that differ from the previous version, e.g. ``["title", "tags"]``; NULL for version 1
    (and for versions stored before revision 0003)."""

    article: Mapped[Article] = relationship(back_populates="versions")

    __table_args__ = (UniqueConstraint("article_id", "version"),)


class CrawlRun(Base):
    """One crawl of one site, manual or scheduled, with its counts."""

    __tablename__ = "crawl_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    site: Mapped[str] = mapped_column(String(64), index=True)
    spider: Mapped[str] = mapped_column(String(64))
    trigger: Mapped[str] = mapped_column(String(16), default="manual")
    """``manual`` or ``schedule``."""
    status: Mapped[str] = mapped_column(String(16), default="running")
    """``running``, ``ok``, ``failed``, ``timed_out``, ``interrupted`` or ``killed`` (see RUN_STATUSES)."""
    started_at: Mapped[datetime] = mapped_column(index=True)
    finished_at: Mapped[datetime | None]
    finish_reason: Mapped[str | None] = mapped_column(String(200))
    pages_fetched: Mapped[int] = mapped_column(default=0)
    bytes_fetched: Mapped[int] = mapped_column(default=0)
    articles_new: Mapped[int] = mapped_column(default=0)
    articles_updated: Mapped[int] = mapped_column(default=0)
    articles_unchanged: Mapped[int] = mapped_column(default=0)
    articles_duplicate: Mapped[int] = mapped_column(default=0)
    articles_dropped: Mapped[int] = mapped_column(default=0)
    errors: Mapped[int] = mapped_column(default=0)
    errors_by_kind: Mapped[dict[str, Any]] = mapped_column(default=dict)
    field_coverage: Mapped[dict[str, Any]] = mapped_column(default=dict)
    """Share of new or updated articles with each key field filled, e.g. ``{"body_text": 1.0}``."""
    args: Mapped[dict[str, Any]] = mapped_column(default=dict)
    articles_lost: Mapped[int] = mapped_column(default=0)
    """Articles parsed but neither stored nor counted otherwise: a pipeline raised, or the database stayed away."""
    articles_skipped: Mapped[int] = mapped_column(default=0)
    """Known articles outside the re-check window: not fetched (see crawler/recheck.py)."""
    articles_not_modified: Mapped[int] = mapped_column(default=0)
    """Re-checked articles the site answered 304 Not Modified: no parse, no write but ``last_checked_at``."""
    articles_removed: Mapped[int] = mapped_column(default=0)
    """Re-checked articles the site answered 404 or 410: marked ``removed_at``."""
    pid: Mapped[int | None]
    """Process id of the crawl that owns the run (on ``hostname``), for telling a live run from a dead one."""
    hostname: Mapped[str | None] = mapped_column(String(255))
    heartbeat_at: Mapped[datetime | None]
    """Last sign of life of the owning process; a ``running`` run whose heartbeat is too old is closed ``killed``."""

    __table_args__ = (
        # The claim: at most one running run per site, enforced by the database itself.
        Index(
            "uq_crawl_runs_site_running",
            "site",
            unique=True,
            sqlite_where=text("status = 'running'"),
            postgresql_where=text("status = 'running'"),
        ),
    )


RUN_STATUSES: tuple[str, ...] = ("running", "ok", "failed", "timed_out", "interrupted", "killed")
"""Every value of ``crawl_runs.status``: ``failed`` includes a run that lost articles; ``killed``
a run whose process died or hung without closing it."""


class CrawlEvent(Base):
    """A page-level outcome worth keeping: a drop, an HTTP error, a redirect, a duplicate."""

    __tablename__ = "crawl_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("crawl_runs.id", ondelete="CASCADE"), index=True)
    url: Mapped[str] = mapped_column(String(2000))
    kind: Mapped[str] = mapped_column(String(32), index=True)
    """``dropped``, ``duplicate``, ``http_error``, ``network_error``, ``redirect``, ``parse_error``,
    ``pipeline_error`` (an item pipeline raised: the article is lost) or ``unwritten`` (the database stayed away)."""
    reason: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime]


class HealthCheck(Base):
    """The result of one health check after one run."""

    __tablename__ = "health_checks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("crawl_runs.id", ondelete="CASCADE"), index=True)
    site: Mapped[str] = mapped_column(String(64), index=True)
    check: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(8))
    """``ok`` or ``fail``."""
    detail: Mapped[str] = mapped_column(Text, default="")
    checked_at: Mapped[datetime]


class ArchivedPage(Base):
    """Where one fetched article page is kept: a gzip-per-record WARC response record (see storage/archive.py)."""

    __tablename__ = "archived_pages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    site: Mapped[str] = mapped_column(String(64))
    url: Mapped[str] = mapped_column(String(2000), index=True)
    fetched_at: Mapped[datetime]
    file: Mapped[str] = mapped_column(String(500), index=True)
    """The WARC file, relative to the archive directory (``ARCHIVE_DIR``)."""
    offset: Mapped[int] = mapped_column(BigInteger)
    """Byte offset of the record's gzip member in ``file``: seek there and read one record."""
    length: Mapped[int] = mapped_column(BigInteger)
    """Compressed length of the record in bytes."""
    status: Mapped[int]
    """The HTTP status of the response."""
    run_id: Mapped[int | None] = mapped_column(ForeignKey("crawl_runs.id", ondelete="SET NULL"), index=True)

    __table_args__ = (Index("ix_archived_pages_site_fetched_at", "site", "fetched_at"),)


class SyndicatedCopy(Base):
    """Two articles of different sites whose bodies nearly match (a syndicated or republished copy)."""

    __tablename__ = "syndicated_copies"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), index=True)
    """The earlier published of the two (the first stored when neither date is known)."""
    copy_article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), index=True)
    similarity: Mapped[float] = mapped_column(Float)
    """Jaccard similarity of the two bodies' 5-word shingles, 0..1."""
    detected_at: Mapped[datetime]

    __table_args__ = (UniqueConstraint("article_id", "copy_article_id"),)
