"""`crawler web` itself: loopback by default, a token required elsewhere, the token checked on every request."""

from __future__ import annotations

import base64
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from crawler.cli import main
from crawler.commands.errors import EXIT_INTERRUPTED, EXIT_USAGE
from crawler.commands.web import is_loopback
from crawler.web import create_app
from web.seeding import seed

TOKEN = "s3cret-token-for-tests"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.0.2.10", "example.org"])
def test_a_non_loopback_bind_without_a_token_refuses_to_start(
    host: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.delenv("CRAWLER_WEB_TOKEN", raising=False)
    code = main(["web", "--host", host, "--port", str(free_port()), "--db", f"sqlite:///{tmp_path / 'x.db'}"])
    err = capsys.readouterr().err
    assert code == EXIT_USAGE
    assert err.startswith(f"crawler web: --host {host} is reachable from other machines") and err.count("\n") == 1
    assert "CRAWLER_WEB_TOKEN" in err
    assert list(tmp_path.iterdir()) == []


def test_a_short_token_is_refused(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("CRAWLER_WEB_TOKEN", "abc")
    assert main(["web", "--host", "0.0.0.0"]) == EXIT_USAGE
    assert "use at least 12" in capsys.readouterr().err


@pytest.mark.parametrize(("host", "loopback"), [
    ("127.0.0.1", True), ("127.8.0.1", True), ("::1", True), ("[::1]", True), ("localhost", True),
    ("0.0.0.0", False), ("::", False), ("10.0.0.1", False), ("myhost", False),
])
def test_loopback_addresses(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def test_with_a_token_every_request_must_carry_it(sqlite_url: str) -> None:
    seed(sqlite_url)
    client = create_app(sqlite_url, token=TOKEN).test_client()
    basic = base64.b64encode(f"anyone:{TOKEN}".encode()).decode()
    wrong = base64.b64encode(b"anyone:guess").decode()
    for path in ("/", "/api/sites", "/metrics", "/static/style.css"):
        refused = client.get(path)
        assert refused.status_code == 401 and refused.headers["WWW-Authenticate"].startswith("Basic")
        assert client.get(path, headers={"Authorization": f"Basic {wrong}"}).status_code == 401
        assert client.get(path, headers={"Authorization": "Bearer guess"}).status_code == 401
        assert client.get(path, headers={"Authorization": f"Basic {basic}"}).status_code == 200
        assert client.get(path, headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 200


def test_serves_on_loopback_and_stops_on_sigterm(sqlite_url: str) -> None:
    seed(sqlite_url)
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "crawler.cli", "web", "--db", sqlite_url, "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/sites", timeout=5) as response:
                    body = response.read().decode()
                break
            except OSError:
                assert process.poll() is None and time.monotonic() < deadline, process.stderr.read()
                time.sleep(0.2)
        assert '"levantpost"' in body
    finally:
        process.send_signal(signal.SIGTERM)
        _, err = process.communicate(timeout=30)
    assert process.returncode == EXIT_INTERRUPTED, err
    assert f"read-only on http://127.0.0.1:{port}/" in err and "Traceback" not in err


def test_help_shows_examples(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["web", "--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert "CRAWLER_WEB_TOKEN" in out and "examples:" in out and "--port" in out
