"""A composite index on ``articles (site, content_hash)``.

Each new article is checked for an exact twin of its site (``by_content_hash``).  With only the
single-column indexes SQLite's planner, lacking statistics, walks the site's rows through
``ix_articles_site``: a cost that grows with the store, so a long crawl slows quadratically.
The composite index answers the lookup directly on either backend.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create the index (a plain CREATE INDEX: nothing is altered, no batch recreate on SQLite)."""
    op.create_index("ix_articles_site_content_hash", "articles", ["site", "content_hash"], unique=False)


def downgrade() -> None:
    """Drop the index."""
    op.drop_index("ix_articles_site_content_hash", table_name="articles")
