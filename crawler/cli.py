"""The ``crawler`` command line: one subcommand per module in ``crawler/commands/``.

Each command module defines ``NAME``, ``HELP``, ``add_arguments(parser)`` and
``run(args) -> int``; adding a command touches nothing else.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys

import crawler.commands

EPILOG = """\
examples:
  crawler demo                                  crawl the bundled replica into demo.db and show it
  crawler crawl syrianobserver                  crawl the live site into $CRAWLER_DATABASE_URL
  crawler crawl syrianobserver -a since=2024-01-01 -a max_pages=5 --db sqlite:///so.db
  crawler crawl auto -a start_url=https://example.com/   any site from its home page, articles only
  crawler add-site https://example.com/         discover a site and write a draft profile to review
  crawler sites                                 the site profiles (bundled and $CRAWLER_SITE_PROFILES)

The database is --db URL, else $CRAWLER_DATABASE_URL, else sqlite:///crawler.db.
Run `crawler COMMAND --help` for a command's options.
"""


def build_parser() -> argparse.ArgumentParser:
    """The top-level parser with every command module registered."""
    parser = argparse.ArgumentParser(
        prog="crawler",
        description="News monitoring crawler: crawl news sites into a deduplicated SQL store.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for info in sorted(pkgutil.iter_modules(crawler.commands.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"crawler.commands.{info.name}")
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
        return 2
    from crawler.profiles import ProfileError

    try:
        return int(args.run(args) or 0)
    except ProfileError as exc:
        # Site profiles load on first use: any command can meet a bad one; refuse before any request.
        for line in exc.lines:
            print(f"crawler {args.command}: {line}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
