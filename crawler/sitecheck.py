"""A sample crawl of one site and its report: what ``crawler check-site`` prints and ``add-site`` keeps.

The sample runs the ``auto`` spider (a URL, or a site whose profile has automatic discovery) or
the profile's own spider, in this process, without storing anything: only the validate and
normalize pipelines run, and the run recorder is off. Twisted's reactor cannot restart, so one
process runs one sample.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass, field
from datetime import UTC as UTC_ZONE
from typing import Any
from urllib.parse import urlsplit

from crawler.args import is_loopback, site_key_for
from crawler.discovery.report import DiscoveryReport
from crawler.items import CONTENT_FIELDS, ArticleRecord

logger = logging.getLogger(__name__)

REPORT_FIELDS: tuple[str, ...] = tuple(f for f in CONTENT_FIELDS if f != "body_html")
"""Fields counted by the report (the HTML rendering of the body is counted with the body)."""
EXAMPLE_FIELDS = ("canonical_url", "title", "published_at", "authors", "category", "tags", "summary", "body_text")
EXAMPLE_BODY_CHARS = 300


class SiteCheckError(Exception):
    """The sample could not run: an unknown key, a bad URL. The message says what to do."""


@dataclass
class SampleResult:
    """What a sample crawl gave: the records, the pages dropped, and discovery's findings."""

    target: str
    spider: str
    site_key: str
    start_url: str
    records: list[ArticleRecord] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)
    """``URL: reason`` of each page the pipelines refused (no body, no title ...)."""
    discovery: DiscoveryReport | None = None
    """What the ``auto`` spider found (``None`` for a profile-driven sample)."""
    profile_discovery: dict[str, Any] | None = None
    """The profile's ``[discovery]`` table, for a profile-driven sample."""
    stats: dict[str, Any] = field(default_factory=dict)
    timezone: str | None = None
    """The profile's zone for dates printed without one (``None``: read as UTC)."""


def resolve(target: str) -> tuple[str, dict[str, str], str, str]:
    """``(spider, spider args, site key, start URL)`` for a site key or a home page URL."""
    from crawler.sites import SITES, site_for_url

    if "://" in target:
        parts = urlsplit(target)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise SiteCheckError(f"{target!r} is not an http(s) URL: give a home page, e.g. https://example.com/")
        profile = site_for_url(target)
        return "auto", {"start_url": target}, profile.key if profile else site_key_for(target), target
    if target not in SITES:
        known = ", ".join(sorted(SITES)) or "none"
        raise SiteCheckError(
            f"{target!r} is neither a site key nor a URL; known sites: {known} (see `crawler sites`), "
            "or give a home page URL"
        )
    site = SITES[target]
    start = site.base_url.rstrip("/") + "/"
    profile = site.profile
    if profile is None or profile.discovery is None or profile.discovery.mode == "auto":
        return "auto", {"start_url": start}, site.key, start
    return site.key, {}, site.key, start


def run_sample(target: str, sample: int, base_url: str | None = None, log_level: str = "WARNING") -> SampleResult:
    """Crawl about ``sample`` articles of the site named by ``target`` (a key or a URL), storing nothing."""
    from scrapy import signals
    from scrapy.crawler import CrawlerProcess

    from crawler.runner import project_settings

    spider, args, key, start = resolve(target)
    if base_url:
        if spider == "auto":
            args["start_url"] = start = base_url.rstrip("/") + "/"
        else:
            args["base_url"] = base_url
            start = base_url.rstrip("/") + "/"
    if spider == "auto":
        args["sample"] = str(sample)
    overrides: dict[str, Any] = {
        "LOG_LEVEL": log_level,
        "CLOSESPIDER_ITEMCOUNT": sample,
        # Nothing stored: no run row, no dedupe against a store, no health alert.
        "EXTENSIONS": {"crawler.extensions.CrawlRunRecorder": None},
        "ARCHIVE_ENABLED": False,  # a sample, nothing stored: no page archived either
        "ITEM_PIPELINES": {"crawler.pipelines.ValidatePipeline": 100, "crawler.pipelines.NormalizePipeline": 200},
    }
    if is_loopback(start):
        overrides["AUTOTHROTTLE_ENABLED"] = False  # politeness delays are pointless on 127.0.0.1
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "crawler.settings")
    settings = project_settings(None, {})
    for name, value in overrides.items():
        settings.set(name, value, priority="cmdline")
    process = CrawlerProcess(settings)
    logging.getLogger("scrapy.downloadermiddlewares.robotstxt").setLevel(logging.CRITICAL)
    try:
        crawler = process.create_crawler(spider)
    except KeyError:
        raise SiteCheckError(f"no spider {spider!r} for site {key!r} (see `scrapy list`)") from None
    result = SampleResult(target, spider, key, start)

    def scraped(item: Any, **_: Any) -> None:
        if isinstance(item, ArticleRecord):
            result.records.append(item)

    def dropped(item: Any, exception: BaseException, **_: Any) -> None:
        result.dropped.append(f"{getattr(item, 'url', '?')}: {exception}")

    crawler.signals.connect(scraped, signal=signals.item_scraped)
    crawler.signals.connect(dropped, signal=signals.item_dropped)
    failures: list[BaseException] = []
    deferred = process.crawl(crawler, **args)
    deferred.addErrback(lambda failure: failures.append(failure.value))
    process.start()
    if failures:
        raise SiteCheckError(f"the sample crawl could not run: {failures[0]}")
    # Pages in flight when the sample was reached still arrive: the sample is the first N.
    result.records = result.records[:sample]
    result.stats = dict(crawler.stats.get_stats()) if crawler.stats else {}
    from crawler.sites import SITES

    known = SITES.get(key)
    result.timezone = known.profile.timezone if known is not None and known.profile is not None else None
    instance = crawler.spider
    result.discovery = getattr(instance, "discovery", None) if spider == "auto" else None
    if spider != "auto":
        profile = SITES[key].profile
        if profile is not None and profile.discovery is not None:
            result.profile_discovery = profile.discovery.model_dump(exclude_defaults=True)
    return result


