"""``crawler search "words"``: ranked full-text search with snippets."""

from __future__ import annotations

import argparse
import json
from datetime import UTC, datetime, time

from crawler.commands import add_db_argument
from crawler.commands.errors import CommandFailed, UsageError, first_line, int_range

NAME = "search"
HELP = "full-text search of the stored articles, best match first, with snippets"
DESCRIPTION = """\
Search titles, summaries and bodies (English stemming: "strike" finds "strikes").
Ranked by relevance (BM25 on SQLite, ts_rank_cd on PostgreSQL; title matches count most).

Query syntax (the same on both databases):
  khan sheikhoun        both words, anywhere
  "khan sheikhoun"      the phrase
  aleppo OR idleb       either word
  russia -turkey        russia but not turkey"""
EPILOG = """\
examples:
  crawler search "khan sheikhoun"
  crawler search '"constitutional committee"' --since 2019-08-01 --limit 5
  crawler search "bread OR fuel" --site syrianobserver --since 7d --format json

exit status: 0 (also when nothing matched), 1 database problem, 2 bad usage (also an unknown --site)."""


def since_argument(value: str) -> datetime:
    """``--since``: ``YYYY-MM-DD`` (or an ISO date-time), or ``Nd`` for N days back, as an aware UTC datetime.

    ``Nd`` is read by the crawl's own ``spiders.base.parse_since``, so ``-a since=7d``
    and ``--since 7d`` mean the same day (midnight UTC, N days before today).
    """
    from crawler.args import SpiderArgumentError, parse_since

    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        try:
            day = parse_since(value)
        except SpiderArgumentError:
            raise argparse.ArgumentTypeError(
                f"{value!r} is not a date: use YYYY-MM-DD (e.g. 2024-01-31) or Nd for the last N days (e.g. 7d)"
            ) from None
        if day is None:
            raise argparse.ArgumentTypeError("empty date: use YYYY-MM-DD or Nd (e.g. 7d)") from None
        return datetime.combine(day, time(), UTC)
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """QUERY, --site, --since, --limit, --format, --db."""
    parser.add_argument("query", metavar="QUERY", help='words, "phrases", OR, -exclusions')
    parser.add_argument("--site", metavar="KEY", help="only this site (see `crawler sites`)")
    parser.add_argument(
        "--since",
        metavar="YYYY-MM-DD|Nd",
        type=since_argument,
        help="only articles published on or after this date (UTC), or in the last N days (e.g. 7d)",
    )
    parser.add_argument("--limit", type=int_range(1), default=20, help="how many results (default 20)")
    parser.add_argument("--format", choices=("table", "json"), default="table", help="output (default table)")
    add_db_argument(parser)


def run(args: argparse.Namespace) -> int:
    """Search and print the hits."""
    from sqlalchemy.exc import SQLAlchemyError

    from crawler.sites import SITES
    from storage.db import (
        SchemaError,
        UnknownSiteError,
        current_state,
        database_url,
        display_url,
        read_engine,
        require_existing_sqlite,
        require_known_site,
        schema_message,
        session_scope,
    )
    from storage.search import MARK_END, MARK_START, SearchQueryError, search

    url = database_url(args.db)
    try:
        # Searching must not leave an empty database file behind a mistyped --db.
        require_existing_sqlite(url)
    except SchemaError as exc:
        raise CommandFailed(str(exc)) from None
    engine = read_engine(url)
    try:
        state = current_state(engine)
        if state.status != "current":
            # The index arrives with the newest revision; the shared wording says how to get there.
            raise SchemaError(schema_message(state, url))
        with session_scope(engine) as session:
            if args.site:
                require_known_site(session.connection(), args.site, SITES)
            hits = search(session, args.query, site=args.site, since=args.since, limit=args.limit)
    except (SearchQueryError, UnknownSiteError) as exc:
        raise UsageError(str(exc)) from None
    except SchemaError as exc:
        raise CommandFailed(str(exc)) from None
    except SQLAlchemyError as exc:
        raise CommandFailed(f"cannot search {display_url(url)}: {first_line(exc)}; check --db") from None
    finally:
        engine.dispose()
    if args.format == "json":
        rows = [
            {
                "rank": i,
                "score": round(h.score, 4),
                "site": h.site,
                "published_at": h.published_at.isoformat() if h.published_at else None,
                "title": h.title,
                "url": h.url,
                "snippet": h.snippet.replace(MARK_START, "").replace(MARK_END, ""),
            }
            for i, h in enumerate(hits, 1)
        ]
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    _print_hits(args.query, hits, MARK_START, MARK_END)
    return 0


def _print_hits(query: str, hits: list, start: str, end: str) -> None:
    from rich.console import Console
    from rich.text import Text

    console = Console()
    if not hits:
        console.print(f"No article matches {query!r}.")
        return
    for i, hit in enumerate(hits, 1):
        when = hit.published_at.strftime("%Y-%m-%d") if hit.published_at else "undated"
        console.print(Text.assemble((f"{i:>2}. ", "dim"), (hit.title, "bold"), (f"  [{hit.site}, {when}]", "dim")))
        console.print(Text("    " + hit.url, style="cyan"))
        snippet = Text("    ")
        for j, part in enumerate(hit.snippet.replace(end, start).split(start)):
            # Odd parts sat between the markers: the matched words.
            snippet.append(part, style="bold yellow" if j % 2 else "")
        console.print(snippet)
    console.print(f"({len(hits)} result{'s' if len(hits) != 1 else ''}, best first)", style="dim")
