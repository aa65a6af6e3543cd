"""A run's page: its counts, checks and every page-level event, filterable by kind."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, render_template

from crawler.web import data
from crawler.web.filters import text_arg
from crawler.web.views.common import session, setting
from storage.models import CrawlRun

blueprint = Blueprint("runs", __name__)


def run_detail(run_id: int, kind: str | None) -> dict[str, Any]:
    """The run, its events (of ``kind``), the count per kind and its checks; 404 for an unknown run."""
    run = session().get(CrawlRun, run_id)
    if run is None:
        abort(404, f"no run {run_id} in the store")
    events, kinds = data.run_events(session(), run_id, kind, setting("WEB_RUN_EVENTS"))
    return {
        "run": data.run_record(run),
        "events": events,
        "event_kinds": kinds,
        "checks": data.run_checks(session(), run_id),
    }


@blueprint.get("/runs/<int:run_id>")
def run_page(run_id: int) -> str:
    """``?kind=dropped`` shows only that kind of event."""
    kind = text_arg("kind", 32)
    detail = run_detail(run_id, kind)
    return render_template("run.html", kind=kind, limit=setting("WEB_RUN_EVENTS"), **detail)
