"""Arabic-aware full-text search: the index holds each text's matching key, the articles keep their spelling.

The index of 0002 is rebuilt over ``normalize_arabic`` of title, summary and body (see
``storage/arabic.py``: alef/hamza forms, taa marbuta, alef maqsura folded; tashkeel
and tatweel dropped), computed in SQL so any client's write is indexed the same way:

- SQLite: the FTS5 table reads its content from the view ``articles_fts_source`` (the keys,
  nested ``replace``); the triggers index the same keys.
- PostgreSQL: ``crawler_search_key(text)`` (``translate``) inside ``articles_fts_document``.

Text without Arabic is its own key, so the index of Latin-script text is what it was.
The rules are frozen here; ``tests/storage/test_search_arabic.py`` checks they equal
``storage.arabic.normalize_arabic`` on every character of the Arabic block, on both backends.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FOLD_FROM = "\u0623\u0625\u0622\u0671\u0629\u0649"
FOLD_TO = "\u0627\u0627\u0627\u0627\u0647\u064a"
DROPPED = "".join(chr(c) for c in range(0x064B, 0x0656)) + "\u0670\u0640"
TOKENIZE = "porter unicode61 remove_diacritics 2"
COLUMNS = ("title", "summary", "body_text")


def _sqlite_key(column: str) -> str:
    expr = column
    for src, dst in zip(FOLD_FROM, FOLD_TO, strict=True):
        expr = f"replace({expr}, '{src}', '{dst}')"
    for ch in DROPPED:
        expr = f"replace({expr}, '{ch}', '')"
    return expr


def _values(prefix: str, key: bool) -> str:
    return ", ".join(_sqlite_key(f"{prefix}.{c}") if key else f"{prefix}.{c}" for c in COLUMNS)


def _sqlite(key: bool) -> tuple[str, ...]:
    """The FTS5 table and its triggers, over the keys (``key``) or over the text as stored (0002)."""
    content = "articles_fts_source" if key else "articles"
    out: list[str] = []
    if key:
        out.append(
            "CREATE VIEW articles_fts_source AS SELECT id, "
            + ", ".join(f"{_sqlite_key(c)} AS {c}" for c in COLUMNS) + " FROM articles"
        )
    out += [
        f"""CREATE VIRTUAL TABLE articles_fts USING fts5(
        title, summary, body_text, content='{content}', content_rowid='id', tokenize='{TOKENIZE}')""",
        f"""CREATE TRIGGER articles_fts_ai AFTER INSERT ON articles BEGIN
        INSERT INTO articles_fts(rowid, title, summary, body_text) VALUES (new.id, {_values("new", key)});
    END""",
        f"""CREATE TRIGGER articles_fts_ad AFTER DELETE ON articles BEGIN
        INSERT INTO articles_fts(articles_fts, rowid, title, summary, body_text)
        VALUES ('delete', old.id, {_values("old", key)});
    END""",
        f"""CREATE TRIGGER articles_fts_au AFTER UPDATE OF title, summary, body_text ON articles BEGIN
        INSERT INTO articles_fts(articles_fts, rowid, title, summary, body_text)
        VALUES ('delete', old.id, {_values("old", key)});
        INSERT INTO articles_fts(rowid, title, summary, body_text) VALUES (new.id, {_values("new", key)});
    END""",
        "INSERT INTO articles_fts(articles_fts) VALUES ('rebuild')",
    ]
    return tuple(out)


SQLITE_DROP = (
    "DROP TRIGGER IF EXISTS articles_fts_au",
    "DROP TRIGGER IF EXISTS articles_fts_ad",
    "DROP TRIGGER IF EXISTS articles_fts_ai",
    "DROP TABLE IF EXISTS articles_fts",
    "DROP VIEW IF EXISTS articles_fts_source",
)


def _pg_document(key: bool) -> str:
    def part(column: str, weight: str) -> str:
        value = f"coalesce({column}, '')"
        if key:
            value = f"crawler_search_key({value})"
        return f"setweight(to_tsvector('english'::regconfig, {value}), '{weight}')"

    return f"""CREATE OR REPLACE FUNCTION articles_fts_document(title text, summary text, body_text text)
    RETURNS tsvector LANGUAGE sql IMMUTABLE AS $$
        SELECT {part("title", "A")} || {part("summary", "B")} || {part("body_text", "C")}
    $$"""


PG_REINDEX = """UPDATE articles_fts f SET document = articles_fts_document(a.title, a.summary, a.body_text)
    FROM articles a WHERE a.id = f.article_id"""
POSTGRESQL_UP = (
    f"""CREATE FUNCTION crawler_search_key(value text) RETURNS text LANGUAGE sql IMMUTABLE STRICT AS $$
        SELECT translate(value, '{FOLD_FROM + DROPPED}', '{FOLD_TO}')
    $$""",
    _pg_document(key=True),
    PG_REINDEX,
)
POSTGRESQL_DOWN = (_pg_document(key=False), PG_REINDEX, "DROP FUNCTION IF EXISTS crawler_search_key(text)")


def upgrade() -> None:
    """Index the matching keys of the articles' text."""
    name = op.get_bind().dialect.name
    statements = SQLITE_DROP + _sqlite(key=True) if name == "sqlite" else POSTGRESQL_UP
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    """Back to the index of 0002 (the text as stored)."""
    name = op.get_bind().dialect.name
    statements = SQLITE_DROP + _sqlite(key=False) if name == "sqlite" else POSTGRESQL_DOWN
    for statement in statements:
        op.execute(statement)
