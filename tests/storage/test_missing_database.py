"""Read-only commands never create a database file: a mistyped SQLite path is an error."""

from __future__ import annotations

from pathlib import Path

import pytest

from storage.db import MissingDatabaseError, SchemaError, require_existing_sqlite


def test_require_existing_sqlite_refuses_a_missing_file(tmp_path: Path) -> None:
    missing = tmp_path / "typo.db"
    with pytest.raises(MissingDatabaseError) as refused:
        require_existing_sqlite(f"sqlite:///{missing}")
    message = str(refused.value)
    assert f"no database file at {missing}" in message
    assert "run a crawl first (crawler crawl / crawler demo) or pass --db" in message
    assert isinstance(refused.value, SchemaError)  # commands that report schema problems report this too
    assert not missing.exists()


def test_require_existing_sqlite_passes_existing_files_and_other_backends(tmp_path: Path) -> None:
    existing = tmp_path / "store.db"
    existing.touch()
    require_existing_sqlite(f"sqlite:///{existing}")
    require_existing_sqlite("sqlite://")
    require_existing_sqlite("sqlite:///:memory:")
    require_existing_sqlite("postgresql://postgres@127.0.0.1:5432/nosuch")


def test_require_existing_sqlite_reads_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CRAWLER_DATABASE_URL", f"sqlite:///{tmp_path / 'env.db'}")
    with pytest.raises(MissingDatabaseError, match="env.db"):
        require_existing_sqlite(None)
