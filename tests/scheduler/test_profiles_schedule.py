"""`crawler schedule` without --file runs every site profile that has a [schedule]: here both replicas.

The user's profiles directory ($CRAWLER_SITE_PROFILES) overrides the two bundled profiles with
the replicas' base URLs and a short interval; the daemon must run both sites, each with its own
run rows and health checks.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from daemon_support import STOP_BOUND, finished_runs, rows, wait_until

from crawler.profiles import BUNDLED_DIR
from crawler.replica import ReplicaServer, ReplicaSite
from crawler.replica.levantpost import LevantPostServer, LevantPostSite

pytestmark = pytest.mark.crawl


def user_profile(directory: Path, key: str, base_url: str, interval: int) -> None:
    """The bundled profile of ``key`` with the replica's base URL and an interval schedule."""
    text = (BUNDLED_DIR / f"{key}.toml").read_text(encoding="utf-8")
    text = re.sub(r'^base_url = ".*"$', f'base_url = "{base_url}"', text, count=1, flags=re.MULTILINE)
    text = text[: text.index("[schedule]")] + f"[schedule]\ninterval_seconds = {interval}\n"
    (directory / f"{key}.toml").write_text(text, encoding="utf-8")


@pytest.fixture
def servers() -> Iterator[tuple[ReplicaServer, LevantPostServer]]:
    with ReplicaServer(ReplicaSite(articles=40)) as so, LevantPostServer(LevantPostSite(articles=40)) as lp:
        yield so, lp


def test_schedule_runs_both_replicas_with_their_own_runs_and_health_checks(
    tmp_path: Path, sqlite_url: str, servers: tuple[ReplicaServer, LevantPostServer]
) -> None:
    so, lp = servers
    profiles = tmp_path / "profiles"
    profiles.mkdir()
    user_profile(profiles, "syrianobserver", so.base_url, 3)
    user_profile(profiles, "levantpost", lp.base_url, 3)
    env = {k: v for k, v in os.environ.items() if k != "CRAWLER_HEALTH_WEBHOOK"}
    env["CRAWLER_SITE_PROFILES"] = str(profiles)
    log = (tmp_path / "daemon.log").open("w")
    daemon = subprocess.Popen([sys.executable, "-m", "crawler.cli", "schedule", "--db", sqlite_url],
                              stdout=log, stderr=subprocess.STDOUT, env=env)
    try:
        def both_twice() -> list[dict]:
            done = finished_runs(sqlite_url)
            per_site = {s: [r for r in done if r["site"] == s] for s in ("syrianobserver", "levantpost")}
            return done if all(len(v) >= 2 for v in per_site.values()) else []

        wait_until(both_twice, 180, "two finished runs of each site")
        daemon.terminate()
        assert daemon.wait(timeout=STOP_BOUND * 2) == 0
    finally:
        if daemon.poll() is None:
            daemon.kill()
            daemon.wait()
        log.close()
    output = (tmp_path / "daemon.log").read_text(errors="replace")
    done = finished_runs(sqlite_url)
    by_site = {s: [r for r in done if r["site"] == s] for s in ("syrianobserver", "levantpost")}
    for site, site_runs in by_site.items():
        first, second = site_runs[0], site_runs[1]
        print(f"{site}: run {first['id']} new {first['articles_new']}, run {second['id']} new "
              f"{second['articles_new']} unchanged {second['articles_unchanged']}")
        assert first["status"] == second["status"] == "ok", (site, first, output[-2000:])
        assert first["trigger"] == "schedule" and first["spider"] == site
        assert first["articles_new"] > 30 and second["articles_new"] == 0
        # Every stored article is known on the second run: skipped (outside its re-check window) or re-checked.
        known = second["articles_unchanged"] + second["articles_not_modified"] + second["articles_skipped"]
        assert known == first["articles_new"]
    # Each site's runs are its own: stored articles by site match its own first run.
    counts = {r["site"]: r["n"] for r in rows(sqlite_url, "SELECT site, COUNT(*) AS n FROM articles GROUP BY site")}
    assert counts == {s: by_site[s][0]["articles_new"] for s in by_site}
    # Health checks after every run, each against the run of its own site.
    checks = rows(sqlite_url, "SELECT h.run_id, h.site, r.site AS run_site FROM health_checks h "
                              "JOIN crawl_runs r ON r.id = h.run_id")
    assert checks and all(c["site"] == c["run_site"] for c in checks)
    checked = {c["run_id"] for c in checks}
    assert {r["id"] for r in by_site["syrianobserver"][:2] + by_site["levantpost"][:2]} <= checked
    # Every scheduled profile gets its job (the bundled Arabic replica's profile too, pointing at its live host).
    assert {"syrianobserver", "levantpost"} <= {r["id"] for r in rows(sqlite_url, "SELECT id FROM apscheduler_jobs")}
