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
