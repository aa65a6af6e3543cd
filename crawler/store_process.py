"""WriterProcess: the store's writes in a child process, so they run beside the crawl, not under its GIL.

With ``STORE_WRITER = "process"`` StorePipeline hands each batch to a child process (``python -m
crawler.store_process``) that owns the writes' own engine, near-duplicate index and retry window: an
``ArticleWriter`` (crawler/store_writer.py).  Fetching and parsing then keep one core while the ORM
and the database driver use the other.  The rules and the outcomes are those of the thread writer.

The two talk over the child's stdin and stdout, one pickled message each way per call; the child
logs to stderr, as the crawl does.  The child ends when the crawl closes it, or when its stdin
closes (the crawl died, even by SIGKILL): a batch being written is committed or rolled back whole.
A child that dies mid-crawl fails the batch it held (those articles are counted lost, by URL) and
is started again for the next one.
"""

from __future__ import annotations

import logging
import os
import pickle
import subprocess
import sys
import threading
from dataclasses import dataclass
from typing import IO, Any

from crawler.retry import DatabaseRetry, DatabaseUnavailable, describe
from crawler.store import ArticleStore, StoreConfig
from crawler.store_writer import ArticleWriter, Duplicate, Stored, StoreWriteError, Unwritten
from storage.records import ArticleRecord

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class WriterSpec:
    """What the child needs to write as the crawl would: the database, the site, the rules, the log level."""

    database_url: str
    site: str
    config: StoreConfig
    retry_seconds: float
    log_level: str = "INFO"


class WriterProcess:
    """The crawl's side of the writer process: each call sends one request and waits for its answer."""

    def __init__(self, spec: WriterSpec) -> None:
        self.spec = spec
        self.lock = threading.Lock()  # the batch thread and the reactor thread both call
        self.child: subprocess.Popen[bytes] | None = None
        self.last_error = ""  # the child's last database error (the reason an unwritten article is lost)
        self.indexed = 0  # bodies the child's near-duplicate index held once started
        self.evicted = 0  # index entries the child evicted while starting (counted by the pipeline)
        self.starts = 0

    def start(self) -> None:
        """Start the child and wait until its index of recently seen bodies is built."""
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
        self.child = subprocess.Popen(
            [sys.executable, "-m", "crawler.store_process"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env
        )
        self.starts += 1
        answer = self._exchange(self.spec)
        self.indexed, self.evicted = answer

    def write_batch(self, items: list[ArticleRecord], run_id: int | None) -> list[Any]:
        """``ArticleWriter.write_batch`` in the child (runs in the pipeline's batch thread)."""
        return self._call("batch", items, run_id)

    def write_one(self, item: ArticleRecord, run_id: int | None) -> Stored:
        """One article in its own transaction; raises Duplicate, DatabaseUnavailable or its failure."""
        result = self._call("one", item, run_id)
        if isinstance(result, Unwritten):
            raise DatabaseUnavailable(f"database unavailable: {result.reason}")
        if isinstance(result, BaseException):
            raise result
        return result

    def new_window(self) -> None:
        """Give the child's next failing write a full retry window again (at close)."""
        self._call("new_window")

    def close(self) -> None:
        """Ask the child to end and wait for it."""
        with self.lock:
            child, self.child = self.child, None
            if child is None:
                return
            try:
                self._send(child, ("close",))
            except OSError:
                pass  # it has gone already
            child.wait(timeout=60)

    def _call(self, *request: Any) -> Any:
        with self.lock:
            if self.child is None or self.child.poll() is not None:
                if self.child is not None:
                    code = self.child.returncode
                    logger.error("the store's writer process exited (status %s): starting another", code)
                self.start()
            return self._exchange(request)

    def _exchange(self, request: Any) -> Any:
        child = self.child
        assert child is not None and child.stdout is not None
        try:
            self._send(child, request)
            status, value, self.last_error = pickle.load(child.stdout)
        except (OSError, EOFError, pickle.UnpicklingError) as exc:
            code = child.wait()
            self.child = None
            raise StoreWriteError(f"the store's writer process exited (status {code}) during the write") from exc
        if status == "error":
            raise StoreWriteError(value)
        return value

    @staticmethod
    def _send(child: subprocess.Popen[bytes], message: Any) -> None:
        assert child.stdin is not None
        pickle.dump(message, child.stdin, protocol=pickle.HIGHEST_PROTOCOL)
        child.stdin.flush()


def _picklable(result: Any) -> Any:
    # Driver exceptions may not survive pickling: anything but a duplicate goes back as its description.
    if isinstance(result, BaseException) and not isinstance(result, Duplicate):
        return StoreWriteError(describe(result))
    return result


def serve(requests: IO[bytes], answers: IO[bytes]) -> None:
    """The child's loop: the spec, then requests until ``close`` or the end of ``requests``."""
    from storage.db import make_engine

    spec: WriterSpec = pickle.load(requests)
    logging.basicConfig(level=spec.log_level, stream=sys.stderr,
                        format="%(asctime)s [%(name)s] %(levelname)s: %(message)s")
    engine = make_engine(spec.database_url)
    articles = ArticleStore(spec.config)
    retry = DatabaseRetry(spec.retry_seconds)
    writer = ArticleWriter(articles, engine, spec.site, retry)

    def answer(status: str, value: Any) -> None:
        pickle.dump((status, value, retry.last_error), answers, protocol=pickle.HIGHEST_PROTOCOL)
        answers.flush()

    try:
        try:
            evicted = retry.run(writer.index_bodies, "indexing recently seen bodies")
        except Exception as exc:  # noqa: BLE001 - reported to the crawl, which fails the writes with it
            answer("error", f"the store's writer could not start: {describe(exc)}")
            return
        answer("ok", (len(articles.near) if articles.near is not None else 0, evicted))
        while True:
            try:
                request = pickle.load(requests)
            except EOFError:
                return  # the crawl has gone
            kind, *args = request
            try:
                if kind == "batch":
                    answer("ok", [_picklable(r) for r in writer.write_batch(*args)])
                elif kind == "one":
                    answer("ok", _picklable(writer.write_alone(*args)))
                elif kind == "new_window":
                    retry.new_window()
                    answer("ok", None)
                elif kind == "close":
                    return
                else:
                    answer("error", f"unknown request {kind!r}")
            except Exception as exc:  # noqa: BLE001 - a bug in the writer: the crawl fails the batch with it
                logger.exception("the store's writer failed on a %s request", kind)
                answer("error", describe(exc))
    finally:
        engine.dispose()


def main() -> None:
    """Entry point of ``python -m crawler.store_process``: answers go to the original stdout only."""
    answers = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())  # a stray print must not corrupt the channel
    try:
        serve(sys.stdin.buffer, answers)
    except BrokenPipeError:
        pass  # the crawl has gone while an answer was on its way


if __name__ == "__main__":
    main()
