"""``crawler extract``: a file, stdin and a live fetch from 127.0.0.1; clear errors on bad input."""

from __future__ import annotations

import io
import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from crawler.cli import main

PAGE = Path(__file__).parent / "fixtures" / "generic" / "jsonld_wordpress_single_author" / "page.html"
EXPECTED = json.loads((PAGE.parent / "expected.json").read_text(encoding="utf-8"))


def test_extract_file_json(capsys: pytest.CaptureFixture[str]) -> None:
    """A saved page prints its record as JSON, with provenance."""
    assert main(["extract", str(PAGE), "--url", EXPECTED["url"]]) == 0
    record = json.loads(capsys.readouterr().out)
    assert record["title"] == EXPECTED["title"]
    assert record["published_at"] == EXPECTED["published_at"]
    assert record["authors"] == EXPECTED["authors"]
    assert record["provenance"]["title"] == "jsonld"
    assert EXPECTED["body_contains"][0] in record["body_text"]


def test_extract_stdin_text(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """``-`` reads stdin; ``--format text`` shows each field with its rule, then the body."""
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(PAGE.read_bytes())))
    assert main(["extract", "-", "--url", EXPECTED["url"], "--format", "text", "--generic"]) == 0
    out = capsys.readouterr().out
    assert f"title          {EXPECTED['title']}   [jsonld]" in out
    assert "--- body_text [" in out
    assert EXPECTED["body_contains"][-1] in out


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        if self.path == "/story.html":
            body = PAGE.read_bytes()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
        else:
            body = b"not found"
            self.send_response(404)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        """Quiet."""


@pytest.fixture()
def server() -> str:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_extract_live_fetch(server: str, capsys: pytest.CaptureFixture[str]) -> None:
    """An http URL is fetched (here from 127.0.0.1) and extracted."""
    assert main(["extract", f"{server}/story.html"]) == 0
    record = json.loads(capsys.readouterr().out)
    assert record["title"] == EXPECTED["title"]
    assert record["url"] == f"{server}/story.html"


def test_extract_http_error_is_clear(server: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["extract", f"{server}/missing.html"]) == 1
    err = capsys.readouterr().err
    assert "HTTP 404" in err and "missing.html" in err


def test_extract_unreachable_host_is_clear(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["extract", "http://127.0.0.1:9/x.html", "--timeout", "2"]) == 1
    err = capsys.readouterr().err
    assert "fetching http://127.0.0.1:9/x.html failed" in err and "check the address" in err


def test_extract_missing_file_is_clear(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["extract", str(tmp_path / "nope.html")]) == 2  # a usage error in every command (docs/cli.md)
    err = capsys.readouterr().err
    assert "no such file" in err and "nope.html" in err


@pytest.mark.parametrize("data,message", [(b"", "empty"), (b"%PDF-1.4\n\x00\x01\x02" * 200, "not an HTML page")])
def test_extract_bad_content_is_clear(tmp_path: Path, capsys: pytest.CaptureFixture[str], data: bytes,
                                      message: str) -> None:
    path = tmp_path / "page.bin"
    path.write_bytes(data)
    assert main(["extract", str(path)]) == 1
    assert message in capsys.readouterr().err


ARABIC = "افتتحت السلطات المحلية يوم الأربعاء مشروعا جديدا لتحلية مياه البحر في المدينة الساحلية. "


def test_extract_legacy_charset_declared_in_meta(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A Windows-1256 page, charset only in ``<meta>``, is a page (regression: "not an HTML page")."""
    path = tmp_path / "ar1256.html"
    path.write_bytes((
        '<html lang="ar"><head><meta http-equiv="Content-Type" content="text/html; charset=windows-1256">'
        "</head><body><article><h1>عنوان الخبر المحلي اليوم</h1>"
        + ("<p>" + ARABIC * 3 + "</p>") * 12
        + "</article></body></html>"
    ).encode("cp1256"))
    assert main(["extract", str(path)]) == 0
    record = json.loads(capsys.readouterr().out)
    assert record["title"] == "عنوان الخبر المحلي اليوم"
    assert ARABIC.strip() in record["body_text"]


@pytest.mark.parametrize("value", ["-1", "0", "nan", "inf", "soon"])
def test_extract_timeout_must_be_positive(value: str, capsys: pytest.CaptureFixture[str]) -> None:
    """A bad --timeout is an argparse usage error, not a traceback or an errno (regression)."""
    with pytest.raises(SystemExit) as exc:
        main(["extract", "http://127.0.0.1:9/x.html", "--timeout", value])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "argument --timeout" in err and "seconds" in err


def test_extract_other_scheme_is_clear(capsys: pytest.CaptureFixture[str]) -> None:
    """``ftp://x/y`` is not taken for a file named ``ftp:/x/y`` (regression)."""
    assert main(["extract", "ftp://x/y"]) == 2  # SOURCE names nothing fetchable: a usage error
    err = capsys.readouterr().err
    assert "only http(s) URLs" in err and "ftp://x/y" in err and "no such file" not in err


def test_extract_file_url(capsys: pytest.CaptureFixture[str]) -> None:
    """A ``file://`` URL reads the local file."""
    assert main(["extract", PAGE.resolve().as_uri(), "--url", EXPECTED["url"]]) == 0
    assert json.loads(capsys.readouterr().out)["title"] == EXPECTED["title"]


def test_extract_names_the_parser(server: str, capsys: pytest.CaptureFixture[str]) -> None:
    """Text and JSON output say which parser ran; the JSON on stdout stays the bare record (regression)."""
    assert main(["extract", f"{server}/story.html", "--format", "text"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].startswith("parser         generic (no registered site for host 127.0.0.1;")
    assert "--site KEY" in out.splitlines()[0]
    assert main(["extract", f"{server}/story.html"]) == 0
    captured = capsys.readouterr()
    assert "parser: generic" in captured.err
    assert "parser" not in json.loads(captured.out)
    assert main(["extract", str(PAGE), "--url", EXPECTED["url"], "--generic", "--format", "text"]) == 0
    assert capsys.readouterr().out.splitlines()[0] == "parser         generic"


def test_extract_site_option_names_site_parser(server: str, capsys: pytest.CaptureFixture[str]) -> None:
    """``--site KEY`` runs a registered site's parser on a page served from another host (a replica)."""
    assert main(["extract", f"{server}/story.html", "--site", "syrianobserver", "--format", "text"]) == 0
    assert capsys.readouterr().out.splitlines()[0] == "parser         syrianobserver"


def test_extract_help_mentions_site_for_replicas(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["extract", "--help"])
    out = capsys.readouterr().out
    assert "--site KEY" in out and "replica" in out


def test_extract_into_closed_pipe_is_silent(tmp_path: Path) -> None:
    """``crawler extract big.html | head -c 200``: no BrokenPipeError traceback (regression)."""
    import subprocess

    big = tmp_path / "big.html"
    big.write_text("<html><body><article>" + ("<p>" + "Words, and more words in a sentence. " * 40 + "</p>") * 400
                   + "</article></body></html>", encoding="utf-8")
    script = "import sys; from crawler.cli import main; sys.exit(main(sys.argv[1:]))"
    proc = subprocess.Popen([sys.executable, "-c", script, "extract", str(big)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    head = proc.stdout.read(200)
    proc.stdout.close()  # the reader goes away, like `head -c 200`
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 0
    assert head.startswith(b"{")
    assert "Traceback" not in err and "BrokenPipe" not in err
