"""Every setting of the crawler, with its default and why.

This is the one switchboard.  Environment variables override the few a user
changes per machine; each is named here next to its setting:

- ``CRAWLER_DATABASE_URL``: any SQLAlchemy URL (default ``sqlite:///crawler.db``).
- ``CRAWLER_HEALTH_WEBHOOK``: URL that receives failing health checks as JSON.
- ``CRAWLER_LOG_LEVEL``: Scrapy's log level (default ``INFO``).
- ``CRAWLER_SITE_PROFILES``: a directory of the user's own site profiles (``<key>.toml``).
- ``CRAWLER_ARCHIVE_DIR``: where the WARC files of fetched article pages go (``ARCHIVE_DIR``).
- ``CRAWLER_REDIS_URL``: a Redis URL (``redis://127.0.0.1:6379/0``) turns on distributed mode (``REDIS_URL``).

Per run, any setting can be overridden with ``-s NAME=value`` (scrapy or crawler crawl).
"""

from __future__ import annotations

import os

BOT_NAME = "crawler"
SPIDER_MODULES = ["spiders"]
NEWSPIDER_MODULE = "spiders"

# --- sites ---------------------------------------------------------------
# The user's directory of site profiles (<key>.toml, see docs/profiles.md), read besides the bundled
# crawler/profiles/; a user profile overrides a bundled one of the same key. Empty: bundled only.
SITE_PROFILES_DIR = os.environ.get("CRAWLER_SITE_PROFILES", "")

# --- storage ---------------------------------------------------------------
DATABASE_URL = os.environ.get("CRAWLER_DATABASE_URL", "sqlite:///crawler.db")
# `crawler query`: longest a statement may run (SQLite progress handler, PostgreSQL statement_timeout).
QUERY_STATEMENT_TIMEOUT_SECONDS = 30
# `crawler query`: most rows printed; the output says so when more were left (--max-rows overrides).
QUERY_MAX_ROWS = 10_000

# --- politeness and fetching ----------------------------------------------
USER_AGENT = "news-monitor-crawler/0.1 (+https://github.com/; news monitoring)"
ROBOTSTXT_OBEY = True
# Scrapy's robots.txt middleware, fixed: with it, requests waiting on a robots.txt being fetched went
# through unchecked (see crawler/middlewares.py). Same place in the chain (100).
# The guard (crawler/guard.py) comes first: off-site and private-address requests, the per-site budget
# and the parse cap; Scrapy's retry is replaced by one that waits (backoff, Retry-After), same place (550).
DOWNLOADER_MIDDLEWARES = {
    "crawler.guard.GuardDownloaderMiddleware": 40,
    "crawler.resume.ResumeMiddleware": 45,
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "crawler.middlewares.RobotsTxtMiddleware": 100,
    # Conditional re-checks; sees responses after decompression and redirects (590, 600).
    "crawler.recheck.RecheckMiddleware": 580,
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawler.backoff.BackoffRetryMiddleware": 550,
}
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
# Seconds before the first retry of a 5xx, timeout or reset; doubled for each further retry, at most the max.
RETRY_BACKOFF_SECONDS = 1.0
RETRY_BACKOFF_MAX_SECONDS = 30.0
# A Retry-After (429/503) is waited for, but never longer than this: a server asking for hours is skipped.
RETRY_AFTER_MAX_SECONDS = 60.0
# A page that has not arrived in this many seconds is given up (retried): a stalled server cannot stall the crawl.
DOWNLOAD_TIMEOUT = 15
# Keep 404 and 410 responses so the spider can record them as counted outcomes.
HTTPERROR_ALLOWED_CODES = [404, 410]
REDIRECT_ENABLED = True
# At most this many redirects from one URL (Scrapy: 20); the spiders' own article redirects count too.
REDIRECT_MAX_TIMES = 5
TELNETCONSOLE_ENABLED = False
REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"
FEED_EXPORT_ENCODING = "utf-8"
LOG_LEVEL = os.environ.get("CRAWLER_LOG_LEVEL", "INFO")
# One line per dropped item (URL and reason) instead of the whole record.
LOG_FORMATTER = "crawler.logformatter.CrawlLogFormatter"

