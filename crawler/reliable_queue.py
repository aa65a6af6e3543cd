"""ReliableQueue: scrapy-redis's priority queue, made safe against a worker killed with SIGKILL.

scrapy-redis pops a request destructively (``ZRANGE`` + ``ZREMRANGEBYRANK``): once a worker has
taken it, the request lives only in that worker's memory, and a worker killed there loses it.
This queue uses the *reliable queue* pattern instead:

- **pop** is one Lua script: it takes the best request off the shared sorted set and writes it,
  under a unique tag (``<seq>|<score>``), into the popping worker's *processing* hash
  (``<ns>:processing:<worker>``).  At no moment is a request only in a worker's memory.
- **ack** removes the tag from the processing hash once the request is done: the engine has
  downloaded it, run its callback or errback, sent its items through the pipelines and scheduled
  the requests it led to (they are in the queue before the ack).
- every worker keeps a **heartbeat** key (``<ns>:alive:<worker>``) with a time-to-live of
  ``REDIS_WORKER_TIMEOUT_SECONDS``, refreshed from a thread every ``REDIS_WORKER_HEARTBEAT_SECONDS``
  (a thread: a reactor busy writing to the database still beats, a SIGKILLed process does not).
- **requeue_dead** (any worker, periodically and when idle): a registered worker whose heartbeat
  expired is dead; one Lua script moves every request of its processing hash back into the queue
  (with its priority) and unregisters it.  Atomic, so two workers sweeping at once requeue once.

Delivery is therefore *at least once*: a request the dead worker had fetched but not finished is
fetched again by another worker.  The store is keyed by canonical URL (an upsert), so a second
delivery never makes a second row.  A request is never lost while Redis keeps its data.
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy import Request
from scrapy_redis.queue import PriorityQueue

logger = logging.getLogger(__name__)

# KEYS: queue, processing hash, sequence, idle set. ARGV: worker. Returns {tag, data} or false.
POP = """
local item = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if #item == 0 then return false end
redis.call('ZREM', KEYS[1], item[1])
local tag = redis.call('INCR', KEYS[3]) .. '|' .. item[2]
redis.call('HSET', KEYS[2], tag, item[1])
redis.call('SREM', KEYS[4], ARGV[1])
return {tag, item[1]}
"""

# KEYS: queue, processing hash of the dead worker, workers set, idle set, its heartbeat key.
# ARGV: the dead worker. Returns the number of requests put back, -1 when it is alive after all.
REQUEUE = """
if redis.call('EXISTS', KEYS[5]) == 1 then return -1 end
local items = redis.call('HGETALL', KEYS[2])
for i = 1, #items, 2 do
  local score = string.match(items[i], '|(.*)$')
  redis.call('ZADD', KEYS[1], score, items[i + 1])
end
redis.call('DEL', KEYS[2])
redis.call('SREM', KEYS[3], ARGV[1])
redis.call('SREM', KEYS[4], ARGV[1])
return #items / 2
"""

# KEYS: queue, workers set, idle set. ARGV: processing key prefix, this worker.
# 1 when the run has nothing left anywhere: the queue is empty, no worker holds a request, and
# every other registered worker is idle too (a busy one may still add requests).
DRAINED = """
if redis.call('ZCARD', KEYS[1]) > 0 then return 0 end
for _, w in ipairs(redis.call('SMEMBERS', KEYS[2])) do
  if redis.call('HLEN', ARGV[1] .. w) > 0 then return 0 end
  if w ~= ARGV[2] and redis.call('SISMEMBER', KEYS[3], w) == 0 then return 0 end
