"""The ``crawler`` command line: one subcommand per module in ``crawler/commands/``.

Each command module defines ``NAME``, ``HELP``, ``add_arguments(parser)`` and
``run(args) -> int``; adding a command touches nothing else.  Modules without ``NAME``
(``errors``, ``output``) are helpers the commands share.  A command reports a mistake by
raising ``crawler.commands.errors.UsageError`` or ``CommandFailed``: one line on stderr,
the same exit code for the same kind of mistake in every command (listed there).
"""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import sys
from importlib.metadata import PackageNotFoundError, version

import crawler.commands
from crawler.commands.errors import EXIT_OK, EXIT_USAGE, CommandError, checked_database_url

DISTRIBUTION = "news-monitor-crawler"

EPILOG = """\
examples:
  crawler demo                                  crawl the bundled replica into demo.db and show it
  crawler crawl syrianobserver                  crawl the live site into $CRAWLER_DATABASE_URL
  crawler crawl syrianobserver -a since=2024-01-01 -a max_pages=5 --db sqlite:///so.db
  crawler crawl auto -a start_url=https://example.com/   any site from its home page, articles only
  crawler add-site https://example.com/         discover a site and write a draft profile to review
  crawler sites                                 the site profiles (bundled and $CRAWLER_SITE_PROFILES)
  crawler runs --last 5 --format csv > runs.csv  recent runs, for a spreadsheet or a script

The database is --db URL, else $CRAWLER_DATABASE_URL, else sqlite:///crawler.db
(a SQLite file: sqlite:///relative.db or sqlite:////absolute/path.db; PostgreSQL: postgresql://USER@HOST/DB).
Run `crawler COMMAND --help` for a command's options.

exit status (every command): 0 ok, 1 it ran and failed (database missing or unusable, crawl failed,
a health check failed), 2 usage error (bad option or URL, unknown site, unreadable input file),
130 interrupted.
"""


def package_version() -> str:
    """The installed package's version (pyproject.toml), for ``crawler --version``."""
    try:
        return version(DISTRIBUTION)
    except PackageNotFoundError:
        return "unknown (not installed: pip install -e .)"


def build_parser() -> argparse.ArgumentParser:
    """The top-level parser with every command module registered."""
    parser = argparse.ArgumentParser(
        prog="crawler",
        description="News monitoring crawler: crawl news sites into a deduplicated SQL store.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"crawler {package_version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for info in sorted(pkgutil.iter_modules(crawler.commands.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"crawler.commands.{info.name}")
        if not hasattr(module, "NAME"):
            continue  # a helper the commands share (errors, output), not a command
        command = sub.add_parser(
            module.NAME,
            help=module.HELP,
            description=getattr(module, "DESCRIPTION", module.HELP),
            epilog=getattr(module, "EPILOG", None),
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        module.add_arguments(command)
        command.set_defaults(run=module.run, command_parser=command)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``crawler`` console script."""
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    if extra:
        # Report a stray option with the usage of the command it was given to.
        (getattr(args, "command_parser", None) or parser).error(f"unrecognized arguments: {' '.join(extra)}")
    if not getattr(args, "run", None):
        parser.print_help()
        return EXIT_USAGE
    from crawler.profiles import ProfileError

    try:
        if hasattr(args, "db"):
            # One check of the URL's text for every command, before any of them connects or creates a file.
            checked_database_url(args.db)
        return int(args.run(args) or EXIT_OK)
    except ProfileError as exc:
        # Site profiles load on first use: any command can meet a bad one; refuse before any request.
        for line in exc.lines:
            print(f"crawler {args.command}: {line}", file=sys.stderr)
        return EXIT_USAGE
    except CommandError as exc:
        print(f"crawler {args.command}: {exc}", file=sys.stderr)
        return exc.exit_code
    except BrokenPipeError:
        # The reader stopped early (`| head`): not an error; silence the final flush at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
