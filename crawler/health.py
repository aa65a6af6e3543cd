"""Health checks after every run: is the crawl of a site still doing its job?

The checks are pure functions over a run, the site's earlier runs and thresholds
(``RunFacts`` in, ``CheckResult`` out; the caller passes ``now``):

- ``run_status``: the run failed (articles lost included), timed out, or was killed (its process died or hung).
- ``killed_runs``: runs of the site closed as ``killed`` since its previous run (a crawl SIGKILLed,
  a machine reboot): reported once, by the run that follows them.
- ``no_new_articles``: no new article in N consecutive completed runs of a site that usually has some;
  the baseline is the runs before the whole quiet streak, so a long silence keeps failing.
- ``error_rate``: errors (HTTP, network, parse) per fetched page above a bound.
- ``coverage:<field>``: the share of parsed article pages with the field filled fell far below
  the site's recent median: the parser broke after a redesign.

``after_run`` loads the history, stores the results in ``health_checks`` and sends each
failing check to the webhook from a background thread (retried, logged, never blocking,
never raising). A webhook URL that is not http(s) is reported once per process with a
warning naming the setting, and alerts are then only logged.
"""

from __future__ import annotations

import json
import logging
import math
import statistics
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import delete, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from storage.models import CrawlRun, HealthCheck

logger = logging.getLogger(__name__)

COVERAGE_PREFIX = "coverage:"
# Statuses of a run that ran to its end (its counts describe the whole site).
COMPLETED = ("ok",)
# Statuses the run_status check fails.
FAILING_STATUSES = ("failed", "timed_out", "killed")
WEBHOOK_SETTING = "HEALTH_WEBHOOK_URL (env CRAWLER_HEALTH_WEBHOOK)"

# Webhook URLs already reported as unusable: one warning per process, not one per alert.
_warned_webhooks: set[str] = set()


@dataclass(frozen=True)
class Thresholds:
    """The bounds the checks apply; defaults mirror crawler/settings.py."""

    no_new_runs: int = 3
    no_new_usual_share: float = 0.5
    max_error_rate: float = 0.2
    coverage_drop: float = 0.3
    coverage_fields: tuple[str, ...] = ("title", "body_text", "published_at", "summary", "authors")
    history_runs: int = 10
    coverage_min_pages: int = 5

    @classmethod
    def from_settings(cls, settings: Any) -> Thresholds:
        """From Scrapy settings (``HEALTH_*``)."""
        return cls(
            no_new_runs=settings.getint("HEALTH_NO_NEW_RUNS", cls.no_new_runs),
            no_new_usual_share=settings.getfloat("HEALTH_NO_NEW_USUAL_SHARE", cls.no_new_usual_share),
            max_error_rate=settings.getfloat("HEALTH_MAX_ERROR_RATE", cls.max_error_rate),
            coverage_drop=settings.getfloat("HEALTH_COVERAGE_DROP", cls.coverage_drop),
            coverage_fields=tuple(settings.getlist("HEALTH_COVERAGE_FIELDS", list(cls.coverage_fields))),
            history_runs=settings.getint("HEALTH_HISTORY_RUNS", cls.history_runs),
            coverage_min_pages=settings.getint("HEALTH_COVERAGE_MIN_PAGES", cls.coverage_min_pages),
        )


@dataclass(frozen=True)
class RunFacts:
    """What the checks read of one run."""

    id: int
    site: str
    status: str
    pages_fetched: int = 0
    articles_new: int = 0
    errors: int = 0
    errors_by_kind: dict[str, Any] = field(default_factory=dict)
    field_coverage: dict[str, Any] = field(default_factory=dict)
    finish_reason: str | None = None
    coverage_alerted: frozenset[str] = frozenset()
    """Fields whose coverage check failed on this run: kept out of later baselines."""

    @classmethod
    def from_row(cls, run: CrawlRun, coverage_alerted: Iterable[str] = ()) -> RunFacts:
        """From a ``crawl_runs`` row."""
        return cls(
            id=run.id,
            site=run.site,
            status=run.status,
            pages_fetched=run.pages_fetched or 0,
            articles_new=run.articles_new or 0,
            errors=run.errors or 0,
            errors_by_kind=dict(run.errors_by_kind or {}),
            field_coverage=dict(run.field_coverage or {}),
            finish_reason=run.finish_reason,
            coverage_alerted=frozenset(coverage_alerted),
        )

    @property
    def article_pages(self) -> int:
        """Article pages the parser saw in this run."""
        return int(self.field_coverage.get("pages", 0) or 0)


