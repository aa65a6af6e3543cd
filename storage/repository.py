"""Reads and writes of the store, through the ORM. Repositories never commit: the caller does."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Literal

from sqlalchemy import func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from storage.models import Article, ArticleTag, ArticleVersion, CrawlEvent, CrawlRun, Site
from storage.records import ArticleRecord, content_hash

UpsertOutcome = Literal["new", "updated", "unchanged", "duplicate"]

# Columns copied from a record into `articles` on insert and on change.
ARTICLE_FIELDS: tuple[str, ...] = (
    "url",
    "title",
    "summary",
    "source",
    "body_text",
    "body_html",
    "disclaimer",
    "category",
    "authors",
    "language",
    "published_at",
    "published_raw",
    "modified_at",
    "image_url",
    "image_caption",
    "content_hash",
    "provenance",
)


@dataclass(frozen=True)
class UpsertResult:
    """What storing one record did."""

    outcome: UpsertOutcome
    article_id: int
    duplicate_of: str | None = None
    changed_fields: tuple[str, ...] = ()
    """For ``updated``: the fields that differ from the stored version."""
    replaced_url: str | None = None
    """For ``updated`` by ``replace_with_earlier``: the canonical URL the row held before."""


# Fields a later crawl may not empty or replace with a fallback's guess (see keep_stored_where_degraded).
KEPT_FIELDS: tuple[str, ...] = tuple(f for f in ARTICLE_FIELDS if f not in ("url", "content_hash", "provenance")) + (
    "tags",
)


def keep_stored_where_degraded(existing: Article, record: ArticleRecord) -> ArticleRecord:
    """The record, with each field it lost or got only from a fallback taken back from the stored article.

    After a site's redesign its parser finds less: the generic extractor fills the body and
    date (``provenance`` ``generic:...``) and tags or authors come out empty.  Such a crawl must
    not overwrite what the site's own parser stored (nor make a new version of it); the health
    checks report the breakage.  A field the site parser itself filled with a new value is a
    real change and is kept.
    """
    merged = replace(record, provenance=dict(record.provenance))
    stored_rules = existing.provenance or {}
    for name in KEPT_FIELDS:
        stored = [t.tag for t in existing.tags] if name == "tags" else getattr(existing, name)
        if stored in (None, "", []):
            continue
        new, new_rule, stored_rule = getattr(record, name), record.provenance.get(name, ""), stored_rules.get(name, "")
        fallback_over_site = new_rule.startswith("generic:") and stored_rule.startswith("site:")
        if new in (None, "", []) or fallback_over_site:
            setattr(merged, name, stored)
            if stored_rule:
                merged.provenance[name] = stored_rule
    merged.content_hash = content_hash(merged.body_text)
    return merged


# Content fields compared on a re-crawl: a difference in any of them is a new version.  Left out:
# the fetch URL (same canonical URL), body_html (markup noise around the same text), published_raw
# (the date as printed, e.g. "3 hours ago", changes while the date does not), and bookkeeping.
COMPARED_FIELDS: tuple[str, ...] = tuple(f for f in KEPT_FIELDS if f not in ("body_html", "published_raw"))


def _unique(values: list[str]) -> list[str]:
    """The list without repeats, first occurrence kept (how tags are stored)."""
    return list(dict.fromkeys(values))


def changed_fields(existing: Article, record: ArticleRecord) -> tuple[str, ...]:
    """The compared fields whose value in ``record`` differs from the stored article, in COMPARED_FIELDS order."""
    changed = []
    for name in COMPARED_FIELDS:
        if name == "tags":
            stored, new = [t.tag for t in existing.tags], _unique(record.tags)
        else:
            stored, new = getattr(existing, name), getattr(record, name)
        # NULL and empty are the same absence (a stored '' or [] against a record's None).
        if (stored or None) != (new or None):
            changed.append(name)
    return tuple(changed)


# Compared fields a version keeps besides title, summary, body and tags (see ArticleVersion).
SNAPSHOT_FIELDS: tuple[str, ...] = tuple(
    f for f in COMPARED_FIELDS if f not in ("title", "summary", "body_text", "tags")
)


def _fetch_facts(record: ArticleRecord, now: datetime) -> dict[str, object]:
    """Columns every stored fetch sets: seen and checked now, the page's validators, not removed (a 200)."""
    return {
        "last_seen_at": now,
        "last_checked_at": now,
        "etag": record.etag,
        "last_modified": record.last_modified,
        "removed_at": None,
    }


