"""What the article pages show: search and browse with filters, one article whole, its versions and copies.

Search is the store's own full-text index (``storage.search``, FTS5 on SQLite, tsvector on
PostgreSQL); browsing without words lists the newest articles under the same filters.
Nothing here writes.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, nulls_last, select
from sqlalchemy.orm import Session

from storage.models import Article, ArticleTag, ArticleVersion, CrawlEvent
from storage.search import MARK_END, MARK_START, search

# The columns of ``articles`` shown on an article page, in this order (body_html is left to the API).
ARTICLE_FIELDS = (
    "id", "site", "title", "summary", "source", "authors", "category", "language", "published_at",
    "published_raw", "modified_at", "url", "canonical_url", "image_url", "image_caption", "disclaimer",
    "content_hash", "version", "first_seen_at", "last_seen_at", "last_changed_at", "first_run_id", "body_text",
)
# The fields an article version keeps (storage.models.ArticleVersion): the ones a diff can compare.
VERSION_FIELDS = ("title", "summary", "body_text")


@dataclass(frozen=True)
class ArticleFilters:
    """The filters of the articles page and API; every one optional."""

    query: str = ""
    site: str | None = None
    source: str | None = None
    tag: str | None = None
    author: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    """Exclusive: the day after the last day asked for."""


@dataclass
class ArticleHit:
    """One article in a result list, with its snippet (matched words between ``MARK_START``/``MARK_END``)."""

    id: int
    site: str
    title: str
    url: str
    published_at: datetime | None
    snippet: str
    score: float | None = None
    parts: list[tuple[bool, str]] = field(default_factory=list)
    """The snippet cut at the markers: (matched, text) pairs, for templates that must not trust markup."""

    def to_json(self) -> dict[str, Any]:
        """The API's record (snippet without markers)."""
        return {
            "id": self.id, "site": self.site, "title": self.title, "url": self.url,
            "published_at": self.published_at, "score": self.score,
            "snippet": self.snippet.replace(MARK_START, "").replace(MARK_END, ""),
        }


def snippet_parts(snippet: str) -> list[tuple[bool, str]]:
    """``snippet`` as (matched, text) pairs: odd pieces sat between the markers."""
    pieces = snippet.replace(MARK_END, MARK_START).split(MARK_START)
    return [(i % 2 == 1, piece) for i, piece in enumerate(pieces) if piece]


def find_articles(session: Session, filters: ArticleFilters, limit: int, offset: int) -> list[ArticleHit]:
    """The articles matching ``filters``: ranked by the full-text index when there are words, else newest first.

    Raises storage.search.SearchQueryError for words with nothing to look for.
    """
    if filters.query.strip():
        hits = search(
            session, filters.query, site=filters.site, since=filters.since, until=filters.until,
            source=filters.source, tag=filters.tag, author=filters.author, limit=limit, offset=offset,
        )
        return [
            ArticleHit(
                h.article_id, h.site, h.title, h.url, h.published_at, h.snippet, h.score, snippet_parts(h.snippet)
            )
            for h in hits
        ]
    return _browse(session, filters, limit, offset)


def _browse(session: Session, filters: ArticleFilters, limit: int, offset: int) -> list[ArticleHit]:
    when = func.coalesce(Article.published_at, Article.first_seen_at)
    stmt = select(Article.id, Article.site, Article.title, Article.canonical_url, Article.published_at,
                  Article.summary, func.substr(Article.body_text, 1, 240).label("lead"))
    if filters.site:
        stmt = stmt.where(Article.site == filters.site)
    if filters.source:
        stmt = stmt.where(Article.source == filters.source)
    if filters.since:
        stmt = stmt.where(when >= filters.since)
    if filters.until:
        stmt = stmt.where(when < filters.until)
    if filters.tag:
        stmt = stmt.where(select(ArticleTag.article_id).where(
            ArticleTag.article_id == Article.id, ArticleTag.tag == filters.tag).exists())
    if filters.author:
        stmt = stmt.where(_has_author(session, filters.author))
    stmt = stmt.order_by(nulls_last(Article.published_at.desc()), Article.id.desc()).limit(limit).offset(offset)
    hits = []
    for row in session.execute(stmt):
        snippet = row.summary or (row.lead or "")
        hits.append(ArticleHit(row.id, row.site, row.title, row.canonical_url, row.published_at, snippet,
                               None, [(False, snippet)]))
    return hits


