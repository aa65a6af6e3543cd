"""Crawl benchmark: the project's full crawl against bare Scrapy on one replica, in the same run.

Builds a replica of ``--articles`` posts, writes it as static files and serves them with nginx
(a child process on a free 127.0.0.1 port; without nginx, the project's own ``ReplicaServer``,
whose rate is printed so a reader sees whether it was the bottleneck).  Then, interleaved over
``--rounds``, each round crawls the whole site once per kind, each crawl in its own process:

- ``bare``: plain Scrapy following the same listing and article URLs, extracting nothing
  (``bench/bare_spider.py``);
- ``sqlite``: the project's full crawl (``crawler crawl syrianobserver -a base_url=...``) into
  a fresh SQLite file;
- ``postgresql``: the same into a fresh PostgreSQL database, dropped after.

For each: pages (requests the server answered), pages/s over the child's wall time, CPU ms
per page (the child's user + system, its store writer included), peak RSS (the summed RSS of the
child and its store writer, sampled every 0.1 s, or ``ru_maxrss`` if larger), articles stored
(rows in the store; for ``bare`` the article pages fetched), each with its ratio to ``bare``,
and the server's CPU per page.  ``--profile`` adds one cProfiled sqlite crawl (not counted).

    python bench/crawl.py                                  # 5,000 articles, one round, all kinds
    python bench/crawl.py --articles 5000 --rounds 3 --json crawl.json
    python bench/crawl.py --only bare --only sqlite --profile
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import asdict, dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(1, str(Path(__file__).resolve().parents[1]))

from crawl_profile import report as profile_report  # noqa: E402
from static_replica import (  # noqa: E402
    BenchServer,
    NginxSite,
    ProjectSite,
    check_serving,
    nginx_binary,
    server_rate,
    site_paths,
)

from crawler.replica import ReplicaSite  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SPIDER = "syrianobserver"
KIND_NAMES = ("bare", "sqlite", "postgresql")
DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/test"
PROBE_REQUESTS = 3000
"""Requests of the server-alone probe before the crawls (enough for nginx's CPU, counted in 10 ms ticks)."""


@dataclass(frozen=True)
class Kind:
    """One kind of crawl: ``store`` None is the bare spider; ``workers`` is room for a later ``--workers N``."""

    name: str
    store: str | None
    workers: int = 1


KINDS: dict[str, Kind] = {
    "bare": Kind("bare", None),
    "sqlite": Kind("sqlite", "sqlite"),
    "postgresql": Kind("postgresql", "postgresql"),
}


@dataclass
class Measurement:
    """One crawl's figures."""

    pages: int
    seconds: float
    cpu_seconds: float
    peak_rss_kb: int
    articles: int
    server_cpu_seconds: float
    stored_once: bool | None = None
    """Every article of the site stored exactly once (None for the bare crawl: it stores nothing)."""

    @property
    def pages_per_s(self) -> float:
        """Pages per second of the child's wall time."""
        return self.pages / self.seconds if self.seconds else 0.0

    @property
    def cpu_ms_per_page(self) -> float:
        """The child's CPU (user + system) per page, in ms."""
        return 1000 * self.cpu_seconds / self.pages if self.pages else 0.0


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line (see the module docstring)."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=5000, help="replica size, 40 or more (default 5000)")
    parser.add_argument("--rounds", type=int, default=1, help="rounds, each crawling once per kind (default 1)")
    parser.add_argument("--only", action="append", choices=KIND_NAMES,
                        help="crawl only this kind (repeatable; default all three)")
    parser.add_argument("--postgres", metavar="URL", default=DEFAULT_POSTGRES,
                        help=f"PostgreSQL server: each round gets a fresh database there (default {DEFAULT_POSTGRES})")
    parser.add_argument("--json", metavar="PATH", help="write the figures as JSON")
    parser.add_argument("--profile", action="store_true", help="also run one cProfiled sqlite crawl; print its areas")
    parser.add_argument("--keep", action="store_true", help="keep the working folder (static site, stores, logs)")
    parser.add_argument("--server", choices=("auto", "nginx", "project"), default="auto",
                        help="auto: nginx when installed, else the project's ReplicaServer (default auto)")
    args = parser.parse_args(argv)
    if args.articles < 40:
        parser.error("--articles must be 40 or more (the replica places its special cases among 40)")
    if args.rounds < 1:
        parser.error("--rounds must be 1 or more")
    args.kinds = [KINDS[name] for name in KIND_NAMES if name in (args.only or KIND_NAMES)]
    return args


def child_env() -> dict[str, str]:
    """The environment of a crawl child: this checkout first on the path, nothing else changed."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
    return env


def run_child(command: list[str], folder: Path, log_name: str) -> tuple[float, float, int]:
    """Run ``command`` in ``folder``; its wall seconds, CPU seconds (user + sys) and peak RSS (KB)."""
    with (folder / f"{log_name}.out").open("wb") as out, (folder / f"{log_name}.err").open("wb") as err:
        started = time.monotonic()
        process = subprocess.Popen(command, cwd=folder, env=child_env(), stdout=out, stderr=err)
        tree = TreeMemory(process.pid)
        tree.start()
        # wait4: the child's own rusage (and its reaped children's), not every child this process ever had.
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.monotonic() - started
        tree.stop()
        process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        tail = (folder / f"{log_name}.err").read_text(errors="replace")[-3000:]
        raise SystemExit(f"bench/crawl.py: {log_name} failed (exit {process.returncode}):\n{tail}")
    # ru_maxrss is the largest single process; the crawl's own child (the store writer) counts too.
    return seconds, usage.ru_utime + usage.ru_stime, max(usage.ru_maxrss, tree.peak_kb)


class TreeMemory(threading.Thread):
    """Samples the summed RSS of a process and its descendants every 0.1 s; ``peak_kb`` the largest sum."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.peak_kb = 0
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(0.1):
            self.peak_kb = max(self.peak_kb, sum(_rss_kb(pid) for pid in _tree(self.pid)))

    def stop(self) -> None:
        self.done.set()
        self.join()


def _tree(pid: int) -> list[int]:
    pids, todo = [], [pid]
    while todo:
        current = todo.pop()
        pids.append(current)
        try:
            for task in Path(f"/proc/{current}/task").iterdir():
                todo.extend(int(c) for c in (task / "children").read_text().split())
        except OSError:
            continue  # it ended meanwhile
    return pids


def _rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def crawl_command(kind: Kind, base_url: str, folder: Path, db_url: str | None, budget: int) -> list[str]:
    """The child's command line for one crawl of ``kind``."""
    if kind.store is None:
        return [sys.executable, str(ROOT / "bench" / "bare_spider.py"), base_url, "--stats", str(folder / "bare.json")]
    assert db_url is not None
    return [
        sys.executable, "-m", "crawler.cli", "crawl", SPIDER, "--db", db_url, "-a", f"base_url={base_url}",
        "--log-level", "ERROR", "-s", f"ARCHIVE_DIR={folder / 'archive'}", "-s", f"UNWRITTEN_DIR={folder}",
        # The per-run request guard must not cut a benchmark of the whole site.
        "-s", f"SITE_REQUEST_BUDGET={budget}",
    ]


def stored_urls(db_url: str) -> list[str]:
    """Canonical URLs of the store's articles."""
    from sqlalchemy import text

    from storage.db import make_engine

    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            return list(conn.execute(text("SELECT canonical_url FROM articles")).scalars())
    finally:
        engine.dispose()


def stored_once(site: ReplicaSite, base_url: str, urls: list[str]) -> bool:
    """Every article group of the site has exactly one stored URL, and nothing else is stored."""
    stored = set(urls)
    groups = [{base_url + path for path in group} for group in site.article_groups()]
    return len(stored) == len(urls) and all(len(g & stored) == 1 for g in groups) and stored <= set().union(*groups)


class PostgresDatabase:
    """A fresh database on the ``--postgres`` server for one crawl, dropped on exit."""

    def __init__(self, server_url: str) -> None:
        from sqlalchemy.engine import make_url

        self.admin = make_url(server_url).set(drivername="postgresql")
        self.name = f"bench_crawl_{uuid.uuid4().hex[:10]}"
        url = make_url(server_url).set(drivername="postgresql+psycopg", database=self.name)
        self.url = url.render_as_string(hide_password=False)

    def _admin(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(self.admin.render_as_string(hide_password=False), autocommit=True) as conn:
            conn.execute(sql)

    def __enter__(self) -> str:
        self._admin(f'CREATE DATABASE "{self.name}"')
        return self.url

    def __exit__(self, *exc: object) -> None:
        self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


def postgres_unavailable(server_url: str) -> str | None:
    """None when the PostgreSQL server answers, else why not."""
    try:
        import psycopg
        from sqlalchemy.engine import make_url

        admin = make_url(server_url).set(drivername="postgresql").render_as_string(hide_password=False)
        with psycopg.connect(admin, connect_timeout=3):
            return None
    except Exception as exc:  # noqa: BLE001 - any failure means: skip PostgreSQL, say why
        return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def crawl_once(
    kind: Kind, site: ReplicaSite, server: BenchServer, folder: Path, args: argparse.Namespace, label: str,
    profile: Path | None = None,
) -> Measurement:
    """One crawl of the whole site by ``kind`` in a child process, with its figures."""
    work = folder / label
    work.mkdir(parents=True)
    budget = max(20_000, 3 * len(site_paths(site)))
    before, cpu_before = server.requests(), server.cpu_seconds()
    if kind.store is None:
        seconds, cpu, rss = run_child(crawl_command(kind, server.base_url, work, None, budget), work, label)
        pages = server.requests() - before
        articles = json.loads((work / "bare.json").read_text())["articles"]
        return Measurement(pages, seconds, cpu, rss, articles, server.cpu_seconds() - cpu_before)

    def crawl_into(db_url: str) -> Measurement:
        command = crawl_command(kind, server.base_url, work, db_url, budget)
        if profile is not None:
            command[1:1] = ["-m", "cProfile", "-o", str(profile)]
        seconds, cpu, rss = run_child(command, work, label)
        pages, server_cpu = server.requests() - before, server.cpu_seconds() - cpu_before
        urls = stored_urls(db_url)
        return Measurement(pages, seconds, cpu, rss, len(urls), server_cpu, stored_once(site, server.base_url, urls))

    if kind.store == "sqlite":
        return crawl_into(f"sqlite:///{work / 'store.db'}")
    with PostgresDatabase(args.postgres) as db_url:
        return crawl_into(db_url)


def summarize(runs: dict[str, list[Measurement]]) -> dict[str, dict[str, float | int]]:
    """Per kind, the median over rounds of each figure (peak RSS: the largest), in the JSON shape."""
    out: dict[str, dict[str, float | int]] = {}
    for name, measured in runs.items():
        out[name] = {
            "pages": int(statistics.median(m.pages for m in measured)),
            "pages_per_s": round(statistics.median(m.pages_per_s for m in measured), 2),
            "cpu_ms_per_page": round(statistics.median(m.cpu_ms_per_page for m in measured), 3),
            "peak_rss_mb": round(max(m.peak_rss_kb for m in measured) / 1024, 1),
            "articles": int(statistics.median(m.articles for m in measured)),
        }
    return out


def table(figures: dict[str, dict[str, float | int]], server_ms: dict[str, float]) -> str:
    """The figures as a text table, each with its ratio to the bare crawl (lower CPU and RSS are better)."""
    bare = figures.get("bare")

    def ratio(name: str, key: str) -> str:
        if bare is None or not bare[key]:
            return "   -  "
        return f"{figures[name][key] / bare[key]:5.2f}x"

    head = (f"{'kind':<11} {'pages':>6} {'pages/s':>8} {'/bare':>6} {'CPU ms/page':>11} {'/bare':>6} "
            f"{'peak RSS MB':>11} {'/bare':>6} {'articles':>8} {'server CPU ms/page':>18}")
    lines = [head, "-" * len(head)]
    for name, f in figures.items():
        lines.append(
            f"{name:<11} {f['pages']:>6} {f['pages_per_s']:>8.1f} {ratio(name, 'pages_per_s'):>6} "
            f"{f['cpu_ms_per_page']:>11.2f} {ratio(name, 'cpu_ms_per_page'):>6} {f['peak_rss_mb']:>11.1f} "
            f"{ratio(name, 'peak_rss_mb'):>6} {f['articles']:>8} {server_ms.get(name, 0.0):>18.3f}"
        )
    return "\n".join(lines)


def open_server(choice: str, site: ReplicaSite, folder: Path) -> NginxSite | ProjectSite:
    """nginx on a static copy when asked for or available, else the project's server."""
    binary = nginx_binary()
    if choice == "nginx" and binary is None:
        raise SystemExit("bench/crawl.py: --server nginx but nginx is not installed (apt-get install -y nginx)")
    if choice == "project" or binary is None:
        return ProjectSite(site)
    return NginxSite(site, folder / "static", binary)


def main(argv: list[str] | None = None) -> int:
    """Build, serve, crawl interleaved, print (and optionally write) the figures."""
    args = parse_args(argv)
    kinds: list[Kind] = list(args.kinds)
    if any(k.store == "postgresql" for k in kinds):
        reason = postgres_unavailable(args.postgres)
        if reason is not None:
            print(f"skipping postgresql: {args.postgres} unreachable ({reason})")
            kinds = [k for k in kinds if k.store != "postgresql"]
    started = time.monotonic()
    site = ReplicaSite(articles=args.articles)
    folder = Path(tempfile.mkdtemp(prefix="bench-crawl-"))
    try:
        server = open_server(args.server, site, folder)
        with server:
            paths = site_paths(site)
            print(f"replica: {args.articles} articles, {len(paths)} pages, built and written in "
                  f"{time.monotonic() - started:.1f} s; served by {server.name} at {server.base_url}")
            check_serving(server.base_url, paths[:4] + [site.seed_article.path])
            cpu_before, requests_before = server.cpu_seconds(), server.requests()
            count = min(PROBE_REQUESTS, 3 * len(paths))
            probe = (paths * 3)[:count]
            rate = server_rate(server.base_url, probe)
            probe_ms = 1000 * (server.cpu_seconds() - cpu_before) / max(1, server.requests() - requests_before)
            print(f"server alone: {rate:.0f} pages/s to 8 keep-alive clients in this process, "
                  f"{probe_ms:.3f} ms CPU per page")
            runs: dict[str, list[Measurement]] = {k.name: [] for k in kinds}
            for round_no in range(1, args.rounds + 1):
                for kind in kinds:
                    m = crawl_once(kind, site, server, folder, args, f"{kind.name}-{round_no}")
                    runs[kind.name].append(m)
                    once = "" if m.stored_once is None else f", every article stored once: {m.stored_once}"
                    print(f"round {round_no} {kind.name:<10} {m.pages} pages in {m.seconds:.1f} s "
                          f"({m.pages_per_s:.1f}/s), {m.cpu_ms_per_page:.2f} ms CPU/page, "
                          f"peak RSS {m.peak_rss_kb / 1024:.0f} MB, {m.articles} articles{once}", flush=True)
            profile = folder / "sqlite.prof"
            if args.profile:
                crawl_once(KINDS["sqlite"], site, server, folder, args, "sqlite-profile", profile=profile)
        figures = summarize(runs)
        server_ms = {
            name: statistics.median(1000 * m.server_cpu_seconds / m.pages for m in ms if m.pages)
            for name, ms in runs.items()
        }
        print()
        print(table(figures, server_ms))
        all_ms = [1000 * m.server_cpu_seconds / m.pages for ms in runs.values() for m in ms if m.pages]
        if all_ms:
            print(f"\n{server.name} cost: {statistics.median(all_ms):.3f} ms CPU per page during the crawls "
                  f"(median), {rate:.0f} pages/s alone")
        if args.profile:
            print("\n" + profile_report(str(profile)))
        if args.json:
            Path(args.json).write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
        if args.keep:
            print(f"\nworking folder kept: {folder}")
        rounds = {name: [asdict(m) for m in ms] for name, ms in runs.items()}
        (folder / "rounds.json").write_text(json.dumps(rounds, indent=2) + "\n", encoding="utf-8")
    finally:
        if not args.keep:
            import shutil

            shutil.rmtree(folder, ignore_errors=True)
    return 0 if all(m.stored_once is not False for ms in runs.values() for m in ms) else 1


if __name__ == "__main__":
    raise SystemExit(main())
