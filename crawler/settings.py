"""Every setting of the crawler, with its default and why.

This is the one switchboard.  Environment variables override the few a user
changes per machine; each is named here next to its setting:

- ``CRAWLER_DATABASE_URL``: any SQLAlchemy URL (default ``sqlite:///crawler.db``).
- ``CRAWLER_HEALTH_WEBHOOK``: URL that receives failing health checks as JSON.
- ``CRAWLER_LOG_LEVEL``: Scrapy's log level (default ``INFO``).

Per run, any setting can be overridden with ``-s NAME=value`` (scrapy or crawler crawl).
"""

from __future__ import annotations

import os

BOT_NAME = "crawler"
SPIDER_MODULES = ["spiders"]
NEWSPIDER_MODULE = "spiders"

# --- storage ---------------------------------------------------------------
DATABASE_URL = os.environ.get("CRAWLER_DATABASE_URL", "sqlite:///crawler.db")

# --- politeness and fetching ----------------------------------------------
USER_AGENT = "news-monitor-crawler/0.1 (+https://github.com/; news monitoring)"
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 8
# AutoThrottle on by default: live news sites are shared infrastructure.
# `crawler demo` and the tests turn it off for the replica on 127.0.0.1.
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0
RETRY_ENABLED = True
RETRY_TIMES = 2
DOWNLOAD_TIMEOUT = 30
# Keep 404 and 410 responses so the spider can record them as counted outcomes.
HTTPERROR_ALLOWED_CODES = [404, 410]
REDIRECT_ENABLED = True
TELNETCONSOLE_ENABLED = False
REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"
FEED_EXPORT_ENCODING = "utf-8"
LOG_LEVEL = os.environ.get("CRAWLER_LOG_LEVEL", "INFO")

# --- the data flow: validate -> normalize -> dedupe -> store ----------------
ITEM_PIPELINES = {
    "crawler.pipelines.ValidatePipeline": 100,
    "crawler.pipelines.NormalizePipeline": 200,
    "crawler.pipelines.DedupePipeline": 300,
    "crawler.pipelines.StorePipeline": 400,
}
EXTENSIONS = {
    "crawler.extensions.CrawlRunRecorder": 500,
}

# Minimum lengths below which a page is not an article (dropped with a reason).
VALIDATE_MIN_TITLE_CHARS = 3
VALIDATE_MIN_BODY_CHARS = 80

# --- run bookkeeping -------------------------------------------------------
# "manual" for `crawler crawl`, "schedule" when the daemon starts the crawl.
CRAWL_TRIGGER = "manual"
# The crawl_runs row to fill; 0 means the recorder creates one.
CRAWL_RUN_ID = 0
