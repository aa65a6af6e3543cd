"""What the store's pipeline tests share: a fresh schema holding the site and one crawl run.

tests/pipelines is on sys.path (rootdir-relative, no packages), so the tests import it by name.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Engine

from storage.db import ensure_schema, make_engine, session_scope
from storage.repository import CrawlRunRepository, SiteRepository

SITE = "syrianobserver"


def site_and_run(db_url: str, run_status: str | None = None) -> tuple[Engine, int]:
    """The schema at ``db_url``, The Syrian Observer's site row and a manual run (``run_status`` if given)."""
    engine = make_engine(db_url)
    ensure_schema(engine)
    now = datetime.now(UTC)
    with session_scope(engine) as session:
        SiteRepository(session).ensure(SITE, "The Syrian Observer", "http://x", now)
        run = CrawlRunRepository(session).start(SITE, SITE, "manual", now, {})
        if run_status is not None:
            run.status = run_status
        run_id = run.id
    return engine, run_id
