"""Waiting out a database outage: retry a write with backoff for a bounded time, then give up loudly.

One ``DatabaseRetry`` per crawl component keeps the outage's start: the first failing write
opens an outage window of ``STORE_RETRY_SECONDS``; writes inside it retry with a doubling pause;
once the window has passed, each write is tried once (the database may be back) and otherwise
raises ``DatabaseUnavailable`` at once, so a long outage costs one quick attempt per article, not
a full window each.  The first write that succeeds ends the outage.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.exc import DBAPIError, OperationalError

logger = logging.getLogger(__name__)

T = TypeVar("T")


class DatabaseUnavailable(Exception):
    """The database stayed away for the whole retry window; the message is the last error."""


def is_unavailable(exc: BaseException) -> bool:
    """True for an error a later attempt may not get: the server is down, unreachable or busy."""
    if isinstance(exc, OperationalError):
        return True
    return isinstance(exc, DBAPIError) and bool(exc.connection_invalidated)


def describe(exc: BaseException) -> str:
    """``ExceptionType: first line of the message``, the reason stored for a lost article."""
    original = getattr(exc, "orig", None) or exc
    lines = str(original).strip().splitlines()
    return f"{type(original).__name__}: {lines[0] if lines else ''}".rstrip(": ")


class DatabaseRetry:
    """Run database calls, waiting out an outage for at most ``window`` seconds."""

    def __init__(
        self,
        window: float,
        first_pause: float = 0.5,
        max_pause: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.window = window
        self.first_pause = first_pause
        self.max_pause = max_pause
        self.clock = clock
        self.sleep = sleep
        self.outage_started: float | None = None
        self.last_error = ""

    @property
    def in_outage(self) -> bool:
        """True between a failed call and the next successful one."""
        return self.outage_started is not None

    def new_window(self) -> None:
        """Give the next failing call a full window again (at close: one last wait for the database)."""
        if self.outage_started is not None:
            self.outage_started = self.clock()

    def run(self, call: Callable[[], T], what: str) -> T:
        """``call()``, retried while the database is unavailable and the window lasts; else DatabaseUnavailable."""
        pause = self.first_pause
        while True:
            try:
                result = call()
            except Exception as exc:
                if not is_unavailable(exc):
                    raise
                now = self.clock()
                self.last_error = describe(exc)
                if self.outage_started is None:
                    self.outage_started = now
                    logger.warning("database unavailable (%s); retrying for up to %.0fs", self.last_error, self.window)
                left = self.window - (now - self.outage_started)
                if left <= 0:
                    raise DatabaseUnavailable(f"database unavailable: {self.last_error}") from exc
                logger.info("%s: database unavailable, retrying in %.1fs", what, min(pause, left))
                self.sleep(min(pause, left))
                pause = min(pause * 2, self.max_pause)
            else:
                if self.outage_started is not None:
                    logger.warning("database back after %.1fs", self.clock() - self.outage_started)
                    self.outage_started = None
                return result
