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
    assert main(["extract", str(tmp_path / "nope.html")]) == 1
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
