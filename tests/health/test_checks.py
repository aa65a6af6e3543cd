"""The health checks are pure functions over a run, the site's earlier runs, thresholds and ``now``."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from crawler.health import (
    RunFacts,
    Thresholds,
    check_coverage,
    check_error_rate,
    check_killed_runs,
    check_no_new_articles,
    check_run_status,
    evaluate,
    percent,
)

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
T = Thresholds(
    no_new_runs=3,
    no_new_usual_share=0.5,
    max_error_rate=0.2,
    coverage_drop=0.3,
    coverage_fields=("title", "body_text"),
    history_runs=5,
    coverage_min_pages=5,
)
FULL = {"title": 1.0, "body_text": 0.95, "pages": 40}


def run(
    id: int,
    status: str = "ok",
    new: int = 0,
    pages: int = 80,
    errors: int = 0,
    coverage: dict | None = None,
    alerted: frozenset[str] = frozenset(),
) -> RunFacts:
    return RunFacts(
        id=id,
        site="syrianobserver",
        status=status,
        pages_fetched=pages,
        articles_new=new,
        errors=errors,
        errors_by_kind={"http_error": errors} if errors else {},
        field_coverage=dict(FULL if coverage is None else coverage),
        coverage_alerted=alerted,
    )


def by_check(results: list) -> dict:
    return {r.check: r for r in results}


def test_run_status_fails_failed_and_timed_out_only() -> None:
    assert check_run_status(run(1, "failed"), NOW).failed
    assert check_run_status(run(1, "timed_out"), NOW).failed
    assert not check_run_status(run(1, "ok"), NOW).failed
    assert not check_run_status(run(1, "interrupted"), NOW).failed
    assert check_run_status(run(1, "ok"), NOW).checked_at == NOW


def test_no_new_fails_after_n_empty_runs_of_a_site_that_usually_has_news() -> None:
    history = [run(4), run(3), run(2, new=5), run(1, new=40)]  # newest first
    result = check_no_new_articles(run(5), history, T, NOW)
    assert result.failed and "last 3 completed runs" in result.detail


def test_no_new_needs_n_runs_and_ignores_incomplete_ones() -> None:
    assert not check_no_new_articles(run(3), [run(2), run(1, new=9)], T, NOW).failed  # only 2 empty runs
    history = [run(4, "interrupted"), run(3), run(2, new=5), run(1, new=40)]
    assert not check_no_new_articles(run(5), history, T, NOW).failed  # the interrupted run does not count
    assert not check_no_new_articles(run(5, "failed"), history, T, NOW).failed  # not judged


def test_no_new_is_usual_for_a_quiet_site() -> None:
    # Before the quiet streak (runs 10, 9, 8) news came one run in four: silence is usual here.
    history = [run(9), run(8)] + [run(i, new=2 if i % 4 == 0 else 0) for i in range(7, -1, -1)]
    result = check_no_new_articles(run(10), history, T, NOW)
    assert not result.failed and "0 new in 6 runs, usual" in result.detail and "40%" in result.detail


@pytest.mark.parametrize("news_runs", [3, 10])
def test_no_new_keeps_failing_while_the_silence_lasts(news_runs: int) -> None:
    """Regression (issue 9): the quiet runs entered their own baseline and switched the check off."""
    history = [run(i, new=5) for i in range(news_runs, 0, -1)]  # newest first
    verdicts = []
    for i in range(news_runs + 1, news_runs + 16):
        result = check_no_new_articles(run(i), history, T, NOW)
        verdicts.append(result.failed)
        history.insert(0, run(i))
    assert verdicts == [False, False] + [True] * 13
    assert "no new articles in the last 15 completed runs" in result.detail
    assert f"100% of the {min(news_runs, T.history_runs)} runs before" in result.detail


def test_percentages_are_never_rounded_up() -> None:
    assert [percent(x) for x in (0.996, 0.9999, 1.0, 0.57, 0.0004, 0.0, 0.5)] == [
        "99.6%",
        "99.9%",
        "100%",
        "57%",
        "0%",
        "0%",
        "50%",
    ]
    history = [run(2), run(1)]  # body_text 0.95 in FULL
    near_full = check_coverage(run(3, coverage={**FULL, "body_text": 0.996, "pages": 500}), history, T, NOW)
    assert "99.6% of 500 article pages (recent median 95%)" in by_check(near_full)["coverage:body_text"].detail


def test_killed_runs_before_this_one_are_reported_once() -> None:
    killed = RunFacts(id=3, site="syrianobserver", status="killed", finish_reason="killed: its process 42 is gone")
    result = check_killed_runs(run(4), [killed, run(2)], NOW)
    assert result.failed and "run 3: killed: its process 42 is gone" in result.detail
    assert not check_killed_runs(run(5), [run(4), killed, run(2)], NOW).failed
    assert check_run_status(killed, NOW).failed


def test_error_rate() -> None:
    assert not check_error_rate(run(1, pages=100, errors=20), T, NOW).failed
    failed = check_error_rate(run(1, pages=100, errors=21), T, NOW)
    assert failed.failed and "21.0%" in failed.detail and "http_error 21" in failed.detail
    assert check_error_rate(run(1, pages=0, errors=3), T, NOW).failed
    assert not check_error_rate(run(1, pages=0, errors=0), T, NOW).failed


def test_coverage_drop_names_the_field() -> None:
    history = [run(2), run(1)]
    broken = run(3, coverage={"title": 1.0, "pages": 40})  # body_text absent: 0 pages had it
    results = by_check(check_coverage(broken, history, T, NOW))
    assert not results["coverage:title"].failed
    body = results["coverage:body_text"]
    assert body.failed and body.field == "body_text" and body.value == 0.0 and body.baseline == 0.95
    assert "body_text filled on 0% of 40 article pages, down from 95%" in body.detail
    alert = body.to_alert()
    assert alert["site"] == "syrianobserver" and alert["field"] == "body_text" and alert["status"] == "fail"
    assert alert["checked_at"] == NOW.isoformat()


def test_coverage_small_dip_passes_and_too_few_pages_are_not_judged() -> None:
    history = [run(2), run(1)]
    assert not any(
        r.failed
        for r in check_coverage(run(3, coverage={"title": 0.9, "body_text": 0.8, "pages": 40}), history, T, NOW)
    )
    few = check_coverage(run(3, coverage={"pages": 2}), history, T, NOW)
    assert not any(r.failed for r in few) and "not judged" in few[0].detail
    first = check_coverage(run(1), [], T, NOW)
    assert not any(r.failed for r in first) and "no earlier run" in first[0].detail


def test_coverage_baseline_leaves_out_runs_that_already_alerted() -> None:
    broken = {"title": 1.0, "body_text": 0.0, "pages": 40}
    history = [
        run(4, coverage=broken, alerted=frozenset({"body_text"})),
        run(3, coverage=broken, alerted=frozenset({"body_text"})),
        run(2),
        run(1),
    ]
    # Still failing on the third broken run: the alert does not fade as broken runs pile up.
    assert by_check(check_coverage(run(5, coverage=broken), history, T, NOW))["coverage:body_text"].failed


def test_evaluate_runs_every_check() -> None:
    names = [r.check for r in evaluate(run(2), [run(1, new=3)], T, NOW)]
    assert names == [
        "run_status",
        "killed_runs",
        "no_new_articles",
        "error_rate",
        "coverage:title",
        "coverage:body_text",
    ]
