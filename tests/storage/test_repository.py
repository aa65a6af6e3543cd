"""ArticleRepository.upsert on SQLite and PostgreSQL: new, unchanged, updated, duplicate."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from crawler.items import ArticleRecord
from crawler.parsers.text import content_hash
from storage.db import ensure_schema, make_engine, session_scope
from storage.models import Article, ArticleTag, ArticleVersion
from storage.repository import ArticleRepository, CrawlRunRepository, SiteRepository

NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


def record(url: str, body: str, title: str = "A title", tags: list[str] | None = None) -> ArticleRecord:
    return ArticleRecord(
        url=url,
        canonical_url=url,
        site="syrianobserver",
        title=title,
        body_text=body,
        tags=tags or ["Russia", "Idleb"],
        published_at=datetime(2019, 8, 21, 6, 30, tzinfo=UTC),
        content_hash=content_hash(body),
    )


def store(engine, rec: ArticleRecord, now: datetime = NOW):
    with session_scope(engine) as session:
        SiteRepository(session).ensure("syrianobserver", "The Syrian Observer", "http://x", now)
        run = CrawlRunRepository(session).start("syrianobserver", "syrianobserver", "manual", now, {})
        run.status = "ok"  # one running run per site: each store() is a finished run
        return ArticleRepository(session).upsert(rec, run.id, now)


def test_upsert_outcomes_and_versions(db_url: str) -> None:
    engine = make_engine(db_url)
    ensure_schema(engine)
    first = store(engine, record("http://x/news/1/a.html", "First body of the article."))
    again = store(engine, record("http://x/news/1/a.html", "First body of the article."), NOW + timedelta(hours=1))
    changed = store(
        engine, record("http://x/news/1/a.html", "First body, corrected.", tags=["Russia"]), NOW + timedelta(hours=2)
    )
    copy = store(engine, record("http://x/news/2/b.html", "First body, corrected."))

    assert [first.outcome, again.outcome, changed.outcome, copy.outcome] == ["new", "unchanged", "updated", "duplicate"]
    assert copy.duplicate_of == "http://x/news/1/a.html"
    with session_scope(engine) as session:
        assert session.scalar(select(func.count()).select_from(Article)) == 1
        article = session.scalars(select(Article)).one()
        assert article.version == 2
        assert article.body_text == "First body, corrected."
        assert article.last_seen_at == NOW + timedelta(hours=2)
        assert article.first_seen_at == NOW
        assert article.published_at == datetime(2019, 8, 21, 6, 30, tzinfo=UTC)
        versions = session.scalars(select(ArticleVersion).order_by(ArticleVersion.version)).all()
        assert [v.body_text for v in versions] == ["First body of the article.", "First body, corrected."]
        assert [t.tag for t in session.scalars(select(ArticleTag))] == ["Russia"]
    engine.dispose()


def test_a_fallback_record_never_degrades_what_the_site_parser_stored(db_url: str) -> None:
    engine = make_engine(db_url)
    ensure_schema(engine)
    good = record("http://x/news/1/a.html", "The body the site parser found.", tags=["Russia", "Idleb"])
    good.authors = ["The Syrian Observer"]
    good.provenance = {f: "site:syrianobserver" for f in ("body_text", "published_at", "tags", "authors", "title")}
    store(engine, good)
    broken = record("http://x/news/1/a.html", "News\n\nThe body the site parser found.\n\nFooter text.", tags=[])
    broken.authors = []
    broken.published_at = datetime(2019, 8, 21, 9, 30, tzinfo=UTC)
    broken.provenance = {"body_text": "generic:heuristic", "published_at": "generic:byline", "title": "site:x"}
    result = store(engine, broken, NOW + timedelta(hours=1))
    assert result.outcome == "unchanged"
    with session_scope(engine) as session:
        article = session.scalars(select(Article)).one()
        assert article.body_text == "The body the site parser found."
        assert article.published_at == datetime(2019, 8, 21, 6, 30, tzinfo=UTC)
        assert article.authors == ["The Syrian Observer"] and article.version == 1
        assert [t.tag for t in session.scalars(select(ArticleTag).order_by(ArticleTag.position))] == ["Russia", "Idleb"]
    engine.dispose()


def test_every_content_field_is_compared_and_the_version_names_what_changed(db_url: str) -> None:
    """A headline correction, a new tag, a new lede: each is a new version listing exactly its fields (issue 9)."""
    engine = make_engine(db_url)
    ensure_schema(engine)
    url, body = "http://x/news/1/a.html", "The body never changes in this test."
    first = record(url, body, title="Regime forces advance on Khan Sheikhoun")
    first.summary = "The first lede."
    assert store(engine, first).outcome == "new"

    edits = [
        ("title", lambda r: setattr(r, "title", "Regime forces enter Khan Sheikhoun")),
        ("tags", lambda r: r.tags.append("Hama")),
        ("summary", lambda r: setattr(r, "summary", "A new lede, rewritten by the editor.")),
        ("authors", lambda r: setattr(r, "authors", ["Enab Baladi"])),
        ("category", lambda r: setattr(r, "category", "news")),
        ("image_url", lambda r: setattr(r, "image_url", "http://x/img/1.jpg")),
        ("published_at", lambda r: setattr(r, "published_at", datetime(2019, 8, 22, 6, 30, tzinfo=UTC))),
        ("source", lambda r: setattr(r, "source", "SANA")),
    ]
    current = record(url, body, title=first.title)
    current.summary = first.summary
    outcomes = []
    for hours, (_field, edit) in enumerate(edits, start=1):
        edit(current)
        result = store(engine, current, NOW + timedelta(hours=hours))
        outcomes.append((result.outcome, result.changed_fields))
    # Two fields at once, then the same record again: unchanged.
    current.title, current.tags = "Regime forces take Khan Sheikhoun", ["Idleb"]
    both = store(engine, current, NOW + timedelta(hours=20))
    again = store(engine, current, NOW + timedelta(hours=21))

    assert outcomes == [("updated", (field,)) for field, _ in edits]
    assert (both.outcome, both.changed_fields) == ("updated", ("title", "tags"))
    assert again.outcome == "unchanged"
    with session_scope(engine) as session:
        article = session.scalars(select(Article)).one()
        assert article.version == len(edits) + 2
        assert article.title == "Regime forces take Khan Sheikhoun" and article.summary.startswith("A new lede")
        assert [t.tag for t in article.tags] == ["Idleb"]
        versions = session.scalars(select(ArticleVersion).order_by(ArticleVersion.version)).all()
        assert [v.changed_fields for v in versions] == [None] + [[f] for f, _ in edits] + [["title", "tags"]]
        assert versions[1].title == "Regime forces enter Khan Sheikhoun"
    engine.dispose()


def test_a_degraded_recrawl_changes_no_field_while_a_site_parser_edit_still_counts(db_url: str) -> None:
    engine = make_engine(db_url)
    ensure_schema(engine)
    site = {f: "site:syrianobserver" for f in ("title", "summary", "body_text", "tags")}
    good = record("http://x/news/1/a.html", "The body the site parser found.", tags=["Russia"])
    good.summary, good.provenance = "The lede.", dict(site)
    store(engine, good)
    # The generic fallback's guess of the lede and empty tags are not changes ...
    broken = record("http://x/news/1/a.html", "The body the site parser found.", tags=[])
    broken.summary = "Share this article"
    broken.provenance = {**site, "summary": "generic:meta", "tags": "generic:meta"}
    assert store(engine, broken, NOW + timedelta(hours=1)).outcome == "unchanged"
    # ... a new lede from the site's own parser is.
    fixed = record("http://x/news/1/a.html", "The body the site parser found.", tags=["Russia"])
    fixed.summary, fixed.provenance = "The corrected lede.", dict(site)
    result = store(engine, fixed, NOW + timedelta(hours=2))
    assert (result.outcome, result.changed_fields) == ("updated", ("summary",))
    engine.dispose()
