"""NearDuplicateIndex: MinHash LSH candidates confirmed by exact shingle Jaccard."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from crawler.dedupe import NearDuplicateIndex, hashed_jaccard, jaccard, shingle_hashes, shingles
from crawler.replica import ReplicaSite


def test_shingles_and_jaccard() -> None:
    assert shingles("One two three four five six") == {"one two three four five", "two three four five six"}
    assert shingles("Short text") == {"short text"}
    assert jaccard({"a", "b"}, {"b", "c"}) == pytest.approx(1 / 3)


def test_hashed_shingles_give_the_same_jaccard_as_the_strings() -> None:
    """The index holds shingles as 64-bit hashes: one per distinct shingle, the same similarity."""
    site = ReplicaSite(articles=60)
    bodies = ["\n\n".join(a.paragraphs) for a in site.articles if a.paragraphs][:20]
    edited = [body.replace(" the ", " a ", 3) for body in bodies]
    for body, other in zip(bodies, edited + bodies[1:] + bodies[:1], strict=False):
        assert shingle_hashes(body).size == len(shingles(body))
        expected = jaccard(shingles(body), shingles(other))
        assert hashed_jaccard(shingle_hashes(body), shingle_hashes(other)) == pytest.approx(expected)
    assert shingle_hashes("Short text").size == 1
    assert shingle_hashes("").size == 0
    assert hashed_jaccard(shingle_hashes(""), shingle_hashes("")) == 0.0


def test_threshold_must_be_a_share() -> None:
    with pytest.raises(ValueError, match="must be in"):
        NearDuplicateIndex(threshold=1.5)


def test_no_false_positive_across_the_replica_and_a_light_edit_is_found() -> None:
    site = ReplicaSite(articles=520)
    index = NearDuplicateIndex(threshold=0.9)
    bodies = {a.path: "\n\n".join(a.paragraphs) for a in site.articles if a.paragraphs}
    for path, body in bodies.items():
        assert index.find(path, body) is None, f"{path} flagged as a near-duplicate"
        index.add(path, body)
    path, body = next(iter(bodies.items()))
    edited = body.replace(" the ", " a ", 1) + " This report was updated."
    match = index.find("/republished.html", edited)
    assert match is not None and match.url == path and 0.9 <= match.similarity < 1.0
    assert index.find(path, edited) is None  # the same URL is an update, not a duplicate


def test_every_lightly_edited_copy_is_found() -> None:
    site = ReplicaSite(articles=520)
    index = NearDuplicateIndex(threshold=0.9)
    bodies = {a.path: "\n\n".join(a.paragraphs) for a in site.articles if len(a.paragraphs) >= 4}
    for path, body in bodies.items():
        index.add(path, body)
    missed = []
    for path, body in list(bodies.items())[:100]:
        edited = body + " This report was republished with minor edits."
        match = index.find(f"{path}?copy", edited)
        if match is None or match.url != path:
            missed.append(path)
    assert missed == []


def test_an_updated_body_replaces_the_indexed_one() -> None:
    index = NearDuplicateIndex(threshold=0.9)
    old = " ".join(f"Old sentence {i} about the front line near Saraqib this week." for i in range(20))
    new = " ".join(f"New sentence {i} on talks between Ankara and Moscow over Idleb." for i in range(20))
    index.add("/a.html", old)
    index.add("/a.html", new)
    assert len(index) == 1
    assert index.find("/copy.html", old) is None
    match = index.find("/copy.html", new + " Republished.")
    assert match is not None and match.url == "/a.html"


# --- a bounded index: the window always applies, and a cap on entries ---------------------------
NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)


def body(topic: str) -> str:
    """A text of its own for each topic: 150 words drawn from a 2,000-word vocabulary, seeded by the topic."""
    rng = random.Random(topic)
    return " ".join(f"w{rng.randrange(2000)}" for _ in range(150))


def test_entries_older_than_the_window_leave_the_index_during_a_long_crawl() -> None:
    index = NearDuplicateIndex(threshold=0.9, window=timedelta(days=30))
    index.add("/old.html", body("Idleb"), NOW - timedelta(days=33))
    index.add("/recent.html", body("Daraa"), NOW - timedelta(days=5))
    assert len(index) == 2  # nothing newer has been seen yet: both are within 30 days of the newest
    index.add("/today.html", body("Raqqa"), NOW)
    assert len(index) == 2 and index.find("/copy.html", body("Idleb") + " Again.") is None
    # A crawl running on: later, with nothing added, the clock alone evicts.
    assert index.expire(NOW + timedelta(days=26)) == 1
    assert len(index) == 1 and index.find("/copy.html", body("Raqqa") + " Again.") is not None
    assert index.evicted == 2


def test_the_cap_evicts_the_least_recently_seen_and_a_re_seen_article_stays() -> None:
    index = NearDuplicateIndex(threshold=0.9, max_entries=3)
    topics = ["Afrin", "Aleppo", "Hama", "Homs", "Manbij"]
    for day, topic in enumerate(topics[:3]):
        index.add(f"/{topic}.html", body(topic), NOW + timedelta(days=day))
    index.add("/Afrin.html", body("Afrin"), NOW + timedelta(days=3))  # seen again: now the newest
    for day, topic in enumerate(topics[3:], start=4):
        index.add(f"/{topic}.html", body(topic), NOW + timedelta(days=day))
    assert len(index) == 3 and index.evicted == 2
    kept = {t for t in topics if index.find("/copy.html", body(t) + " Again.") is not None}
    assert kept == {"Afrin", "Homs", "Manbij"}
    with pytest.raises(ValueError, match="must be 1 or more"):
        NearDuplicateIndex(max_entries=0)


def _store_pipeline(db_url: str, **settings: object):  # noqa: ANN202 - a StorePipeline wired to the database
    from types import SimpleNamespace

    from scrapy.utils.test import get_crawler

    from crawler.pipelines import StorePipeline
    from storage.db import ensure_schema, make_engine, session_scope
    from storage.repository import CrawlRunRepository, SiteRepository

    engine = make_engine(db_url)
    ensure_schema(engine)
    with session_scope(engine) as session:
        SiteRepository(session).ensure("syrianobserver", "The Syrian Observer", "http://x", NOW)
        run_id = CrawlRunRepository(session).start("syrianobserver", "syrianobserver", "manual", NOW, {}).id
    crawler = get_crawler(settings_dict={"NEAR_DUPLICATE_THRESHOLD": 0.9, **settings})
    pipeline = StorePipeline(crawler)
    pipeline.recorder = SimpleNamespace(engine=engine, site="syrianobserver", run_id=run_id)  # type: ignore[assignment]
    return pipeline, engine


def _store(engine, url: str, text: str, seen_at: datetime) -> None:  # noqa: ANN001
    from crawler.items import ArticleRecord
    from crawler.parsers.text import content_hash
    from storage.db import session_scope
    from storage.repository import ArticleRepository

    item = ArticleRecord(url=url, canonical_url=url, site="syrianobserver", title="T", body_text=text)
    item.content_hash = content_hash(text)
    with session_scope(engine) as session:
        ArticleRepository(session).upsert(item, None, seen_at)


def test_the_reload_of_other_crawls_articles_keeps_to_the_window_and_the_cap(sqlite_url: str) -> None:
    from storage.db import session_scope
    from storage.repository import ArticleRepository

    pipeline, engine = _store_pipeline(sqlite_url, NEAR_DUPLICATE_WINDOW_DAYS=30, NEAR_DUPLICATE_MAX_ENTRIES=3)
    with session_scope(engine) as session:
        pipeline._index_bodies(ArticleRepository(session), NOW)  # the crawl starts: nothing stored yet
    assert len(pipeline.near) == 0
    # Meanwhile another writer stores the site's history: 6 old articles, then 5 recent ones.
    old = [f"old-{i}" for i in range(6)]
    recent = [f"recent-{i}" for i in range(5)]
    for i, topic in enumerate(old):
        _store(engine, f"http://x/{topic}.html", body(topic), NOW - timedelta(days=200 - i))
    for i, topic in enumerate(recent):
        _store(engine, f"http://x/{topic}.html", body(topic), NOW - timedelta(days=5 - i))
    with session_scope(engine) as session:
        pipeline._index_bodies(ArticleRepository(session), NOW)  # what the next new item triggers
        assert pipeline.indexed_up_to == ArticleRepository(session).newest_article_id("syrianobserver") == 11
    # Not the whole history: only the 3 most recently seen of the window.
    assert len(pipeline.near) == 3
    found = {t for t in old + recent if pipeline.near.find("http://x/copy.html", body(t) + " Again.")}
    assert found == {"recent-2", "recent-3", "recent-4"}
    engine.dispose()


def test_a_crawl_opening_on_a_long_history_indexes_only_the_window(sqlite_url: str) -> None:
    from storage.db import session_scope
    from storage.repository import ArticleRepository

    pipeline, engine = _store_pipeline(sqlite_url, NEAR_DUPLICATE_WINDOW_DAYS=30)
    for i in range(8):
        _store(engine, f"http://x/a{i}.html", body(f"topic {i}"), NOW - timedelta(days=10 * i))
    with session_scope(engine) as session:
        pipeline._index_bodies(ArticleRepository(session), NOW)
    assert len(pipeline.near) == 4  # seen 0, 10, 20 and 30 days ago (the bound included); older ones stay out
    engine.dispose()


def test_the_store_keeps_the_index_within_its_cap_and_counts_each_eviction(sqlite_url: str) -> None:
    from crawler.items import ArticleRecord
    from crawler.parsers.text import content_hash
    from crawler.retry import DatabaseRetry
    from storage.db import session_scope
    from storage.repository import ArticleRepository

    pipeline, engine = _store_pipeline(sqlite_url, NEAR_DUPLICATE_WINDOW_DAYS=30, NEAR_DUPLICATE_MAX_ENTRIES=4)
    pipeline.recorder.retry = DatabaseRetry(60)
    with session_scope(engine) as session:
        pipeline._index_bodies(ArticleRepository(session))
    topics = [f"topic {i}" for i in range(10)]
    for i, topic in enumerate(topics):
        item = ArticleRecord(url=f"http://x/{i}.html", canonical_url=f"http://x/{i}.html", site="syrianobserver",
                             title="T", body_text=body(topic))
        item.content_hash = content_hash(item.body_text)
        pipeline.process_item(item)
        assert len(pipeline.near) <= 4
    assert pipeline.stats.get_value("articles/new") == 10
    assert pipeline.near.evicted == 6 == pipeline.stats.get_value("near_duplicates/evicted")
    # The newest stay comparable; the evicted ones are no longer found (a bounded memory, not a full history).
    kept = {t for t in topics if pipeline.near.find("http://x/copy.html", body(t) + " Again.")}
    assert kept == set(topics[-4:])
    engine.dispose()
