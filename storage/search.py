"""Ranked full-text search over articles (``crawler search``).

The index is ``articles_fts`` (migration 0002), kept in sync by database triggers:
FTS5 with BM25 ranking on SQLite, a weighted ``tsvector`` with ``ts_rank_cd`` on
PostgreSQL.  The query language is the same on both, PostgreSQL's web-search
syntax: words must all match, ``"a phrase"`` matches in order, ``OR`` between
alternatives, ``-word`` excludes.  Stemming is English on both (Porter / ``english``).

Arabic is matched by spelling key (migration 0004, :func:`storage.arabic.normalize_arabic`):
the index holds the keys of the texts and the query is keyed the same way, so ``الاسد``
finds ``الأسد`` and ``سوريه`` finds ``سوريةَ``; the snippet the backend cuts from the keyed
text is mapped back onto the text as stored, so it shows the original spelling.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, text
from sqlalchemy.orm import Session
from sqlalchemy.types import Float, Integer, String

from storage.arabic import has_arabic, normalize_arabic, normalized_with_positions
from storage.models import UTCDateTime

MARK_START = "\u27e6"
MARK_END = "\u27e7"
"""Default markers around matched words in snippets (⟦ ⟧: unlikely in news text)."""

_TOKEN = re.compile(r'-?"[^"]*"?|\S+')


class SearchQueryError(ValueError):
    """The search text has nothing to look for (e.g. only exclusions)."""


@dataclass(frozen=True)
class SearchHit:
    """One matching article, best first."""

    article_id: int
    site: str
    title: str
    url: str
    published_at: datetime | None
    score: float
    """Higher is better; comparable within one result list only."""
    snippet: str
    """Matching passage, matched words between the markers."""


def fts5_query(query: str) -> str:
    """Translate web-search syntax into an FTS5 MATCH expression with every term quoted (no syntax errors)."""
    positives: list[str] = []
    negatives: list[str] = []
    for raw in _TOKEN.findall(query):
        negative = raw.startswith("-") and len(raw) > 1
        token = raw[1:] if negative else raw
        if token == "OR" and not negative:
            if positives and positives[-1] != "OR":
                positives.append("OR")
            continue
        words = token.strip('"')
        if not re.search(r"\w", words):
            continue
        quoted = '"' + words.replace('"', '""') + '"'
        (negatives if negative else positives).append(quoted)
    while positives and positives[-1] == "OR":
        positives.pop()
    if not positives:
        raise SearchQueryError(f"nothing to search for in {query!r}: give at least one word that must match")
    expression = " ".join(positives)
    for term in negatives:
        expression = f"({expression}) NOT {term}"
    return expression


# Rank in the inner query (ids and scores only); cut snippets, which read whole bodies, for the rows kept.
# {join} and {filters} are filled from _FILTERS only (fixed text; values are bound parameters): without
# filters the ranking reads the index alone, not the articles table.
_SQLITE = """
WITH hits AS (
    SELECT articles_fts.rowid AS id, bm25(articles_fts, 10.0, 4.0, 1.0) AS rank
    FROM articles_fts{join}
    WHERE articles_fts MATCH :query{filters}
    ORDER BY rank, articles_fts.rowid
    LIMIT :limit OFFSET :offset
)
SELECT a.id, a.site, a.title, a.canonical_url, a.published_at, a.body_text, -hits.rank AS score,
       snippet(articles_fts, 2, :mark_start, :mark_end, ' … ', :words) AS snippet
FROM hits JOIN articles_fts ON articles_fts.rowid = hits.id JOIN articles a ON a.id = hits.id
WHERE articles_fts MATCH :query
ORDER BY hits.rank, hits.id
"""
_SQLITE_JOIN = " JOIN articles a ON a.id = articles_fts.rowid"

# Rank in the inner query; build headlines (costly) only for the rows kept.
_POSTGRESQL = """
WITH q AS (SELECT websearch_to_tsquery('english', :query) AS query),
hits AS (
    SELECT f.article_id AS id, ts_rank_cd(f.document, q.query, 1) AS score
    FROM articles_fts f{join} CROSS JOIN q
    WHERE f.document @@ q.query{filters}
    ORDER BY score DESC, f.article_id
    LIMIT :limit OFFSET :offset
)
SELECT a.id, a.site, a.title, a.canonical_url, a.published_at, a.body_text, hits.score,
       ts_headline('english', crawler_search_key(a.body_text), q.query, :options) AS snippet