# --- limits against hostile or broken servers (crawler/guard.py, docs/limits.md) ------------
# Biggest response body, also after gzip/deflate/br decompression (Scrapy's HttpCompressionMiddleware stops
# inflating there): a news page is well under 1 MiB, 10 MiB leaves room for inline images and scripts.
DOWNLOAD_MAXSIZE = 10 * 1024 * 1024
# A page this big is logged as a warning (still read): a news page rarely comes near.
DOWNLOAD_WARNSIZE = 4 * 1024 * 1024
# Bytes of a page handed to the parsers and the link extractors (so also stored): a bigger page is cut here.
PARSE_MAX_BYTES = 2 * 1024 * 1024
# Links taken from one HTML page; the rest are counted and left (a link farm cannot flood the queue).
LINKS_MAX_PER_PAGE = 1000
# URLs taken from one sitemap or feed (the sitemaps.org limit).
LINKS_MAX_PER_DOCUMENT = 50_000
# Requests to one site in one run (retries included); past it the run stops asking and says so. 0: no cap.
SITE_REQUEST_BUDGET = 20_000
# A chain of pages (pagination, calendar, any links between non-article pages) stops after this many pages
# in a row that link no article the chain had not linked before: no depth cap, an archive of 700 pages
# keeps going while each page brings new articles.
TRAP_EMPTY_PAGES = 5
# Non-article requests per URL pattern (numbers and query values generalized) beyond the pattern's pages
# that brought new articles: an endless calendar or session-id loop stops here.
TRAP_PATTERN_BUDGET = 30
# Shapes that are traps by themselves: very long URLs, growing query strings, repeated path segments.
TRAP_MAX_URL_LENGTH = 1000
TRAP_MAX_QUERY_PARAMS = 8
TRAP_MAX_SEGMENT_REPEATS = 2
# Hosts (or IP addresses) that may resolve to private, loopback or link-local addresses besides the ones a
# site's base_url names itself (a base_url of http://127.0.0.1:8000 names 127.0.0.1).
GUARD_ALLOWED_PRIVATE_HOSTS: list[str] = []
# A rel=canonical naming another stored or fetched article is obeyed only when the two bodies are at least
# this similar (word-shingle Jaccard); otherwise the page is stored under its own URL (a hijacked canonical).
CANONICAL_MIN_SIMILARITY = 0.5
# A crawl started after a killed or interrupted run of the site skips the article pages that run already
# stored (its frontier is rebuilt from the listings, which are fetched again).
RESUME_AFTER_KILL = True

# --- the data flow: validate -> normalize -> dedupe -> store ----------------
ITEM_PIPELINES = {
    "crawler.pipelines.ValidatePipeline": 100,
    "crawler.pipelines.NormalizePipeline": 200,
    # A hijacked or off-site rel=canonical is not obeyed; text with U+FFFD is reported (crawler/trust.py).
    "crawler.trust.TrustPipeline": 250,
    "crawler.pipelines.DedupePipeline": 300,
    "crawler.pipelines.StorePipeline": 400,
}
SPIDER_MIDDLEWARES = {
    # Trap defence on what each page's callback yields (crawler/guard.py): before Scrapy's own spider middlewares.
    "crawler.guard.TrapGuardMiddleware": 10,
    # The same RecheckMiddleware instance drops known articles outside the re-check window from callbacks' output.
    "crawler.recheck.RecheckMiddleware": 550,
    # Keeps every fetched article page as a WARC record (crawler/archive.py); off with ARCHIVE_ENABLED.
    "crawler.archive.PageArchiveMiddleware": 950,
}
EXTENSIONS = {
    # First: masks credentials (database URL passwords) in every log line of the crawl.
    "crawler.secrets.SecretFilterExtension": 0,
    "crawler.extensions.CrawlRunRecorder": 500,
}

# A body at least this similar (Jaccard of 5-word shingles) to another article's body under
# another URL is a near-duplicate (a republished copy with small edits); 0 turns the check off.
NEAR_DUPLICATE_THRESHOLD = 0.9
# Stored articles seen within this many days are compared (copies appear close in time); older
# ones leave the index, also during a long crawl.
NEAR_DUPLICATE_WINDOW_DAYS = 30
# At most this many bodies in the index, the least recently seen evicted first; 0: no cap. Memory:
# about 35 KiB per 220-word body (a month of a 20-a-day site is 600 entries).
NEAR_DUPLICATE_MAX_ENTRIES = 5000

# A body at least this similar to an article of another site is a syndicated copy: both are kept and
# linked in syndicated_copies. Lower than the same-site threshold: outlets add their own lines. 0: off.
SYNDICATION_THRESHOLD = 0.7

