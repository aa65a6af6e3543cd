"""Pages per second of one worker against two (distributed mode), with the server and the database costed.

    python bench/workers.py [--articles 800] [--postgres postgresql://postgres@127.0.0.1:5432/postgres]
                            [--redis redis://127.0.0.1:6379/0] [--rounds 1] [--json PATH]
                            [--setting NAME=VALUE ...]

The replica is rendered once into static files and served by nginx (one worker process), so the
server is not the bottleneck: its CPU per page is measured and printed.  Each crawl is
``crawler crawl syrianobserver --workers N`` with ``REDIS_URL`` set (so 1 and 2 workers run the
same code), into a fresh PostgreSQL database.  Pages per second are the crawl's responses over
the span between its first and its last request in nginx's access log (process start-up is
left out, the same for both); the PostgreSQL CPU (every server process, from /proc) and the
crawl processes' CPU are printed per page, with the machine's load average (a busy machine
cannot show a speed-up).  Rounds are interleaved (1, 2, 1, 2, ...); ``--baseline`` adds a crawl
without Redis (``workers 0``); ``BENCH_HISTOGRAM=1`` prints the requests per 2 seconds.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from crawler.replica import ReplicaSite  # noqa: E402

LINK = re.compile(rb"""(?:href|src)=["']([^"'#]+)|<loc>\s*([^<\s]+)|<link>\s*([^<\s]+)""")
TYPES = {"xml": ".xml", "rss": ".xml", "html": ".html", "plain": ".txt"}


def mirror(site: ReplicaSite, folder: Path, base_url: str) -> tuple[dict[str, str], dict[str, str]]:
    """Render every reachable page of the replica into ``folder``: ({path: file}, {path: redirect path}).

    The replica answers by path (it ignores queries), so the mirror is keyed by path.
    """
    files: dict[str, str] = {}
    redirects: dict[str, str] = {}
    todo, seen = ["/", "/robots.txt", "/feed/", "/sitemap.xml"], set()
    while todo:
        target = todo.pop()
        if target in seen:
            continue
        seen.add(target)
        status, headers, body = site.render(target, base_url, "standard")
        headers = dict(headers)
        if status in (301, 302, 308):
            location = headers.get("Location", "")
            redirects[target] = urlsplit(location).path or location
            todo.append(redirects[target])
            continue
        if status != 200:
            continue  # nginx answers 404 for every target it does not know
        ctype = headers.get("Content-Type", "text/html")
        suffix = next((ext for key, ext in TYPES.items() if key in ctype), ".html")
        name = hashlib.sha1(target.encode()).hexdigest()[:16] + suffix
        (folder / name).write_bytes(body)
        files[target] = name
        for match in LINK.finditer(body):
            link = (match[1] or match[2] or match[3]).decode("utf-8", "replace")
            parts = urlsplit(link)
            if parts.hostname not in (None, "127.0.0.1", "localhost") or parts.scheme not in ("", "http", "https"):
                continue
            todo.append(parts.path or "/")
    return files, redirects


def nginx_conf(folder: Path, port: int, files: dict[str, str], redirects: dict[str, str]) -> Path:
    """An nginx configuration serving the mirror on 127.0.0.1:port; access log with request times."""
    def quoted(value: str) -> str:
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'

    lines = [f"{quoted(t)} /files/{n};" for t, n in files.items()]
    redirect_lines = [f"{quoted(t)} {quoted(loc)};" for t, loc in redirects.items()]
    conf = folder / "nginx.conf"
    conf.write_text(f"""
worker_processes 1;
daemon off;
user root;
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
events {{ worker_connections 1024; }}
http {{
  types {{ text/html html; application/xml xml; text/plain txt; }}
  log_format bench '$msec $status $request_uri';
  access_log {folder}/access.log bench;
  map_hash_max_size 262144; map_hash_bucket_size 256;
  map $uri $file {{ default ""; {" ".join(lines)} }}
  map $uri $redirect {{ default ""; {" ".join(redirect_lines)} }}
  server {{
    listen 127.0.0.1:{port};
    root {folder};
    location /files/ {{ internal; }}
    location / {{
      if ($redirect) {{ return 301 http://127.0.0.1:{port}$redirect; }}
      if ($file = "") {{ return 404; }}
      rewrite ^ $file last;
    }}
  }}
}}
""")
    return conf


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_seconds(pids: list[int]) -> float:
    """utime + stime of processes (and their waited-for children), from /proc."""
    total = 0.0
    tick = os.sysconf("SC_CLK_TCK")
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += sum(int(fields[i]) for i in (11, 12, 13, 14)) / tick  # utime stime cutime cstime
    return total


def pids_of(name: str) -> list[int]:
    out = subprocess.run(["pgrep", "-x", name], capture_output=True, text=True).stdout
    return [int(p) for p in out.split()]


def crawl(workers: int, base_url: str, admin_url: str, redis_url: str, log: Path,
          settings: list[str] = ()) -> dict[str, float]:
    """One ``crawler crawl --workers N`` into a fresh database; its figures."""
    import psycopg

    name = f"crawler_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    host = urlsplit(admin_url)
    db_url = f"postgresql+psycopg://{host.username or 'postgres'}@{host.hostname}:{host.port or 5432}/{name}"
    prefix = f"crawler-bench-{uuid.uuid4().hex[:8]}"
    env = dict(os.environ, CRAWLER_REDIS_URL=redis_url if workers else "", PYTHONPATH=str(ROOT))
    offset = log.stat().st_size
    pg_before = cpu_seconds(pids_of("postgres"))
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "crawler.cli", "crawl", "syrianobserver", "--workers", str(max(1, workers)),
         "--db", db_url, "-a", f"base_url={base_url}",
         "-s", f"REDIS_KEY_PREFIX={prefix}", "-s", "ARCHIVE_ENABLED=False",
         *[arg for setting in settings for arg in ("-s", setting)]],
        capture_output=True, text=True, env=env, cwd=ROOT,
    )
    wall = time.monotonic() - started
    pg_cpu = cpu_seconds(pids_of("postgres")) - pg_before
    if done.returncode != 0:
        raise SystemExit(f"crawl with {workers} workers failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    times = [float(line.split()[0]) for line in log.read_bytes()[offset:].decode().splitlines() if line]
    with psycopg.connect(admin_url.rsplit("/", 1)[0] + f"/{name}") as conn:
        articles = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
        pages = conn.execute("SELECT pages_fetched FROM crawl_runs").fetchone()[0]
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
    span = max(times) - min(times)
    if os.environ.get("BENCH_HISTOGRAM"):
        first = min(times)
        buckets = [0] * (int(span // 2) + 1)
        for t in times:
            buckets[int((t - first) // 2)] += 1
        print(f"requests per 2 s, {workers} workers:", buckets)
    # The crawl's own processes: the parent's children were waited for, so their CPU is in the
    # parent's cutime/cstime; `resource` gives it for this process's children.
    return {"workers": workers, "pages": pages, "articles": articles, "span_s": round(span, 2),
            "pages_per_s": round(len(times) / span, 1), "wall_s": round(wall, 1),
            "postgres_cpu_ms_per_page": round(1000 * pg_cpu / max(1, pages), 2)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=800)
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--baseline", action="store_true", help="also one crawl without Redis (workers 0)")
    parser.add_argument("--setting", action="append", default=[], metavar="NAME=VALUE",
                        help="a Scrapy setting for every crawl (repeatable), e.g. STORE_WRITER=thread: one core per "
                             "worker (the default writer process gives one worker the second core already)")
    args = parser.parse_args(argv)
    if bad := [s for s in args.setting if "=" not in s]:
        parser.error(f"--setting takes NAME=VALUE, got {bad[0]!r}")
    import resource

    folder = Path(tempfile.mkdtemp(prefix="crawler-bench-workers-"))
    (folder / "files").mkdir()
    port = free_port()
    files, redirects = mirror(ReplicaSite(articles=args.articles), folder / "files", f"http://127.0.0.1:{port}")
    conf = nginx_conf(folder, port, files, redirects)
    (folder / "access.log").touch()
    nginx = subprocess.Popen(["nginx", "-c", str(conf), "-p", str(folder)])
    try:
        time.sleep(1.0)
        base_url = f"http://127.0.0.1:{port}"
        print(f"replica: {args.articles} articles, {len(files)} files and {len(redirects)} redirects behind nginx "
              f"at {base_url}")
        # The server's own rate, alone: it must be far above the crawl's.
        probe = subprocess.run(
            [sys.executable, "-c", f"""
import time, urllib.request
targets = {list(files)[:400]!r}
t = time.monotonic()
for x in targets: urllib.request.urlopen("{base_url}" + x).read()
print(len(targets) / (time.monotonic() - t))
"""], capture_output=True, text=True)
        print(f"nginx alone, one sequential client: {float(probe.stdout):.0f} pages/s")
        results: dict[int, list[dict[str, float]]] = {0: [], 1: [], 2: []} if args.baseline else {1: [], 2: []}
        nginx_pids = pids_of("nginx")
        for _ in range(args.rounds):
            for workers in results:
                before_nginx, before_self = cpu_seconds(nginx_pids), resource.getrusage(resource.RUSAGE_CHILDREN)
                figures = crawl(workers, base_url, args.postgres, args.redis, folder / "access.log", args.setting)
                after_self = resource.getrusage(resource.RUSAGE_CHILDREN)
                crawl_cpu = (after_self.ru_utime + after_self.ru_stime) - (before_self.ru_utime + before_self.ru_stime)
                figures["nginx_cpu_ms_per_page"] = round(1000 * (cpu_seconds(nginx_pids) - before_nginx)
                                                         / max(1, figures["pages"]), 3)
                figures["crawl_cpu_ms_per_page"] = round(1000 * crawl_cpu / max(1, figures["pages"]), 1)
                figures["load_average_1m"] = round(os.getloadavg()[0], 2)  # other work on the machine shows here
                results[workers].append(figures)
                print(json.dumps(figures))
        best = {n: max(r["pages_per_s"] for r in rows) for n, rows in results.items()}
        print(f"1 worker: {best[1]} pages/s; 2 workers: {best[2]} pages/s; ratio {best[2] / best[1]:.2f} "
              f"(on {os.cpu_count()} cores; settings: {' '.join(args.setting) or 'defaults'})")
        if args.json:
            args.json.write_text(json.dumps({str(k): v for k, v in results.items()}, indent=2))
    finally:
        nginx.terminate()
        nginx.wait(timeout=10)
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
