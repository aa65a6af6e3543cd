"""Run accounting: lost articles, liveness of running runs, one running run per site, changed fields.

- ``crawl_runs.articles_lost``: articles a pipeline failed on or the database never received.
- ``crawl_runs.pid``, ``hostname``, ``heartbeat_at``: who owns a ``running`` run and when it last
  showed a sign of life, so a run whose process died is closed ``killed`` instead of blocking its site.
- ``uq_crawl_runs_site_running``: a partial unique index, at most one ``running`` run per site:
  the atomic claim that keeps runs of one site from overlapping (``crawler crawl``, ``run-now``, the daemon).
- ``article_versions.changed_fields``: which fields a new version changed.

Every change is an ``ADD COLUMN`` or ``CREATE INDEX``, which SQLite does in place: batch mode does
not recreate the tables, so the views and search triggers of 0002 stay as they are.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

RUNNING = sa.text("status = 'running'")


def upgrade() -> None:
    """Add the columns; close duplicate running runs so the unique index can be built."""
    with op.batch_alter_table("crawl_runs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("articles_lost", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("pid", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("hostname", sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column("heartbeat_at", sa.DateTime(), nullable=True))
    with op.batch_alter_table("article_versions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("changed_fields", sa.JSON(), nullable=True))
    # Before this revision nothing closed a run whose process died: keep only each site's newest
    # running run open (the next crawl judges it by its heartbeat) and close the older ones.
    op.execute(
        """UPDATE crawl_runs SET status = 'killed',
               finish_reason = 'closed by schema revision 0003: a newer run of the site was also running'
           WHERE status = 'running'
             AND id < (SELECT max(r2.id) FROM crawl_runs r2
                       WHERE r2.site = crawl_runs.site AND r2.status = 'running')"""
    )
    with op.batch_alter_table("crawl_runs", schema=None) as batch_op:
        batch_op.create_index(
            "uq_crawl_runs_site_running", ["site"], unique=True, sqlite_where=RUNNING, postgresql_where=RUNNING
        )


def downgrade() -> None:
    """Drop what upgrade added (SQLite 3.35+ drops columns in place: no table is recreated)."""
    with op.batch_alter_table("crawl_runs", schema=None) as batch_op:
        batch_op.drop_index("uq_crawl_runs_site_running", sqlite_where=RUNNING, postgresql_where=RUNNING)
    with op.batch_alter_table("article_versions", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("changed_fields")
    with op.batch_alter_table("crawl_runs", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("heartbeat_at")
        batch_op.drop_column("hostname")
        batch_op.drop_column("pid")
        batch_op.drop_column("articles_lost")