def _insert_for(session: Session):  # noqa: ANN202 - dialect-specific Insert constructs
    """The backend's native INSERT that supports ON CONFLICT."""
    name = session.get_bind().dialect.name
    if name == "postgresql":
        return postgresql.insert
    if name == "sqlite":
        return sqlite.insert
    raise NotImplementedError(f"upserts are implemented for SQLite and PostgreSQL, not {name}")


class SiteRepository:
    """The `sites` table."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def ensure(self, key: str, name: str, base_url: str, now: datetime) -> None:
        """Insert the site if it is not there (concurrent crawls may race: ON CONFLICT DO NOTHING)."""
        insert = _insert_for(self.session)
        stmt = insert(Site).values(key=key, name=name, base_url=base_url, created_at=now)
        self.session.execute(stmt.on_conflict_do_nothing(index_elements=["key"]))


class ArticleRepository:
    """The `articles`, `article_tags` and `article_versions` tables."""

    def __init__(self, session: Session) -> None:
        self.session = session
        # Advisory locks this repository took; they last until the session's transaction ends.
        self._locked: set[str] = set()

    def by_canonical_url(self, canonical_url: str) -> Article | None:
        """The article stored under this canonical URL."""
        return self.session.scalar(select(Article).where(Article.canonical_url == canonical_url))

    def by_content_hash(self, content_hash: str, site: str | None = None) -> Article | None:
        """An article with exactly this body fingerprint, if any."""
        stmt = select(Article).where(Article.content_hash == content_hash)
        if site:
            stmt = stmt.where(Article.site == site)
        return self.session.scalars(stmt.order_by(Article.id).limit(1)).first()

    def bodies(
        self, site: str | None, seen_since: datetime | None = None, after_id: int = 0, newest: int | None = None
    ) -> Iterator[tuple[int, str, str, datetime, str]]:
        """(id, canonical URL, body text, last seen, site) of the site's articles (every site's: None), streamed.

        ``seen_since`` keeps articles seen at or after that time; ``after_id`` keeps rows
        added after that id (what other writers stored since the caller last looked);
        ``newest`` keeps only that many, the most recently seen.  Ordered by id, or newest
        first when ``newest`` is given.
        """
        stmt = select(Article.id, Article.canonical_url, Article.body_text, Article.last_seen_at, Article.site).where(
            Article.id > after_id
        )
        if site is not None:
            stmt = stmt.where(Article.site == site)
        if seen_since is not None:
            stmt = stmt.where(Article.last_seen_at >= seen_since)
        if newest is not None:
            stmt = stmt.order_by(Article.last_seen_at.desc(), Article.id.desc()).limit(newest)
        else:
            stmt = stmt.order_by(Article.id)
        yield from self.session.execute(stmt.execution_options(yield_per=500))

    def newest_article_id(self, site: str | None) -> int:
        """The highest article id of ``site`` (of every site: None; 0 when there is none)."""
        stmt = select(func.max(Article.id))
        if site is not None:
            stmt = stmt.where(Article.site == site)
        return self.session.scalar(stmt) or 0

    def lock_new_articles(self, site: str) -> None:
        """Serialize adding new articles of ``site`` until this transaction ends (checks that span rows)."""
        self._lock(f"new-articles:{site}")

    def upsert(self, record: ArticleRecord, run_id: int | None, now: datetime, checked_new: bool = False
               ) -> UpsertResult:
        """Store ``record`` by canonical URL: insert, record a new version on change, or touch.

        A record whose body is already stored under another canonical URL is a
        duplicate and is not written.  The insert uses the backend's native
        ``ON CONFLICT DO NOTHING`` so two crawls writing at once never make two rows.
        ``checked_new``: the caller found, in this transaction and under ``lock_new_articles``,
        no row under the URL and none with the body; the two lookups are not repeated.
        """
        canonical = record.canonical_url or record.url
        self._lock(f"url:{canonical}", f"body:{record.site}:{record.content_hash}")
        existing = None if checked_new else self.by_canonical_url(canonical)
        if existing is None:
            twin = None if checked_new else self.by_content_hash(record.content_hash or "", record.site)
            if twin is not None:
                return UpsertResult("duplicate", twin.id, duplicate_of=twin.canonical_url)
            values = {name: getattr(record, name) for name in ARTICLE_FIELDS}
            values.update(
                site=record.site,
                canonical_url=canonical,
                version=1,
                first_seen_at=now,
                last_changed_at=now,
                first_run_id=run_id,
                **_fetch_facts(record, now),
            )
            insert = _insert_for(self.session)
            stmt = (
                insert(Article)
                .values(**values)
                .on_conflict_do_nothing(index_elements=["canonical_url"])
                .returning(Article.id)
            )
            article_id = self.session.scalar(stmt)
            if article_id is not None:
                self._replace_tags(article_id, record.tags, fresh=True)
                self._add_version(article_id, 1, record, run_id, now)
                return UpsertResult("new", article_id)
            # Another writer inserted it between our read and our insert.
            existing = self.by_canonical_url(canonical)
            assert existing is not None
        record = keep_stored_where_degraded(existing, record)
        changed = changed_fields(existing, record)
        if not changed:
            values = _fetch_facts(record, now)
            self.session.execute(update(Article).where(Article.id == existing.id).values(**values))
            return UpsertResult("unchanged", existing.id)
        version = existing.version + 1
        values = {name: getattr(record, name) for name in ARTICLE_FIELDS}
        values.update(version=version, last_changed_at=now, **_fetch_facts(record, now))
        self.session.execute(update(Article).where(Article.id == existing.id).values(**values))
        if "tags" in changed:
            self._replace_tags(existing.id, record.tags)
        self._add_version(existing.id, version, record, run_id, now, changed)
        return UpsertResult("updated", existing.id, changed_fields=changed)

    def replace_with_earlier(self, existing: Article, record: ArticleRecord, run_id: int | None, now: datetime
                             ) -> UpsertResult:
        """Make the stored ``existing`` row hold ``record``, an earlier-published copy of it under another URL.

        The row (its id, versions and links) stays: it is the site's one copy of the story, now the
        earliest published.  A new version records the change, ``canonical_url`` among its fields.
        """
        canonical = record.canonical_url or record.url
        self._lock(f"url:{canonical}", f"url:{existing.canonical_url}", f"body:{record.site}:{record.content_hash}")
        replaced = existing.canonical_url
        changed = ("canonical_url",) + changed_fields(existing, record)
        version = existing.version + 1
        values = {name: getattr(record, name) for name in ARTICLE_FIELDS}
        values.update(canonical_url=canonical, version=version, last_seen_at=now, last_changed_at=now)
        self.session.execute(update(Article).where(Article.id == existing.id).values(**values))
        self._replace_tags(existing.id, record.tags)
        self._add_version(existing.id, version, record, run_id, now, changed)
        return UpsertResult("updated", existing.id, changed_fields=changed, replaced_url=replaced)

    def _lock(self, *keys: str) -> None:
        """Serialize concurrent writers of the same URL or body until this transaction ends.

        On PostgreSQL, a transaction-scoped advisory lock per key (taken in sorted order, so two
        writers never deadlock) makes the read-then-insert of ``upsert`` atomic across crawls:
        without it two crawls could both see "no twin" and store the same body twice.  SQLite
        needs nothing here: ``storage.db`` starts every transaction with ``BEGIN IMMEDIATE``.
        """
        if self.session.get_bind().dialect.name != "postgresql":
            return
        for key in sorted(set(keys) - self._locked):  # a batch takes the site's lock once, not per article
            self.session.execute(select(func.pg_advisory_xact_lock(func.hashtextextended(key, 0))))
            self._locked.add(key)

    def _replace_tags(self, article_id: int, tags: list[str], fresh: bool = False) -> None:
        """Store ``tags`` as the article's, in order, once each; ``fresh``: a row just inserted, no tags to delete."""
        if not fresh:
            self.session.query(ArticleTag).filter(ArticleTag.article_id == article_id).delete()
        seen: set[str] = set()
        for position, tag in enumerate(tags):
            if tag not in seen:
                seen.add(tag)
                self.session.add(ArticleTag(article_id=article_id, tag=tag, position=position))
        self.session.flush()

    def _add_version(
        self,
        article_id: int,
        version: int,
        record: ArticleRecord,
        run_id: int | None,
        now: datetime,
        changed: tuple[str, ...] | None = None,
    ) -> None:
        self.session.add(
            ArticleVersion(
                article_id=article_id,
                version=version,
                title=record.title or "",
                summary=record.summary,
                body_text=record.body_text or "",
                **{name: getattr(record, name) for name in SNAPSHOT_FIELDS},
                tags=_unique(record.tags),
                content_hash=record.content_hash or "",
                captured_at=now,
                run_id=run_id,
                changed_fields=list(changed) if changed is not None else None,
            )
        )
        self.session.flush()