@dataclass(frozen=True)
class CheckResult:
    """One check of one run: ``ok`` or ``fail``, with a sentence saying why."""

    site: str
    check: str
    status: str
    detail: str
    run_id: int | None
    checked_at: datetime
    field: str | None = None
    value: float | None = None
    baseline: float | None = None

    @property
    def failed(self) -> bool:
        """True for a failing check."""
        return self.status == "fail"

    def to_alert(self) -> dict[str, Any]:
        """The webhook's JSON body."""
        payload = asdict(self)
        payload["checked_at"] = self.checked_at.isoformat()
        payload["event"] = "crawler.health_check_failed" if self.failed else "crawler.health_check"
        return payload


# --- the checks (pure) ---------------------------------------------------------


def percent(share: float) -> str:
    """A share as a percentage rounded *down* to 0.1: 0.996 is 99.6%, never 100% (nor 0.0004 > 0%)."""
    tenths = math.floor(share * 1000 + 1e-9)  # the epsilon absorbs float error (0.57 * 1000 = 569.999...)
    return f"{tenths / 10:g}%"


def check_run_status(run: RunFacts, now: datetime) -> CheckResult:
    """Fail a run that failed, timed out or was killed; an interrupted run was asked to stop and is not judged."""
    reason = f" ({run.finish_reason})" if run.finish_reason else ""
    if run.status in FAILING_STATUSES:
        return CheckResult(run.site, "run_status", "fail", f"run {run.id} {run.status}{reason}", run.id, now)
    return CheckResult(run.site, "run_status", "ok", f"run {run.id} {run.status}{reason}", run.id, now)


def check_killed_runs(run: RunFacts, history: Sequence[RunFacts], now: datetime) -> CheckResult:
    """Fail when the runs just before this one were closed ``killed`` (their process died or hung).

    ``history`` holds the site's earlier runs, newest first.  Such runs are closed by whichever
    process notices first (the next crawl, the daemon, ``crawler runs``/``health``): the run after
    them reports them, once.
    """
    killed = []
    for earlier in history:
        if earlier.status != "killed":
            break
        killed.append(earlier)
    if not killed:
        return CheckResult(run.site, "killed_runs", "ok", "no killed run before this one", run.id, now)
    listed = "; ".join(f"run {r.id}: {r.finish_reason or 'killed'}" for r in killed)
    detail = f"{len(killed)} run(s) before this one were killed: {listed}"
    return CheckResult(run.site, "killed_runs", "fail", detail, run.id, now, value=float(len(killed)))


