"""Helpers for the daemon tests: the daemon as a subprocess, bounded waits, and run rows."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import pytest
from sqlalchemy import text

from storage.db import make_engine

T = TypeVar("T")

# A stopping daemon must exit within this many seconds (a graceful crawl close included).
STOP_BOUND = 20.0


class DaemonProcess:
    """``crawler schedule`` running in a subprocess, its output in a log file."""

    def __init__(self, schedule: Path, db_url: str, log: Path, *args: str) -> None:
        self.log = log
        env = {k: v for k, v in os.environ.items() if k != "CRAWLER_HEALTH_WEBHOOK"}
        self._out = log.open("w")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "crawler.cli", "schedule", "--file", str(schedule), "--db", db_url, *args],
            stdout=self._out,
            stderr=subprocess.STDOUT,
            env=env,
        )

    def output(self) -> str:
        """Everything the daemon logged so far."""
        return self.log.read_text(errors="replace")

    def alive(self) -> bool:
        """True while the daemon runs."""
        return self.proc.poll() is None

    def stop(self, sig: int = signal.SIGTERM) -> tuple[int, float]:
        """Signal the daemon; its exit status and the seconds it took to exit (bounded)."""
        started = time.monotonic()
        self.proc.send_signal(sig)
        try:
            code = self.proc.wait(timeout=STOP_BOUND * 2)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            pytest.fail(f"the daemon did not stop within {STOP_BOUND * 2}s:\n{self.output()[-3000:]}")
        self._out.close()
        return code, time.monotonic() - started

    def kill(self) -> None:
        """Teardown: make sure nothing is left running."""
        if self.alive():
            self.proc.kill()
            self.proc.wait()
        self._out.close()


def wait_until(predicate: Callable[[], T], timeout: float, what: str, daemon: DaemonProcess | None = None) -> T:
    """Poll ``predicate`` until it returns something truthy; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        if daemon is not None and not daemon.alive():
            pytest.fail(f"the daemon exited while waiting for {what}:\n{daemon.output()[-3000:]}")
        time.sleep(0.2)
    log = daemon.output()[-3000:] if daemon else ""
    pytest.fail(f"timed out after {timeout}s waiting for {what}\n{log}")


def rows(db_url: str, sql: str, **params: Any) -> list[dict[str, Any]]:
    """The rows of ``sql`` as dicts ([] while the table does not exist yet)."""
    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(text(sql), params)]
    except Exception as exc:  # the daemon has not created the schema yet
        if "no such table" in str(exc):
            return []
        raise
    finally:
        engine.dispose()


def runs(db_url: str) -> list[dict[str, Any]]:
    """Every crawl_runs row, oldest first."""
    return rows(db_url, "SELECT * FROM crawl_runs ORDER BY id")


def finished_runs(db_url: str) -> list[dict[str, Any]]:
    """The runs with a final status."""
    return [r for r in runs(db_url) if r["status"] != "running"]


def write_schedule(path: Path, base_url: str, **entry: Any) -> Path:
    """A one-site schedule file for the replica."""
    lines = ["[sites.syrianobserver]", f'base_url = "{base_url}"']
    for key, value in entry.items():
        if isinstance(value, dict):
            inner = ", ".join(f'{k} = "{v}"' for k, v in value.items())
            lines.append(f"{key} = {{ {inner} }}")
        elif isinstance(value, str):
            lines.append(f'{key} = "{value}"')
        else:
            lines.append(f"{key} = {value}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
