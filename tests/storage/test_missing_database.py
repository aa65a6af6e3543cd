"""Read-only commands never create a database file: a mistyped SQLite path is an error."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler.cli import main
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


@pytest.mark.parametrize(
    "argv",
    [["search", "aleppo"], ["export"], ["export", "--format", "csv"], ["db", "current"], ["query", "SELECT 1"]],
    ids=lambda argv: " ".join(argv),
)
def test_read_only_commands_do_not_create_a_mistyped_database(
    argv: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "typo.db"
    assert main([*argv, "--db", f"sqlite:///{missing}"]) == 1
    err = capsys.readouterr().err
    assert f"no database file at {missing}: run a crawl first (crawler crawl / crawler demo) or pass --db" in err
    assert not missing.exists()
    assert list(tmp_path.iterdir()) == []  # no -wal/-shm side files either


def test_db_upgrade_may_create_the_database(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    new = tmp_path / "new.db"
    assert main(["db", "upgrade", "--db", f"sqlite:///{new}"]) == 0
    assert new.exists()
    assert main(["db", "current", "--db", f"sqlite:///{new}"]) == 0
    assert "up to date" in capsys.readouterr().out
