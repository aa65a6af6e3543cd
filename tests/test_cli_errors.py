"""One error style in every command: each kind of mistake gets the same exit code everywhere,
one line on stderr (argparse's usage, then its one error line, for option errors), no traceback,
and a refused command creates no file.  The codes are documented in docs/cli.md.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler.cli import main
from crawler.commands.errors import EXIT_FAILED, EXIT_USAGE
from storage.db import DatabaseURLError, check_database_url, ensure_schema, make_engine

# Every command with --db, as a user would first type it (demo kept small and on any free port).
DB_COMMANDS: dict[str, list[str]] = {
    "runs": ["runs"],
    "health": ["health"],
    "jobs": ["jobs"],
    "search": ["search", "aleppo"],
    "export": ["export"],
    "history": ["history", "1"],
    "changes": ["changes"],
    "query": ["query", "SELECT 1"],
    "db current": ["db", "current"],
    "db upgrade": ["db", "upgrade"],
    "run-now": ["run-now", "syrianobserver"],
    "crawl": ["crawl", "syrianobserver"],
    "demo": ["demo", "--articles", "40", "--port", "0"],
    "schedule": ["schedule", "--check"],
    "web": ["web"],  # a bad URL is refused before the server starts
}
READERS = ("runs", "health", "jobs", "search", "export", "query", "db current", "history", "changes")

# A mistyped database URL: (URL, words the one line must contain).
BAD_URLS: dict[str, tuple[str, str]] = {
    "two slashes": ("sqlite://x.db", "needs three slashes for a relative path (sqlite:///x.db)"),
    "postgres": ("postgres://news:secret@127.0.0.1/news", "postgres:// is spelled postgresql:// in SQLAlchemy"),
    "mysql": ("mysql://news@127.0.0.1/news", "mysql is not supported: use sqlite:///PATH or postgresql://"),
    "bare path": ("crawler.db", "for a SQLite file write sqlite:///crawler.db"),
    "missing driver": ("postgresql+psycopg2://127.0.0.1/news", "driver 'psycopg2' is not installed"),
}

UNREACHABLE = "postgresql://postgres@127.0.0.1:1/nosuch"  # nothing listens on port 1


@pytest.fixture(autouse=True)
def in_empty_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run every command in an empty folder with no database configured: any file it leaves shows."""
    work = tmp_path / "cwd"
    work.mkdir()
    monkeypatch.chdir(work)
    monkeypatch.delenv("CRAWLER_DATABASE_URL", raising=False)
    return work