def field_counts(records: list[ArticleRecord]) -> dict[str, int]:
    """How many records have a value for each reported field."""
    return {name: sum(1 for r in records if getattr(r, name) not in (None, "", [])) for name in REPORT_FIELDS}


def zoneless_dates(records: list[ArticleRecord]) -> int:
    """How many records' publication date was printed without a zone (read as UTC unless the profile says)."""
    from datetime import timedelta, timezone

    from crawler.parsers.dates import parse_date

    other = timezone(timedelta(hours=5))
    count = 0
    for record in records:
        raw = record.published_raw
        if raw and parse_date(raw, fuzzy=True, default_tz=UTC_ZONE) != parse_date(raw, fuzzy=True, default_tz=other):
            count += 1
    return count


def example(record: ArticleRecord) -> dict[str, Any]:
    """A short view of one record: its main fields, the body cut to a few hundred characters."""
    data = record.to_dict()
    out = {name: data.get(name) for name in EXAMPLE_FIELDS}
    body = out.get("body_text") or ""
    if len(body) > EXAMPLE_BODY_CHARS:
        out["body_text"] = body[:EXAMPLE_BODY_CHARS].rstrip() + f" ... ({len(body)} chars)"
    return out


def format_report(result: SampleResult) -> str:
    """The report as text: discovery, per-field counts, two example records."""
    lines = [f"site {result.site_key}: sample of {len(result.records)} article(s) from {result.start_url}"
             f" (spider {result.spider})", ""]
    lines += discovery_lines(result)
    total = len(result.records)
    lines += ["", f"fields filled ({total} sample articles):"]
    for name, count in field_counts(result.records).items():
        lines.append(f"  {name:<14} {count:>3}/{total}")
    zoneless = zoneless_dates(result.records)
    if zoneless:
        how = f"read in {result.timezone}, the profile's timezone" if result.timezone else (
            "read as UTC: set `timezone` in the profile")
        lines.append(f"  dates without a zone: {zoneless}/{total} ({how})")
    if result.dropped:
        lines += ["", f"pages dropped ({len(result.dropped)}):"] + [f"  {d}" for d in result.dropped[:10]]
    lines += ["", "example records:"]
    for record in result.records[:2]:
        text = json.dumps(example(record), ensure_ascii=False, indent=2, sort_keys=False)
        lines += ["  " + line for line in text.splitlines()]
    if not result.records:
        lines.append("  (none: no page of the sample was an article; see the figures above)")
    return "\n".join(lines)


def discovery_lines(result: SampleResult) -> list[str]:
    """What discovery found, or what the profile lists."""
    if result.profile_discovery is not None:
        lines = ["discovery (from the profile):"]
        for key, value in result.profile_discovery.items():
            lines.append(f"  {key}: {value}")
        return lines
    d = result.discovery
    if d is None:
        return ["discovery: nothing recorded"]
    stats = result.stats
    listings = [
        f"{p.base} ({'?' + (p.param or 'page') + '=N' if p.style == 'query' else 'page/N/'})"
        for p in d.listing_patterns(6)
    ]
    return [
        "discovery:",
        f"  feeds:            {', '.join(d.feeds) or 'none found'}",
        f"  sitemaps:         {', '.join(d.sitemaps) or 'none found'}"
        + (" (from robots.txt)" if d.robots_sitemaps else ""),
        f"  robots.txt:       disallows {', '.join(d.disallowed) or 'nothing'}",
        f"  article URLs:     {len(d.feed_urls)} in feeds, {len(d.sitemap_urls)} in sitemaps",
        f"  article pattern:  {d.pattern.regex if d.pattern else 'none learned (no feed or sitemap URLs)'}",
        f"  listings:         {', '.join(listings) or 'no paginated listing seen'}"
        + ("; the home page links a next page" if d.home_next else ""),
        f"  pages classified: {stats.get('auto/article', 0)} articles, {stats.get('auto/not_article', 0)} not"
        f" articles, {stats.get('auto/canonical_elsewhere', 0)} copies of another page (AMP, print)",
    ]
