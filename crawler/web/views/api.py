"""The JSON API under /api/: the pages' data for dashboards and notebooks (docs/web.md)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response

from crawler.web import versions as store_versions
from crawler.web.filters import int_arg, text_arg, to_json
from crawler.web.views import articles, runs, sources

blueprint = Blueprint("api", __name__, url_prefix="/api")


def reply(body: Any) -> Response:
    """``body`` as JSON (UTC ISO 8601 times)."""
    return Response(to_json(body), mimetype="application/json")


@blueprint.get("/")
def index() -> Response:
    """What the API offers."""
    return reply({
        "endpoints": {
            "/api/sites": "every site with its health, last run, freshness, articles per day, coverage, checks",
            "/api/sites/KEY": "one site: the same, with its runs",
            "/api/sites/KEY/runs": "the site's runs, newest first",
            "/api/runs/ID": "one run: counts, checks, page-level events (?kind=)",
            "/api/articles": "search (?q=) or newest, filters site, source, tag, author, from, to; ?page=",
            "/api/articles/ID": "one article: every field, provenance, tags, versions, copies",
        }
    })


@blueprint.get("/sites")
def sites() -> Response:
    """Every site's summary."""
    return reply([s.to_json() for s in sources.summaries()])


@blueprint.get("/sites/<key>")
def site(key: str) -> Response:
    """One site's summary and runs."""
    detail = sources.site_detail(key)
    return reply({**detail["summary"].to_json(), "runs": detail["runs"]})


@blueprint.get("/sites/<key>/runs")
def site_runs(key: str) -> Response:
    """The site's runs, newest first."""
    return reply(sources.site_detail(key)["runs"])


@blueprint.get("/runs/<int:run_id>")
def run(run_id: int) -> Response:
    """One run with its events and checks."""
    detail = runs.run_detail(run_id, text_arg("kind", 32))
    return reply({**detail, "checks": [c.__dict__ for c in detail["checks"]]})


@blueprint.get("/articles")
def article_list() -> Response:
    """One page of matching articles."""
    page = int_arg("page", 1, 1, articles.MAX_PAGE)
    hits, more = articles.find(articles.filters_from_request(), page)
    return reply({"page": page, "next_page": page + 1 if more else None, "articles": [h.to_json() for h in hits]})


@blueprint.get("/articles/<int:article_id>")
def article(article_id: int) -> Response:
    """One article with its versions, tags, provenance and copies."""
    detail = articles.article_detail(article_id)
    record = detail["record"]
    record["body_html"] = detail["article"].body_html
    return reply({
        **record,
        "tags": detail["tags"],
        "provenance": detail["provenance"],
        "versions": [store_versions.version_record(v) for v in detail["versions"]],
        "copies": detail["copies"],
    })
