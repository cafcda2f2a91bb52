"""The join-wave machinery without Discord: pacing, a bounded window over the database, batched fallbacks."""

from __future__ import annotations

import asyncio
import itertools

from cogs.onboarding.welcome_queue import FallbackBatcher, TokenBucket, WelcomeQueue


async def test_the_bucket_allows_a_burst_then_the_rate() -> None:
    now = [0.0]
    grants: list[float] = []

    async def sleep(seconds: float) -> None:
        now[0] += seconds  # virtual time: the test never waits

    bucket = TokenBucket(10, burst=3, clock=lambda: now[0], sleep=sleep)
    for _ in range(13):
        await bucket.acquire()
        grants.append(now[0])
    assert grants[:3] == [0.0, 0.0, 0.0]
    assert abs(grants[-1] - 1.0) < 1e-9  # 10 more at 10 per second
    gaps = [round(b - a, 9) for a, b in itertools.pairwise(grants[2:])]
    assert set(gaps) == {0.1}


async def test_a_wave_larger_than_the_window_is_handled_once_each_with_bounded_concurrency() -> None:
    due = list(range(200))  # stands in for the welcome rows in state pending
    handled: list[int] = []
    in_flight = peak = 0

    async def handle(guild_id: int, user_id: int) -> None:
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)
        await asyncio.sleep(0)
        handled.append(user_id)
        due.remove(user_id)
        in_flight -= 1

    async def refill(limit: int) -> list[tuple[int, int]]:
        return [(1, user) for user in due[:limit]]

    queue = WelcomeQueue(handle, refill, workers=4, per_second=100_000, maxsize=10)
    accepted = sum(queue.offer((1, user)) for user in list(due))
    assert accepted == 10  # the rest waits in the "database"
    assert not queue.offer((1, 0))  # already queued: never twice at once
    queue.start()
    try:
        for _ in range(500):
            if not due:
                break
            await asyncio.sleep(0.01)
    finally:
        await queue.stop()
    assert sorted(handled) == list(range(200))
    assert peak <= 4


async def test_a_failing_welcome_does_not_stop_the_workers() -> None:
    done: list[int] = []

    async def handle(guild_id: int, user_id: int) -> None:
        if user_id == 1:
            raise RuntimeError("boom")
        done.append(user_id)

    async def refill(limit: int) -> list[tuple[int, int]]:
        return []

    queue = WelcomeQueue(handle, refill, workers=1, per_second=100_000)
    for user in (1, 2, 3):
        queue.offer((9, user))
    queue.start()
    try:
        for _ in range(200):
            if len(done) == 2:
                break
            await asyncio.sleep(0.01)
    finally:
        await queue.stop()
    assert done == [2, 3]


async def test_closed_dm_fallbacks_are_batched_per_server() -> None:
    posts: list[tuple[int, list[int]]] = []

    async def flush(guild_id: int, users: list[int]) -> None:
        posts.append((guild_id, users))

    batcher = FallbackBatcher(flush, max_batch=3, delay=0.05)
    for user in range(7):
        batcher.add(1, user)
    batcher.add(1, 0)  # already waiting
    batcher.add(2, 99)
    for _ in range(200):
        if sum(len(u) for _, u in posts) == 8:
            break
        await asyncio.sleep(0.01)
    await batcher.stop()
    assert [users for guild, users in posts if guild == 1] == [[0, 1, 2], [3, 4, 5], [6]]
    assert [users for guild, users in posts if guild == 2] == [[99]]
