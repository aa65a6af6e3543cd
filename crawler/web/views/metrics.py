"""/metrics: runs and health in Prometheus' text format (version 0.0.4), for scraping and alerting."""

from __future__ import annotations

from collections.abc import Iterable

from flask import Blueprint, Response
from sqlalchemy import func, select

from crawler.web.views.common import session
from crawler.web.views.sources import summaries
from storage.models import RUN_STATUSES, CrawlRun

blueprint = Blueprint("metrics", __name__)

# A last run's counts exported per outcome: the names of crawl_runs' columns.
OUTCOMES = ("new", "updated", "unchanged", "duplicate", "dropped", "lost", "skipped", "not_modified", "removed")


def label(value: object) -> str:
    """A label value escaped as the exposition format wants (backslash, quote, newline)."""
    return str(value).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def family(name: str, kind: str, help_text: str, samples: Iterable[tuple[dict[str, object], float]]) -> list[str]:
    """One metric family: its HELP and TYPE lines and a line per (labels, value)."""
    lines = [f"# HELP {name} {help_text}", f"# TYPE {name} {kind}"]
    for labels, value in samples:
        text = ",".join(f'{k}="{label(v)}"' for k, v in labels.items())
        lines.append(f"{name}{{{text}}} {value:g}" if text else f"{name} {value:g}")
    return lines


@blueprint.get("/metrics")
def metrics() -> Response:
    """Every site's last run, freshness and checks; run totals per status."""
    sites = summaries()
    per_status = select(CrawlRun.site, CrawlRun.status, func.count()).group_by(CrawlRun.site, CrawlRun.status)
    totals = session().execute(per_status)
    counted = {(site, status): n for site, status, n in totals}
    last = [(s, s.last_run) for s in sites if s.last_run]
    lines: list[str] = []
    lines += family("crawler_runs_total", "counter", "Crawl runs recorded, by site and status.", [
        ({"site": s.key, "status": status}, counted.get((s.key, status), 0)) for s in sites for status in RUN_STATUSES
    ])
    lines += family("crawler_last_run_status", "gauge", "1 for the status of the site's latest run.", [
        ({"site": s.key, "status": status}, 1.0 if run["status"] == status else 0.0)
        for s, run in last for status in RUN_STATUSES
    ])
    lines += family("crawler_last_run_start_timestamp_seconds", "gauge", "Start of the site's latest run.", [
        ({"site": s.key}, run["started_at"].timestamp()) for s, run in last
    ])
    lines += family("crawler_last_run_duration_seconds", "gauge", "Duration of the site's latest finished run.", [
        ({"site": s.key}, run["seconds"]) for s, run in last if run["seconds"] is not None
    ])
    lines += family("crawler_last_run_pages", "gauge", "Pages fetched by the site's latest run.", [
        ({"site": s.key}, run["pages_fetched"]) for s, run in last
    ])
    lines += family("crawler_last_run_articles", "gauge", "Articles of the site's latest run, by outcome.", [
        ({"site": s.key, "outcome": o}, run[f"articles_{o}"] or 0) for s, run in last for o in OUTCOMES
    ])
    lines += family("crawler_last_run_errors", "gauge", "Errors of the site's latest run, by kind.", [
        ({"site": s.key, "kind": kind}, n) for s, run in last for kind, n in sorted(run["errors_by_kind"].items())
    ])
    lines += family("crawler_site_articles", "gauge", "Articles stored for the site.", [
        ({"site": s.key}, s.articles) for s in sites
    ])
    lines += family("crawler_site_newest_article_timestamp_seconds", "gauge",
                    "Publication time of the site's newest stored article.", [
        ({"site": s.key}, s.newest_published.timestamp()) for s in sites if s.newest_published
    ])
    lines += family("crawler_health_check_ok", "gauge", "1 when the check of the site's latest checked run passed.", [
        ({"site": s.key, "check": c.check}, 1.0 if c.status == "ok" else 0.0) for s in sites for c in s.checks
    ])
    lines += family("crawler_site_failing_checks", "gauge", "Failing checks of the site's latest checked run.", [
        ({"site": s.key}, len(s.failing)) for s in sites
    ])
    return Response("\n".join(lines) + "\n", mimetype="text/plain; version=0.0.4; charset=utf-8")
