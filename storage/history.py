"""An article's versions and the store's changes, read for ``crawler history`` and ``crawler changes``.

A version snapshots every compared field (revision 0005; older versions kept title, summary
and body only, the other fields read as unknown).  The caller owns the session.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from storage.models import Article, ArticleVersion
from storage.repository import COMPARED_FIELDS

NOT_SNAPSHOTTED = object()
"""A field value a version stored before revision 0005 did not keep."""
ALWAYS_KEPT = ("title", "summary", "body_text")
"""The fields every version has kept since the first revision."""


def find_article(session: Session, ref: str, urls: tuple[str, ...] = ()) -> Article | None:
    """The article whose id is ``ref`` (digits), or whose canonical or fetched URL is ``ref`` or one of ``urls``."""
    if ref.isdigit():
        return session.get(Article, int(ref))
    candidates = (ref, *urls)
    stmt = select(Article).where(or_(Article.canonical_url.in_(candidates), Article.url.in_(candidates)))
    return session.scalars(stmt.order_by(Article.id).limit(1)).first()


def article_versions(session: Session, article_id: int) -> list[ArticleVersion]:
    """The versions of an article, oldest first."""
    stmt = select(ArticleVersion).where(ArticleVersion.article_id == article_id).order_by(ArticleVersion.version)
    return list(session.scalars(stmt))


def snapshot(version: ArticleVersion) -> dict[str, Any]:
    """The compared fields as the version kept them (NOT_SNAPSHOTTED where an old version has none)."""
    # Since revision 0005 every version keeps its authors and tags as lists (maybe empty), never NULL.
    complete = version.authors is not None or version.tags is not None
    return {
        name: getattr(version, name) if complete or name in ALWAYS_KEPT else NOT_SNAPSHOTTED
        for name in COMPARED_FIELDS
    }


@dataclass(frozen=True)
class Change:
    """One change in the store: a new version of an article, or an article the site removed."""

    at: datetime
    site: str
    article_id: int
    url: str
    title: str
    kind: str
    """``updated`` (a new version) or ``removed`` (a re-check got 404/410)."""
    version: int | None
    changed_fields: list[str]


def changes(session: Session, site: str | None = None, since: datetime | None = None,
            limit: int | None = None) -> Iterator[Change]:
    """New versions (2 and later) and removals, newest first."""
    updated = (
        select(ArticleVersion.captured_at, Article.site, Article.id, Article.canonical_url, ArticleVersion.title,
               ArticleVersion.version, ArticleVersion.changed_fields)
        .join(Article, Article.id == ArticleVersion.article_id)
        .where(ArticleVersion.version > 1)
    )
    removed = select(Article.removed_at, Article.site, Article.id, Article.canonical_url, Article.title).where(
        Article.removed_at.is_not(None)
    )
    if site:
        updated, removed = updated.where(Article.site == site), removed.where(Article.site == site)
    if since is not None:
        updated = updated.where(ArticleVersion.captured_at >= since)
        removed = removed.where(Article.removed_at >= since)
    rows = [Change(at, s, i, u, t, "updated", v, list(f or [])) for at, s, i, u, t, v, f in session.execute(updated)]
    rows += [Change(at, s, i, u, t, "removed", None, []) for at, s, i, u, t in session.execute(removed)]
    rows.sort(key=lambda c: (c.at, c.article_id, c.version or 0), reverse=True)
    yield from rows[:limit] if limit is not None else rows
