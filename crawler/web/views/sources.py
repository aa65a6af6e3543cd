"""The sources page (every site at a glance) and a site's page (its runs, chart and checks)."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from crawler.web import data
from crawler.web.charts import bar_sparkline, runs_chart
from crawler.web.views.common import configured_sites, now, require_site, session, setting, thresholds

blueprint = Blueprint("sources", __name__)


def summaries() -> list[data.SiteSummary]:
    """Every site's summary (shared with the API)."""
    return data.site_summaries(session(), configured_sites(), now(), thresholds(), setting("WEB_CHART_DAYS"))


@blueprint.get("/")
def sources_page() -> str:
    """One row per site; ``?sort=KEY&desc=1`` orders them (default: failing first)."""
    sort = request.args.get("sort", "health")
    if sort not in data.SORT_KEYS:
        sort = "health"
    descending = request.args.get("desc") == "1"
    rows = data.sort_summaries(summaries(), sort, descending)
    charts = {s.key: bar_sparkline(s.per_day) for s in rows}
    return render_template(
        "sources.html", sites=rows, charts=charts, sort=sort, descending=descending,
        chart_days=setting("WEB_CHART_DAYS"),
    )


def site_detail(key: str) -> dict:
    """The site's summary, runs (newest first) and latest checks (shared with the API)."""
    require_site(key)
    summary = next(s for s in summaries() if s.key == key)
    runs = data.site_runs(session(), key, setting("WEB_SITE_RUNS"))
    return {"summary": summary, "runs": runs}


@blueprint.get("/sites/<key>")
def site_page(key: str) -> str:
    """A site's runs, a chart of coverage and new articles per run, its failing checks."""
    detail = site_detail(key)
    runs = detail["runs"]
    oldest_first = list(reversed(runs))
    chart = runs_chart(
        [f"run {r['id']}" for r in oldest_first],
        [r["articles_new"] for r in oldest_first],
        data.coverage_series(oldest_first, thresholds().coverage_fields),
    )
    return render_template("site.html", site=detail["summary"], runs=runs, chart=chart)
