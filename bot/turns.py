"""Turns per key: one task at a time for a key, in the order the tasks asked (a thread's messages, a member's joins
and leaves). discord.py runs each event's listeners as separate tasks, so two events about the same thing can
otherwise reach the database in either order."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Hashable
from contextlib import asynccontextmanager


class Turns:
    """`async with turns.of(key):` waits for the key's earlier holders (asyncio.Lock serves waiters first come,
    first served); a key nobody holds or waits for takes no memory."""

    def __init__(self) -> None:
        self._locks: dict[Hashable, tuple[asyncio.Lock, int]] = {}  # key -> (its lock, how many hold or wait)

    @asynccontextmanager
    async def of(self, key: Hashable) -> AsyncIterator[None]:
        lock, waiting = self._locks.get(key, (asyncio.Lock(), 0))
        self._locks[key] = (lock, waiting + 1)
        try:
            async with lock:
                yield
        finally:
            lock, waiting = self._locks[key]
            if waiting == 1:
                del self._locks[key]
            else:
                self._locks[key] = (lock, waiting - 1)
