"""The ``daemons`` fixture: ``crawler schedule`` subprocesses, all killed at teardown."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from daemon_support import DaemonProcess


@pytest.fixture
def daemons(tmp_path: Path) -> Iterator[Callable[..., DaemonProcess]]:
    """Start daemons with ``daemons(schedule, db_url, *args)``; all are killed at teardown."""
    started: list[DaemonProcess] = []

    def start(schedule: Path, db_url: str, *args: str) -> DaemonProcess:
        daemon = DaemonProcess(schedule, db_url, tmp_path / f"daemon-{len(started) + 1}.log", *args)
        started.append(daemon)
        return daemon

    yield start
    for daemon in started:
        daemon.kill()
