"""Helpers shared by the storage tests (importable: pytest puts this folder on sys.path)."""

from __future__ import annotations

import subprocess
import sys

from sqlalchemy import func, select

DEMO_ARTICLES = 120
CORRECTION = " Correction: an earlier version of this article misstated the date of the meeting."


def crawl(db_url: str, base_url: str, timeout: float = 240) -> subprocess.CompletedProcess[str]:
    """One real crawl of the replica in a child process, as `crawler crawl` runs it."""
    command = [
        sys.executable,
        "-m",
        "crawler.cli",
        "crawl",
        "syrianobserver",
        "--db",
        db_url,
        "-a",
        f"base_url={base_url}",
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)


def table_counts(url: str) -> dict[str, int]:
    """Rows per ORM table, for "nothing changed" checks."""
    from storage.db import make_engine
    from storage.models import Base

    engine = make_engine(url)
    with engine.connect() as conn:
        counts = {
            t.name: conn.execute(select(func.count()).select_from(t)).scalar_one() for t in Base.metadata.sorted_tables
        }
    engine.dispose()
    return counts
