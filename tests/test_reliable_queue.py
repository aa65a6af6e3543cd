"""The reliable queue (crawler/reliable_queue.py) against the real Redis at 127.0.0.1:6379.

A popped request lives in its worker's processing hash until acknowledged; a worker whose
heartbeat expired is dead, and its requests go back to the queue (once, with their priority).
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
import redis
from scrapy import Request, Spider

from crawler.reliable_queue import ReliableQueue

pytestmark = pytest.mark.redis


@pytest.fixture
def server(redis_url: str) -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(redis_url)
    yield client
    client.close()


def queue(server: redis.Redis, prefix: str, worker: str, timeout: float = 0.3) -> ReliableQueue:
    return ReliableQueue(server, Spider(name="test"), f"{prefix}:site:run1", worker, timeout)


def test_a_popped_request_is_held_by_its_worker_until_acknowledged(server: redis.Redis, redis_prefix: str) -> None:
    a = queue(server, redis_prefix, "a")
    a.push(Request("http://127.0.0.1/1"))
    request = a.pop()
    assert request is not None and request.url == "http://127.0.0.1/1"
    assert len(a) == 0 and server.hlen(a.processing_key()) == 1  # not in the queue, not only in memory either
    a.ack(request)
    assert server.hlen(a.processing_key()) == 0 and a.unacked == {}
    assert a.pop() is None


def test_a_dead_workers_in_flight_request_is_queued_again_for_another(server: redis.Redis, redis_prefix: str) -> None:
    a, b = queue(server, redis_prefix, "a"), queue(server, redis_prefix, "b")
    a.beat()
    b.beat()
    a.push(Request("http://127.0.0.1/low", priority=0))
    a.push(Request("http://127.0.0.1/high", priority=5))
    taken = a.pop()
    assert taken is not None and taken.url == "http://127.0.0.1/high"  # priority first
    # a is SIGKILLed here: no ack, no more beats. While its heartbeat lives, nothing is taken from it.
    assert b.requeue_dead() == {}
    time.sleep(0.4)  # past REDIS_WORKER_TIMEOUT_SECONDS (0.3 here); b beats again, a cannot
    b.beat()
    assert b.requeue_dead() == {"a": 1}
    assert server.smembers(b.workers_key) == {b"b"}  # a is unregistered
    assert b.requeue_dead() == {}  # once: a second sweep finds nothing
    again = b.pop()
    assert again is not None and again.url == "http://127.0.0.1/high"  # back with its priority, ahead of /low
    assert again.priority == 5
    # The dead worker's late ack (had it only hung) changes nothing.
    a.ack(taken)
    assert server.hlen(b.processing_key()) == 1


def test_a_worker_alive_after_all_keeps_its_requests(server: redis.Redis, redis_prefix: str) -> None:
    a, b = queue(server, redis_prefix, "a", timeout=5), queue(server, redis_prefix, "b", timeout=5)
    a.beat()
    a.push(Request("http://127.0.0.1/1"))
    assert a.pop() is not None
    assert b.requeue(a.worker) == -1  # its heartbeat lives: the script refuses
    assert server.hlen(a.processing_key()) == 1 and len(b) == 0


def test_drained_only_when_nothing_is_queued_held_or_busy(server: redis.Redis, redis_prefix: str) -> None:
    a, b = queue(server, redis_prefix, "a", timeout=5), queue(server, redis_prefix, "b", timeout=5)
    a.beat()
    b.beat()
    a.push(Request("http://127.0.0.1/1"))
    assert not a.drained()  # queued
    request = b.pop()
    assert not a.drained()  # held by b
    b.ack(request)
    assert not a.drained()  # b is busy (not idle): it may still add requests
    b.set_idle()
    assert a.drained()
    b.push(Request("http://127.0.0.1/2"))
    assert not a.drained()


def test_leaving_gives_back_what_the_worker_holds(server: redis.Redis, redis_prefix: str) -> None:
    a, b = queue(server, redis_prefix, "a", timeout=5), queue(server, redis_prefix, "b", timeout=5)
    a.beat()
    b.beat()
    a.push(Request("http://127.0.0.1/1"))
    assert a.pop() is not None
    assert a.leave() == 1  # b is still registered
    assert len(b) == 1 and server.exists(a.processing_key()) == 0
    assert b.leave() == 0
