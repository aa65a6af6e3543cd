"""Articles: full-text search with filters (paginated), and one article whole with its versions' diff."""

from __future__ import annotations

import time
from typing import Any

from flask import Blueprint, abort, current_app, render_template

from crawler.web import articles as store_articles
from crawler.web import versions as store_versions
from crawler.web.filters import date_arg, int_arg, text_arg
from crawler.web.views.common import session, setting
from storage.models import Article
from storage.search import SearchQueryError

blueprint = Blueprint("articles", __name__)

MAX_PAGE = 500  # deeper than any person pages; keeps OFFSET bounded


def cached_choices() -> dict[str, list[str]]:
    """The filter form's choices, recomputed at most every WEB_FILTER_CACHE_SECONDS per app."""
    found = current_app.extensions.get("crawler_choices")  # (when computed, choices)
    if found is None or time.monotonic() - found[0] > setting("WEB_FILTER_CACHE_SECONDS"):
        found = (time.monotonic(), store_articles.filter_choices(session()))
        current_app.extensions["crawler_choices"] = found
    return found[1]


def filters_from_request() -> store_articles.ArticleFilters:
    """The filters in the query string (q, site, source, tag, author, from, to); 400 for a bad one."""
    since, until = date_arg("from"), date_arg("to", end_of_day=True)
    if since and until and until <= since:
        abort(400, "'to' is before 'from': give the earlier date first")
    return store_articles.ArticleFilters(
        query=text_arg("q") or "",
        site=text_arg("site", 64),
        source=text_arg("source", 200),
        tag=text_arg("tag", 200),
        author=text_arg("author", 200),
        since=since,
        until=until,
    )


def find(filters: store_articles.ArticleFilters, page: int) -> tuple[list[store_articles.ArticleHit], bool]:
    """One page of hits and whether a next page exists; a query with nothing to look for is a 400."""
    size = setting("WEB_PAGE_SIZE")
    try:
        hits = store_articles.find_articles(session(), filters, size + 1, (page - 1) * size)
    except SearchQueryError as exc:
        abort(400, str(exc))
    return hits[:size], len(hits) > size


@blueprint.get("/articles")
def articles_page() -> str:
    """Search (``?q=``) or browse the newest, under the filters; ``?page=N``."""
    filters = filters_from_request()
    page = int_arg("page", 1, 1, MAX_PAGE)
    hits, more = find(filters, page)
    return render_template(
        "articles.html", filters=filters, hits=hits, page=page, more=more,
        choices=cached_choices(),
    )


def article_detail(article_id: int) -> dict[str, Any]:
    """The article, its tags, versions (oldest first) and copies; 404 for an unknown id."""
    article = session().get(Article, article_id)
    if article is None:
        abort(404, f"no article {article_id} in the store")
    return {
        "article": article,
        "record": store_articles.article_record(article),
        "provenance": dict(article.provenance or {}),
        "tags": store_articles.article_tags(session(), article_id),
        "versions": store_articles.article_versions(session(), article_id),
        "copies": store_articles.article_copies(session(), article),
    }


def pick_versions(versions: list[Any]) -> tuple[Any, Any] | None:
    """The two versions ``?a=N&b=M`` names (default: the last two); None with fewer than two; 404 for a missing one."""
    if len(versions) < 2:
        return None
    by_number = {v.version: v for v in versions}
    a = int_arg("a", versions[-2].version, 1)
    b = int_arg("b", versions[-1].version, 1)
    if a not in by_number or b not in by_number:
        abort(404, f"this article has versions {', '.join(map(str, by_number))}, not {a if a not in by_number else b}")
    return by_number[a], by_number[b]


@blueprint.get("/articles/<int:article_id>")
def article_page(article_id: int) -> str:
    """Every field with its rule, tags, versions and a diff of two of them, copies, the original URL."""
    detail = article_detail(article_id)
    pair = pick_versions(detail["versions"])
    diff = store_versions.versions_diff(*pair) if pair else None
    return render_template("article.html", pair=pair, diff=diff, **detail)
