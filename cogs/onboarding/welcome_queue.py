"""The join-wave machinery, free of Discord: a bounded queue over due welcomes, paced workers, batched fallbacks."""

# The database is the real queue (welcome rows in state `pending`); the asyncio queue is a bounded window onto it.
# When a wave overflows the window, the overflow stays in the database and is read back as the window drains, so
# memory stays flat and nothing is lost.

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)

WelcomeKey = tuple[int, int]  # (guild_id, user_id)


class TokenBucket:
    """At most `rate` acquisitions per second on average, with bursts of at most `burst`."""

    def __init__(
        self,
        rate: float,
        burst: int = 1,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
    ) -> None:
        if rate <= 0 or burst < 1:
            raise ValueError("rate must be positive and burst at least 1")
        self.rate, self.burst = rate, burst
        self._clock, self._sleep = clock, sleep
        self._tokens = float(burst)
        self._stamp = clock()
        self._lock = asyncio.Lock()

    def _refill(self) -> None:
        now = self._clock()
        self._tokens = min(self.burst, self._tokens + (now - self._stamp) * self.rate)
        self._stamp = now

    async def acquire(self) -> None:
        """Wait for a token; callers are served in arrival order."""
        async with self._lock:
            self._refill()
            if self._tokens < 1:
                await self._sleep((1 - self._tokens) / self.rate)
                self._refill()
            self._tokens -= 1


class WelcomeQueue:
    """A bounded window of due welcomes drained by a fixed number of paced workers."""

    def __init__(
        self,
        handler: Callable[[int, int], Awaitable[None]],
        refill: Callable[[int], Awaitable[list[WelcomeKey]]],
        *,
        workers: int,
        per_second: float,
        maxsize: int = 500,
        ready: Callable[[], Awaitable[object]] | None = None,
    ) -> None:
        self._handler = handler
        self._refill = refill
        self._ready = ready
        self._maxsize = maxsize
        self._queue: asyncio.Queue[WelcomeKey] = asyncio.Queue(maxsize)
        self._keys: set[WelcomeKey] = set()  # queued or being handled: never twice at once
        self._bucket = TokenBucket(per_second, burst=1)  # no bursts: a burst is what the global limit punishes
        self._worker_count = workers
        self._workers: list[asyncio.Task[None]] = []
        self._timers: set[asyncio.TimerHandle] = set()
        self._spilled = False
        self._refilling = asyncio.Lock()
        self.handled = 0

    @property
    def pending(self) -> int:
        """Welcomes in the window or in a worker's hands."""
        return len(self._keys)

    def offer(self, key: WelcomeKey) -> bool:
        """Add a due welcome to the window; when full it waits in the database until the window drains."""
        if key in self._keys:
            return False
        try:
            self._queue.put_nowait(key)
        except asyncio.QueueFull:
            self._spilled = True
            return False
        self._keys.add(key)
        return True

    def offer_later(self, key: WelcomeKey, delay: float) -> None:
        """Try a welcome again after a pause (a transient Discord error)."""
        loop = asyncio.get_running_loop()
        handle: asyncio.TimerHandle | None = None

        def fire() -> None:
            self._timers.discard(handle)
            if not self._queue.full():
                self.offer(key)
            else:
                self._spilled = True

        handle = loop.call_later(delay, fire)
        self._timers.add(handle)

    def start(self) -> None:
        if not self._workers:
            self._workers = [
                asyncio.create_task(self._work(), name=f"welcome-worker-{i}") for i in range(self._worker_count)
            ]

    async def stop(self) -> None:
        """Stop the workers; a welcome cut off mid-send stays `sending` in the database for the next start."""
        for handle in self._timers:
            handle.cancel()
        self._timers.clear()
        for task in self._workers:
            task.cancel()
        for task in self._workers:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._workers = []

    async def refill_now(self) -> int:
        """Read due welcomes from the database into the window; returns how many were added."""
        async with self._refilling:
            self._spilled = False
            room = self._maxsize - self._queue.qsize()
            if room <= 0:
                self._spilled = True
                return 0
            limit = room + len(self._keys)  # rows already queued or in a worker's hands come back too
            keys = await self._refill(limit)
            added = 0
            for key in keys:
                if self._queue.full():
                    break
                added += self.offer(key)
            if len(keys) >= limit:
                self._spilled = True  # the database may hold more than this window took
            return added

    async def _work(self) -> None:
        if self._ready is not None:
            await self._ready()
        while True:
            key = await self._queue.get()
            try:
                await self._bucket.acquire()
                await self._handler(*key)
                self.handled += 1
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("Welcome of member %s in guild %s failed", key[1], key[0])
            finally:
                self._keys.discard(key)
                self._queue.task_done()
            if self._spilled and self._queue.qsize() <= self._maxsize // 2:
                await self.refill_now()


class FallbackBatcher:
    """Collects members whose DMs are closed and greets them together in the welcome channel."""

    # One message per second at most per server, mentioning up to `max_batch` members, keeps a wave of closed DMs
    # within the channel's own rate limit (Discord allows about 5 messages per 5 seconds in a channel).

    def __init__(
        self, flush: Callable[[int, list[int]], Awaitable[None]], *, max_batch: int = 20, delay: float = 1.0
    ) -> None:
        self._flush = flush
        self.max_batch, self.delay = max_batch, delay
        self._waiting: dict[int, list[int]] = {}
        self._tasks: dict[int, asyncio.Task[None]] = {}
        self._lock: dict[int, asyncio.Lock] = {}

    def add(self, guild_id: int, user_id: int) -> None:
        members = self._waiting.setdefault(guild_id, [])
        if user_id in members:
            return
        members.append(user_id)
        if guild_id not in self._tasks or self._tasks[guild_id].done():
            self._tasks[guild_id] = asyncio.create_task(self._run(guild_id), name=f"welcome-fallback-{guild_id}")

    async def _run(self, guild_id: int) -> None:
        lock = self._lock.setdefault(guild_id, asyncio.Lock())
        while self._waiting.get(guild_id):
            if len(self._waiting[guild_id]) < self.max_batch:
                await asyncio.sleep(self.delay)
            batch = self._waiting[guild_id][: self.max_batch]
            del self._waiting[guild_id][: self.max_batch]
            async with lock:
                try:
                    await self._flush(guild_id, batch)
                except Exception:
                    log.exception("Posting the welcome-channel fallback in guild %s failed", guild_id)
            await asyncio.sleep(self.delay)  # one post per `delay` at most

    async def stop(self) -> None:
        for task in self._tasks.values():
            task.cancel()
        for task in self._tasks.values():
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks.clear()
