"""Where a profiled crawl's time goes, by area (``bench/crawl.py --profile``).

Reads a cProfile dump and sums each function's own time (``tottime``) into the area its file
belongs to: BeautifulSoup, lxml, SQLAlchemy, the database driver, Scrapy, Twisted, the
project's parsers, pipelines, dedupe, and so on.  Own time adds up to the whole, so the
shares do too.
"""

from __future__ import annotations

import pstats
from collections import Counter

AREAS: tuple[tuple[str, str], ...] = (
    # (substring of the function's file, area): first match wins, specific before general.
    ("/bs4/", "BeautifulSoup"),
    ("/soupsieve/", "BeautifulSoup (soupsieve CSS)"),
    ("lxml", "lxml"),  # its C methods too (``<method 'xpath' of 'lxml.etree._Element' objects>``)
    ("/parsel/", "parsel (Scrapy selectors)"),
    ("/cssselect/", "parsel (Scrapy selectors)"),
    ("/sqlalchemy/", "SQLAlchemy"),
    ("/psycopg", "PostgreSQL driver"),
    ("sqlite3", "SQLite driver"),
    ("/alembic/", "Alembic"),
    ("/scrapy/", "Scrapy"),
    ("/twisted/", "Twisted"),
    ("/w3lib/", "Scrapy"),
    ("/crawler/parsers/", "project: parsers"),
    ("/crawler/dedupe", "project: dedupe"),
    ("/crawler/pipelines", "project: pipelines"),
    ("/crawler/normalize", "project: pipelines"),
    ("/crawler/archive", "project: WARC archive"),
    ("/warcio/", "project: WARC archive"),
    ("/storage/", "project: storage"),
    ("/spiders/", "project: spiders"),
    ("/crawler/", "project: other"),
    ("/datasketch/", "project: dedupe"),  # the near-duplicate MinHash
    ("/numpy/", "project: dedupe"),
    ("/asyncio/", "asyncio (the reactor's loop)"),
    ("importlib", "start-up (imports)"),
    ("marshal.loads", "start-up (imports)"),
    ("builtins.compile", "start-up (imports)"),
    ("_imp.", "start-up (imports)"),
    ("/scipy/", "start-up (imports)"),
    ("/re/", "regex"),
    ("<built-in method _sre", "regex"),
    ("/json/", "json"),
    ("/gzip", "compression"),
    ("/zlib", "compression"),
)

WRAPPERS = ("/crawler/cli.py", "/crawler/commands/", "/crawler/runner.py")


def area_of(filename: str, function: str) -> str:
    """The area of one profiled function (its file, or the built-in's name)."""
    where = filename if filename != "~" else function
    for needle, area in AREAS:
        if needle in where:
            return area
    if filename == "~":
        return "built-ins (C)"
    return "Python stdlib and other"


def areas(profile_path: str) -> list[tuple[str, float, float]]:
    """``(area, seconds, share)`` by own time, largest first."""
    stats = pstats.Stats(profile_path)
    totals: Counter[str] = Counter()
    for (filename, _line, function), (_cc, _nc, tottime, _ct, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        totals[area_of(filename, function)] += tottime
    whole = sum(totals.values()) or 1.0
    return [(area, seconds, seconds / whole) for area, seconds in totals.most_common()]


def report(profile_path: str, top: int = 14) -> str:
    """The area table and the heaviest functions by cumulative time, as text."""
    lines = ["profile of the sqlite crawl (own time by area):"]
    for area, seconds, share in areas(profile_path)[:top]:
        lines.append(f"  {share:6.1%}  {seconds:8.1f} s  {area}")
    stats = pstats.Stats(profile_path)
    ranked = sorted(stats.stats.items(), key=lambda item: item[1][3], reverse=True)  # type: ignore[attr-defined]
    lines.append("heaviest project functions (cumulative):")
    shown = 0
    for (filename, line, function), (_cc, _nc, _tt, cumtime, _callers) in ranked:
        # The entry points (CLI, runner) wrap the whole run: below them is where it goes.
        if "/work/" in filename and "/.venv/" not in filename and not any(w in filename for w in WRAPPERS):
            short = filename.split("/wt-benchcrawl/")[-1].split("/main/")[-1]
            lines.append(f"  {cumtime:8.1f} s  {short}:{line} {function}")
            shown += 1
            if shown == top:
                break
    return "\n".join(lines)
