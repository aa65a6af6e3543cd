"""A small store written through the storage layer, for the web tests (SQLite and PostgreSQL alike)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from crawler.items import ArticleRecord
from crawler.parsers.text import content_hash
from storage.db import ensure_schema, make_engine, session_scope
from storage.models import HealthCheck
from storage.repository import ArticleRepository, CrawlRunRepository, SiteRepository

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
BODY = (
    "Residents of Douma described the bread queues outside the bakeries on Monday morning.\n"
    "The council said the flour deliveries would resume within the week."
)
EDITED_BODY = BODY + "\nThe council later said the deliveries had already resumed."


@dataclass(frozen=True)
class SeededStore:
    """What the seeded store holds, for the tests to look for."""

    url: str
    article_id: int
    other_id: int
    ok_run: int
    failed_run: int
    article_url: str
    duplicate_url: str


def record(url: str, title: str, body: str, **fields: object) -> ArticleRecord:
    """An article record as the pipelines hand it to storage."""
    return ArticleRecord(
        url=url, canonical_url=url, site=fields.pop("site", "levantpost"), title=title, body_text=body,
        content_hash=content_hash(body), provenance={"title": "jsonld", "body_text": "selector"}, **fields,
    )


def seed(db_url: str) -> SeededStore:
    """Two sites, an ok and a failed run with events and checks, three articles, one edited (two versions)."""
    engine = make_engine(db_url)
    ensure_schema(engine)
    article_url = "https://www.levantpost.example/news/101-bread-queues-in-douma"
    duplicate_url = "https://www.levantpost.example/news/101-bread-queues-in-douma-copy"
    with session_scope(engine) as session:
        SiteRepository(session).ensure("levantpost", "The Levant Post", "https://www.levantpost.example", NOW)
        SiteRepository(session).ensure("syrianobserver", "The Syrian Observer", "https://syrianobserver.com", NOW)
        runs = CrawlRunRepository(session)
        first = runs.start("levantpost", "levantpost", "schedule", NOW - timedelta(hours=3), {"since": "2d"})
        articles = ArticleRepository(session)
        main = articles.upsert(record(
            article_url, "Bread queues in Douma", BODY, source="Enab Baladi", tags=["Douma", "Bread"],
            authors=["Rania Haddad"], published_at=NOW - timedelta(days=2), summary="Queues at the bakeries.",
        ), first.id, NOW - timedelta(hours=3))
        other = articles.upsert(record(
            "https://syrianobserver.com/news/7/fuel-prices.html", "Fuel prices rise in Aleppo",
            "Fuel prices rose again in Aleppo this week, traders said, as the winter began.",
            site="syrianobserver", source="Alsouria Net", tags=["Aleppo"], authors=["Omar Said"],
            published_at=NOW - timedelta(days=20),
        ), first.id, NOW - timedelta(hours=3))
        first.status, first.finished_at = "ok", NOW - timedelta(hours=3) + timedelta(seconds=42)
        first.pages_fetched, first.articles_new = 10, 2
        first.field_coverage = {"pages": 8, "title": 1.0, "body_text": 1.0, "published_at": 1.0,
                                "summary": 1.0, "authors": 1.0}
        runs.add_event(first.id, duplicate_url, "duplicate",
                       f"duplicate: {duplicate_url} has the same body as stored {article_url}", NOW)
        session.flush()
        second = runs.start("levantpost", "levantpost", "manual", NOW - timedelta(hours=1), {})
        articles.upsert(record(
            article_url, "Bread queues in Douma ease", EDITED_BODY, source="Enab Baladi", tags=["Douma", "Bread"],
            authors=["Rania Haddad"], published_at=NOW - timedelta(days=2), summary="Queues at the bakeries.",
        ), second.id, NOW - timedelta(hours=1))
        second.status, second.finished_at, second.finish_reason = "failed", NOW - timedelta(minutes=50), "lost"
        second.pages_fetched, second.articles_updated, second.errors = 9, 1, 4
        second.errors_by_kind = {"http_error": 3, "parse_error": 1}
        second.field_coverage = {"pages": 8, "title": 1.0, "body_text": 0.0, "published_at": 1.0,
                                 "summary": 1.0, "authors": 1.0}
        for i in range(3):
            runs.add_event(second.id, f"https://www.levantpost.example/news/{200 + i}", "http_error", "HTTP 500", NOW)
        runs.add_event(second.id, "https://www.levantpost.example/news/300", "parse_error", "no title", NOW)
        session.add_all([
            HealthCheck(run_id=first.id, site="levantpost", check="run_status", status="ok",
                        detail=f"run {first.id} ok", checked_at=NOW - timedelta(hours=3)),
            HealthCheck(run_id=second.id, site="levantpost", check="run_status", status="fail",
                        detail=f"run {second.id} failed (lost)", checked_at=NOW - timedelta(hours=1)),
            HealthCheck(run_id=second.id, site="levantpost", check="coverage:body_text", status="fail",
                        detail="body_text filled on 0% of 8 article pages, down from 100%",
                        checked_at=NOW - timedelta(hours=1)),
        ])
        # The other branches' data: a syndicated pair, a removed article, a pre-0005 version, new run counts.
        from sqlalchemy import null, update

        from storage.models import Article, ArticleVersion
        from storage.recheck import mark_removed
        from storage.syndication import SyndicationRepository

        a, b = session.get(Article, main.article_id), session.get(Article, other.article_id)
        SyndicationRepository(session).link(a, b, 0.91, NOW - timedelta(minutes=40))
        mark_removed(session, other.article_id, NOW - timedelta(minutes=30))
        session.execute(update(ArticleVersion).where(ArticleVersion.article_id == main.article_id,
                                                     ArticleVersion.version == 1)
                        .values(source=None, category=None, authors=null(), tags=null(), published_at=None))
        first.articles_skipped, first.articles_not_modified, second.articles_removed = 5, 6, 7
        session.flush()
        ids = (main.article_id, other.article_id, first.id, second.id)
    engine.dispose()
    return SeededStore(db_url, ids[0], ids[1], ids[2], ids[3], article_url, duplicate_url)


def count_rows(db_url: str) -> dict[str, int]:
    """Rows per table: what a request must never change."""
    from sqlalchemy import inspect, text

    engine = make_engine(db_url)
    with engine.connect() as conn:
        tables = sorted(inspect(conn).get_table_names())
        counts = {t: conn.execute(text(f'SELECT COUNT(*) FROM "{t}"')).scalar_one() for t in tables}
    engine.dispose()
    return counts

