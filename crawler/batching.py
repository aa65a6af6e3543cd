"""WriteBatcher: items gathered into batches, each written in a worker thread, one batch at a time.

A batch is flushed when it holds ``size`` items, ``seconds`` after its first item came, and on
``drain`` (at close).  The write runs off the reactor thread (``deferToThread``), so a slow commit
never stalls fetching and parsing; batches are written strictly in arrival order (a ``DeferredLock``),
so the second batch sees what the first stored.  Each item gets its own Deferred, fired on the reactor
thread with the item's own result once its batch is written.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

from twisted.internet import defer, threads
from twisted.internet.interfaces import IDelayedCall
from twisted.python.failure import Failure

T = TypeVar("T")

BatchWrite = Callable[[list[T]], Sequence[Any]]
"""Writes a batch in the worker thread; returns one result per item, in order (an exception instance fails it)."""


class WriteBatcher(Generic[T]):
    """Gather items, write them in batches off the reactor thread (see the module docstring)."""

    def __init__(
        self,
        write: BatchWrite[T],
        size: int,
        seconds: float,
        reactor: Any = None,
        in_thread: Callable[..., defer.Deferred[Any]] = threads.deferToThread,
    ) -> None:
        if size < 2:
            raise ValueError(f"a batch of {size} is no batch: write inline instead")
        if reactor is None:
            from twisted.internet import reactor as default_reactor

            reactor = default_reactor
        self.write = write
        self.in_thread = in_thread  # tests pass a synchronous runner
        self.size = size
        self.seconds = seconds
        self.reactor = reactor
        self.pending: list[tuple[T, defer.Deferred[Any]]] = []
        self.timer: IDelayedCall | None = None
        self.lock = defer.DeferredLock()
        self.batches = 0  # batches written so far

    def add(self, item: T) -> defer.Deferred[Any]:
        """Queue ``item``; the Deferred fires with its result (or fails with its exception) once written."""
        done: defer.Deferred[Any] = defer.Deferred()
        self.pending.append((item, done))
        if len(self.pending) >= self.size:
            self.flush()
        elif self.timer is None:
            self.timer = self.reactor.callLater(self.seconds, self.flush)
        return done

    def flush(self) -> defer.Deferred[Any]:
        """Write what is pending now (after any batch still being written); fires when it is written."""
        if self.timer is not None and self.timer.active():
            self.timer.cancel()
        self.timer = None
        batch, self.pending = self.pending, []
        if not batch:
            return self.lock.run(defer.succeed, None)  # still waits for a batch in flight
        return self.lock.run(self._write, batch)

    def drain(self) -> defer.Deferred[Any]:
        """Flush and wait until every queued item is written (at close)."""
        return self.flush()

    def _write(self, batch: list[tuple[T, defer.Deferred[Any]]]) -> defer.Deferred[Any]:
        items = [item for item, _ in batch]
        written = self.in_thread(self.write, items)

        def deliver(results: Sequence[Any]) -> None:
            self.batches += 1
            for (_, done), result in zip(batch, results, strict=True):
                if isinstance(result, BaseException):
                    done.errback(Failure(result))
                else:
                    done.callback(result)

        def fail_all(failure: Failure) -> None:
            # The write itself broke (a bug, not one item's fault): every item of the batch fails with it.
            for _, done in batch:
                done.errback(failure)

        written.addCallbacks(deliver, fail_all)
        return written