end
return 1
"""


class ReliableQueue(PriorityQueue):
    """The shared request queue of one run, ``<ns>:requests``, with per-worker processing hashes.

    ``namespace`` is the run's key prefix (``<REDIS_KEY_PREFIX>:<site>:run<id>``); ``worker`` this
    worker's id (``host:pid:random``).  ``pop`` returns a request and remembers its tag until
    ``ack(request)``.
    """

    def __init__(
        self,
        server: Any,
        spider: Any,
        namespace: str,
        worker: str,
        timeout: float,
        serializer: Any = None,
    ) -> None:
        super().__init__(server, spider, f"{namespace}:requests", serializer)
        self.namespace = namespace
        self.worker = worker
        self.timeout_ms = max(1, int(timeout * 1000))
        self.unacked: dict[Request, str] = {}
        """Requests this worker popped and has not finished, with their tags (by identity)."""
        self._pop = server.register_script(POP)
        self._requeue = server.register_script(REQUEUE)
        self._drained = server.register_script(DRAINED)

    # --- keys -------------------------------------------------------------------------------
    def processing_key(self, worker: str | None = None) -> str:
        """The processing hash of ``worker`` (default: this one)."""
        return f"{self.namespace}:processing:{worker or self.worker}"

    def alive_key(self, worker: str | None = None) -> str:
        """The heartbeat key of ``worker`` (default: this one)."""
        return f"{self.namespace}:alive:{worker or self.worker}"

    @property
    def workers_key(self) -> str:
        """The set of the run's registered workers."""
        return f"{self.namespace}:workers"

    @property
    def idle_key(self) -> str:
        """The set of registered workers that have nothing to do."""
        return f"{self.namespace}:idle"

    # --- the queue ----------------------------------------------------------------------------
    def pop(self, timeout: int = 0) -> Request | None:
        """Take the best request, moved atomically into this worker's processing hash."""
        found = self._pop(
            keys=[self.key, self.processing_key(), f"{self.namespace}:seq", self.idle_key], args=[self.worker]
        )
        if not found:
            return None
        tag, data = found
        request = self._decode_request(data)
        self.unacked[request] = tag.decode() if isinstance(tag, bytes) else str(tag)
        return request

    def ack(self, request: Request) -> None:
        """``request`` is done: forget it (its follow-up requests are already queued)."""
        tag = self.unacked.pop(request, None)
        if tag is not None:
            self.server.hdel(self.processing_key(), tag)

    def give_back(self) -> int:
        """Put every request this worker holds back into the queue (a worker leaving early)."""
        self.unacked.clear()
        self.server.delete(self.alive_key())
        return self.requeue(self.worker)

    # --- workers --------------------------------------------------------------------------------
    def beat(self) -> None:
        """This worker is alive (for ``REDIS_WORKER_TIMEOUT_SECONDS``) and registered."""
        pipe = self.server.pipeline()
        pipe.set(self.alive_key(), b"1", px=self.timeout_ms)
        pipe.sadd(self.workers_key, self.worker)
        pipe.execute()

    def set_idle(self) -> None:
        """This worker has nothing to do (a pop clears it)."""
        self.server.sadd(self.idle_key, self.worker)

    def requeue(self, worker: str) -> int:
        """Move a dead worker's requests back into the queue; -1 when it is alive after all."""
        return int(
            self._requeue(
                keys=[self.key, self.processing_key(worker), self.workers_key, self.idle_key, self.alive_key(worker)],
                args=[worker],
            )
        )

    def requeue_dead(self) -> dict[str, int]:
        """Requeue the requests of every registered worker whose heartbeat expired: {worker: requests}."""
        dead: dict[str, int] = {}
        for raw in self.server.smembers(self.workers_key):
            worker = raw.decode() if isinstance(raw, bytes) else str(raw)
            if worker == self.worker or self.server.exists(self.alive_key(worker)):
                continue
            moved = self.requeue(worker)
            if moved >= 0:
                dead[worker] = moved
                logger.warning("worker %s is gone: %d requests it held are queued again", worker, moved)
        return dead

    def drained(self) -> bool:
        """True when the run has nothing left: empty queue, nothing held, every other worker idle."""
        keys = [self.key, self.workers_key, self.idle_key]
        return bool(self._drained(keys=keys, args=[f"{self.namespace}:processing:", self.worker]))

    def leave(self) -> int:
        """Unregister this worker (what it still holds goes back to the queue); the workers left."""
        self.give_back()
        pipe = self.server.pipeline()
        pipe.srem(self.workers_key, self.worker)
        pipe.srem(self.idle_key, self.worker)
        pipe.scard(self.workers_key)
        return int(pipe.execute()[-1])