def check_no_new_articles(run: RunFacts, history: Sequence[RunFacts], t: Thresholds, now: datetime) -> CheckResult:
    """Fail when the last ``no_new_runs`` completed runs found nothing new on a site that usually has news.

    ``history`` holds the site's earlier runs, newest first.  The baseline ("usually") is the
    completed runs *before the whole quiet streak*: quiet runs never judge themselves, so the check
    keeps failing for as long as the silence lasts.
    """

    def result(status: str, detail: str) -> CheckResult:
        return CheckResult(run.site, "no_new_articles", status, detail, run.id, now, value=float(run.articles_new))

    if run.status not in COMPLETED:
        return result("ok", f"not judged: run {run.status}")
    if run.articles_new:
        return result("ok", f"{run.articles_new} new articles")
    completed = [r for r in history if r.status in COMPLETED]
    quiet = 1  # this run, then the completed runs before it without news
    while quiet - 1 < len(completed) and not completed[quiet - 1].articles_new:
        quiet += 1
    if quiet < t.no_new_runs:
        if quiet - 1 == len(completed):
            return result("ok", f"0 new; not judged before {t.no_new_runs} completed runs")
        return result("ok", f"0 new in this run; new articles within the last {t.no_new_runs} runs")
    earlier = completed[quiet - 1 :][: t.history_runs]
    if not earlier:
        return result("ok", f"0 new in {quiet} runs; no earlier runs to compare")
    share = sum(1 for r in earlier if r.articles_new) / len(earlier)
    if share >= t.no_new_usual_share:
        return result(
            "fail",
            f"no new articles in the last {quiet} completed runs, "
            f"though {percent(share)} of the {len(earlier)} runs before found some",
        )
    return result("ok", f"0 new in {quiet} runs, usual for this site ({percent(share)} of earlier runs had news)")


def check_error_rate(run: RunFacts, t: Thresholds, now: datetime) -> CheckResult:
    """Fail when errors per fetched page exceed ``max_error_rate``."""
    kinds = ", ".join(f"{k} {v}" for k, v in sorted(run.errors_by_kind.items())) or "none"
    if not run.pages_fetched:
        status = "fail" if run.errors else "ok"
        return CheckResult(
            run.site, "error_rate", status, f"{run.errors} errors, no page fetched ({kinds})", run.id, now
        )
    rate = run.errors / run.pages_fetched
    status = "fail" if rate > t.max_error_rate else "ok"
    bound = percent(t.max_error_rate)
    detail = f"{run.errors} errors in {run.pages_fetched} pages = {rate:.1%} (bound {bound}; {kinds})"
    return CheckResult(
        run.site, "error_rate", status, detail, run.id, now, value=round(rate, 4), baseline=t.max_error_rate
    )


def check_coverage(run: RunFacts, history: Sequence[RunFacts], t: Thresholds, now: datetime) -> list[CheckResult]:
    """One result per field: fail when its filled share dropped ``coverage_drop`` below the recent median."""
    return [_field_coverage(run, history, name, t, now) for name in t.coverage_fields]


def _field_coverage(run: RunFacts, history: Sequence[RunFacts], name: str, t: Thresholds, now: datetime) -> CheckResult:
    pages = run.article_pages
    check = f"{COVERAGE_PREFIX}{name}"
    if pages < t.coverage_min_pages:
        detail = f"not judged: {pages} article pages parsed (< {t.coverage_min_pages})"
        return CheckResult(run.site, check, "ok", detail, run.id, now, field=name)
    value = float(run.field_coverage.get(name, 0.0) or 0.0)
    # Runs whose own coverage check failed would drag the baseline down: leave them out.
    base_runs = [r for r in history if r.article_pages >= t.coverage_min_pages and name not in r.coverage_alerted]
    base_runs = base_runs[: t.history_runs]
    if not base_runs:
        detail = f"{percent(value)} of {pages} article pages; no earlier run to compare"
        return CheckResult(run.site, check, "ok", detail, run.id, now, field=name, value=value)
    baseline = statistics.median(float(r.field_coverage.get(name, 0.0) or 0.0) for r in base_runs)
    if baseline - value >= t.coverage_drop:
        status = "fail"
        detail = (
            f"{name} filled on {percent(value)} of {pages} article pages, down from {percent(baseline)} "
            f"(median of the last {len(base_runs)} runs): the parser may have broken after a layout change"
        )
    else:
        status = "ok"
        detail = f"{percent(value)} of {pages} article pages (recent median {percent(baseline)})"
    return CheckResult(run.site, check, status, detail, run.id, now, field=name, value=value, baseline=baseline)


def evaluate(run: RunFacts, history: Sequence[RunFacts], thresholds: Thresholds, now: datetime) -> list[CheckResult]:
    """Every check of ``run`` against the site's earlier runs (newest first)."""
    return [
        check_run_status(run, now),
        check_killed_runs(run, history, now),
        check_no_new_articles(run, history, thresholds, now),
        check_error_rate(run, thresholds, now),
        *check_coverage(run, history, thresholds, now),
    ]


