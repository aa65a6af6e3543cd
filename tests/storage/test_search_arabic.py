"""Arabic full-text search: spelling variants match on both backends, snippets keep the original spelling.

The stored articles are written as a Syrian newspaper would print them (hamza on the alef,
taa marbuta, alef maqsura, some tashkeel and tatweel); the queries are typed the way readers
type them (bare alef, haa for taa marbuta, no marks).  Each query must find its article and
only it, through ``crawler search`` as a user runs it.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from crawler.cli import main
from crawler.items import ArticleRecord
from crawler.parsers.text import content_hash
from storage.arabic import normalize_arabic
from storage.db import ensure_schema, make_engine, session_scope
from storage.repository import ArticleRepository, SiteRepository
from storage.search import MARK_END, MARK_START, original_spelling, search

NOW = datetime(2026, 1, 2, tzinfo=UTC)

ARTICLES = {
    "http://ar/1": (
        "الأسد يستقبل وفداً إيرانياً في دمشق",
        "استقبل الرئيس السوري بشار الأسد في دمشق وفداً إيرانيّاً رفيع المستوى، وبحث الجانبان "
        "العلاقات الثنائية وسُبل تعزيز التعاون الاقتصادي بين البلدين في المرحلة المقبلة.",
    ),
    "http://ar/2": (
        "ارتفاع أسعار الخبز في حلب",
        "شهدت مدينة حلب ارتفاعاً جديداً في أسعار الخبز بعد قرار الحكومة رفع سعر الطحين، "
        "وقال أصحاب أفران إن الطوابير عادت إلى الأحياء الشرقية منذ مطلع الأسبوع.",
    ),
    "http://ar/3": (
        "المعارضة السورية تطالب بإطلاق سراح المعتقلين",
        "طالبت هيئة التفاوض السوريـــة المعارِضة الأمم المتحدة بالضغط من أجل إطلاق سراح "
        "المعتقلين، وأكدت أن أي حل سياسي يمرّ عبر القرار ٢٢٥٤ ومبادئ جنيف.",
    ),
    "http://ar/4": (
        "مستشفى في إدلب يعلّق عمله",
        "أعلنت إدارة مستشفى في مدينة إدلب تعليق عملها بسبب نقص الوقود والأدوية، "
        "ودعت المنظمات الإنسانية إلى تقديم الدعم العاجل للقطاع الصحي في المنطقة.",
    ),
    "http://en/1": ("Bread queues grow in Aleppo", "Bread queues grow in Aleppo as flour runs short."),
}


def store_all(engine) -> None:
    with session_scope(engine) as session:
        SiteRepository(session).ensure("almarsad", "المرصد", "http://ar", NOW)
        for url, (title, body) in ARTICLES.items():
            record = ArticleRecord(
                url=url, canonical_url=url, site="almarsad", title=title, body_text=body, language="ar",
                published_at=NOW, content_hash=content_hash(body),
            )
            ArticleRepository(session).upsert(record, None, NOW)


@pytest.fixture
def url(db_url: str) -> str:
    engine = make_engine(db_url)
    ensure_schema(engine)
    store_all(engine)
    engine.dispose()
    return db_url


def cli_search(url: str, query: str, capsys: pytest.CaptureFixture[str]) -> list[dict]:
    assert main(["search", query, "--db", url, "--format", "json"]) == 0
    return json.loads(capsys.readouterr().out)


@pytest.mark.parametrize(
    ("query", "want"),
    [
        ("الاسد ايرانيا", "http://ar/1"),  # أ -> ا, إ -> ا, no tanween
        ("رفيع المستوي", "http://ar/1"),  # ى -> ي: the stored word is المستوى
        ("السوريه المعارضه", "http://ar/3"),  # ة -> ه, tatweel and kasra in the stored text
        ("اطلاق سراح", "http://ar/3"),  # إطلاق
        ("ادلب", "http://ar/4"),  # إدلب
        ("يعلق", "http://ar/4"),  # the stored word has a shadda: يعلّق
        ("اسعار الخبز", "http://ar/2"),
        ('"المنظمات الانسانيه"', "http://ar/4"),  # a phrase, two folded letters
    ],
)
def test_variant_spelling_finds_the_article_and_only_it(url: str, query: str, want: str, capsys) -> None:
    hits = cli_search(url, query, capsys)
    assert [h["url"] for h in hits] == [want], (query, hits)
    # The title is printed as published, never in its search key.
    assert hits[0]["title"] == ARTICLES[want][0]


def test_the_exact_published_spelling_finds_it_too(url: str, capsys) -> None:
    assert [h["url"] for h in cli_search(url, "الأسد", capsys)] == ["http://ar/1"]
    assert [h["url"] for h in cli_search(url, "السوريّة", capsys)] == ["http://ar/3"]


def test_words_not_in_any_article_match_nothing(url: str, capsys) -> None:
    assert cli_search(url, "القاهرة", capsys) == []
    assert cli_search(url, "الاسد حلب", capsys) == []  # both words must match: no article has both


def test_snippets_show_the_original_spelling(url: str) -> None:
    engine = make_engine(url)
    with session_scope(engine) as session:
        (hit,) = search(session, "السوريه المعارضه")
        (tashkeel,) = search(session, "ايرانيا")
    engine.dispose()
    body = ARTICLES["http://ar/3"][1]
    plain = hit.snippet.replace(MARK_START, "").replace(MARK_END, "")
    assert plain.strip(" …") in " ".join(body.split())
    assert f"{MARK_START}السوريـــة{MARK_END}" in hit.snippet and f"{MARK_START}المعارِضة{MARK_END}" in hit.snippet
    assert "السوريه" not in hit.snippet
    assert f"{MARK_START}إيرانيّاً{MARK_END}" in tashkeel.snippet  # hamza, shadda and tanween kept


def test_latin_search_is_unchanged(url: str, capsys) -> None:
    hits = cli_search(url, "flour", capsys)
    assert [h["title"] for h in hits] == ["Bread queues grow in Aleppo"]
    engine = make_engine(url)
    with session_scope(engine) as session:
        (hit,) = search(session, "queue")  # stemming still applies
    engine.dispose()
    assert f"{MARK_START}queues{MARK_END}" in hit.snippet


def test_stored_text_keeps_its_spelling(url: str) -> None:
    engine = make_engine(url)
    with engine.connect() as conn:
        stored = dict(conn.execute(text("SELECT canonical_url, body_text FROM articles")).all())
    engine.dispose()
    assert stored["http://ar/3"] == ARTICLES["http://ar/3"][1]


def test_sql_keys_equal_the_python_function(db_url: str) -> None:
    """Migration 0004's SQL normalization agrees with storage.arabic on every character of the Arabic block."""
    engine = make_engine(db_url)
    ensure_schema(engine)
    sample = "".join(chr(c) for c in range(0x0600, 0x0700)) + " Latin text, é ü 2024 "
    if engine.dialect.name == "sqlite":
        with engine.connect() as conn:
            sql = conn.execute(text("SELECT sql FROM sqlite_master WHERE name = 'articles_fts_source'")).scalar_one()
            expression = sql.split("AS title")[0].split("SELECT id, ", 1)[1].replace("title", ":value")
            got = conn.execute(text(f"SELECT {expression}"), {"value": sample}).scalar_one()
    else:
        with engine.connect() as conn:
            got = conn.execute(text("SELECT crawler_search_key(:value)"), {"value": sample}).scalar_one()
    engine.dispose()
    assert got == normalize_arabic(sample)
    assert normalize_arabic("Latin text, é ü") == "Latin text, é ü"


def test_original_spelling_maps_markers_back() -> None:
    original = "قال الرئيسُ إنّ الحلَّ سياسيّ"
    keyed = normalize_arabic(original)
    snippet = keyed.replace("ان", f"{MARK_START}ان{MARK_END}", 1)
    assert original_spelling(snippet, original, (MARK_START, MARK_END)) == original.replace(
        "إنّ", f"{MARK_START}إنّ{MARK_END}"
    )
    # A fragment the text does not hold is left as the backend gave it.
    assert original_spelling("لا شيء", original, (MARK_START, MARK_END)) == "لا شيء"


def test_exports_keep_the_published_spelling(url: str, capsys) -> None:
    """Normalization is for matching only: the JSONL export carries the text exactly as stored."""
    assert main(["export", "--format", "jsonl", "--db", url]) == 0
    exported = {row["canonical_url"]: row for row in map(json.loads, capsys.readouterr().out.splitlines())}
    for key in ("http://ar/1", "http://ar/3"):
        assert exported[key]["title"] == ARTICLES[key][0]
        assert exported[key]["body_text"] == ARTICLES[key][1]
        assert exported[key]["language"] == "ar"
