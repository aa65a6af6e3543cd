"""The ``syndicated_copies`` table: articles of different sites whose bodies nearly match.

Both articles stay stored (each outlet's copy matters); one row links a pair, ``article_id``
the earlier published (the first stored when a date is missing).  Repositories never commit.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from storage.models import Article, SyndicatedCopy
from storage.repository import _insert_for


def original_first(a: Article, b: Article) -> tuple[Article, Article]:
    """The pair ordered (original, copy): the earlier published first; by id when a date is missing or equal."""
    if a.published_at is not None and b.published_at is not None and a.published_at != b.published_at:
        return (a, b) if a.published_at < b.published_at else (b, a)
    return (a, b) if a.id < b.id else (b, a)


class SyndicationRepository:
    """Links between syndicated copies."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def link(self, a: Article, b: Article, similarity: float, now: datetime) -> bool:
        """Link two articles (of different sites); False when they were linked already."""
        if a.site == b.site:
            raise ValueError(f"articles {a.id} and {b.id} are both of {a.site}: a same-site copy is a duplicate")
        original, copy = original_first(a, b)
        insert = _insert_for(self.session)
        stmt = (
            insert(SyndicatedCopy)
            .values(article_id=original.id, copy_article_id=copy.id, similarity=similarity, detected_at=now)
            .on_conflict_do_nothing(index_elements=["article_id", "copy_article_id"])
            .returning(SyndicatedCopy.id)
        )
        return self.session.scalar(stmt) is not None

    def copies_of(self, article_id: int) -> list[tuple[int, float]]:
        """(other article id, similarity) of every copy linked to the article, in either direction."""
        stmt = select(SyndicatedCopy).where(
            or_(SyndicatedCopy.article_id == article_id, SyndicatedCopy.copy_article_id == article_id)
        )
        return [
            (row.copy_article_id if row.article_id == article_id else row.article_id, row.similarity)
            for row in self.session.scalars(stmt.order_by(SyndicatedCopy.id))
        ]

    def pairs(self) -> list[tuple[int, int, float]]:
        """Every link as (article_id, copy_article_id, similarity)."""
        stmt = select(SyndicatedCopy.article_id, SyndicatedCopy.copy_article_id, SyndicatedCopy.similarity)
        return [tuple(row) for row in self.session.execute(stmt.order_by(SyndicatedCopy.id))]
