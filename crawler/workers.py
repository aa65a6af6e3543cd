"""``crawler crawl SITE --workers N``: N local worker processes crawl one site together, one summary.

The workers share the crawl through Redis (``REDIS_URL``, see ``crawler/distributed.py``) and write
into one database, which must take several writers at once: PostgreSQL.  SQLite is refused with
several workers: it lets one process write at a time (the others would wait on its lock, or fail
with "database is locked") and it is a file on one machine, which workers elsewhere cannot reach.

This process opens the run (one ``crawl_runs`` row, pointed at from Redis), starts N ordinary
``crawler crawl`` processes that join it, shows the run's progress from its shared counters,
waits for them, and prints the run's row (every worker's figures, summed) and one line per worker.
Ctrl-C is passed on to the workers, which close the run as interrupted.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.console import Console

from crawler.runner import CrawlOutcome, CrawlSetupError, check_database, read_outcome

PAGES = re.compile(r"this worker fetched (\d+) pages")


class WorkersRefused(Exception):
    """``--workers N`` cannot run with these settings; the message says why and what to do."""


@dataclass
class Worker:
    """One started worker process and where its output goes."""

    number: int
    process: subprocess.Popen[bytes]
    stdout: Path
    stderr: Path

    def pages(self) -> int | None:
        """Pages this worker fetched, from its own summary (None when it printed none)."""
        found = PAGES.search(self.stdout.read_text(encoding="utf-8", errors="replace"))
        return int(found[1]) if found else None

    def last_error(self) -> str:
        """The last line of its stderr (why a worker failed)."""
        lines = [ln for ln in self.stderr.read_text(encoding="utf-8", errors="replace").splitlines() if ln.strip()]
        return lines[-1][:300] if lines else ""


def check_workers(settings: Any, workers: int) -> None:
    """Refuse ``--workers N`` (N > 1) without Redis or on SQLite, naming the fix."""
    if not settings.get("REDIS_URL"):
        raise WorkersRefused(
            f"--workers {workers} shares one crawl through Redis: set CRAWLER_REDIS_URL=redis://HOST:6379/0 "
            "(or -s REDIS_URL=...)"
        )
    from sqlalchemy.engine import make_url

    if make_url(settings.get("DATABASE_URL")).get_backend_name() == "sqlite":
        raise WorkersRefused(
            f"--workers {workers} needs a database several processes can write at once: SQLite takes one "
            "writer at a time (the other workers would wait on its lock or fail) and is a file on one machine. "
            "Pass --db postgresql://USER@HOST/DB (or set CRAWLER_DATABASE_URL), or crawl with one worker"
        )


def open_run(settings: Any, spider: Any) -> tuple[Any, int, str]:
    """Ping Redis, check the database, open the site's shared run: (Redis client, run id, run key prefix)."""
    from crawler.distributed import redis_client
    from crawler.shared_run import open_shared_run
    from storage.repository import RunBusy

    server = redis_client(settings.get("REDIS_URL"))
    try:
        server.ping()
    except Exception as exc:  # noqa: BLE001 - any connection failure: one clear line
        from crawler.secrets import mask_url

        raise CrawlSetupError(f"cannot reach Redis at {mask_url(settings.get('REDIS_URL'))}: {exc}") from None
    check_database(settings.get("DATABASE_URL"))
    try:
        site_key, run_id, _, _ = open_shared_run(settings, spider, server)
    except RunBusy as exc:
        raise CrawlSetupError(f"not started: {exc}") from None
    return server, run_id, f"{site_key}:run{run_id}"


def worker_command(argv_tail: list[str], run_id: int) -> list[str]:
    """The command line of one worker: ``crawler crawl`` with the same arguments, joining run ``run_id``."""
    return [sys.executable, "-m", "crawler.cli", "crawl", *argv_tail, "-s", f"CRAWL_RUN_ID={run_id}"]


def run_workers(
    settings: Any, spider: Any, count: int, argv_tail: list[str], console: Console | None = None
) -> tuple[CrawlOutcome, list[Worker]]:
    """Start ``count`` workers on one shared run, wait for them; the run's outcome and the workers."""
    console = console or Console(stderr=True)
    server, run_id, namespace = open_run(settings, spider)
    env = dict(os.environ, CRAWLER_REDIS_URL=settings.get("REDIS_URL"))
    env["CRAWLER_DATABASE_URL"] = settings.get("DATABASE_URL")
    folder = Path(tempfile.mkdtemp(prefix=f"crawler-run{run_id}-workers-"))
    started = time.monotonic()
    workers: list[Worker] = []
    for number in range(1, count + 1):
        out, err = folder / f"worker{number}.out", folder / f"worker{number}.err"
        with out.open("wb") as stdout, err.open("wb") as stderr:
            process = subprocess.Popen(worker_command(argv_tail, run_id), stdout=stdout, stderr=stderr, env=env)
        workers.append(Worker(number, process, out, err))
    console.print(
        f"run {run_id}: {count} workers started (pids {', '.join(str(w.process.pid) for w in workers)}); "
        f"their logs are in {folder}",
        highlight=False,
    )
    try:
        while any(w.process.poll() is None for w in workers):
            _progress(console, server, namespace, started, workers)
            time.sleep(0.5 if console.is_terminal else 5.0)
    except KeyboardInterrupt:
        for w in workers:
            if w.process.poll() is None:
                w.process.send_signal(signal.SIGINT)
        for w in workers:
            w.process.wait()
    if console.is_terminal:
        console.print(" " * 100, end="\r")
    return read_outcome(settings.get("DATABASE_URL"), run_id, time.monotonic() - started), workers


def _progress(console: Console, server: Any, namespace: str, started: float, workers: list[Worker]) -> None:
    """One line of the run's shared counters (every worker's)."""
    try:
        stats = {k.decode(): int(v) for k, v in server.hgetall(f"{namespace}:stats").items()}
        queued = server.zcard(f"{namespace}:requests")
    except Exception:  # noqa: BLE001 - progress is best effort
        return
    running = sum(w.process.poll() is None for w in workers)
    line = (
        f"[{time.monotonic() - started:5.0f}s] workers {running} | pages {stats.get('response_received_count', 0)}"
        f" | new {stats.get('articles/new', 0)} updated {stats.get('articles/updated', 0)}"
        f" unchanged {stats.get('articles/unchanged', 0)} duplicate {stats.get('articles/duplicate', 0)}"
        f" | queued {queued}"
    )
    console.print(line, end="\r" if console.is_terminal else "\n", highlight=False, soft_wrap=True)


def print_workers(workers: list[Worker], console: Console | None = None) -> None:
    """One line per worker: its pid, exit status and pages; a failed one's last error line."""
    from rich.table import Table

    console = console or Console()
    table = Table(title="Workers")
    for name in ("worker", "pid", "exit status", "pages fetched"):
        table.add_column(name, justify="right" if name != "worker" else "left")
    for w in workers:
        pages = w.pages()
        pages_text = "-" if pages is None else str(pages)
        table.add_row(str(w.number), str(w.process.pid), str(w.process.returncode), pages_text)
    console.print(table)
    for w in workers:
        if w.process.returncode not in (0, None):
            console.print(f"worker {w.number} (pid {w.process.pid}) exited {w.process.returncode}: {w.last_error()}",
                          highlight=False)
