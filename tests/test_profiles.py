"""Site profiles: loading, overriding, and refusing a bad file with one line naming file, key and fix."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from crawler.profiles import BUNDLED_DIR, ProfileError, load_profiles
from crawler.replica.levantpost import LevantPostServer, LevantPostSite
from crawler.sites import SITES, get_site, reload_sites, site_for_url

REPO = Path(__file__).resolve().parents[1]
GOOD = """\
key = "{key}"
name = "Example News"
base_url = "https://news.example"
[discovery]
feeds = ["/feed.xml"]
article_pattern = '^/news/\\d+$'
listings = [{{ url = "/news", pagination = "query" }}]
[selectors]
title = "h1.headline"
[schedule]
cron = "0 */2 * * *"
"""


def write(directory: Path, key: str, text: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{key}.toml"
    path.write_text(text, encoding="utf-8")
    return path


def refused(text: str, tmp_path: Path, key: str = "example") -> list[str]:
    path = write(tmp_path / "profiles", key, text)
    with pytest.raises(ProfileError) as info:
        load_profiles(user_dir=path.parent, bundled_dir=None)
    for line in info.value.lines:
        assert "\n" not in line and line.startswith(f"{path}: "), line
    return info.value.lines


@pytest.fixture
def user_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A user profiles directory in $CRAWLER_SITE_PROFILES; the registry reloads around the test."""
    directory = tmp_path / "user-profiles"
    directory.mkdir()
    monkeypatch.setenv("CRAWLER_SITE_PROFILES", str(directory))
    reload_sites()
    yield directory
    monkeypatch.delenv("CRAWLER_SITE_PROFILES")
    reload_sites()


def test_bundled_profiles_load_and_register() -> None:
    loaded = load_profiles(user_dir=None)
    assert {"syrianobserver", "levantpost"} <= set(loaded)
    assert all(lp.bundled and lp.path.parent == BUNDLED_DIR for lp in loaded.values())
    assert get_site("levantpost").name == "The Levant Post"
    assert site_for_url("https://www.levantpost.example/news/1-x").key == "levantpost"
    assert get_site("syrianobserver").parser_class().__name__ == "SyrianObserverParser"
    assert get_site("levantpost").parser_class().__name__ == "LevantpostProfileParser"


def test_a_good_profile_loads(tmp_path: Path) -> None:
    path = write(tmp_path, "example", GOOD.format(key="example"))
    profile = load_profiles(user_dir=tmp_path, bundled_dir=None)["example"].profile
    assert profile.hosts == ["news.example"]  # default: the base URL's host
    assert profile.discovery.listings[0].pagination == "query" and profile.discovery.listings[0].param == "page"
    assert profile.schedule.cron == "0 */2 * * *"
    assert path.exists()


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        # a typo in a key: the allowed keys and the closest one
        (("feeds = ", "feed = "), ["key 'discovery.feed'", "unknown key", "did you mean 'feeds'?"]),
        (("[selectors]", "[selector]"), ["key 'selector'", "did you mean 'selectors'?"]),
        (('cron = "0 */2 * * *"', 'crom = "0 */2 * * *"'), ["key 'schedule.crom'", "did you mean 'cron'?"]),
        # a missing required key
        (('name = "Example News"\n', ""), ["key 'name'", "missing required key", 'add e.g. name = "']),
        # an invalid regex
        (("'^/news/\\d+$'", "'^/news/(\\d+$'"), ["key 'discovery.article_pattern'", "not a valid regular expression"]),
        # a bad selector, CSS or XPath
        (('"h1.headline"', '"h1[[class"'), ["key 'selectors.title'", "not a valid CSS selector", "write CSS such as"]),
        (('"h1.headline"', '"xpath://h1[@"'), ["key 'selectors.title'", "not a valid XPath"]),
        # a bad cron
        (('"0 */2 * * *"', '"0 25 * * *"'), ["key 'schedule.cron'", "not a valid cron", 'e.g. "0 */2 * * *"']),
        (('"0 */2 * * *"', '"*/5 * *"'), ["key 'schedule.cron'", "not a valid cron"]),
        # a bad time zone, URL, pagination style
        (('name = "Example News"', 'name = "Example News"\ntimezone = "Asia/Beyrouth"'),
         ["key 'timezone'", "not an IANA time zone", "Asia/Beirut"]),
        (('"https://news.example"', '"news.example"'), ["key 'base_url'", "not an http(s) URL"]),
        (('pagination = "query"', 'pagination = "pages"'), ["key 'discovery.listings[0].pagination'", "'path'"]),
    ],
)
def test_a_bad_profile_is_one_line_naming_file_key_and_fix(
    change: tuple[str, str], expected: list[str], tmp_path: Path
) -> None:
    text = GOOD.format(key="example")
    assert change[0] in text
    lines = refused(text.replace(change[0], change[1], 1), tmp_path)
    assert len(lines) == 1, lines
    for part in expected:
        assert part in lines[0], lines[0]


