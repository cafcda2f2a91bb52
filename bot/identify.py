"""Discord's identify concurrency across processes: each rate-limit bucket (`shard_id % max_concurrency`) takes
one IDENTIFY per 5 seconds, whichever process sends it; one sent too early is answered with an invalid session,
and every attempt counts toward the daily session start limit (1,000 for most bots).

Processes that start together (or restart in a crash loop) take turns through the shared database: each IDENTIFY
reserves the next free moment of its bucket in one atomic statement and waits for it. A one-shard bot does not use
this (discord.py's own rule for it: no wait at start, 5 s before identifying again).
"""

from __future__ import annotations

import asyncio
import logging
import time

from bot.database import Database

log = logging.getLogger(__name__)

# Discord's 5 s, and half a second for what lies between a turn and its IDENTIFY reaching Discord (connecting, HELLO)
IDENTIFY_INTERVAL_S = 5.5


class IdentifyGate:
    """Turns to IDENTIFY, per bucket, shared by every process on the database."""

    def __init__(self, db: Database, max_concurrency: int = 1) -> None:
        self.db = db
        self.max_concurrency = max(1, max_concurrency)

    def bucket(self, shard_id: int) -> int:
        return shard_id % self.max_concurrency

    async def reserve(self, shard_id: int) -> float:
        """Reserve this shard's next turn; the unix instant it may IDENTIFY at."""
        interval = IDENTIFY_INTERVAL_S
        now = time.time()
        result = await self.db.execute(
            "INSERT INTO gateway_identify (bucket, next_at) VALUES (?, ?) ON CONFLICT (bucket) DO UPDATE SET next_at ="
            f" {self.db.dialect.greatest('gateway_identify.next_at', '?')} + ? RETURNING next_at",
            (self.bucket(shard_id), now + interval, now, interval),
        )
        return float(result.rows[0][0]) - interval

    async def wait_turn(self, shard_id: int) -> None:
        turn = await self.reserve(shard_id)
        wait = turn - time.time()
        if wait > 0:
            log.info("Shard %s waits %.1f s for its turn to identify", shard_id, wait)
            await asyncio.sleep(wait)
