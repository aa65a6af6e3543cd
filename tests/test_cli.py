"""The top-level CLI: stray options are reported by the command they were given to."""

from __future__ import annotations

import pytest

from crawler.cli import main


def test_stray_option_shows_the_command_usage(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["crawl", "syrianobserver", "--bogus"])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "usage: crawler crawl" in err and "unrecognized arguments: --bogus" in err


def test_log_level_is_checked(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["crawl", "syrianobserver", "--log-level", "loud"])
    assert "invalid choice: 'LOUD'" in capsys.readouterr().err


def test_no_command_prints_help(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    assert "crawler demo" in capsys.readouterr().out


def _command_names() -> list[str]:
    from crawler.cli import build_parser

    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")  # noqa: SLF001 - argparse keeps subparsers here
    return sorted(sub.choices)


def test_every_command_is_listed_and_helpers_are_not() -> None:
    names = _command_names()
    assert {"crawl", "demo", "runs", "jobs", "health", "sites", "export", "query"} <= set(names)
    assert "errors" not in names and "output" not in names  # shared modules, not commands


@pytest.mark.parametrize("name", _command_names())
def test_every_command_help_teaches_with_examples(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main([name, "--help"])
    assert exited.value.code == 0
    out = capsys.readouterr().out
    assert "examples:" in out and f"crawler {name} " in out.split("examples:", 1)[1]
    assert "exit status" in out


def test_top_level_help_lists_exit_codes_and_url_forms(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    assert "--version" in out and "sqlite:////absolute/path.db" in out and "exit status" in out
