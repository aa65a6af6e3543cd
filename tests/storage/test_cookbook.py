"""Every cookbook query in docs/schema.md runs on the demo store, on both backends, and returns rows."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from storage.query import read_only_query

SCHEMA_DOC = Path(__file__).resolve().parents[2] / "docs" / "schema.md"
BACKEND_TAGS = {"-- sqlite": "sqlite", "-- postgresql": "postgresql"}


def cookbook() -> list[tuple[str, str, str | None]]:
    """(recipe title, SQL, backend or None for both) for every ```sql block under "## Cookbook"."""
    doc = SCHEMA_DOC.read_text(encoding="utf-8")
    section = doc.split("## Cookbook", 1)[1].split("\n## ", 1)[0]
    recipes = []
    for heading, body in re.findall(r"^### (.+?)\n(.*?)(?=^### |\Z)", section, re.S | re.M):
        for block in re.findall(r"```sql\n(.*?)```", body, re.S):
            first = block.splitlines()[0].strip().lower()
            recipes.append((heading.strip(), block.strip(), BACKEND_TAGS.get(first)))
    return recipes


RECIPES = cookbook()


def test_the_cookbook_answers_at_least_ten_questions_on_each_backend() -> None:
    for backend in ("sqlite", "postgresql"):
        titles = {title for title, _, only in RECIPES if only in (None, backend)}
        assert len(titles) >= 10, f"{backend}: {len(titles)} cookbook questions"
    # A question answered for one backend is answered for the other too.
    sqlite = {title for title, _, only in RECIPES if only in (None, "sqlite")}
    postgresql = {title for title, _, only in RECIPES if only in (None, "postgresql")}
    assert sqlite == postgresql


CASES = [
    (backend, title, sql)
    for title, sql, only in RECIPES
    for backend in ("sqlite", "postgresql")
    if only in (None, backend)
]


@pytest.mark.parametrize(
    ("backend", "title", "sql"), CASES, ids=[f"{b}-{t.split('.')[0]}-{i}" for i, (b, t, _) in enumerate(CASES)]
)
def test_cookbook_query_returns_rows(request: pytest.FixtureRequest, backend: str, title: str, sql: str) -> None:
    """Run through `crawler query`'s read-only path, exactly as a user would."""
    # PostgreSQL through the least-privilege role `crawler db reader` makes: its grants answer every recipe.
    url = request.getfixturevalue("demo_sqlite_url" if backend == "sqlite" else "demo_postgres_reader_url")
    with read_only_query(url, sql.rstrip().rstrip(";")) as result:
        rows = list(result.rows)
    assert rows, f"cookbook query {title!r} returned no rows on {backend}"
