"""Incremental monitoring: conditional re-checks, removed articles, full version snapshots, skip counts.

- ``articles.etag``, ``articles.last_modified``: the validators the site sent with the article
  (``ETag``, ``Last-Modified`` as sent), replayed as ``If-None-Match`` / ``If-Modified-Since``.
- ``articles.last_checked_at``: the last time a crawl asked the site about the article (200 or 304).
- ``articles.removed_at``: set when a re-check answered 404 or 410, cleared by a later 200.
- ``article_versions``: every compared content field is snapshotted (source, disclaimer, category,
  authors, tags, language, dates, image), so any two versions can be diffed; NULL in versions
  stored before this revision (not snapshotted then).
- ``crawl_runs.articles_skipped`` (known, outside the re-check window: not fetched),
  ``articles_not_modified`` (304), ``articles_removed`` (404/410 on re-check).

Every change is an ``ADD COLUMN`` or ``CREATE INDEX``, done in place by SQLite (batch mode does
not recreate the tables), so the views and search triggers stay as they are.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

VERSION_COLUMNS: tuple[tuple[str, sa.types.TypeEngine], ...] = (
    ("source", sa.String(length=200)),
    ("disclaimer", sa.Text()),
    ("category", sa.String(length=200)),
    ("authors", sa.JSON()),
    ("tags", sa.JSON()),
    ("language", sa.String(length=16)),
    ("published_at", sa.DateTime()),
    ("modified_at", sa.DateTime()),
    ("image_url", sa.String(length=2000)),
    ("image_caption", sa.Text()),
)
RUN_COUNTS: tuple[str, ...] = ("articles_skipped", "articles_not_modified", "articles_removed")


def upgrade() -> None:
    """Add the columns and the index of removed articles."""
    with op.batch_alter_table("articles", schema=None) as batch_op:
        batch_op.add_column(sa.Column("etag", sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column("last_modified", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("last_checked_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("removed_at", sa.DateTime(), nullable=True))
        batch_op.create_index("ix_articles_removed_at", ["removed_at"], unique=False)
    with op.batch_alter_table("article_versions", schema=None) as batch_op:
        for name, type_ in VERSION_COLUMNS:
            batch_op.add_column(sa.Column(name, type_, nullable=True))
    with op.batch_alter_table("crawl_runs", schema=None) as batch_op:
        for name in RUN_COUNTS:
            batch_op.add_column(sa.Column(name, sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    """Drop what upgrade added (SQLite 3.35+ drops columns in place: no table is recreated)."""
    with op.batch_alter_table("crawl_runs", schema=None, recreate="never") as batch_op:
        for name in reversed(RUN_COUNTS):
            batch_op.drop_column(name)
    with op.batch_alter_table("article_versions", schema=None, recreate="never") as batch_op:
        for name, _ in reversed(VERSION_COLUMNS):
            batch_op.drop_column(name)
    with op.batch_alter_table("articles", schema=None) as batch_op:
        batch_op.drop_index("ix_articles_removed_at")
    with op.batch_alter_table("articles", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("removed_at")
        batch_op.drop_column("last_checked_at")
        batch_op.drop_column("last_modified")
        batch_op.drop_column("etag")
