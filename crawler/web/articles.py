"""What the article pages show: search and browse with filters, one article whole, its versions and copies.

Search is the store's own full-text index (``storage.search``, FTS5 on SQLite, tsvector on
PostgreSQL); browsing without words lists the newest articles under the same filters.
Nothing here writes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, nulls_last, or_, select
from sqlalchemy.orm import Session

from storage.models import Article, ArticleTag, ArticleVersion, CrawlEvent, SyndicatedCopy
from storage.search import MARK_END, MARK_START, search

# The columns of ``articles`` shown on an article page, in this order (body_html is left to the API).
ARTICLE_FIELDS = (
    "id", "site", "title", "summary", "source", "authors", "category", "language", "published_at",
    "published_raw", "modified_at", "url", "canonical_url", "image_url", "image_caption", "disclaimer",
    "content_hash", "version", "first_seen_at", "last_seen_at", "last_changed_at", "last_checked_at", "removed_at",
    "first_run_id", "body_text",
)


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


def article_copies(session: Session, article: Article) -> list[dict[str, Any]]:
    """Other URLs the store knows carry this article: syndicated copies on other sites, then duplicates a crawl refused.

    Each source of copies is one small function below, each returning dicts of url, kind, detail,
    seen_at, run_id, and for a stored article its article_id, site, title and similarity (else None).
    """
    copies: list[dict[str, Any]] = []
    for source in (_syndicated_copies, _refused_duplicates):
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
         "detail": e.reason, "seen_at": e.at, "run_id": e.run_id,
         "article_id": None, "site": None, "title": None, "similarity": None}
        for e in session.scalars(stmt)
    ]


def _syndicated_copies(session: Session, article: Article) -> list[dict[str, Any]]:
    # A link is stored once, original first (storage.syndication): this article may be either side.
    stmt = (
        select(SyndicatedCopy, Article)
        .join(Article, or_(
            (SyndicatedCopy.article_id == article.id) & (Article.id == SyndicatedCopy.copy_article_id),
            (SyndicatedCopy.copy_article_id == article.id) & (Article.id == SyndicatedCopy.article_id),
        ))
        .order_by(SyndicatedCopy.similarity.desc(), SyndicatedCopy.id)
    )
    copies = []
    for link, other in session.execute(stmt):
        is_original = link.copy_article_id == article.id  # the other article is the earlier one
        copies.append({
            "url": other.canonical_url,
            "kind": "syndicated original" if is_original else "syndicated copy",
            "detail": (f"{other.site} published it first" if is_original else f"republished by {other.site}")
            + f": {link.similarity:.0%} of the body's 5-word shingles shared",
            "seen_at": link.detected_at, "run_id": None,
            "article_id": other.id, "site": other.site, "title": other.title, "similarity": link.similarity,
        })
    return copies


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