# --- storage -------------------------------------------------------------------


def load_facts(session: Session, run_id: int, thresholds: Thresholds) -> tuple[RunFacts, list[RunFacts]] | None:
    """The run and the site's earlier runs (newest first), with their failed coverage checks."""
    run = session.get(CrawlRun, run_id)
    if run is None:
        return None
    depth = thresholds.history_runs + thresholds.no_new_runs
    earlier = list(
        session.scalars(
            select(CrawlRun)
            .where(CrawlRun.site == run.site, CrawlRun.id < run.id, CrawlRun.status != "running")
            .order_by(CrawlRun.id.desc())
            .limit(depth)
        )
    )
    alerted: dict[int, set[str]] = {}
    if earlier:
        rows = session.execute(
            select(HealthCheck.run_id, HealthCheck.check).where(
                HealthCheck.run_id.in_([r.id for r in earlier]),
                HealthCheck.check.startswith(COVERAGE_PREFIX),
                HealthCheck.status == "fail",
            )
        )
        for rid, check in rows:
            alerted.setdefault(rid, set()).add(check.removeprefix(COVERAGE_PREFIX))
    return RunFacts.from_row(run), [RunFacts.from_row(r, alerted.get(r.id, ())) for r in earlier]


def store_results(session: Session, run_id: int, results: Sequence[CheckResult]) -> None:
    """Replace the stored results of ``run_id`` with ``results`` (re-checking a run is idempotent)."""
    session.execute(delete(HealthCheck).where(HealthCheck.run_id == run_id))
    for r in results:
        session.add(
            HealthCheck(
                run_id=r.run_id, site=r.site, check=r.check, status=r.status, detail=r.detail, checked_at=r.checked_at
            )
        )
    session.flush()


def check_run(session: Session, run_id: int, thresholds: Thresholds, now: datetime) -> list[CheckResult]:
    """Evaluate run ``run_id`` and store the results (the caller commits)."""
    facts = load_facts(session, run_id, thresholds)
    if facts is None:
        return []
    results = evaluate(*facts, thresholds, now)
    store_results(session, run_id, results)
    return results


def latest_results(session: Session, site: str | None = None) -> dict[str, list[HealthCheck]]:
    """Per site, the stored checks of its most recent checked run.

    An interrupted run was asked to stop and judges little: the run before it is
    shown instead, unless the site has only interrupted runs.
    """
    stmt = (
        select(HealthCheck.site, HealthCheck.run_id, CrawlRun.status)
        .join(CrawlRun, CrawlRun.id == HealthCheck.run_id)
        .order_by(HealthCheck.run_id.desc())
    )
    if site:
        stmt = stmt.where(HealthCheck.site == site)
    latest: dict[str, int] = {}
    fallback: dict[str, int] = {}
    for row_site, run_id, status in session.execute(stmt.distinct()):
        fallback.setdefault(row_site, run_id)
        if status != "interrupted":
            latest.setdefault(row_site, run_id)
    latest = {**fallback, **latest}
    result: dict[str, list[HealthCheck]] = {}
    for row_site, run_id in sorted(latest.items()):
        rows = session.scalars(
            select(HealthCheck)
            .where(HealthCheck.run_id == run_id, HealthCheck.site == row_site)
            .order_by(HealthCheck.id)
        )
        result[row_site] = list(rows)
    return result


# --- alerts ----------------------------------------------------------------------


def webhook_problem(url: str | None) -> str | None:
    """Why ``url`` cannot receive alerts (a sentence naming the setting), or None when it can (or is unset)."""
    if not url:
        return None
    try:
        parts = urlsplit(url)
        usable = parts.scheme in ("http", "https") and bool(parts.hostname)
    except ValueError:  # e.g. an unbalanced [ in the host
        usable = False
    if usable:
        return None
    return (
        f"{WEBHOOK_SETTING} = {url!r} is not an http(s) URL: failing health checks are only logged; "
        "set it to e.g. https://hooks.example.org/crawler, or unset it"
    )


