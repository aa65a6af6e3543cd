"""Full-text search index kept in sync by triggers, and the views of docs/schema.md.

- ``articles_fts``: on SQLite an FTS5 external-content table over articles
  (title, summary, body_text; porter stemming); on PostgreSQL a table of
  weighted ``tsvector`` documents (title A, summary B, body C) with a GIN index.
  Database triggers keep it in sync with every write to ``articles``, from the
  crawler or from any other client.
- ``current_articles``: articles with their site's name, tags and authors as text.
- ``latest_crawl_runs``: the most recent crawl run of each site.

Note for later SQLite batch migrations of ``articles``: recreating the table drops
its triggers; re-run the trigger DDL below and ``INSERT INTO articles_fts(articles_fts)
VALUES ('rebuild')`` in the same revision.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SQLITE_UP = (
    # External content: the text lives once, in articles; the index stores only tokens.
    """CREATE VIRTUAL TABLE articles_fts USING fts5(
        title, summary, body_text,
        content='articles', content_rowid='id',
        tokenize='porter unicode61 remove_diacritics 2'
    )""",
    """CREATE TRIGGER articles_fts_ai AFTER INSERT ON articles BEGIN
        INSERT INTO articles_fts(rowid, title, summary, body_text)
        VALUES (new.id, new.title, new.summary, new.body_text);
    END""",
    """CREATE TRIGGER articles_fts_ad AFTER DELETE ON articles BEGIN
        INSERT INTO articles_fts(articles_fts, rowid, title, summary, body_text)
        VALUES ('delete', old.id, old.title, old.summary, old.body_text);
    END""",
    """CREATE TRIGGER articles_fts_au AFTER UPDATE OF title, summary, body_text ON articles BEGIN
        INSERT INTO articles_fts(articles_fts, rowid, title, summary, body_text)
        VALUES ('delete', old.id, old.title, old.summary, old.body_text);
        INSERT INTO articles_fts(rowid, title, summary, body_text)
        VALUES (new.id, new.title, new.summary, new.body_text);
    END""",
    # Index the articles of a store adopted from before this revision.
    "INSERT INTO articles_fts(articles_fts) VALUES ('rebuild')",
    """CREATE VIEW current_articles AS
    SELECT a.id, a.site, s.name AS site_name, a.canonical_url AS url, a.title, a.summary,
           a.source, a.category,
           (SELECT group_concat(t.tag, ', ') FROM
               (SELECT tag FROM article_tags WHERE article_id = a.id ORDER BY position) AS t) AS tags,
           (SELECT group_concat(j.value, ', ') FROM json_each(a.authors) AS j) AS authors,
           a.language, a.published_at, a.first_seen_at, a.last_seen_at, a.last_changed_at,
           a.version, a.body_text
    FROM articles a JOIN sites s ON s.key = a.site""",
)

POSTGRESQL_UP = (
    """CREATE TABLE articles_fts (
        article_id integer NOT NULL,
        document tsvector NOT NULL,
        CONSTRAINT pk_articles_fts PRIMARY KEY (article_id),
        CONSTRAINT fk_articles_fts_article_id_articles FOREIGN KEY (article_id)
            REFERENCES articles (id) ON DELETE CASCADE
    )""",
    "CREATE INDEX ix_articles_fts_document ON articles_fts USING gin (document)",
    # Weighted so a match in the title ranks above one deep in the body.
    """CREATE FUNCTION articles_fts_document(title text, summary text, body_text text)
    RETURNS tsvector LANGUAGE sql IMMUTABLE AS $$
        SELECT setweight(to_tsvector('english'::regconfig, coalesce(title, '')), 'A')
            || setweight(to_tsvector('english'::regconfig, coalesce(summary, '')), 'B')
            || setweight(to_tsvector('english'::regconfig, coalesce(body_text, '')), 'C')
    $$""",
    """CREATE FUNCTION articles_fts_sync() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO articles_fts (article_id, document)
        VALUES (NEW.id, articles_fts_document(NEW.title, NEW.summary, NEW.body_text))
        ON CONFLICT (article_id) DO UPDATE SET document = EXCLUDED.document;
        RETURN NULL;
    END
    $$""",
    """CREATE TRIGGER articles_fts_sync AFTER INSERT OR UPDATE OF title, summary, body_text ON articles
    FOR EACH ROW EXECUTE FUNCTION articles_fts_sync()""",
    """INSERT INTO articles_fts (article_id, document)
    SELECT id, articles_fts_document(title, summary, body_text) FROM articles""",
    """CREATE VIEW current_articles AS
    SELECT a.id, a.site, s.name AS site_name, a.canonical_url AS url, a.title, a.summary,
           a.source, a.category,
           (SELECT string_agg(t.tag, ', ' ORDER BY t.position)
              FROM article_tags t WHERE t.article_id = a.id) AS tags,
           (SELECT string_agg(j.value, ', ' ORDER BY j.n)
              FROM json_array_elements_text(a.authors) WITH ORDINALITY AS j(value, n)) AS authors,
           a.language, a.published_at, a.first_seen_at, a.last_seen_at, a.last_changed_at,
           a.version, a.body_text
    FROM articles a JOIN sites s ON s.key = a.site""",
)

# The same SQL on both backends.
COMMON_UP = (
    """CREATE VIEW latest_crawl_runs AS
    SELECT r.site, r.id AS run_id, r.status, r.trigger, r.started_at, r.finished_at, r.finish_reason,
           r.pages_fetched, r.articles_new, r.articles_updated, r.articles_unchanged,
           r.articles_duplicate, r.articles_dropped, r.errors
    FROM crawl_runs r
    WHERE r.id = (SELECT max(r2.id) FROM crawl_runs r2 WHERE r2.site = r.site)""",
)

SQLITE_DOWN = (
    "DROP VIEW IF EXISTS current_articles",
    "DROP TRIGGER IF EXISTS articles_fts_au",
    "DROP TRIGGER IF EXISTS articles_fts_ad",
    "DROP TRIGGER IF EXISTS articles_fts_ai",
    "DROP TABLE IF EXISTS articles_fts",
)
POSTGRESQL_DOWN = (
    "DROP VIEW IF EXISTS current_articles",
    "DROP TRIGGER IF EXISTS articles_fts_sync ON articles",
    "DROP FUNCTION IF EXISTS articles_fts_sync()",
    "DROP TABLE IF EXISTS articles_fts",
    "DROP FUNCTION IF EXISTS articles_fts_document(text, text, text)",
)
COMMON_DOWN = ("DROP VIEW IF EXISTS latest_crawl_runs",)


def _statements(sqlite: tuple[str, ...], postgresql: tuple[str, ...]) -> tuple[str, ...]:
    name = op.get_bind().dialect.name
    if name == "sqlite":
        return sqlite
    if name == "postgresql":
        return postgresql
    raise NotImplementedError(f"full-text search and views are written for SQLite and PostgreSQL, not {name}")


def upgrade() -> None:
    """Create the search index, its triggers and the views."""
    for statement in _statements(SQLITE_UP, POSTGRESQL_UP) + COMMON_UP:
        op.execute(statement)


def downgrade() -> None:
    """Drop the views, the triggers and the search index."""
    for statement in COMMON_DOWN + _statements(SQLITE_DOWN, POSTGRESQL_DOWN):
        op.execute(statement)
