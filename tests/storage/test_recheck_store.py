"""The storage side of incremental re-crawls, on SQLite and PostgreSQL: validators kept, every content
field compared and snapshotted, 304 and 404 marks, removal cleared by a later 200, the change list."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from crawler.items import ArticleRecord
from crawler.parsers.text import content_hash
from storage.db import ensure_schema, make_engine, session_scope
from storage.history import NOT_SNAPSHOTTED, article_versions, changes, find_article, snapshot
from storage.models import Article, ArticleVersion
from storage.recheck import known_articles, mark_checked, mark_removed, previous_run_status
from storage.repository import COMPARED_FIELDS, ArticleRepository, CrawlRunRepository, SiteRepository

NOW = datetime(2026, 3, 4, 5, 6, 7, tzinfo=UTC)
URL = "http://x/news/1/a.html"
BODY = "Bread prices rose again in Aleppo this week.\n\nTraders blamed the fuel shortage."


def record(**changes: object) -> ArticleRecord:
    base = ArticleRecord(
        url=URL, canonical_url=URL, site="syrianobserver", title="Bread prices rise", summary="Prices rose.",
        source="SANA", body_text=BODY, disclaimer=None, tags=["Aleppo", "Economy"], category="News",
        authors=["Reporter One"], language="en", published_at=datetime(2026, 3, 1, 8, tzinfo=UTC),
        modified_at=datetime(2026, 3, 1, 9, tzinfo=UTC), image_url="http://x/a.jpg", image_caption="A market",
        etag='"v1"', last_modified="Sun, 01 Mar 2026 09:00:00 GMT",
    )
    out = replace(base, **changes)
    out.content_hash = content_hash(out.body_text)
    return out


def store(engine, rec: ArticleRecord, now: datetime):
    with session_scope(engine) as session:
        SiteRepository(session).ensure("syrianobserver", "The Syrian Observer", "http://x", now)
        run = CrawlRunRepository(session).start("syrianobserver", "syrianobserver", "manual", now, {})
        run.status = "ok"
        return ArticleRepository(session).upsert(rec, run.id, now)


def test_validators_and_check_time_are_kept_on_every_outcome(db_url: str) -> None:
    engine = make_engine(db_url)
    ensure_schema(engine)
    store(engine, record(), NOW)
    later = NOW + timedelta(hours=2)
    assert store(engine, record(etag='"v2"'), later).outcome == "unchanged"  # validators are no content
    with session_scope(engine) as session:
        (known,) = list(known_articles(session, "syrianobserver"))
    assert (known.url, known.etag, known.last_modified) == (URL, '"v2"', "Sun, 01 Mar 2026 09:00:00 GMT")
    assert known.last_checked_at == later and known.removed_at is None
    assert known.published_at == datetime(2026, 3, 1, 8, tzinfo=UTC)


def test_a_change_in_any_content_field_is_a_version_listing_exactly_that_field(db_url: str) -> None:
    engine = make_engine(db_url)
    ensure_schema(engine)
    store(engine, record(), NOW)
    edits = {
        "title": "Bread prices rise sharply",
        "summary": "Prices rose again.",
        "source": "Enab Baladi",
        "body_text": BODY + "\n\nUpdate: the council promised subsidies.",
        "disclaimer": "Opinions are the author's.",
        "category": "Economy",
        "authors": ["Reporter One", "Reporter Two"],
        "language": "ar",
        "published_at": datetime(2026, 3, 1, 7, tzinfo=UTC),
        "modified_at": datetime(2026, 3, 2, 9, tzinfo=UTC),
        "image_url": "http://x/b.jpg",
        "image_caption": "A bakery",
        "tags": ["Aleppo", "Economy", "Bread"],
    }
    assert set(edits) == set(COMPARED_FIELDS)  # the brief's list: every content field, body or not
    current = record()
    for step, (name, value) in enumerate(edits.items(), start=1):
        current = replace(current, **{name: value})
        current.content_hash = content_hash(current.body_text)
        result = store(engine, current, NOW + timedelta(hours=step))
        assert (result.outcome, result.changed_fields) == ("updated", (name,)), name
    with session_scope(engine) as session:
        article = session.scalars(select(Article)).one()
        versions = article_versions(session, article.id)
        assert [v.changed_fields for v in versions] == [None] + [[name] for name in edits]
        last = snapshot(versions[-1])
        # The last version holds every field as the page had it: any two versions can be diffed.
        assert {name: last[name] for name in edits} == edits
        first = snapshot(versions[0])
        assert first["tags"] == ["Aleppo", "Economy"] and first["authors"] == ["Reporter One"]
        assert first["published_at"] == datetime(2026, 3, 1, 8, tzinfo=UTC)


def test_metadata_only_changes_keep_the_body_and_name_their_fields(db_url: str) -> None:
    engine = make_engine(db_url)
    ensure_schema(engine)
    store(engine, record(), NOW)
    corrected = store(engine, record(title="Bread prices rise (corrected)"), NOW + timedelta(hours=1))
    tagged = store(engine, record(title="Bread prices rise (corrected)", tags=["Aleppo", "Economy", "Fuel"]),
                   NOW + timedelta(hours=2))
    assert corrected.changed_fields == ("title",) and tagged.changed_fields == ("tags",)
    with session_scope(engine) as session:
        versions = session.scalars(select(ArticleVersion).order_by(ArticleVersion.version)).all()
        assert [v.body_text for v in versions] == [BODY, BODY, BODY]
        assert [v.title for v in versions] == ["Bread prices rise"] + ["Bread prices rise (corrected)"] * 2
        assert [v.tags for v in versions] == [["Aleppo", "Economy"]] * 2 + [["Aleppo", "Economy", "Fuel"]]
        listed = list(changes(session, site="syrianobserver"))
    assert [(c.kind, c.version, c.changed_fields) for c in listed] == [
        ("updated", 3, ["tags"]), ("updated", 2, ["title"])
    ]


def test_not_modified_and_removed_marks_and_a_later_200_clears_removal(db_url: str) -> None:
    engine = make_engine(db_url)
    ensure_schema(engine)
    article_id = store(engine, record(), NOW).article_id
    checked_at, gone_at = NOW + timedelta(hours=1), NOW + timedelta(hours=2)
    with session_scope(engine) as session:
        assert mark_checked(session, [article_id, article_id], checked_at) == 1
    with session_scope(engine) as session:
        assert mark_removed(session, article_id, gone_at) is True
    with session_scope(engine) as session:
        # A second 404 keeps the first removal time (only the check time moves).
        assert mark_removed(session, article_id, gone_at + timedelta(hours=1)) is False
    with session_scope(engine) as session:
        article = session.get(Article, article_id)
        assert (article.removed_at, article.last_checked_at) == (gone_at, gone_at + timedelta(hours=1))
        assert article.last_seen_at == checked_at and article.version == 1  # kept, with its versions
        listed = list(changes(session, since=NOW))
    assert [(c.kind, c.article_id) for c in listed] == [("removed", article_id)]
    back = store(engine, record(), NOW + timedelta(hours=5))
    assert back.outcome == "unchanged"
    with session_scope(engine) as session:
        assert session.get(Article, article_id).removed_at is None
        assert list(changes(session, since=NOW)) == []


def test_find_article_by_id_or_url_and_old_versions_read_as_not_snapshotted(db_url: str) -> None:
    engine = make_engine(db_url)
    ensure_schema(engine)
    article_id = store(engine, record(), NOW).article_id
    with session_scope(engine) as session:
        assert find_article(session, str(article_id)).id == article_id
        assert find_article(session, "http://x/other", (URL,)).id == article_id
        assert find_article(session, "http://x/nothing") is None
        # A version stored before revision 0005 kept title, summary and body only.
        version = session.scalars(select(ArticleVersion)).one()
        version.authors = version.tags = version.source = None
        fields = snapshot(version)
    assert fields["title"] == "Bread prices rise" and fields["body_text"] == BODY
    assert fields["tags"] is NOT_SNAPSHOTTED and fields["source"] is NOT_SNAPSHOTTED


def test_previous_run_status_tells_whether_the_last_crawl_completed(db_url: str) -> None:
    engine = make_engine(db_url)
    ensure_schema(engine)
    with session_scope(engine) as session:
        SiteRepository(session).ensure("syrianobserver", "The Syrian Observer", "http://x", NOW)
        runs = CrawlRunRepository(session)
        first = runs.start("syrianobserver", "syrianobserver", "manual", NOW, {})
        first.status = "ok"
        second = runs.start("syrianobserver", "syrianobserver", "manual", NOW, {})
        second.status = "interrupted"
        third = runs.start("syrianobserver", "syrianobserver", "manual", NOW, {})
        session.flush()
        assert previous_run_status(session, "syrianobserver", first.id) is None
        assert previous_run_status(session, "syrianobserver", second.id) == "ok"
        assert previous_run_status(session, "syrianobserver", third.id) == "interrupted"
