"""``crawler reparse``: re-extract archived pages after a parser fix, without a single request."""

from __future__ import annotations

import argparse
import sys
import time

from crawler.commands import add_db_argument
from crawler.commands.errors import EXIT_INTERRUPTED, CommandFailed, UsageError, first_line
from crawler.commands.output import add_format_argument, write_rows
from crawler.commands.search import since_argument

NAME = "reparse"
HELP = "re-extract archived pages with the current parsers (after a parser fix); no request is made"
DESCRIPTION = """\
Every crawl keeps the article pages it fetched as WARC records (ARCHIVE_ENABLED, see
docs/archive.md). This reads the newest capture of each archived URL back and runs it through
the parser the spider picks for its site, validation and normalization, then stores it as a
crawl would: an article whose fields changed gets a new version (changed_fields says which),
an unchanged one is left as it is, a page that now parses becomes a new article (or a counted
duplicate). Nothing is fetched: the sites need not be reachable.

The archive directory is ARCHIVE_DIR ($CRAWLER_ARCHIVE_DIR), by default archive/ next to a
SQLite database file, else ./archive; --archive-dir overrides it. Progress goes to stderr."""
EPILOG = """\
examples:
  crawler reparse --site syrianobserver
  crawler reparse --site levantpost --since 2026-11-01 --db postgresql://127.0.0.1/news
  crawler reparse --since 7d --format json > reparse.json

The summary gives pages read, new, updated, unchanged, duplicate, dropped (not an article: no
title or body) and failed (unreadable archive record, parser error, database error), then every
page that failed or was dropped with its reason. --format csv/json print one record per such page.

exit status: 0 when every page was read and handled (dropped and duplicate pages included), 1 when a
page failed or the database or archive cannot be used, 2 for a bad command line or an unknown site,
130 when interrupted."""

PROGRESS_SECONDS = 2.0  # how often the progress line is rewritten on a long run
SHOWN_PROBLEMS = 50  # problems listed under the table summary (all of them in csv/json)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """--site, --since, --archive-dir, --format, --db."""
    parser.add_argument("--site", metavar="KEY", help="only this site's pages (see `crawler sites`)")
    parser.add_argument(
        "--since", metavar="YYYY-MM-DD|Nd", type=since_argument,
        help="only pages fetched on or after this date (UTC), or in the last N days (e.g. 7d)",
    )
    parser.add_argument("--archive-dir", metavar="DIR", help="the WARC directory (default: ARCHIVE_DIR)")
    add_format_argument(parser)
    add_db_argument(parser)


def run(args: argparse.Namespace) -> int:
    """Reparse, print the summary; 1 when a page failed."""
    from sqlalchemy import select
    from sqlalchemy.exc import SQLAlchemyError

    from crawler.archive import archive_dir_for
    from crawler.commands.runs import open_store, unknown_site
    from crawler.reparse import ReparseSummary, reparse
    from crawler.runner import project_settings
    from crawler.store import StoreConfig
    from storage.db import display_url, schema_message
    from storage.models import Article

    settings = project_settings(args.db, {"ARCHIVE_DIR": args.archive_dir} if args.archive_dir else {})
    engine = open_store(args.db, tables=("articles",))  # a store behind 0006 is told to upgrade, below
    try:
        from storage.db import current_state

        state = current_state(engine)
        if state.status != "current":
            raise CommandFailed(schema_message(state, engine))
        if args.site:
            with engine.connect() as conn:
                stored = list(conn.scalars(select(Article.site).distinct()))
            problem = unknown_site(args.site, stored)
            if problem:
                raise UsageError(problem)
        directory = archive_dir_for(settings)
        if not directory.is_dir():
            raise CommandFailed(
                f"no archive at {directory}: pass --archive-dir (or set $CRAWLER_ARCHIVE_DIR) to where crawls wrote it"
            )
        last: list[float] = [time.monotonic()]
        seen: list[ReparseSummary] = []
        tty = sys.stderr.isatty()

        def progress(summary: ReparseSummary) -> None:
            # One line rewritten in a terminal; a line every PROGRESS_SECONDS in a log file.
            seen[:] = [summary]
            now = time.monotonic()
            if now - last[0] < PROGRESS_SECONDS:
                return
            last[0] = now
            counts = ", ".join(f"{summary.counts[k]} {k}" for k in ("updated", "failed") if summary.counts[k])
            line = f"reparse: {summary.pages}/{summary.total} pages" + (f" ({counts})" if counts else "")
            print(f"\r{line}" if tty else line, end="" if tty else "\n", file=sys.stderr, flush=True)

        try:
            summary = reparse(
                engine, directory, StoreConfig.from_settings(settings),
                settings.getint("VALIDATE_MIN_TITLE_CHARS"), settings.getint("VALIDATE_MIN_BODY_CHARS"),
                site=args.site, since=args.since, progress=progress,
            )
        except KeyboardInterrupt:
            done = seen[0].pages if seen else 0
            print(f"\ncrawler reparse: interrupted after {done} pages (each page is stored on its own: "
                  "run it again to finish)", file=sys.stderr)
            return EXIT_INTERRUPTED
        if tty and summary.pages:
            print(file=sys.stderr)
    except SQLAlchemyError as exc:
        raise CommandFailed(f"cannot reparse into {display_url(engine)}: {first_line(exc)}; check --db") from None
    finally:
        engine.dispose()
    _print(summary, args.format)
    return 1 if summary.counts["failed"] else 0


def _print(summary, fmt: str) -> None:  # noqa: ANN001 - crawler.reparse.ReparseSummary
    columns = ("outcome", "url", "reason")
    if fmt != "table":
        write_rows(columns, summary.problems, fmt)
        return
    figures = [("pages read", summary.pages)] + [(k, summary.counts[k]) for k in
                                                 ("new", "updated", "unchanged", "duplicate", "dropped", "failed")]
    if summary.changed_fields:
        changed = ", ".join(f"{name} {n}" for name, n in summary.changed_fields.most_common())
        figures.append(("changed fields", changed))
    write_rows(("figure", "value"), figures, "table", title="Reparse")
    if summary.problems:
        shown = summary.problems[:SHOWN_PROBLEMS]
        more = len(summary.problems) - len(shown)
        write_rows(columns, shown, "table", title="Pages not updated" + (f" (first {len(shown)})" if more else ""))
        if more:
            print(f"... and {more} more (--format csv lists them all)")