def test_every_problem_of_every_file_is_reported_at_once(tmp_path: Path) -> None:
    directory = tmp_path / "profiles"
    write(directory, "one", GOOD.format(key="one").replace("feeds", "feedz").replace("0 */2", "0 */99"))
    write(directory, "two", 'key = "two"\nbase_url = "https://two.example"\n')
    with pytest.raises(ProfileError) as info:
        load_profiles(user_dir=directory, bundled_dir=None)
    text = "\n".join(info.value.lines)
    assert len(info.value.lines) == 3, text
    assert "one.toml: key 'discovery.feedz'" in text and "one.toml: key 'schedule.cron'" in text
    assert "two.toml: key 'name': missing required key" in text


def test_file_name_toml_syntax_and_reserved_keys(tmp_path: Path) -> None:
    (line,) = refused(GOOD.format(key="other"), tmp_path, key="example")
    assert "differs from the file name 'example.toml'" in line and "rename" in line
    (line,) = refused('key = "example"\nname = [\n', tmp_path / "b")
    assert "not valid TOML" in line
    (line,) = refused(GOOD.format(key="feed"), tmp_path / "c", key="feed")
    assert "name of a generic spider" in line


def test_a_missing_user_directory_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ProfileError) as info:
        load_profiles(user_dir=tmp_path / "nope")
    assert "does not exist" in info.value.lines[0] and "CRAWLER_SITE_PROFILES" in info.value.lines[0]


def test_user_profiles_add_sites_and_override_bundled_ones(user_dir: Path) -> None:
    bundled = (BUNDLED_DIR / "levantpost.toml").read_text(encoding="utf-8")
    write(user_dir, "levantpost", bundled.replace('name = "The Levant Post"', 'name = "Levant Post (mine)"'))
    write(user_dir, "example", GOOD.format(key="example"))
    assert SITES["levantpost"].name == "Levant Post (mine)"
    assert not SITES["levantpost"].bundled and SITES["levantpost"].path == user_dir / "levantpost.toml"
    assert SITES["example"].schedule == "0 */2 * * *"
    assert SITES["syrianobserver"].bundled


def cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "crawler.cli", *args], cwd=REPO, capture_output=True, text=True, timeout=300,
        env={**os.environ, **env},
    )


def test_cli_refuses_a_bad_user_profile_before_any_request(tmp_path: Path) -> None:
    directory = tmp_path / "profiles"
    bundled = (BUNDLED_DIR / "levantpost.toml").read_text(encoding="utf-8")
    write(directory, "levantpost", bundled.replace("sitemaps = ", "sitemap = ").replace('"15 * * * *"', '"15 * * *"'))
    with LevantPostServer(LevantPostSite(articles=30)) as server:
        result = cli("crawl", "levantpost", "--db", f"sqlite:///{tmp_path / 'x.db'}", "-a",
                     f"base_url={server.base_url}", env={"CRAWLER_SITE_PROFILES": str(directory)})
        requests = server.requests
    assert result.returncode == 2, result.stderr[-2000:]
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 2, result.stderr
    assert lines[0].startswith(f"crawler crawl: {directory / 'levantpost.toml'}: key 'discovery.sitemap'")
    assert "did you mean 'sitemaps'?" in lines[0]
    assert "key 'schedule.cron'" in lines[1] and "not a valid cron" in lines[1]
    assert requests == []  # refused before any request
    assert not (tmp_path / "x.db").exists()


def test_crawler_sites_and_scrapy_list_show_user_profiles(tmp_path: Path) -> None:
    directory = tmp_path / "profiles"
    write(directory, "example", GOOD.format(key="example"))
    env = {"CRAWLER_SITE_PROFILES": str(directory), "COLUMNS": "250"}
    result = cli("sites", "--format", "json", env=env)
    assert result.returncode == 0, result.stderr
    import json

    by_key = {row["key"]: row for row in json.loads(result.stdout)}
    assert by_key["example"]["source"] == "user" and by_key["example"]["file"] == str(directory / "example.toml")
    assert by_key["levantpost"]["source"] == "bundled"
    assert by_key["example"]["schedule"]["cron"] == "0 */2 * * *"
    assert by_key["levantpost"]["discovery"]["feeds"] == ["/feeds/latest.atom"]
    table = cli("sites", env=env)
    assert table.returncode == 0 and "example" in table.stdout and "listing /news (query)" in table.stdout
    listed = subprocess.run([sys.executable, "-m", "scrapy", "list"], cwd=REPO, capture_output=True, text=True,
                            timeout=120, env={**os.environ, **env})
    assert {"example", "levantpost", "syrianobserver", "site", "feed", "sitemap"} <= set(listed.stdout.split())
