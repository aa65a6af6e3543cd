"""The crawl benchmark's pieces (bench/crawl.py): its command line, its JSON, and a tiny run end to end.

The end-to-end run crawls a 40-article replica bare and into SQLite, served by the project's own
server (no nginx needed), each crawl in its own child process as the benchmark runs them.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

import pytest

from crawler.replica import ReplicaSite

BENCH = Path(__file__).resolve().parents[1] / "bench"


def _load(name: str) -> ModuleType:
    # A name of its own: "crawl" is the tests/crawl package.
    spec = importlib.util.spec_from_file_location(f"bench_{name}", BENCH / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


bench = _load("crawl")
static = _load("static_replica")
bare = _load("bare_spider")
areas = _load("crawl_profile")
# bench/crawl.py put bench/ first on the path for its own imports: left there, its crawl.py would
# shadow the tests/crawl package.
sys.path[:] = [p for p in sys.path if Path(p).resolve() != BENCH]

JSON_KEYS = {"pages", "pages_per_s", "cpu_ms_per_page", "peak_rss_mb", "articles"}


def test_defaults_crawl_all_three_kinds_once_on_5000_articles() -> None:
    args = bench.parse_args([])
    assert (args.articles, args.rounds, args.server, args.json, args.profile, args.keep) == (
        5000, 1, "auto", None, False, False
    )
    assert [k.name for k in args.kinds] == ["bare", "sqlite", "postgresql"]
    assert args.postgres == "postgresql://postgres@127.0.0.1:5432/test"
    assert all(k.workers == 1 for k in args.kinds)


def test_only_keeps_the_kinds_in_their_order() -> None:
    args = bench.parse_args(["--only", "postgresql", "--only", "bare", "--rounds", "3", "--articles", "60"])
    assert [k.name for k in args.kinds] == ["bare", "postgresql"]
    assert [k.store for k in args.kinds] == [None, "postgresql"]
    assert (args.rounds, args.articles) == (3, 60)


@pytest.mark.parametrize(
    "argv", [["--only", "mysql"], ["--articles", "10"], ["--rounds", "0"], ["--server", "apache"]]
)
def test_bad_command_lines_exit_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        bench.parse_args(argv)
    assert exit_info.value.code == 2
    assert "usage:" in capsys.readouterr().err


def test_summary_has_the_json_shape_and_medians() -> None:
    measured = {
        "bare": [bench.Measurement(100, 1.0, 0.5, 100 * 1024, 60, 0.01),
                 bench.Measurement(100, 2.0, 0.7, 120 * 1024, 60, 0.01),
                 bench.Measurement(100, 4.0, 0.6, 110 * 1024, 60, 0.01)],
        "sqlite": [bench.Measurement(100, 5.0, 2.0, 300 * 1024, 58, 0.02, stored_once=True)],
    }
    figures = bench.summarize(measured)
    assert set(figures) == {"bare", "sqlite"}
    assert all(set(f) == JSON_KEYS for f in figures.values())
    assert figures["bare"] == {"pages": 100, "pages_per_s": 50.0, "cpu_ms_per_page": 6.0,
                               "peak_rss_mb": 120.0, "articles": 60}
    text = bench.table(figures, {"bare": 0.1, "sqlite": 0.1})
    sqlite_line = next(line for line in text.splitlines() if line.startswith("sqlite"))
    assert "0.40x" in sqlite_line  # 20 pages/s against bare's 50


def test_bare_spider_follows_the_project_spiders_urls() -> None:
    from spiders.syrianobserver import SyrianObserverSpider

    for name in ("ARTICLE_PATH", "LISTING_PATH", "DATE_ARCHIVE_PATH", "NEXT_PAGE"):
        theirs = getattr(SyrianObserverSpider, name)
        ours = getattr(bare, name)
        assert getattr(ours, "pattern", ours) == getattr(theirs, "pattern", theirs), name


def test_static_copy_holds_every_page_and_the_config_every_redirect(tmp_path: Path) -> None:
    site = ReplicaSite(articles=40)
    base = "http://127.0.0.1:9"
    written = static.write_static(site, tmp_path / "site", base)
    paths = static.site_paths(site)
    assert written == len(paths) + 1  # and the 404 page
    for path in paths:
        assert (tmp_path / "site" / static.file_for(path)).read_bytes() == site.render(path, base)[2], path
    assert static.file_for("/feed/") == "feed/index.rss"
    assert static.file_for("/category/news/page/2/") == "category/news/page/2/index.html"
    config = static.nginx_config(tmp_path, 9, site, base)
    assert "listen 127.0.0.1:9;" in config and "daemon off;" in config
    for old, new in site.redirects.items():
        assert f"location = {old} {{ return 301 {base}{new}; }}" in config


def test_profile_areas() -> None:
    assert areas.area_of("/x/.venv/lib/python3.11/site-packages/bs4/element.py", "find_all") == "BeautifulSoup"
    assert areas.area_of("/x/site-packages/sqlalchemy/orm/session.py", "flush") == "SQLAlchemy"
    assert areas.area_of("/work/main/crawler/parsers/generic.py", "parse") == "project: parsers"
    assert areas.area_of("~", "<method 'execute' of 'sqlite3.Cursor' objects>") == "SQLite driver"


@pytest.mark.crawl
def test_tiny_replica_end_to_end_bare_and_sqlite(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "crawl.json"
    code = bench.main(["--articles", "40", "--server", "project", "--only", "bare", "--only", "sqlite",
                       "--json", str(out)])
    printed = capsys.readouterr().out
    assert code == 0, printed
    figures = json.loads(out.read_text())
    assert set(figures) == {"bare", "sqlite"}
    assert all(set(f) == JSON_KEYS for f in figures.values())
    site = ReplicaSite(articles=40)
    # Every article stored once (the benchmark checks it against the site's groups and says so).
    assert figures["sqlite"]["articles"] == len(site.article_groups())
    assert "every article stored once: True" in printed
    # Both crawls asked the server for the same pages: the bare spider follows the same URLs.
    assert figures["bare"]["pages"] == figures["sqlite"]["pages"] > len(site.articles)
    assert figures["bare"]["articles"] >= len(site.valid_article_urls)
    assert all(f["pages_per_s"] > 0 and f["cpu_ms_per_page"] > 0 and f["peak_rss_mb"] > 20 for f in figures.values())
    assert "/bare" in printed and "ReplicaServer" in printed
