"""`crawler db current|upgrade`, and a crawl's own handling of the schema."""

from __future__ import annotations

import pytest
from alembic import command

from crawler.cli import main
from storage.db import alembic_config, head_revision, make_engine


def test_current_and_upgrade(db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    make_engine(db_url).connect().close()  # an empty SQLite file exists (`db current` never creates one)
    assert main(["db", "current", "--db", db_url]) == 0
    assert "empty database" in capsys.readouterr().out

    engine = make_engine(db_url)
    with engine.begin() as conn:
        command.upgrade(alembic_config(conn), "0001")
    engine.dispose()
    assert main(["db", "current", "--db", db_url]) == 1
    out = capsys.readouterr().out
    assert "revision: 0001" in out and "behind" in out and "crawler db upgrade --db" in out

    assert main(["db", "upgrade", "--db", db_url]) == 0
    assert f"from 0001 to {head_revision()}" in capsys.readouterr().out
    assert main(["db", "upgrade", "--db", db_url]) == 0
    assert "already at the newest" in capsys.readouterr().out
    assert main(["db", "current", "--db", db_url]) == 0
    assert "up to date" in capsys.readouterr().out


def test_database_url_from_the_environment(sqlite_url: str, monkeypatch, capsys) -> None:
    monkeypatch.setenv("CRAWLER_DATABASE_URL", sqlite_url)
    assert main(["db", "upgrade"]) == 0
    assert sqlite_url in capsys.readouterr().out


def test_unreachable_postgresql_is_a_clear_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["db", "current", "--db", "postgresql://nobody:secret@127.0.0.1:1/none"]) == 1
    err = capsys.readouterr().err
    assert "cannot use the database postgresql://nobody:***@127.0.0.1:1/none" in err
    assert "secret" not in err


@pytest.mark.parametrize("command_name", ["db", "query", "search", "export"])
def test_help_has_examples(command_name: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main([command_name, "--help"])
    assert exited.value.code == 0
    out = capsys.readouterr().out
    assert "examples:" in out and f"crawler {command_name}" in out and "--db" in out
