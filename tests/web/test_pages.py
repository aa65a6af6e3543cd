"""Every page and API endpoint of `crawler web`, on SQLite and on PostgreSQL, over a store written by storage."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from flask.testing import FlaskClient

from crawler.web import create_app, data
from storage.db import make_engine
from web.seeding import NOW, SeededStore


def page(client: FlaskClient, path: str, status: int = 200) -> str:
    response = client.get(path)
    assert response.status_code == status, (path, response.get_data(as_text=True)[:2000])
    return response.get_data(as_text=True)


def api(client: FlaskClient, path: str, status: int = 200) -> object:
    response = client.get(path)
    assert response.status_code == status, (path, response.get_data(as_text=True)[:2000])
    assert response.mimetype == "application/json"
    return json.loads(response.get_data(as_text=True))


def test_sources_page_shows_each_site_its_last_run_and_failing_checks(client: FlaskClient, seeded: SeededStore) -> None:
    html = page(client, "/")
    assert "The Levant Post" in html and "The Syrian Observer" in html
    row = html[html.index('data-site="levantpost"'):].split("</tr>")[0]
    assert f"run {seeded.failed_run}" in row and "failed" in row
    assert "health-failing" in html[: html.index('data-site="levantpost"')].rsplit("<tr", 1)[1]
    assert "coverage:body_text" in row and "run_status" in row
    assert "body_text 0% (was 100%)" in row  # coverage against the baseline of the earlier run
    assert "44.4%" in row  # error rate of the last run: 4 errors in 9 pages


@pytest.mark.parametrize(
    ("sort", "first"), [("site", "levantpost"), ("health", "levantpost"), ("last_run", "syrianobserver")]
)
def test_sources_page_sorts(client: FlaskClient, sort: str, first: str) -> None:
    ascending = page(client, f"/?sort={sort}")
    descending = page(client, f"/?sort={sort}&desc=1")
    order = [ascending.index(f'data-site="{k}"') for k in ("levantpost", "syrianobserver")]
    reverse = [descending.index(f'data-site="{k}"') for k in ("levantpost", "syrianobserver")]
    assert (order[0] < order[1]) == (first == "levantpost")
    assert (order[0] < order[1]) != (reverse[0] < reverse[1])


def test_site_page_lists_runs_with_counts_errors_and_failing_checks(client: FlaskClient, seeded: SeededStore) -> None:
    html = page(client, "/sites/levantpost")
    assert f'href="/runs/{seeded.ok_run}"' in html and f'href="/runs/{seeded.failed_run}"' in html
    assert "http_error 3" in html and "parse_error 1" in html
    assert "body_text filled on 0% of 8 article pages, down from 100%" in html
    assert "<svg" in html and "run " + str(seeded.failed_run) + ": 0 new" in html  # the chart, drawn inline
    assert "42 s" in html  # the first run's duration


def test_run_page_lists_events_filterable_by_kind(client: FlaskClient, seeded: SeededStore) -> None:
    html = page(client, f"/runs/{seeded.failed_run}")
    assert html.count('class="event-http_error"') == 3 and html.count('class="event-parse_error"') == 1
    assert "http_error (3)" in html and "parse_error (1)" in html
    only = page(client, f"/runs/{seeded.failed_run}?kind=parse_error")
    assert 'class="event-http_error"' not in only and "no title" in only
    assert "https://www.levantpost.example/news/300" in only


def test_search_finds_by_words_with_snippet_and_filters(client: FlaskClient, seeded: SeededStore) -> None:
    html = page(client, "/articles?q=bread")
    assert "Bread queues in Douma ease" in html and "<mark>" in html
    assert "Fuel prices" not in html
    assert "Fuel prices rise in Aleppo" in page(client, "/articles?q=fuel")
    day = (NOW - timedelta(days=2)).date().isoformat()
    matching = ["site=levantpost", "source=Enab+Baladi", "tag=Douma", "author=Rania+Haddad", f"from={day}&to={day}"]
    missing = ["site=syrianobserver", "source=Alsouria+Net", "tag=Aleppo", "author=Omar+Said",
               f"to={(NOW - timedelta(days=3)).date().isoformat()}"]
    for query in matching:
        assert "Bread queues in Douma ease" in page(client, f"/articles?q=bread&{query}"), query
        assert "Bread queues in Douma ease" in page(client, f"/articles?{query}"), query  # browsing, no words
    for query in missing:
        assert "Bread queues in Douma ease" not in page(client, f"/articles?q=bread&{query}"), query
        assert "Bread queues in Douma ease" not in page(client, f"/articles?{query}"), query


def test_articles_are_paginated(seeded: SeededStore) -> None:
    app = create_app(seeded.url, config={"WEB_PAGE_SIZE": 1})
    client = app.test_client()
    first, second = page(client, "/articles"), page(client, "/articles?page=2")
    assert "Bread queues in Douma ease" in first and "Fuel prices" not in first  # newest first
    assert 'rel="next"' in first and "Fuel prices rise in Aleppo" in second and 'rel="next"' not in second
    hits = api(client, "/api/articles?page=1")
    assert hits["next_page"] == 2 and len(hits["articles"]) == 1
    app.extensions["crawler_store"].dispose()


def test_article_page_shows_fields_rules_tags_versions_diff_and_copies(
    client: FlaskClient, seeded: SeededStore
) -> None:
    html = page(client, f"/articles/{seeded.article_id}")
    assert "Rania Haddad" in html and "Enab Baladi" in html and "jsonld" in html and "selector" in html
    assert ">Douma</a>" in html and ">Bread</a>" in html
    assert f'href="{seeded.article_url}"' in html  # the original URL
    assert "Version 1 → 2" in html
    assert "<del>Bread queues in Douma</del> → <ins>Bread queues in Douma ease</ins>" in html  # title: old → new
    assert "<ins>\nThe council later said the deliveries had already resumed.</ins>" in html
    assert seeded.duplicate_url in html  # the copy a crawl refused as a duplicate
    same = page(client, f"/articles/{seeded.article_id}?a=1&b=1")
    assert "<ins>" not in same and "(unchanged)" in same
    assert "One version" in page(client, f"/articles/{seeded.other_id}")


def test_api_gives_the_pages_data(client: FlaskClient, seeded: SeededStore) -> None:
    endpoints = api(client, "/api/")["endpoints"]
    assert "/api/sites" in endpoints and "/api/articles/ID" in endpoints
    sites = {s["key"]: s for s in api(client, "/api/sites")}
    assert sites["levantpost"]["health"] == "failing" and sites["levantpost"]["last_run"]["id"] == seeded.failed_run
    assert {c["check"] for c in sites["levantpost"]["checks"] if c["status"] == "fail"} == {
        "run_status", "coverage:body_text"}
    site = api(client, "/api/sites/levantpost")
    assert [r["id"] for r in site["runs"]] == [seeded.failed_run, seeded.ok_run]
    assert api(client, "/api/sites/levantpost/runs")[0]["errors_by_kind"] == {"http_error": 3, "parse_error": 1}
    run = api(client, f"/api/runs/{seeded.failed_run}?kind=http_error")
    assert run["event_kinds"] == {"http_error": 3, "parse_error": 1} and len(run["events"]) == 3
    hits = api(client, "/api/articles?q=bread")["articles"]
    assert [h["id"] for h in hits] == [seeded.article_id] and "bread" in hits[0]["snippet"].lower()
    article = api(client, f"/api/articles/{seeded.article_id}")
    assert [v["version"] for v in article["versions"]] == [1, 2]
    assert "title" in article["versions"][1]["changed_fields"]
    assert article["tags"] == ["Douma", "Bread"] and seeded.duplicate_url in [c["url"] for c in article["copies"]]


def test_metrics_in_prometheus_format(client: FlaskClient, seeded: SeededStore) -> None:
    response = client.get("/metrics")
    assert response.status_code == 200 and response.mimetype == "text/plain"
    text = response.get_data(as_text=True)
    assert '# TYPE crawler_runs_total counter' in text
    assert 'crawler_runs_total{site="levantpost",status="failed"} 1' in text
    assert 'crawler_last_run_status{site="levantpost",status="failed"} 1' in text
    assert 'crawler_health_check_ok{site="levantpost",check="coverage:body_text"} 0' in text
    assert 'crawler_site_failing_checks{site="levantpost"} 2' in text
    assert 'crawler_site_articles{site="syrianobserver"} 1' in text


@pytest.mark.parametrize("path", [
    "/sites/nosuchsite", "/runs/999999", "/articles/999999", "/api/sites/nosuchsite", "/api/runs/999999",
    "/api/articles/999999", "/no/such/page",
])
def test_unknown_things_are_404_pages(client: FlaskClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404
    body = response.get_data(as_text=True)
    assert "Traceback" not in body
    if path.startswith("/api/"):
        assert json.loads(body)["error"] == 404
    else:
        assert "404 Not found" in body


def test_an_unknown_version_is_404_and_bad_arguments_are_400(client: FlaskClient, seeded: SeededStore) -> None:
    assert "not 9" in page(client, f"/articles/{seeded.article_id}?a=9", 404)
    assert "is not a whole number" in page(client, "/articles?page=x", 400)
    assert "is not a date" in page(client, "/articles?from=yesterday", 400)
    assert "before" in page(client, "/articles?from=2026-01-02&to=2026-01-01", 400)
    assert "nothing to search for" in page(client, "/articles?q=-bread", 400)


def test_articles_per_day_counts_first_seen_days(seeded: SeededStore) -> None:
    from sqlalchemy.orm import Session

    engine = make_engine(seeded.url)
    with Session(engine) as session:
        days = data.articles_per_day(session, "levantpost", NOW, 7)
    engine.dispose()
    assert len(days) == 7 and days[-1] == (NOW.date().isoformat(), 1) and sum(n for _, n in days) == 1


def test_pages_load_nothing_from_elsewhere_and_link_only_http(client: FlaskClient) -> None:
    from crawler.web.filters import href

    response = client.get("/")
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "script-src" not in policy  # no script may run at all
    html = response.get_data(as_text=True)
    assert "<script" not in html and "//cdn" not in html and 'href="http://' not in html.split("<main>")[0]
    assert href("javascript:alert(1)") == "#" and href(" https://x.example/a ") == "https://x.example/a"


def test_other_branches_data_is_shown(client: FlaskClient, seeded: SeededStore) -> None:
    html = page(client, f"/articles/{seeded.article_id}")
    assert f'href="/articles/{seeded.other_id}"' in html and "91% similar" in html  # the copy, one direction
    assert "not recorded by version 1" in html  # tags/source of a pre-0005 version
    other = page(client, f"/articles/{seeded.other_id}")
    assert f'href="/articles/{seeded.article_id}"' in other and "Removed from the site on" in other
    runs = api(client, "/api/sites/levantpost/runs")
    assert [(r["articles_skipped"], r["articles_not_modified"], r["articles_removed"]) for r in runs] == [
        (0, 0, 7), (5, 6, 0)]
    versions = api(client, f"/api/articles/{seeded.article_id}")["versions"]
    assert "tags" in versions[0]["not_recorded"] and versions[1]["tags"] == ["Douma", "Bread"]
    metrics = client.get("/metrics").get_data(as_text=True)
    assert 'crawler_last_run_articles{site="levantpost",outcome="removed"} 7' in metrics