# --- raw page archive (WARC) -------------------------------------------------
# Keep each fetched article page (headers and raw body) so a parser fix can be applied with `crawler reparse`.
ARCHIVE_ENABLED = True
# Directory of the WARC files; empty: archive/ next to the SQLite database file, else ./archive.
ARCHIVE_DIR = os.environ.get("CRAWLER_ARCHIVE_DIR", "")
# Files whose newest page is older than this many days are deleted with their index rows; 0: kept forever.
ARCHIVE_RETENTION_DAYS = 90
# Past this many bytes in total the oldest files are deleted (after each crawl); 0: no cap.
ARCHIVE_MAX_BYTES = 10 * 1024**3
# A crawl starts a new WARC file past this size, so retention can free space in steps.
ARCHIVE_FILE_MAX_BYTES = 256 * 1024**2
# --- incremental re-crawls (crawler/recheck.py; per site: the profile's [recheck]) -------
# Off: every run fetches every article it finds again, known or not.
RECHECK_ENABLED = True
# Stored articles published less than this many days ago are fetched again on every run (corrections
# and updates come early); older ones ...
RECHECK_RECENT_DAYS = 2.0
# ... once this many days have passed since their last check (a removal or late edit is still seen); 0: never.
RECHECK_OLDER_EVERY_DAYS = 30.0
# Re-checks ask "changed since?" with the stored ETag / Last-Modified: a 304 costs no download of the body, no parse.
RECHECK_CONDITIONAL = True
# Due articles that discovery did not find this run (gone from every listing) are fetched directly at the end.
RECHECK_UNLISTED = True
# A listing page whose every article link is known and skipped ends its pagination chain (listings run
# newest first: the pages behind it hold older, known articles; the sitemap still lists them all).
# Only after a completed (ok) run of the site: after an interrupted one every chain is paged to its end.
RECHECK_STOP_PAGING = True

# Minimum lengths below which a page is not an article (dropped with a reason).
VALIDATE_MIN_TITLE_CHARS = 3
VALIDATE_MIN_BODY_CHARS = 80

# --- run bookkeeping -------------------------------------------------------
# "manual" for `crawler crawl`, "schedule" when the daemon starts the crawl.
CRAWL_TRIGGER = "manual"
# The crawl_runs row to fill; 0 means the recorder creates one.
CRAWL_RUN_ID = 0
# Seconds a crawl waits out a database outage (writes retried with backoff) before an article is
# kept aside as unwritten; at close it waits this long again before giving the writes up.
STORE_RETRY_SECONDS = 60
# Articles written per transaction, in a worker thread (crawler/batching.py): a batch is written when
# it holds this many, STORE_BATCH_SECONDS after its first article, and at close. 1: one transaction
# per article, written inline on the reactor thread (the pre-batching behaviour).
STORE_BATCH_SIZE = 50
STORE_BATCH_SECONDS = 0.5
# Where batches are written: "process", a child process of the crawl (crawler/store_process.py) that
# owns the writes' engine and near-duplicate index, so the ORM and the driver run beside fetching and
# parsing instead of under the same GIL; or "thread", a worker thread of the crawl itself.
STORE_WRITER = "process"
# Seconds between a running crawl's heartbeats (crawl_runs.heartbeat_at): how others know it lives.
RUN_HEARTBEAT_SECONDS = 30
# A running run whose heartbeat is older than this is closed as killed (hung, or gone on another host);
# well above STORE_RETRY_SECONDS, during which a waiting crawl cannot beat.
RUN_STALE_SECONDS = 300
# Folder for the JSON list of articles and events a crawl could not write (the database stayed away).
UNWRITTEN_DIR = "."

# --- the request queue ---------------------------------------------------------
# Pending requests wait on disk, not in memory (a sitemap of 50,000 articles is 50,000 requests at once):
# Scrapy's own disk queue (SCHEDULER_DISK_QUEUE, pickled) in a temporary folder of the run's own, removed
# when the spider closes (crawler/spill_queue.py). With JOBDIR set, Scrapy's persistent queue instead;
# in distributed mode, Redis. False: Scrapy's memory queue.
SCHEDULER = "crawler.spill_queue.SpillingScheduler"
SCHEDULER_SPILL_TO_DISK = True
# Parent folder of the run's queue folder; empty: the system's temporary directory (TMPDIR).
SCHEDULER_SPILL_DIR = ""

