"""Every command gives the same, true advice for each state of a database.

States: empty (no tables), behind (an older revision), foreign (another
application's tables), newer (a revision from a newer crawler).  Advice to run
``crawler db upgrade`` is only ever given when that upgrade then works.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from alembic import command
from sqlalchemy import Engine, text

from crawler.cli import main
from storage.db import SchemaError, alembic_config, current_state, ensure_schema, make_engine

UPGRADE_ADVICE = "crawler db upgrade --db"


def _empty(engine: Engine) -> None:
    engine.connect().close()  # on SQLite: the file exists, with no tables


def _behind(engine: Engine) -> None:
    with engine.begin() as conn:
        command.upgrade(alembic_config(conn), "0001")


def _foreign(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE customers (id INTEGER PRIMARY KEY, name VARCHAR(40))"))


def _newer(engine: Engine) -> None:
    ensure_schema(engine)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))


STATES: dict[str, tuple[Callable[[Engine], None], str, str]] = {
    # state: (setup, status, words every refusal contains)
    "empty": (_empty, "empty", "crawl into it first"),
    "behind": (_behind, "behind", UPGRADE_ADVICE),
    "foreign": (_foreign, "foreign", "not a crawler store"),
    "newer": (_newer, "unknown", "upgrade the crawler"),
}


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    """Exit status and everything the command printed."""
    code = main(argv)
    captured = capsys.readouterr()
    return code, captured.out + captured.err


@pytest.mark.parametrize("state", list(STATES))
def test_every_command_gives_the_same_true_advice(db_url: str, state: str, capsys: pytest.CaptureFixture[str]) -> None:
    setup, status, words = STATES[state]
    engine = make_engine(db_url)
    setup(engine)
    assert current_state(engine).status == status

    messages: dict[str, str] = {}
    results: dict[str, int] = {}
    for name, argv in {
        "search": ["search", "aleppo"],
        "export": ["export", "--format", "csv"],
        "db current": ["db", "current"],
    }.items():
        results[name], messages[name] = run([*argv, "--db", db_url], capsys)
    if state != "empty":  # an empty database is what a crawl (ensure_schema) sets up by itself
        with pytest.raises(SchemaError) as refused:
            ensure_schema(engine)
        messages["crawl"] = str(refused.value)
    engine.dispose()

    assert results["search"] == 1
    if state == "behind":
        # Revision 0001 has every article table: the export works; only search needs the index.
        assert results["export"] == 0
        messages.pop("export")
    else:
        assert results["export"] == 1
    assert results["db current"] == (0 if state == "empty" else 1)
    for name, message in messages.items():
        if name == "db current" and state == "empty":
            assert "empty database" in message
            continue
        assert words in message, f"{name} on a {state} database: {message}"

    # Whoever advises `crawler db upgrade` is right: it works, and then search does too.
    advised = [name for name, message in messages.items() if UPGRADE_ADVICE in message]
    upgraded, said = run(["db", "upgrade", "--db", db_url], capsys)
    if state in ("behind",):
        assert upgraded == 0, said
        assert advised == list(messages), messages
        assert run(["search", "aleppo", "--db", db_url], capsys)[0] == 0
    elif state == "empty":
        assert upgraded == 0, said
        assert advised == [], messages
    else:
        assert upgraded == 1
        assert words in said
        assert advised == [] and UPGRADE_ADVICE not in said, messages


def test_a_store_made_before_migrations_is_sent_to_db_upgrade(db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    engine = make_engine(db_url)
    # A pre-migration store: the foundation's tables (= revision 0001), no alembic_version.
    with engine.begin() as conn:
        command.upgrade(alembic_config(conn), "0001")
        conn.execute(text("DROP TABLE alembic_version"))
    assert current_state(engine).status == "untracked"
    code, message = run(["search", "aleppo", "--db", db_url], capsys)
    assert code == 1 and "no migration history" in message and UPGRADE_ADVICE in message
    assert run(["export", "--db", db_url], capsys)[0] == 0  # the tables are there: it exports
    assert run(["db", "upgrade", "--db", db_url], capsys)[0] == 0
    assert run(["search", "aleppo", "--db", db_url], capsys)[0] == 0
    engine.dispose()