FROM hits JOIN articles a ON a.id = hits.id CROSS JOIN q
ORDER BY hits.score DESC, a.id
"""
_POSTGRESQL_JOIN = " JOIN articles a ON a.id = f.article_id"

_WHEN = "coalesce(a.published_at, a.first_seen_at)"
# Per filter: its condition on the joined article ``a``, per dialect where they differ.
_FILTERS: dict[str, dict[str, str]] = {
    "site": {"any": "a.site = :site"},
    "since": {"any": f"{_WHEN} >= :since"},
    "until": {"any": f"{_WHEN} < :until"},
    "source": {"any": "a.source = :source"},
    "tag": {"any": "EXISTS (SELECT 1 FROM article_tags t WHERE t.article_id = a.id AND t.tag = :tag)"},
    "author": {
        "sqlite": "EXISTS (SELECT 1 FROM json_each(a.authors) j WHERE j.value = :author)",
        # jsonb containment: the authors list holds this exact name.
        "postgresql": "CAST(a.authors AS jsonb) @> CAST(:author AS jsonb)",
    },
}
_FILTER_TYPES = {"site": String(), "since": UTCDateTime(), "until": UTCDateTime(), "source": String(),
                 "tag": String(), "author": String()}


def search(
    session: Session,
    query: str,
    *,
    site: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    source: str | None = None,
    tag: str | None = None,
    author: str | None = None,
    limit: int = 20,
    offset: int = 0,
    marks: tuple[str, str] = (MARK_START, MARK_END),
    snippet_words: int = 24,
) -> list[SearchHit]:
    """The ``limit`` best-matching articles for ``query`` after the first ``offset``, optionally filtered.

    Filters (each optional, all must hold): one ``site``, one ``source`` (the original outlet),
    one ``tag``, one ``author`` (exact name), published on or after ``since`` and before ``until``;
    articles without a publication date are filtered by when they were first seen.
    Raises SearchQueryError, on both backends alike, when the query has no word that must match.
    """
    if not query.strip():
        raise SearchQueryError("empty search: give at least one word")
    # Arabic words are looked up by their spelling key, as the index stores them (identity for Latin text).
    query = normalize_arabic(query)
    # Validate on every backend: PostgreSQL would silently match nothing for e.g. ':' or '-x'.
    expression = fts5_query(query)
    dialect = session.get_bind().dialect.name
    given = {
        name: value
        for name, value in (("site", site), ("since", since), ("until", until), ("source", source), ("tag", tag),
                            ("author", author))
        if value is not None
    }
    params: dict[str, object] = {"limit": limit, "offset": offset, **given}
    types = [bindparam("limit", type_=Integer()), bindparam("offset", type_=Integer())]
    types += [bindparam(name, type_=_FILTER_TYPES[name]) for name in given]
    conditions = "".join(
        f"\n      AND {_FILTERS[name].get(dialect, _FILTERS[name].get('any', ''))}" for name in given
    )
    if dialect == "sqlite":
        sql = _SQLITE.format(join=_SQLITE_JOIN if given else "", filters=conditions)
        params.update(query=expression, mark_start=marks[0], mark_end=marks[1], words=snippet_words)
    elif dialect == "postgresql":
        sql = _POSTGRESQL.format(join=_POSTGRESQL_JOIN if given else "", filters=conditions)
        options = (
            f'StartSel="{marks[0]}", StopSel="{marks[1]}", MaxWords={snippet_words}, '
            f'MinWords={max(snippet_words // 2, 1)}, MaxFragments=2, FragmentDelimiter=" … "'
        )
        if author is not None:
            params["author"] = json.dumps([author])
        params.update(query=query, options=options)
    else:
        raise NotImplementedError(f"full-text search is implemented for SQLite and PostgreSQL, not {dialect}")
    stmt = text(sql).bindparams(*types).columns(score=Float(), published_at=UTCDateTime())
    rows = session.execute(stmt, params)
    return [
        SearchHit(
            article_id=row.id,
            site=row.site,
            title=row.title,
            url=row.canonical_url,
            published_at=row.published_at,
            score=float(row.score),
            snippet=" ".join(original_spelling(row.snippet or "", row.body_text or "", marks).split()),
        )
        for row in rows
    ]


def original_spelling(snippet: str, text: str, marks: tuple[str, str], ellipsis: str = " … ") -> str:
    """``snippet``, cut by the backend from the keyed ``text``, with ``text``'s own spelling put back.

    Each fragment (between ``ellipsis``) is found in the keyed text in order and replaced by the
    same span of the original, its markers moved along; a fragment that cannot be placed is
    left as the backend gave it.  Text without Arabic is its own key: the snippet is returned as is.
    """
    if not has_arabic(text):
        return snippet
    keyed, where = normalized_with_positions(text)
    if keyed == text:
        return snippet
    start_mark, end_mark = marks
    out: list[str] = []
    cursor = 0
    for fragment in snippet.split(ellipsis):
        plain = fragment.replace(start_mark, "").replace(end_mark, "")
        found = keyed.find(plain, cursor) if plain else -1
        if found < 0:
            out.append(fragment)
            continue
        cursor = found + len(plain)

        def original(offset: int, found: int = found) -> int:
            # Marks dropped after the last keyed character belong to it: they stay inside the span.
            j = found + offset
            return where[j] if j < len(where) else len(text)

        pieces: list[str] = []
        position = 0  # offset in ``plain``
        last = original(0)
        for part in re.split(f"({re.escape(start_mark)}|{re.escape(end_mark)})", fragment):
            if part in marks:
                pieces.append(part)
                continue
            position += len(part)
            end = original(position)
            pieces.append(text[last:end])
            last = end
        out.append("".join(pieces))
    return ellipsis.join(out)
