"""Decide whether a user's SQL is a plain query before it reaches the database (``crawler query``).

The statement is parsed by sqlglot in the backend's dialect; no keyword matching, so comments
(nested ``/* /* */ */``, ``--``), dollar quoting and ``E''`` strings cannot hide what it is.
Admitted: exactly one SELECT, ``WITH ... SELECT``, set operation (UNION ...), VALUES or
``TABLE name``, and on SQLite a PRAGMA that only reads. Refused: anything else, anything
inside that writes, locks or selects INTO, and any function that is not on the allowlist
of side-effect-free functions (a function sqlglot does not know is refused unless listed).

This is the first of several layers (see storage/query.py): the database enforces
read-only too, so a gap here is not a hole.
"""

from __future__ import annotations

import logging
import re

import sqlglot
from sqlglot import exp
from sqlglot.dialects.dialect import Dialect
from sqlglot.errors import ParseError, TokenError

# sqlglot logs a warning whenever it falls back to an opaque Command; we refuse those ourselves.
logging.getLogger("sqlglot").setLevel(logging.ERROR)

DIALECTS = {"sqlite": "sqlite", "postgresql": "postgres"}
"""Our backend names to sqlglot's dialect names."""

# PRAGMAs whose "(argument)" names what to read, not a value to set.
READ_PRAGMAS_WITH_ARGUMENT = frozenset(
    "table_info table_xinfo table_list index_info index_xinfo index_list foreign_key_list "
    "foreign_key_check integrity_check quick_check".split()
)
# PRAGMAs that act even without an argument.
ACTION_PRAGMAS = frozenset("optimize wal_checkpoint incremental_vacuum shrink_memory".split())
_PRAGMA = re.compile(r"pragma\s+(?:\w+\s*\.\s*)?(?P<name>\w+)\s*(?P<op>[=(])?", re.I)

# Functions sqlglot does not model (it parses them as "anonymous") that are pure reads.
# Everything sqlglot models is a standard SQL function; the only volatile PostgreSQL
# built-ins among those are random() and gen_random_uuid(), both harmless.
_COMMON_FUNCTIONS = """
abs coalesce nullif ifnull length lower upper trim ltrim rtrim replace substr substring instr round
min max sum avg count total group_concat string_agg array_agg char_length octet_length
row_number rank dense_rank percent_rank cume_dist ntile lag lead first_value last_value nth_value
sqrt power pow exp ln log log2 log10 mod pi sign trunc ceil ceiling floor degrees radians sin cos tan
greatest least concat concat_ws format printf hex quote typeof random
""".split()
SAFE_FUNCTIONS: dict[str, frozenset[str]] = {
    "sqlite": frozenset(
        _COMMON_FUNCTIONS
        + """
date time datetime julianday unixepoch strftime timediff iif likelihood likely unlikely glob like
char unicode unhex zeroblob soundex sqlite_version
json json_array json_array_length json_extract json_insert json_object json_patch json_quote json_remove
json_replace json_set json_type json_valid json_each json_tree json_group_array json_group_object
jsonb jsonb_extract jsonb_array jsonb_object
snippet highlight bm25 match
pragma_table_info pragma_table_xinfo pragma_table_list pragma_index_info pragma_index_xinfo
pragma_index_list pragma_foreign_key_list
""".split()
    ),
    "postgresql": frozenset(
        _COMMON_FUNCTIONS
        + """
date_part date_trunc date_bin age extract make_date make_time make_timestamp make_interval
justify_days justify_hours justify_interval isfinite to_char to_date to_timestamp to_number timezone now
array_length array_to_string string_to_array array_position array_positions array_remove array_append
array_prepend array_cat array_replace array_dims array_lower array_upper cardinality unnest
regexp_replace regexp_match regexp_matches regexp_split_to_array regexp_split_to_table regexp_count
split_part left right lpad rpad initcap position strpos md5 encode decode translate starts_with btrim
reverse repeat to_hex chr ascii num_nonnulls num_nulls width_bucket div cbrt
json_array_elements json_array_elements_text json_array_length json_each json_each_text json_extract_path
json_extract_path_text json_object_keys json_typeof json_build_object json_build_array json_agg
json_object_agg row_to_json to_json array_to_json json_strip_nulls jsonb_array_elements
jsonb_array_elements_text jsonb_array_length jsonb_each jsonb_each_text jsonb_extract_path
jsonb_extract_path_text jsonb_object_keys jsonb_typeof jsonb_build_object jsonb_build_array jsonb_agg
jsonb_object_agg to_jsonb jsonb_strip_nulls jsonb_path_query jsonb_path_query_array jsonb_path_exists
to_tsvector to_tsquery plainto_tsquery phraseto_tsquery websearch_to_tsquery ts_rank ts_rank_cd
ts_headline setweight strip numnode querytree tsvector_to_array length
percentile_cont percentile_disc mode stddev stddev_pop stddev_samp variance var_pop var_samp corr
covar_pop covar_samp regr_slope regr_intercept regr_r2 bool_and bool_or every bit_and bit_or
generate_series generate_subscripts gen_random_uuid
current_database current_schema version pg_typeof pg_size_pretty pg_relation_size
pg_total_relation_size pg_table_size pg_indexes_size pg_column_size
""".split()
    ),
}
"""Per backend: the functions ``crawler query`` lets a statement call, lower-case."""