def invoke(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    """Exit code and stderr of ``crawler ARGV`` (argparse errors exit through SystemExit)."""
    try:
        code = main(argv)
    except SystemExit as exc:
        code = int(exc.code or 0)
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err + captured.out
    return code, captured.err


def command_name(argv: list[str]) -> str:
    return argv[0]


def assert_one_line(err: str, argv: list[str], *words: str) -> None:
    """Exactly one line, ``crawler COMMAND: ...``, containing ``words``."""
    assert err.count("\n") == 1 and err.endswith("\n"), err
    assert err.startswith(f"crawler {command_name(argv)}: "), err
    for word in words:
        assert word in err, err


def assert_argparse_error(err: str, argv: list[str], *words: str) -> None:
    """argparse's usage of the command, then one ``crawler COMMAND: error: ...`` line."""
    lines = err.strip().splitlines()
    assert lines[0].startswith(f"usage: crawler {command_name(argv)}"), err
    assert lines[-1].startswith(f"crawler {command_name(argv)}: error: "), err
    for word in words:
        assert word in lines[-1], err


@pytest.mark.parametrize("mistake", list(BAD_URLS))
@pytest.mark.parametrize("command", list(DB_COMMANDS))
def test_a_bad_database_url_is_one_line_and_exit_2_in_every_command(
    command: str, mistake: str, in_empty_folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url, words = BAD_URLS[mistake]
    argv = [*DB_COMMANDS[command], "--db", url]
    code, err = invoke(argv, capsys)
    assert code == EXIT_USAGE, err
    assert_one_line(err, argv, "--db ", words)
    assert "secret" not in err  # the password is masked, also in the corrected URL
    assert list(in_empty_folder.iterdir()) == []  # refused: nothing created


@pytest.mark.parametrize("command", ["runs", "export", "crawl", "run-now"])
def test_a_bad_url_in_the_environment_is_named_as_such(
    command: str, in_empty_folder: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CRAWLER_DATABASE_URL", "sqlite://x.db")
    argv = DB_COMMANDS[command]
    code, err = invoke(argv, capsys)
    assert code == EXIT_USAGE
    assert_one_line(err, argv, "CRAWLER_DATABASE_URL=sqlite://x.db: a SQLite URL needs three slashes")
    assert list(in_empty_folder.iterdir()) == []


@pytest.mark.parametrize("command", READERS)
def test_a_missing_sqlite_file_is_exit_1_and_is_not_created(
    command: str, in_empty_folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = [*DB_COMMANDS[command], "--db", "sqlite:///typo.db"]
    code, err = invoke(argv, capsys)
    assert code == EXIT_FAILED
    assert_one_line(err, argv, "typo.db")
    assert list(in_empty_folder.iterdir()) == []


@pytest.mark.parametrize("command", [*READERS, "run-now", "crawl", "demo", "schedule"])
def test_an_unreachable_database_is_exit_1(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    argv = [*DB_COMMANDS[command], "--db", UNREACHABLE]
    if command == "schedule":
        argv = ["schedule", "--db", UNREACHABLE]  # --check does not connect; the daemon does, first thing
    code, err = invoke(argv, capsys)
    assert code == EXIT_FAILED, err
    assert_one_line(err, argv, "127.0.0.1")


def make_store(folder: Path) -> str:
    """An empty crawler store outside the working folder."""
    url = f"sqlite:///{folder / 'store.db'}"
    engine = make_engine(url)
    ensure_schema(engine)
    engine.dispose()
    return url


# (argv, words of the one line): each names something that does not exist.
UNKNOWN_NAMES: list[tuple[list[str], str]] = [
    (["runs", "--site", "nosuch"], "unknown site 'nosuch'"),
    (["health", "--site", "nosuch"], "unknown site 'nosuch'"),
    (["search", "aleppo", "--site", "nosuch"], "unknown site 'nosuch'"),
    (["export", "--site", "nosuch"], "unknown site 'nosuch'"),
    (["run-now", "nosuch"], "unknown site 'nosuch'"),
    (["fixture", "nosuch", "case", "page.html", "--url", "http://x/"], "unknown site 'nosuch'"),
    (["extract", "-", "--url", "http://x/", "--site", "nosuch"], "nosuch"),
    (["crawl", "nosuch"], "unknown spider 'nosuch'"),
    (["changes", "--site", "nosuch"], "unknown site 'nosuch'"),
]


@pytest.mark.parametrize(("argv", "words"), UNKNOWN_NAMES, ids=lambda v: " ".join(v) if isinstance(v, list) else "")
def test_an_unknown_site_or_spider_is_exit_2_everywhere(
    argv: list[str], words: str, tmp_path: Path, in_empty_folder: Path,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    import io

    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(b"<html><body><p>x</p></body></html>")))
    with_store = ("runs", "health", "search", "export", "run-now", "crawl", "changes")
    db = ["--db", make_store(tmp_path)] if argv[0] in with_store else []
    code, err = invoke([*argv, *db], capsys)
    assert code == EXIT_USAGE, err
    assert_one_line(err, argv, words)
    assert list(in_empty_folder.iterdir()) == []


# Out-of-range and malformed options: argparse errors, exit 2.
BAD_OPTIONS: list[tuple[list[str], str]] = [
    (["demo", "--articles", "39"], "argument --articles: 39 is out of range: use 40 or more"),
    (["demo", "--port", "70000"], "argument --port: 70000 is out of range: use from 0 to 65535"),
    (["demo", "--port", "-1"], "argument --port: -1 is out of range"),
    (["demo", "--articles", "many"], "argument --articles: 'many' is not a whole number"),
    (["runs", "--last", "0"], "argument --last: 0 is out of range: use 1 or more"),
    (["search", "aleppo", "--limit", "0"], "argument --limit: 0 is out of range: use 1 or more"),
    (["changes", "--limit", "0"], "argument --limit: 0 is out of range: use 1 or more"),
    (["changes", "--since", "yesterday"], "argument --since: 'yesterday' is not a date"),
    (["history", "1", "--format", "xml"], "argument --format: invalid choice"),
    (["extract", "page.html", "--timeout", "0"], "argument --timeout"),
    (["crawl", "syrianobserver", "-a", "max_pages"], "argument -a: 'max_pages' is not KEY=VALUE"),
    (["run-now", "syrianobserver", "-s", "DOWNLOAD_DELAY"], "argument -s: 'DOWNLOAD_DELAY' is not KEY=VALUE"),
    (["schedule", "--log-level", "loud"], "argument --log-level: invalid choice"),
    (["runs", "--format", "xml"], "argument --format: invalid choice"),
    (["export", "--format", "xml"], "argument --format: invalid choice"),
]


@pytest.mark.parametrize(("argv", "words"), BAD_OPTIONS, ids=lambda v: " ".join(v) if isinstance(v, list) else "")
def test_a_bad_option_is_an_argparse_error_exit_2(
    argv: list[str], words: str, in_empty_folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, err = invoke(argv, capsys)
    assert code == EXIT_USAGE
    assert_argparse_error(err, argv, words)
    assert list(in_empty_folder.iterdir()) == []


# Input files that do not exist, and crawl arguments that cannot be used: one line, exit 2.
BAD_INPUTS: list[tuple[list[str], str]] = [
    (["query", "--file", "nosuch.sql"], "cannot read nosuch.sql"),
    (["run-now", "syrianobserver", "--file", "nosuch.toml"], "nosuch.toml"),
    (["schedule", "--file", "nosuch.toml"], "nosuch.toml"),
    (["extract", "nosuch.html"], "no such file: nosuch.html"),
    (["extract", "ftp://example.org/page.html"], "only http(s) URLs are"),
    (["fixture", "syrianobserver", "case", "nosuch.html", "--url", "http://x/", "--root", "../fx"], "nosuch.html"),
    (["crawl", "syrianobserver", "-a", "bogus=1"], "unknown spider argument(s) -a bogus=..."),
    (["crawl", "syrianobserver", "-a", "max_pages=x"], "-a max_pages='x' is not a whole number"),
    (["crawl", "syrianobserver", "-a", "since=yesterday"], "-a since='yesterday' is not a date"),
    (["crawl", "syrianobserver", "-s", "NOPE=1"], "-s NOPE=1: no such setting"),
    (["crawl", "syrianobserver", "-s", "DATABASE_URL=sqlite://x.db"], "-s DATABASE_URL=sqlite://x.db: a SQLite URL"),
    (["export", "-o", "out.csv", "--format", "parquet"], "--format parquet contradicts --output out.csv"),
    (["export", "-o", "out.json"], "export writes JSON Lines"),
    (["export", "--format", "parquet"], "pass --output FILE.parquet"),
]


@pytest.mark.parametrize(("argv", "words"), BAD_INPUTS, ids=lambda v: " ".join(v) if isinstance(v, list) else "")
def test_a_missing_input_or_unusable_argument_is_exit_2_and_creates_nothing(
    argv: list[str], words: str, in_empty_folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, err = invoke(argv, capsys)
    assert code == EXIT_USAGE, err
    assert_one_line(err, argv, words)
    # The default database is crawler.db here: a refused crawl or export must not create it.
    assert list(in_empty_folder.iterdir()) == []


def test_the_url_check_accepts_what_the_crawler_can_open() -> None:
    for url in (
        "sqlite:///crawler.db",
        "sqlite:////abs/path/x.db",
        "sqlite://",
        "sqlite+pysqlite:///x.db",
        "sqlite:///file:x.db?mode=ro&uri=true",
        "postgresql://news:pw@db.example.org:5432/news",
        "postgresql+psycopg://127.0.0.1/news",
    ):
        check_database_url(url)
    with pytest.raises(DatabaseURLError, match=r"sqlite:///data/x\.db"):
        check_database_url("sqlite://data/x.db")  # host "data", path x.db: the corrected URL keeps both


def test_demo_accepts_exactly_the_replicas_article_range() -> None:
    """demo's --articles bound is the replica's own: the smallest accepted value builds, one less does not."""
    from crawler.commands.demo import MIN_ARTICLES
    from crawler.replica import ReplicaSite

    assert len(ReplicaSite(articles=MIN_ARTICLES).articles) == MIN_ARTICLES
    with pytest.raises(ValueError, match="at least"):
        ReplicaSite(articles=MIN_ARTICLES - 1)