# --- distributed mode: several workers on one Redis (crawler/distributed.py, README "Several workers") ---
# Empty: off, the scheduler above and Scrapy's dupefilter. Set: the request queue and the dupefilter live in Redis
# (scrapy-redis), keyed per site and run, and every worker started with the same URL and database joins the run.
REDIS_URL = os.environ.get("CRAWLER_REDIS_URL", "")
# The switch itself: an add-on that is NotConfigured (changes nothing) while REDIS_URL is empty.
ADDONS = {"crawler.distributed.RedisAddon": 0}
# Prefix of every Redis key of the crawler: <prefix>:<site>:run<id>:requests etc. (one Redis, several projects).
REDIS_KEY_PREFIX = "crawler"
# Seconds between a worker's heartbeats in Redis; a worker silent for REDIS_WORKER_TIMEOUT_SECONDS is dead:
# the requests it had taken (fetched, not yet done) go back to the queue for the others.
REDIS_WORKER_HEARTBEAT_SECONDS = 2.0
REDIS_WORKER_TIMEOUT_SECONDS = 15.0
# True: open the site's shared run and enqueue its start requests, then leave without crawling (the
# scheduler daemon's crawls in distributed mode; the workers crawl). Needs REDIS_URL.
REDIS_ENQUEUE_ONLY = False

# --- scheduling (crawler schedule) ----------------------------------------
# A run missed by at most this many seconds (daemon down, previous run still going) still
# runs once; several missed runs of one site are coalesced into one.
SCHEDULER_MISFIRE_GRACE_SECONDS = 600
# A scheduled crawl closes itself after this many seconds (Scrapy CLOSESPIDER_TIMEOUT -> timed_out).
SCHEDULER_CRAWL_TIME_LIMIT = 3600
# Seconds past the time limit before the daemon kills a crawl that did not close itself.
SCHEDULER_KILL_GRACE_SECONDS = 60
# Seconds a stopping daemon waits for running crawls to close before killing them.
SCHEDULER_STOP_TIMEOUT = 30
# Crawls of different sites that may run at once (one per site at most, always).
SCHEDULER_MAX_PARALLEL_CRAWLS = 4

# --- health checks after every run (crawler health) ------------------------
# Failing checks are POSTed here as JSON, one request per failing check; empty: log only.
HEALTH_WEBHOOK_URL = os.environ.get("CRAWLER_HEALTH_WEBHOOK", "")
HEALTH_WEBHOOK_ATTEMPTS = 3  # tries per alert (retried with a doubling pause)
HEALTH_WEBHOOK_TIMEOUT = 10  # seconds per try
# This many consecutive completed runs without a new article fail the check ...
HEALTH_NO_NEW_RUNS = 3
# ... when at least this share of the site's earlier runs found new articles (it usually has some).
HEALTH_NO_NEW_USUAL_SHARE = 0.5
# Errors (HTTP, network, parse) per fetched page above this fail the check.
HEALTH_MAX_ERROR_RATE = 0.2
# A field's filled share falling this much below its recent median fails the check (a redesign).
HEALTH_COVERAGE_DROP = 0.3
# Judged against the site's own median, so a field a site never fills never alerts.
HEALTH_COVERAGE_FIELDS = ["title", "body_text", "published_at", "summary", "authors"]
# Recent completed runs that form the coverage baseline, and the fewest parsed pages judged.
HEALTH_HISTORY_RUNS = 10
HEALTH_COVERAGE_MIN_PAGES = 5

# --- web view (crawler web) --------------------------------------------------------
# Loopback only by default: the store is readable by anyone who reaches the port.
WEB_HOST = "127.0.0.1"
WEB_PORT = 8090
# Required to bind anything but loopback (HTTP Basic password or Bearer token); per machine, so env.
WEB_TOKEN = os.environ.get("CRAWLER_WEB_TOKEN", "")
# Search and listing results per page: one screen, and a bounded query.
WEB_PAGE_SIZE = 20
# Days of history in the sources page's articles-per-day chart (four weeks show a weekly rhythm).
WEB_CHART_DAYS = 28
# Runs shown on a site page (and in its chart), newest first.
WEB_SITE_RUNS = 50
# How long the articles form's list of sources is reused: counting them scans every article.
WEB_FILTER_CACHE_SECONDS = 300
# Page-level events listed on a run page (a broken run can have thousands; the counts stay whole).
WEB_RUN_EVENTS = 2000
