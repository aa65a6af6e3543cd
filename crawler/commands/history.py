"""``crawler history URL|ID``: every version of one article, with a readable diff of what changed."""

from __future__ import annotations

import argparse
import difflib
import json
from datetime import datetime
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from crawler.commands import add_db_argument
from crawler.commands.errors import CommandFailed, first_line
from crawler.commands.output import plain

NAME = "history"
HELP = "the versions of one article (by URL or id), with a diff of the body and the other changed fields"
DESCRIPTION = """\
Show every stored version of one article, oldest first: when it was captured, by which run,
which fields changed, and what changed: a unified diff (difflib) of the body, old -> new for
the headline, lede, dates, image, source ..., tags and authors added (+) or dropped (-).
The article is named by its id or its URL (as fetched or canonical; tracking parameters ignored)."""
EPILOG = """\
examples:
  crawler history 42
  crawler history https://syrianobserver.com/news/52360/some-story.html
  crawler history 42 --format json | jq '.versions[-1].changed_fields'

exit status: 0 after printing, 1 when no such article is stored or the database is missing or
not a crawler store, 2 for a bad command line."""

DIFF_CONTEXT = 1  # lines of context around each changed body paragraph
LIST_FIELDS = ("tags", "authors")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """ARTICLE, --format, --db."""
    parser.add_argument("article", metavar="URL|ID", help="the article's id or URL")
    parser.add_argument("--format", choices=("text", "json"), default="text",
                        help="text: versions and diffs to read; json: every version's fields (default text)")
    add_db_argument(parser)


def shown(value: Any) -> str:
    """A field value on one line."""
    from storage.history import NOT_SNAPSHOTTED

    if value is NOT_SNAPSHOTTED:
        return "(not kept by versions stored before schema revision 0005)"
    if value is None or value == [] or value == "":
        return "(none)"
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def field_diff(name: str, old: Any, new: Any, versions: tuple[int, int]) -> list[str]:
    """The lines that show how one field went from ``old`` to ``new``."""
    if name == "body_text" and isinstance(old, str) and isinstance(new, str):
        lines = difflib.unified_diff(
            old.split("\n"), new.split("\n"), f"version {versions[0]}", f"version {versions[1]}",
            n=DIFF_CONTEXT, lineterm="",
        )
        return ["  body_text:"] + [f"    {line}" for line in lines]
    if name in LIST_FIELDS and isinstance(old, list) and isinstance(new, list):
        added = [v for v in new if v not in old]
        dropped = [v for v in old if v not in new]
        parts = [f"+ {v}" for v in added] + [f"- {v}" for v in dropped]
        return [f"  {name}: {'; '.join(parts) or 'order changed'}  (now: {shown(new)})"]
    return [f"  {name}:", f"    - {shown(old)}", f"    + {shown(new)}"]


def run(args: argparse.Namespace) -> int:
    """Print the article's versions as text or JSON."""
    from crawler.commands.runs import open_store
    from crawler.urls import canonical_url, strip_tracking
    from storage.db import session_scope
    from storage.history import NOT_SNAPSHOTTED, article_versions, find_article, snapshot

    engine = open_store(args.db, tables=("articles", "article_versions"))
    ref = args.article.strip()
    urls = (strip_tracking(ref), canonical_url(ref)) if "://" in ref else ()
    try:
        with session_scope(engine) as session:
            article = find_article(session, ref, urls)
            if article is None:
                raise CommandFailed(
                    f"no stored article has id or URL {ref!r}; list recent changes with `crawler changes` "
                    "or find one with `crawler search`"
                )
            versions = [(v.version, v.captured_at, v.run_id, v.changed_fields, snapshot(v))
                        for v in article_versions(session, article.id)]
            head = {"id": article.id, "site": article.site, "url": article.canonical_url, "title": article.title,
                    "version": article.version, "removed_at": article.removed_at,
                    "last_checked_at": article.last_checked_at}
    except SQLAlchemyError as exc:
        raise CommandFailed(f"cannot read the article's versions: {first_line(exc)}; check --db") from None
    finally:
        engine.dispose()
    if args.format == "json":
        record = {k: plain(v) for k, v in head.items()}
        record["versions"] = [
            {"version": n, "captured_at": plain(at), "run_id": run_id, "changed_fields": changed,
             "fields": {k: (None if v is NOT_SNAPSHOTTED else plain(v)) for k, v in fields.items()}}
            for n, at, run_id, changed, fields in versions
        ]
        print(json.dumps(record, ensure_ascii=False, indent=2))
        return 0
    print(f"article {head['id']} ({head['site']}): {head['title']}")
    print(f"  {head['url']}")
    state = f"removed from the site at {head['removed_at']:%Y-%m-%d %H:%M} UTC" if head["removed_at"] else "online"
    print(f"  {len(versions)} version(s); {state}")
    previous: dict[str, Any] | None = None
    for n, at, run_id, changed, fields in versions:
        run_text = f", run {run_id}" if run_id is not None else ""
        if previous is None:
            print(f"\nversion {n}  {at:%Y-%m-%d %H:%M:%S} UTC{run_text}  first seen")
        else:
            print(f"\nversion {n}  {at:%Y-%m-%d %H:%M:%S} UTC{run_text}  changed: {', '.join(changed or []) or '?'}")
            for name in changed or []:
                if name in fields:
                    for line in field_diff(name, previous.get(name), fields[name], (n - 1, n)):
                        print(line)
        previous = fields
    return 0