# Schemas a function may be qualified with: PostgreSQL's own catalogue only.
_SAFE_FUNCTION_SCHEMAS = frozenset({"pg_catalog"})

# Statements sqlglot keeps opaque (a Command) that write.
_WRITES = frozenset(
    "INSERT UPDATE DELETE MERGE REPLACE UPSERT CREATE ALTER DROP TRUNCATE GRANT REVOKE REINDEX ANALYZE CLUSTER "
    "REFRESH COMMENT CALL DO LOCK SECURITY IMPORT".split()
)

_ADMITTED = (exp.Select, exp.SetOperation, exp.Values, exp.Subquery)
"""Top-level statements that are plain queries (WITH ... SELECT is a Select with a ``with``)."""

# Nodes that make a query do more than read, wherever they sit (a writable CTE, SELECT INTO, FOR UPDATE).
_FORBIDDEN_NODES: tuple[tuple[type[exp.Expression], str, str], ...] = (
    (exp.Copy, "COPY", "reads or writes files or programs on the database server"),
    (exp.Insert, "INSERT", "would change the database"),
    (exp.Update, "UPDATE", "would change the database"),
    (exp.Delete, "DELETE", "would change the database"),
    (exp.Merge, "MERGE", "would change the database"),
    (exp.DDL, "CREATE", "would change the database"),
    (exp.Into, "SELECT ... INTO", "would create a table"),
    (exp.Lock, "SELECT ... FOR UPDATE/SHARE", "would lock rows other sessions write"),
    (exp.Command, "this statement", "is not a plain query"),
    (exp.Pragma, "PRAGMA", "is not a plain query"),
)


class QueryRefused(Exception):
    """The statement is not a plain read (or the database refused it); nothing was changed."""


def refusal(what: str, why: str) -> str:
    """The one-line refusal: what was refused, why, and that nothing changed."""
    return f"refused: {what} {why}. `crawler query` is read-only. Nothing was changed."


def write_refusal(what: str) -> str:
    """The refusal for a statement that would write."""
    return refusal(what, "would change the database") + (
        " Change data with the crawler's own commands, or connect with a database client "
        "(sqlite3, psql) if you really mean to."
    )


def pragma_write(sql: str) -> str | None:
    """``"PRAGMA name"`` when ``sql`` is a PRAGMA that sets or does something, None for reads.

    Reads stay allowed: ``PRAGMA journal_mode``, ``PRAGMA table_info(articles)``.
    """
    match = _PRAGMA.match(sql.strip())
    if not match:
        return None
    name, operator = match.group("name").lower(), match.group("op")
    if operator == "=" or (operator == "(" and name not in READ_PRAGMAS_WITH_ARGUMENT) or name in ACTION_PRAGMAS:
        return f"PRAGMA {name}"
    return None


def parse_statement(sql: str, backend: str) -> exp.Expression:
    """The one statement in ``sql``, parsed for ``backend``; QueryRefused if unparseable or several."""
    dialect = DIALECTS[backend]
    try:
        statements = [s for s in sqlglot.parse(sql, read=dialect) if s is not None]
    except ParseError as exc:
        first = exc.errors[0] if exc.errors else {}
        reason = f"{first.get('description', exc)} at line {first.get('line', '?')}, column {first.get('col', '?')}"
        raise QueryRefused(refusal("this SQL", f"could not be parsed as {backend} SQL ({reason})")) from None
    except TokenError as exc:
        reason = " ".join(str(exc).split())
        raise QueryRefused(refusal("this SQL", f"could not be parsed as {backend} SQL ({reason})")) from None
    if len(statements) != 1:
        what = f"{len(statements)} statements" if statements else "an empty statement"
        raise QueryRefused(refusal(what, "were given; `crawler query` runs exactly one"))
    return statements[0]


