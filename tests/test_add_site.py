"""`crawler add-site` and `crawler check-site` against the replicas on 127.0.0.1.

The must-show: the profile add-site writes for The Levant Post's home page, unedited, crawls at
least 95% of its articles through the profile-driven spider (figures printed; run with -s).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from crawler.replica import ReplicaServer, ReplicaSite
from crawler.replica.levantpost import LevantPostServer, LevantPostSite

pytestmark = pytest.mark.crawl


def cli(*args: str, env: dict[str, str] | None = None, timeout: int = 300) -> subprocess.CompletedProcess[str]:
    full_env = {k: v for k, v in os.environ.items() if k != "CRAWLER_SITE_PROFILES"}
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "crawler.cli", *args], capture_output=True, text=True, timeout=timeout, env=full_env
    )


@pytest.fixture(scope="module")
def levantpost() -> Any:
    site = LevantPostSite(articles=120)
    with LevantPostServer(site) as server:
        yield site, server


def test_add_site_profile_crawls_the_levant_post_unedited(
    levantpost: Any, tmp_path: Path, sqlite_url: str
) -> None:
    site, server = levantpost
    profiles = tmp_path / "profiles"
    profiles.mkdir()
    added = cli("add-site", server.base_url + "/", "--key", "levant_draft", "--out", str(profiles))
    assert added.returncode == 0, added.stderr[-3000:]
    path = profiles / "levant_draft.toml"
    assert f"wrote {path}" in added.stdout
    draft = path.read_text()
    profile = tomllib.loads(draft)
    discovery = profile["discovery"]
    assert discovery["mode"] == "profile"
    assert discovery["feeds"] == ["/feeds/latest.atom"]
    assert discovery["article_pattern"] == r"^/news/\d+-[a-z0-9-]+$"
    assert {"url": "/news", "pagination": "query", "param": "page"} in discovery["listings"]
    assert profile["name"] == "The Levant Post" and profile["base_url"] == server.base_url
    settings_lines = [line for line in draft.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    assert len(settings_lines) <= 30, "a draft a person can review at a glance"
    assert "# fields filled (10 sample articles):" in draft  # the check-site report rides along

    crawled = cli("crawl", "levant_draft", "--db", sqlite_url, "-s", "AUTOTHROTTLE_ENABLED=False",
                  env={"CRAWLER_SITE_PROFILES": str(profiles)})
    assert crawled.returncode == 0, crawled.stderr[-3000:]
    engine = create_engine(sqlite_url)
    with engine.connect() as conn:
        stored = {row[0] for row in conn.execute(text("SELECT canonical_url FROM articles"))}
        sites = [row[0] for row in conn.execute(text("SELECT DISTINCT site FROM crawl_runs"))]
    engine.dispose()
    expected = site.article_urls(server.base_url)
    found = len(stored & expected)
    print(f"\nadd-site profile for the Levant Post, unedited: crawled {found}/{len(expected)} articles "
          f"({found / len(expected):.1%}), {len(stored - expected)} non-articles stored")
    assert found >= 0.95 * len(expected)
    assert stored <= expected
    assert sites == ["levant_draft"]


def test_add_site_never_overwrites_without_force(levantpost: Any, tmp_path: Path) -> None:
    _, server = levantpost
    path = tmp_path / "levant_draft.toml"
    path.write_text("# my reviewed profile\n")
    refused = cli("add-site", server.base_url + "/", "--key", "levant_draft", "--out", str(tmp_path))
    assert refused.returncode == 2
    assert refused.stderr.strip() == (
        f"crawler add-site: {path} exists; review or remove it, pass --force to overwrite, or choose another --key"
    )
    assert path.read_text() == "# my reviewed profile\n"
    forced = cli("add-site", server.base_url + "/", "--key", "levant_draft", "--out", str(tmp_path), "--force",
                 "--sample", "3")
    assert forced.returncode == 0, forced.stderr[-3000:]
    assert tomllib.loads(path.read_text())["key"] == "levant_draft"


def test_add_site_writes_to_the_user_profiles_directory(levantpost: Any, tmp_path: Path) -> None:
    _, server = levantpost
    written = cli("add-site", server.base_url + "/", "--sample", "3", env={"CRAWLER_SITE_PROFILES": str(tmp_path)})
    assert written.returncode == 0, written.stderr[-3000:]
    (path,) = tmp_path.glob("*.toml")
    assert path.name == f"site_127_0_0_1_{server.base_url.rsplit(':', 1)[1]}.toml"  # keys start with a letter
    listed = cli("sites", "--format", "json", env={"CRAWLER_SITE_PROFILES": str(tmp_path)})
    assert listed.returncode == 0, listed.stderr
    assert path.stem in listed.stdout


def test_add_site_errors_are_one_line(tmp_path: Path) -> None:
    no_dir = cli("add-site", "https://example.com/")
    assert no_dir.returncode == 2
    assert no_dir.stderr.strip() == (
        "crawler add-site: no profiles directory: pass --out DIR or set CRAWLER_SITE_PROFILES to a directory"
    )
    not_url = cli("add-site", "example.com", "--out", str(tmp_path))
    assert not_url.returncode == 2 and len(not_url.stderr.strip().splitlines()) == 1
    assert "is not a URL" in not_url.stderr
    bad_key = cli("add-site", "https://example.com/", "--key", "Bad-Key", "--out", str(tmp_path))
    assert bad_key.returncode == 2 and "--key 'Bad-Key'" in bad_key.stderr
    assert not list(tmp_path.iterdir())


def test_check_site_reports_fields_examples_and_discovery(levantpost: Any) -> None:
    site, server = levantpost
    checked = cli("check-site", server.base_url + "/", "--sample", "6")
    assert checked.returncode == 0, checked.stderr[-3000:]
    out = checked.stdout
    assert f"sample of 6 article(s) from {server.base_url}/ (spider auto)" in out
    assert f"feeds:            {server.base_url}/feeds/latest.atom" in out
    assert r"article pattern:  ^/news/\d+-[a-z0-9-]+$" in out
    assert "/news (?page=N)" in out
    assert f"disallows {', '.join(site.disallowed_prefixes)}" in out
    assert "  title            6/6" in out and "  body_text        6/6" in out
    assert out.count('"canonical_url": ') == 2  # two example records
    # Nothing requested that robots.txt disallows, nothing stored (no --db at all).
    assert not [t for t in server.requests if t.startswith(tuple(site.disallowed_prefixes))]


def test_check_site_of_a_profile_key_uses_the_profile(sqlite_url: str) -> None:
    with ReplicaServer(ReplicaSite(articles=60)) as server:
        checked = cli("check-site", "syrianobserver", "--base-url", server.base_url, "--sample", "4")
    assert checked.returncode == 0, checked.stderr[-3000:]
    assert "site syrianobserver: sample of 4 article(s)" in checked.stdout
    assert "discovery (from the profile):" in checked.stdout
    assert "  title            4/4" in checked.stdout


def test_check_site_errors_are_one_line() -> None:
    unknown = cli("check-site", "nosuchsite")
    assert unknown.returncode == 2
    assert unknown.stderr.startswith("crawler check-site: 'nosuchsite' is neither a site key nor a URL")
    assert len(unknown.stderr.strip().splitlines()) == 1
    bad = cli("check-site", "ftp://example.com/")
    assert bad.returncode == 2 and "is not an http(s) URL" in bad.stderr
    helped = cli("check-site", "--help")
    assert "examples:" in helped.stdout and "crawler check-site https://levantpost.example/" in helped.stdout
