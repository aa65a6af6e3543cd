"""What the monitoring pages show, read from the store: sites with their health, runs, events.

Plain functions over a session, returning dataclasses and dicts the templates and the JSON
API share (one source for both, so the API never says something the page does not).
Time is an input: ``now`` comes from the view.  Nothing here writes.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crawler.health import COVERAGE_PREFIX, Thresholds, latest_results
from storage.models import Article, CrawlEvent, CrawlRun, HealthCheck, Site


@dataclass
class CheckView:
    """One stored health check, as shown."""

    check: str
    status: str
    detail: str
    run_id: int | None
    checked_at: datetime

    @classmethod
    def from_row(cls, row: HealthCheck) -> CheckView:
        """From a ``health_checks`` row."""
        return cls(row.check, row.status, row.detail, row.run_id, row.checked_at)


@dataclass
class FieldCoverage:
    """A field's filled share in the latest run against the site's baseline (median of earlier runs)."""

    field: str
    value: float | None
    baseline: float | None

    @property
    def dropped(self) -> bool:
        """The share fell below the baseline (by any amount: the health check decides what is too much)."""
        return self.value is not None and self.baseline is not None and self.value < self.baseline - 1e-9


@dataclass
class SiteSummary:
    """One row of the sources page."""

    key: str
    name: str
    base_url: str
    configured: bool
    articles: int = 0
    newest_published: datetime | None = None
    last_run: dict[str, Any] | None = None
    per_day: list[tuple[str, int]] = field(default_factory=list)
    error_rate: float | None = None
    coverage: list[FieldCoverage] = field(default_factory=list)
    checks: list[CheckView] = field(default_factory=list)

    @property
    def failing(self) -> list[CheckView]:
        """The failing checks of the latest checked run."""
        return [c for c in self.checks if c.status == "fail"]

    @property
    def coverage_value(self) -> float | None:
        """Mean filled share of the judged fields in the latest run (the sortable figure)."""
        values = [c.value for c in self.coverage if c.value is not None]
        return sum(values) / len(values) if values else None

    @property
    def coverage_baseline(self) -> float | None:
        """Mean baseline share of the same fields."""
        values = [c.baseline for c in self.coverage if c.baseline is not None]
        return sum(values) / len(values) if values else None

    @property
    def health(self) -> str:
        """``failing``, ``healthy``, or ``unchecked`` (no checked run yet)."""
        if self.failing:
            return "failing"
        return "healthy" if self.checks else "unchecked"

    def to_json(self) -> dict[str, Any]:
        """The API's record of the site."""
        return {
            "key": self.key,
            "name": self.name,
            "base_url": self.base_url,
            "configured": self.configured,
            "health": self.health,
            "articles": self.articles,
            "newest_published": self.newest_published,
            "last_run": self.last_run,
            "articles_per_day": [{"day": day, "articles": n} for day, n in self.per_day],
            "error_rate": self.error_rate,
            "coverage": [asdict(c) for c in self.coverage],
            "checks": [asdict(c) for c in self.checks],
        }


RUN_COLUMNS = (
    "id", "site", "spider", "trigger", "status", "finish_reason", "started_at", "finished_at",
    "pages_fetched", "bytes_fetched", "articles_new", "articles_updated", "articles_unchanged",
    "articles_duplicate", "articles_dropped", "articles_lost", "articles_skipped", "articles_not_modified",
    "articles_removed", "errors", "errors_by_kind",
    "field_coverage", "args",
)


def run_record(run: CrawlRun) -> dict[str, Any]:
    """A ``crawl_runs`` row as a plain dict, with its duration in seconds (None while running)."""
    record = {name: getattr(run, name) for name in RUN_COLUMNS}
    record["seconds"] = (run.finished_at - run.started_at).total_seconds() if run.finished_at else None
    record["errors_by_kind"] = dict(run.errors_by_kind or {})
    record["field_coverage"] = dict(run.field_coverage or {})
    return record


def site_keys(session: Session, configured: Iterable[str]) -> list[str]:
    """Every site the store or the configuration knows, sorted."""
    stored = set(session.scalars(select(Site.key)))
    ran = set(session.scalars(select(CrawlRun.site).distinct()))
    return sorted(stored | ran | set(configured))


def coverage_against_baseline(
    session: Session, site: str, run: CrawlRun | None, thresholds: Thresholds
) -> list[FieldCoverage]:
    """Per judged field: the run's filled share and the median of the site's earlier judged runs."""
    if run is None:
        return []
    coverage = run.field_coverage or {}
    earlier = session.scalars(
        select(CrawlRun.field_coverage)
        .where(CrawlRun.site == site, CrawlRun.id < run.id, CrawlRun.status == "ok")
        .order_by(CrawlRun.id.desc())
        .limit(thresholds.history_runs)
    )
    history = [c for c in earlier if c and (c.get("pages") or 0) >= thresholds.coverage_min_pages]
    result = []
    for name in thresholds.coverage_fields:
        value = coverage.get(name)
        base = [float(c.get(name) or 0.0) for c in history]
        result.append(
            FieldCoverage(
                name,
                None if value is None else float(value),
                statistics.median(base) if base else None,
            )
        )
    return result


def articles_per_day(session: Session, site: str | None, now: datetime, days: int) -> list[tuple[str, int]]:
    """Articles first seen per UTC day over the last ``days`` days (oldest first, empty days as 0)."""
    start = (now - timedelta(days=days - 1)).replace(hour=0, minute=0, second=0, microsecond=0)
    day = func.date(Article.first_seen_at)
    stmt = select(day, func.count()).where(Article.first_seen_at >= start).group_by(day)
    if site is not None:
        stmt = stmt.where(Article.site == site)
    counts = {str(d)[:10]: n for d, n in session.execute(stmt)}
    return [
        (key, counts.get(key, 0))
        for key in ((start + timedelta(days=i)).date().isoformat() for i in range(days))
    ]


