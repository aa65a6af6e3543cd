"""One error style for every command: exit codes, one-line errors, shared argument checks.

Exit codes (README "The command line" and docs/cli.md list them for users):

  0    the command did what was asked
  1    it ran and failed: the database is missing, empty, not a crawler store, behind or
       unreachable; a SQL error or refused statement; a crawl failed or could not start;
       a health check failed
  2    a usage error, found before anything was touched: a bad or out-of-range option, a
       malformed or unsupported database URL, an unknown site or spider, a bad -a/-s pair,
       an input file (--file, SOURCE) that cannot be read
  130  interrupted (Ctrl-C, SIGTERM)

A command raises ``CommandFailed`` or ``UsageError`` with one line saying what is wrong and
how to fix it; ``crawler.cli.main`` prints it as ``crawler COMMAND: message`` and exits with
the error's code.
"""

from __future__ import annotations

import argparse
import os
import re
from collections.abc import Callable

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


class CommandError(Exception):
    """An error a command reports in one line; ``exit_code`` says which kind it is."""

    exit_code = EXIT_FAILED

    def __init__(self, message: str) -> None:
        super().__init__(one_line(message))


class CommandFailed(CommandError):
    """The command ran and failed (exit 1)."""


class UsageError(CommandError):
    """The command line is wrong; nothing was touched (exit 2)."""

    exit_code = EXIT_USAGE


def one_line(text: object) -> str:
    """``text`` with its whitespace runs (newlines included) collapsed: a message is one line."""
    return " ".join(str(text).split())


def first_line(exc: BaseException) -> str:
    """The first line of an error's own message (a database driver's, not SQLAlchemy's wrapping)."""
    text = str(getattr(exc, "orig", None) or exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


_PASSWORD = re.compile(r"([^:/@\s]+:)[^@/\s]*@")


def shown_url(url: str) -> str:
    """``url`` with any password masked, also when it does not parse."""
    from storage.db import display_url

    try:
        return display_url(url)
    except Exception:  # noqa: BLE001 - any parse failure: mask by pattern instead
        return _PASSWORD.sub(r"\1***@", url)  # user:secret@ -> user:***@


def checked_database_url(explicit: str | None, option: str = "--db") -> str:
    """The database URL (``explicit``, else $CRAWLER_DATABASE_URL, else the default), checked; else UsageError.

    The message names where the URL came from (``option``, the environment or the
    default), so a bad environment variable is not mistaken for a bad option.
    """
    from storage.db import DatabaseURLError, check_database_url, database_url

    url = database_url(explicit)
    try:
        check_database_url(url)
    except DatabaseURLError as exc:
        if explicit:
            source = f"{option}{shown_url(url)}" if option.endswith("=") else f"{option} {shown_url(url)}"
        elif os.environ.get("CRAWLER_DATABASE_URL"):
            source = f"CRAWLER_DATABASE_URL={shown_url(url)}"
        else:
            source = shown_url(url)
        raise UsageError(f"{source}: {exc}") from None
    return url


def int_range(low: int | None = None, high: int | None = None, why: str = "") -> Callable[[str], int]:
    """An argparse ``type``: a whole number in ``low..high`` (either end open); argparse reports a miss (exit 2)."""

    def parse(value: str) -> int:
        try:
            number = int(value)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{value!r} is not a whole number") from None
        if (low is not None and number < low) or (high is not None and number > high):
            if high is None:
                wanted = f"{low} or more"
            elif low is None:
                wanted = f"{high} or less"
            else:
                wanted = f"from {low} to {high}"
            raise argparse.ArgumentTypeError(f"{number} is out of range: use {wanted}{why}")
        return number

    parse.__name__ = "whole number"  # what argparse names in "invalid whole number value"
    return parse


def key_value(example: str) -> Callable[[str], tuple[str, str]]:
    """An argparse ``type`` for ``-a``/``-s`` pairs: ``KEY=VALUE`` -> ``(KEY, VALUE)``; ``example`` shows one."""

    def parse(value: str) -> tuple[str, str]:
        key, sep, rest = value.partition("=")
        if not sep or not key.strip():
            raise argparse.ArgumentTypeError(f"{value!r} is not KEY=VALUE, e.g. {example}")
        return key.strip(), rest

    parse.__name__ = "KEY=VALUE"
    return parse