def explained(sql: str, backend: str) -> str | None:
    """The statement a leading ``EXPLAIN`` (SQLite also ``EXPLAIN QUERY PLAN``) explains; None if not an EXPLAIN."""
    try:
        tokens = Dialect.get_or_raise(DIALECTS[backend]).tokenize(sql)
    except TokenError:
        return None
    if not tokens or tokens[0].text.upper() != "EXPLAIN":
        return None
    # sqlglot tokenizes EXPLAIN as a command that swallows the rest: cut after its keyword.
    rest = sql[tokens[0].end + 1 :]
    if backend == "sqlite":
        rest = re.sub(r"^\s*query\s+plan\b", "", rest, count=1, flags=re.I)
    return rest


def check_plain_query(sql: str, backend: str) -> None:
    """Raise QueryRefused unless ``sql`` is one plain, side-effect-free query for ``backend``.

    A plain ``EXPLAIN`` of such a query is admitted too; ``EXPLAIN ANALYZE`` (which runs the
    statement) and other options are not.
    """
    inner = explained(sql, backend)
    if inner is not None:
        if first_keyword(inner, backend) in ("analyze", "analyse", "verbose", "(", ""):
            raise QueryRefused(refusal("EXPLAIN with options", "is not admitted (only a plain EXPLAIN of a query)"))
        check_plain_query(inner, backend)
        return
    statement = parse_statement(sql, backend)
    if isinstance(statement, exp.Pragma) and backend == "sqlite":
        # PRAGMA keeps its own grammar: sqlglot has no model of it; a read is admitted by name.
        written = pragma_write(_without_leading_comments(sql, backend))
        if written:
            raise QueryRefused(write_refusal(written))
        return
    if not isinstance(statement, _ADMITTED):
        raise QueryRefused(_statement_refusal(statement, sql, backend))
    for node in statement.walk():
        for kind, what, why in _FORBIDDEN_NODES:
            if isinstance(node, kind):
                if why == "would change the database":
                    raise QueryRefused(write_refusal(_keyword(node, what)))
                raise QueryRefused(refusal(_keyword(node, what), why))
        if isinstance(node, exp.Func):
            _check_function(node, backend)


def first_keyword(sql: str, backend: str = "postgresql") -> str:
    """The statement's first word, lower-cased, after any comments (nested ones too)."""
    try:
        tokens = Dialect.get_or_raise(DIALECTS[backend]).tokenize(sql)
    except TokenError:
        return ""
    return tokens[0].text.lower() if tokens else ""


def _without_leading_comments(sql: str, backend: str) -> str:
    tokens = Dialect.get_or_raise(DIALECTS[backend]).tokenize(sql)
    return sql[tokens[0].start :] if tokens else sql


def _keyword(node: exp.Expression, default: str) -> str:
    if isinstance(node, exp.DDL | exp.Command):
        return (node.key if isinstance(node, exp.DDL) else str(node.this)).upper() or default
    return default


def _statement_refusal(statement: exp.Expression, sql: str, backend: str) -> str:
    # Name it as written (BEGIN, TRUNCATE, LISTEN), not by sqlglot's node name.
    keyword = first_keyword(sql, backend).upper() or statement.key.upper()
    if isinstance(statement, exp.Copy):
        return refusal("COPY", "reads or writes files or programs on the database server")
    if isinstance(statement, exp.DML | exp.DDL | exp.Drop | exp.Alter | exp.TruncateTable) or keyword in _WRITES:
        return write_refusal(keyword)
    if keyword == "VACUUM":
        return refusal(keyword, "rewrites the database or writes a copy of it to a file (VACUUM INTO)")
    if isinstance(statement, exp.Attach | exp.Detach):
        return refusal(keyword, "opens another database file")
    return refusal(keyword, "is not a plain query (only SELECT, WITH ... SELECT and VALUES are run)")


def function_name(node: exp.Func) -> str:
    """The name a function call is written with, lower-case."""
    if isinstance(node, exp.Anonymous):
        return node.name.lower()
    return node.sql_names()[0].lower() if node.sql_names() else node.key.lower()


def _check_function(node: exp.Func, backend: str) -> None:
    parent = node.parent
    if isinstance(parent, exp.Dot) and parent.expression is node:
        schema = parent.this.name.lower() if isinstance(parent.this, exp.Identifier) else parent.this.sql()
        if schema not in _SAFE_FUNCTION_SCHEMAS:
            raise QueryRefused(
                refusal(f"{schema}.{function_name(node)}()", "calls a function outside the database's own catalogue")
            )
    if not isinstance(node, exp.Anonymous):
        return  # a standard function sqlglot models: no side effects
    name = function_name(node)
    if name not in SAFE_FUNCTIONS[backend]:
        raise QueryRefused(
            refusal(
                f"{name}()",
                "is not on the list of side-effect-free functions `crawler query` allows "
                "(functions that signal sessions, change settings, or touch server files or programs are refused; "
                "see docs/schema.md)",
            )
        )