def _has_author(session: Session, author: str) -> Any:
    """A condition: the JSON ``authors`` list holds exactly ``author`` (both backends)."""
    from sqlalchemy import cast, literal, literal_column
    from sqlalchemy.dialects.postgresql import JSONB

    if session.get_bind().dialect.name == "postgresql":
        return cast(Article.authors, JSONB).contains(cast(literal([author], JSONB), JSONB))
    each = func.json_each(Article.authors).table_valued("value").alias("each_author")
    return select(literal_column("1")).select_from(each).where(each.c.value == author).exists()


def article_record(article: Article) -> dict[str, Any]:
    """Every shown field of an article, by name."""
    return {name: getattr(article, name) for name in ARTICLE_FIELDS}


def article_versions(session: Session, article_id: int) -> list[ArticleVersion]:
    """The article's versions, oldest first."""
    return list(session.scalars(
        select(ArticleVersion).where(ArticleVersion.article_id == article_id).order_by(ArticleVersion.version)
    ))


def version_record(version: ArticleVersion) -> dict[str, Any]:
    """One version as a plain dict."""
    return {
        "version": version.version, "captured_at": version.captured_at, "run_id": version.run_id,
        "changed_fields": version.changed_fields, "content_hash": version.content_hash,
        **{name: getattr(version, name) for name in VERSION_FIELDS},
    }


_WORDS = re.compile(r"\s+|[^\s]+")


def word_diff(old: str, new: str) -> list[tuple[str, str]]:
    """``old`` -> ``new`` as (op, text) pieces, op ``same``, ``del`` or ``ins``: a diff a person reads word by word."""
    a, b = _WORDS.findall(old or ""), _WORDS.findall(new or "")
    pieces: list[tuple[str, str]] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            pieces.append(("same", "".join(a[i1:i2])))
            continue
        if i2 > i1:
            pieces.append(("del", "".join(a[i1:i2])))
        if j2 > j1:
            pieces.append(("ins", "".join(b[j1:j2])))
    return pieces


def versions_diff(old: ArticleVersion, new: ArticleVersion) -> list[dict[str, Any]]:
    """Per version field: whether it changed between ``old`` and ``new``, and its word diff."""
    result = []
    for name in VERSION_FIELDS:
        before, after = getattr(old, name) or "", getattr(new, name) or ""
        result.append({"field": name, "changed": before != after, "pieces": word_diff(before, after)})
    return result


def article_copies(session: Session, article: Article) -> list[dict[str, Any]]:
    """Other URLs the store knows carry this article: duplicates a crawl refused, each with its reason.

    Each source of copies is one small function below; a new one (e.g. a table of syndicated
    copies) is one more function added to the list, each returning dicts of url, kind, detail, seen_at.
    """
    copies: list[dict[str, Any]] = []
    for source in (_refused_duplicates,):
        copies.extend(source(session, article))
    seen: set[str] = set()
    unique = []
    for copy in copies:
        if copy["url"] not in seen and copy["url"] != article.canonical_url:
            seen.add(copy["url"])
            unique.append(copy)
    return unique


def _refused_duplicates(session: Session, article: Article) -> list[dict[str, Any]]:
    # The dedupe pipeline's reason names the stored URL the page repeats (crawler/pipelines.py).
    stmt = (
        select(CrawlEvent)
        .where(CrawlEvent.kind == "duplicate", CrawlEvent.reason.contains(article.canonical_url, autoescape=True))
        .order_by(CrawlEvent.id.desc())
        .limit(100)
    )
    return [
        {"url": e.url, "kind": "near-duplicate" if e.reason.startswith("near-") else "duplicate",
         "detail": e.reason, "seen_at": e.at, "run_id": e.run_id}
        for e in session.scalars(stmt)
    ]


def article_tags(session: Session, article_id: int) -> list[str]:
    """The article's tags, in page order."""
    return list(session.scalars(
        select(ArticleTag.tag).where(ArticleTag.article_id == article_id).order_by(ArticleTag.position)
    ))


def filter_choices(session: Session) -> dict[str, list[str]]:
    """Values offered in the filter form: the stored sites and the most common sources (a scan: callers cache it)."""
    from storage.models import Site

    sites = list(session.scalars(select(Site.key).order_by(Site.key)))
    sources = list(session.scalars(
        select(Article.source).where(Article.source.is_not(None)).group_by(Article.source)
        .order_by(func.count().desc()).limit(200)
    ))
    return {"sites": sites, "sources": sorted(sources)}
