"""Raw page archive index and syndicated copies across sites.

- ``archived_pages``: where each fetched article page is kept (a WARC file under the archive
  directory, the byte offset and length of its gzip member), with URL, time, HTTP status and run:
  what ``crawler reparse`` reads to re-extract pages without a request.
- ``syndicated_copies``: pairs of articles of different sites whose bodies nearly match, with
  their similarity (both articles stay stored).

Only new tables: nothing existing is altered, so SQLite needs no batch recreate.  The revision
follows 0005.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create the two tables and their indexes."""
    op.create_table(
        "archived_pages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site", sa.String(length=64), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("fetched_at", sa.DateTime(), nullable=False),
        sa.Column("file", sa.String(length=500), nullable=False),
        sa.Column("offset", sa.BigInteger(), nullable=False),
        sa.Column("length", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["run_id"], ["crawl_runs.id"], name=op.f("fk_archived_pages_run_id_crawl_runs"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_archived_pages")),
    )
    with op.batch_alter_table("archived_pages", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_archived_pages_url"), ["url"], unique=False)
        batch_op.create_index(batch_op.f("ix_archived_pages_file"), ["file"], unique=False)
        batch_op.create_index(batch_op.f("ix_archived_pages_run_id"), ["run_id"], unique=False)
        batch_op.create_index("ix_archived_pages_site_fetched_at", ["site", "fetched_at"], unique=False)
    op.create_table(
        "syndicated_copies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("copy_article_id", sa.Integer(), nullable=False),
        sa.Column("similarity", sa.Float(), nullable=False),
        sa.Column("detected_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"], ["articles.id"], name=op.f("fk_syndicated_copies_article_id_articles"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["copy_article_id"],
            ["articles.id"],
            name=op.f("fk_syndicated_copies_copy_article_id_articles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_syndicated_copies")),
        sa.UniqueConstraint(
            "article_id", "copy_article_id", name=op.f("uq_syndicated_copies_article_id_copy_article_id")
        ),
    )
    with op.batch_alter_table("syndicated_copies", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_syndicated_copies_article_id"), ["article_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_syndicated_copies_copy_article_id"), ["copy_article_id"], unique=False)


def downgrade() -> None:
    """Drop the two tables (the WARC files on disk are left alone)."""
    op.drop_table("syndicated_copies")
    op.drop_table("archived_pages")
