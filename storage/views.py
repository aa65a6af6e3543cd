"""Names of the schema objects that live beside the ORM tables: views and full-text indexes.

They are created by migrations (revision 0002) with backend-specific DDL, so they are
not ORM models; Alembic autogenerate skips them (see ``is_extra_object``).
"""

from __future__ import annotations

VIEWS: tuple[str, ...] = ("current_articles", "latest_crawl_runs")
"""Views for common questions, documented in docs/schema.md."""

FTS_TABLE = "articles_fts"
"""The full-text index: an FTS5 table on SQLite, a ``tsvector`` table on PostgreSQL."""

FOREIGN_TABLES: tuple[str, ...] = ("apscheduler_jobs",)
"""Tables other software keeps in the same database (APScheduler's job store)."""


def is_extra_object(name: str | None, type_: str) -> bool:
    """True for objects outside the ORM models, which autogenerate must neither create nor drop."""
    if not name:
        return False
    if type_ == "table":
        # FTS5 also makes shadow tables: articles_fts_data, _idx, _docsize, _config.
        return name in FOREIGN_TABLES or name in VIEWS or name == FTS_TABLE or name.startswith(FTS_TABLE + "_")
    if type_ == "index":
        return name.startswith(("ix_" + FTS_TABLE, FTS_TABLE))
    return False