class RunBusy(Exception):
    """The site already has a running run; ``run`` is it (None if it closed meanwhile)."""

    def __init__(self, site: str, run: CrawlRun | None) -> None:
        self.site = site
        self.run = run
        who = f" (pid {run.pid} on {run.hostname})" if run is not None and run.pid else ""
        what = f"run {run.id}{who} is still going" if run is not None else "another run is starting"
        super().__init__(what)


class CrawlRunRepository:
    """The `crawl_runs` and `crawl_events` tables."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def start(
        self,
        site: str,
        spider: str,
        trigger: str,
        now: datetime,
        args: dict[str, str],
        owner: tuple[int, str] | None = None,
    ) -> CrawlRun:
        """A new run in status ``running``, owned by process ``owner`` = (pid, hostname).

        Raises RunBusy when the site already has a running run: the partial unique index
        ``uq_crawl_runs_site_running`` makes this insert the atomic claim of the site.
        """
        pid, hostname = owner if owner else (None, None)
        run = CrawlRun(
            site=site,
            spider=spider,
            trigger=trigger,
            status="running",
            started_at=now,
            args=args,
            pid=pid,
            hostname=hostname,
            heartbeat_at=now,
        )
        try:
            with self.session.begin_nested():  # a savepoint: the caller's transaction survives a refusal
                self.session.add(run)
                self.session.flush()
        except IntegrityError:
            busy = self.running(site)
            raise RunBusy(site, busy[0] if busy else None) from None
        return run

    def running(self, site: str | None = None) -> list[CrawlRun]:
        """Runs in status ``running`` (of ``site``), oldest first."""
        stmt = select(CrawlRun).where(CrawlRun.status == "running")
        if site is not None:
            stmt = stmt.where(CrawlRun.site == site)
        return list(self.session.scalars(stmt.order_by(CrawlRun.id)))

    def take_over(self, run_id: int, owner: tuple[int, str], now: datetime) -> CrawlRun | None:
        """Make process ``owner`` the owner of running run ``run_id`` (the child of ``run-now`` or the daemon)."""
        run = self.get(run_id)
        if run is None or run.status != "running":
            return None
        run.pid, run.hostname = owner
        run.heartbeat_at = now
        return run

    def heartbeat(self, run_id: int, now: datetime) -> None:
        """Record that the owner of ``run_id`` is alive."""
        self.session.execute(update(CrawlRun).where(CrawlRun.id == run_id).values(heartbeat_at=now))

    def get(self, run_id: int) -> CrawlRun | None:
        """One run by id."""
        return self.session.get(CrawlRun, run_id)

    def add_event(self, run_id: int, url: str, kind: str, reason: str, now: datetime) -> None:
        """Keep one page-level outcome (drop, HTTP error, redirect, duplicate)."""
        self.session.add(CrawlEvent(run_id=run_id, url=url, kind=kind, reason=reason, at=now))

    def events(self, run_id: int) -> list[CrawlEvent]:
        """The outcomes of one run, oldest first."""
        stmt = select(CrawlEvent).where(CrawlEvent.run_id == run_id).order_by(CrawlEvent.id)
        return list(self.session.scalars(stmt))