def warn_webhook(url: str | None) -> bool:
    """Log a warning once per process when ``url`` is set but unusable; True when alerts can be POSTed to it."""
    problem = webhook_problem(url)
    if problem is None:
        return bool(url)
    if url not in _warned_webhooks:
        _warned_webhooks.add(url or "")
        logger.warning("health webhook: %s", problem)
    return False


def post_json(
    url: str,
    payload: dict[str, Any],
    attempts: int = 3,
    timeout: float = 10.0,
    pause: float = 1.0,
    sleep: Callable[[float], None] = time.sleep,
) -> bool:
    """POST ``payload`` as JSON, retrying with a doubling pause; True once a 2xx answer came. Never raises."""
    problem = webhook_problem(url)
    if problem:
        # Retrying cannot help a URL urllib cannot even parse (it raises ValueError).
        logger.error("health webhook: %s; alert %s/%s not sent", problem, payload.get("site"), payload.get("check"))
        return False
    body = json.dumps(payload, default=str).encode("utf-8")
    for attempt in range(1, attempts + 1):
        try:
            request = urllib.request.Request(
                url,
                data=body,
                method="POST",
                headers={"Content-Type": "application/json", "User-Agent": "crawler-health"},
            )
            with urllib.request.urlopen(request, timeout=timeout) as response:
                if 200 <= response.status < 300:
                    return True
                problem = f"HTTP {response.status}"
        except urllib.error.HTTPError as exc:
            problem = f"HTTP {exc.code}"
        except Exception as exc:  # noqa: BLE001 - an alert must never break the process that sends it
            problem = f"{type(exc).__name__}: {exc}"
        logger.warning("health webhook %s: attempt %d/%d failed: %s", url, attempt, attempts, problem)
        if attempt < attempts:
            sleep(pause * 2 ** (attempt - 1))
    logger.error("health webhook %s: gave up on alert %s/%s", url, payload.get("site"), payload.get("check"))
    return False


def send_alerts(
    results: Sequence[CheckResult], url: str | None, attempts: int = 3, timeout: float = 10.0
) -> threading.Thread | None:
    """Log every failing check and POST each to ``url`` from a background thread; return the thread.

    The thread is not a daemon thread: a process exiting right after the crawl still
    delivers its alerts, within ``attempts`` x ``timeout`` per alert. An unusable ``url``
    is warned about once and no thread is started.
    """
    failing = [r for r in results if r.failed]
    for r in failing:
        logger.warning("health check failed: site %s, %s: %s", r.site, r.check, r.detail)
    if not failing or not warn_webhook(url):
        return None
    assert url is not None

    def deliver() -> None:
        for r in failing:
            try:
                post_json(url, r.to_alert(), attempts=attempts, timeout=timeout)
            except Exception:  # post_json does not raise; this guards the thread against a bug in it
                logger.exception("health webhook %s: alert %s/%s not sent", url, r.site, r.check)

    thread = threading.Thread(target=deliver, name="health-webhook", daemon=False)
    thread.start()
    return thread


def after_run(engine: Engine, run_id: int, settings: Any, now: datetime) -> list[CheckResult]:
    """Check run ``run_id``, store the results, alert on failures. Never raises: a check must not break a crawl."""
    from storage.db import session_scope

    try:
        thresholds = Thresholds.from_settings(settings)
        with session_scope(engine) as session:
            results = check_run(session, run_id, thresholds, now)
        send_alerts(
            results,
            settings.get("HEALTH_WEBHOOK_URL") or None,
            attempts=settings.getint("HEALTH_WEBHOOK_ATTEMPTS", 3),
            timeout=settings.getfloat("HEALTH_WEBHOOK_TIMEOUT", 10.0),
        )
        return results
    except Exception:
        logger.exception("health checks of run %s could not run", run_id)
        return []