def site_summaries(
    session: Session, configured: dict[str, Any], now: datetime, thresholds: Thresholds, chart_days: int
) -> list[SiteSummary]:
    """One summary per site (configured profiles included before their first run)."""
    names = {s.key: s for s in session.scalars(select(Site))}
    article_counts = dict(session.execute(select(Article.site, func.count()).group_by(Article.site)).all())
    newest = dict(session.execute(select(Article.site, func.max(Article.published_at)).group_by(Article.site)).all())
    latest_ids = dict(session.execute(select(CrawlRun.site, func.max(CrawlRun.id)).group_by(CrawlRun.site)).all())
    runs = {r.site: r for r in session.scalars(select(CrawlRun).where(CrawlRun.id.in_(latest_ids.values())))}
    checks = latest_results(session)
    summaries = []
    for key in site_keys(session, configured):
        profile = configured.get(key)
        stored = names.get(key)
        run = runs.get(key)
        summaries.append(
            SiteSummary(
                key=key,
                name=(stored.name if stored else getattr(profile, "name", key)),
                base_url=(stored.base_url if stored else getattr(profile, "base_url", "")),
                configured=profile is not None,
                articles=article_counts.get(key, 0),
                newest_published=_aware(newest.get(key)),
                last_run=run_record(run) if run else None,
                per_day=articles_per_day(session, key, now, chart_days),
                error_rate=(run.errors / run.pages_fetched) if run and run.pages_fetched else None,
                coverage=coverage_against_baseline(session, key, run, thresholds),
                checks=[CheckView.from_row(c) for c in checks.get(key, [])],
            )
        )
    return summaries


def _aware(value: datetime | None) -> datetime | None:
    # func.max() comes back without the column's type on SQLite: a string or a naive datetime.
    from storage.models import UTCDateTime

    if value is None or isinstance(value, datetime) and value.tzinfo is not None:
        return value
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return UTCDateTime().process_result_value(value, None)


SORT_KEYS = {
    "site": lambda s: s.key,
    "health": lambda s: (s.health != "failing", s.health != "unchecked", s.key),
    "last_run": lambda s: s.last_run["started_at"].timestamp() if s.last_run else 0.0,
    "status": lambda s: s.last_run["status"] if s.last_run else "",
    "freshness": lambda s: s.newest_published.timestamp() if s.newest_published else 0.0,
    "articles": lambda s: s.articles,
    "error_rate": lambda s: s.error_rate if s.error_rate is not None else -1.0,
    "coverage": lambda s: s.coverage_value if s.coverage_value is not None else -1.0,
}


def sort_summaries(summaries: Sequence[SiteSummary], key: str, descending: bool) -> list[SiteSummary]:
    """The summaries ordered by one of SORT_KEYS (unknown keys sort by health, failing first)."""
    order = SORT_KEYS.get(key, SORT_KEYS["health"])
    return sorted(summaries, key=order, reverse=descending)


def site_runs(session: Session, site: str, limit: int) -> list[dict[str, Any]]:
    """The site's last ``limit`` runs, newest first, each with its failing checks."""
    stmt = select(CrawlRun).where(CrawlRun.site == site).order_by(CrawlRun.id.desc()).limit(limit)
    runs = list(session.scalars(stmt))
    failing: dict[int, list[str]] = {}
    if runs:
        rows = session.execute(
            select(HealthCheck.run_id, HealthCheck.check).where(
                HealthCheck.run_id.in_([r.id for r in runs]), HealthCheck.status == "fail"
            )
        )
        for run_id, check in rows:
            failing.setdefault(run_id, []).append(check)
    records = []
    for run in runs:
        record = run_record(run)
        record["failed_checks"] = sorted(failing.get(run.id, []))
        records.append(record)
    return records


def run_events(
    session: Session, run_id: int, kind: str | None, limit: int
) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """The run's page-level events (of one ``kind`` if given, at most ``limit``) and the count per kind."""
    kinds = dict(
        session.execute(
            select(CrawlEvent.kind, func.count()).where(CrawlEvent.run_id == run_id).group_by(CrawlEvent.kind)
        ).all()
    )
    stmt = select(CrawlEvent).where(CrawlEvent.run_id == run_id).order_by(CrawlEvent.id).limit(limit)
    if kind:
        stmt = stmt.where(CrawlEvent.kind == kind)
    events = [{"url": e.url, "kind": e.kind, "reason": e.reason, "at": e.at} for e in session.scalars(stmt)]
    return events, dict(sorted(kinds.items()))


def run_checks(session: Session, run_id: int) -> list[CheckView]:
    """The health checks stored for one run."""
    rows = session.scalars(select(HealthCheck).where(HealthCheck.run_id == run_id).order_by(HealthCheck.id))
    return [CheckView.from_row(r) for r in rows]


def coverage_series(runs: Sequence[dict[str, Any]], fields: Sequence[str]) -> list[float | None]:
    """Per run (as given), the mean filled share of ``fields``; None for a run that parsed no article page."""
    series: list[float | None] = []
    for run in runs:
        coverage = run["field_coverage"]
        values = [float(coverage[f]) for f in fields if f in coverage and coverage[f] is not None]
        series.append(sum(values) / len(values) if values and coverage.get("pages") else None)
    return series


def is_coverage_check(check: str) -> bool:
    """A ``coverage:FIELD`` check."""
    return check.startswith(COVERAGE_PREFIX)
