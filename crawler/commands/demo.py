"""``crawler demo``: serve the bundled replica site, crawl it into SQLite, show the result."""

from __future__ import annotations

import argparse
import os

from rich.console import Console
from rich.syntax import Syntax
from rich.table import Table
from sqlalchemy import text

from crawler.commands.errors import CommandFailed, int_range
from crawler.commands.output import stdout_console
from crawler.runner import CrawlSetupError, exit_code, print_summary, run_crawl

NAME = "demo"
HELP = "crawl the bundled replica of The Syrian Observer into demo.db and show example SQL"
DESCRIPTION = """\
Serve the bundled replica of The Syrian Observer on 127.0.0.1 (500+ articles,
listings, feed, sitemap, a few dead links and a redirect), crawl it with the
real spider into a SQLite file, print the run summary, then three example SQL
queries with their results. Running it again adds no article (every one is known
and outside the re-check window: not fetched again, counted as skipped)."""
EPILOG = """\
examples:
  crawler demo
  crawler demo --articles 60 --port 0 --db sqlite:///small-demo.db     a quick one on any free port
  crawler query "SELECT count(*) FROM articles" --db sqlite:///demo.db  then ask your own questions

exit status: 0 when the crawl completed, 1 when it failed or could not start (e.g. the port is
taken), 2 for a bad command line (e.g. --articles below 40, --port outside 0-65535)."""

# ReplicaSite refuses fewer: it places its special cases (dead links, redirect, notices) among them.
MIN_ARTICLES = 40
MAX_PORT = 65535

# Three questions an analyst asks first, in plain SQL over the documented schema.
EXAMPLE_QUERIES: tuple[tuple[str, str], ...] = (
    (
        "Articles per original source",
        "SELECT COALESCE(source, '(site''s own)') AS source, COUNT(*) AS articles\n"
        "FROM articles GROUP BY source ORDER BY articles DESC",
    ),
    (
        "Most used tags",
        "SELECT tag, COUNT(*) AS articles FROM article_tags\nGROUP BY tag ORDER BY articles DESC, tag LIMIT 5",
    ),
    (
        "Latest articles mentioning Idleb",
        "SELECT date(published_at) AS published, title FROM articles\n"
        "WHERE body_text LIKE '%Idleb%' ORDER BY published_at DESC LIMIT 5",
    ),
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """--db, --articles."""
    parser.add_argument("--db", metavar="URL", default="sqlite:///demo.db", help="database (default sqlite:///demo.db)")
    parser.add_argument(
        "--articles",
        type=int_range(MIN_ARTICLES, why=" (the replica places its special cases among 40)"),
        default=520,
        metavar="N",
        help=f"generated articles in the replica, {MIN_ARTICLES} or more (default 520)",
    )
    parser.add_argument(
        "--port",
        type=int_range(0, MAX_PORT),
        default=8765,
        help="port of the replica on 127.0.0.1 (default 8765). Article URLs include it, so a rerun on "
        "the same port finds every article known (skipped); 0 picks a free port",
    )


def run(args: argparse.Namespace) -> int:
    """Serve, crawl, summarize, query."""
    from crawler.replica import ReplicaServer, ReplicaSite
    from storage.db import display_url

    console = stdout_console()
    try:
        server = ReplicaServer(site=ReplicaSite(articles=args.articles), port=args.port).start()
    except OSError as exc:
        raise CommandFailed(
            f"cannot serve the replica on 127.0.0.1:{args.port} ({exc.strerror}); "
            "pass another --port, or --port 0 for any free one"
        ) from None
    with server:
        shown = display_url(args.db)
        console.print(f"Replica of The Syrian Observer serving at {server.base_url}; crawling into {shown}")
        try:
            outcome = run_crawl(
                "syrianobserver", args.db, {"base_url": server.base_url},
                {"LOG_LEVEL": os.environ.get("CRAWLER_LOG_LEVEL", "WARNING").upper()},
            )
        except CrawlSetupError as exc:
            raise CommandFailed(str(exc)) from None
    print_summary(outcome, console)
    show_examples(args.db, console)
    return exit_code(outcome)


def show_examples(db_url: str, console: Console) -> None:
    """Run each example query and print it with its rows."""
    from storage.db import display_url, make_engine

    engine = make_engine(db_url)
    with engine.connect() as conn:
        total = conn.execute(text("SELECT COUNT(*) FROM articles")).scalar_one()
        shown = display_url(db_url)
        console.print(f"\n{total} articles stored in {shown}. Example queries (`crawler query` runs your own):")
        for title, sql in EXAMPLE_QUERIES:
            result = conn.execute(text(sql))
            console.print(f"\n[bold]{title}[/bold]")
            if console.is_terminal:
                console.print(Syntax(sql, "sql", word_wrap=True))
            else:  # Syntax pads each line to the console's width, and a pipe's is unbounded
                console.print(sql, markup=False, highlight=False)
            table = Table()
            for column in result.keys():
                table.add_column(column)
            for row in result:
                table.add_row(*("" if v is None else str(v) for v in row))
            console.print(table)
    engine.dispose()
