"""Several CommunityBots in one test process, each with its own shards, as separate processes would run them."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import discord

from bot.client import CommunityBot
from bot.database import DatabaseTarget
from bot.environment import point_discord_at
from bot.settings import Settings
from loopback import LoopbackDiscord


class ShardBots:
    """Starts bots over one database and one loopback; each bot runs the shards it is given."""

    def __init__(self, loopback: LoopbackDiscord, database: DatabaseTarget, settings: Settings) -> None:
        self.loopback = loopback
        self.database = database
        self.settings = settings
        self.running: list[tuple[CommunityBot, asyncio.Task[None]]] = []

    async def start(self, shard_count: int, *shard_sets: list[int], **options: Any) -> list[CommunityBot]:
        """Start one bot per shard set at the same moment; returns them once every one is ready."""
        point_discord_at(self.loopback.api_base, self.loopback.gateway_url)
        bots = []
        for shard_ids in shard_sets:
            opts = {"guild_ready_timeout": 0.05, "settings": self.settings, **options}
            bot = CommunityBot(opts.pop("settings"), self.database, shard_count=shard_count, shard_ids=shard_ids,
                               **opts)
            task = asyncio.create_task(bot.start(self.loopback.token), name=f"shards-{shard_ids}")
            self.running.append((bot, task))
            bots.append(bot)
        await asyncio.gather(*(self._ready(bot, task) for bot, task in self.running[-len(bots):]))
        return bots

    async def _ready(self, bot: CommunityBot, task: asyncio.Task[None]) -> None:
        waiter = asyncio.create_task(bot.wait_until_ready())
        done, _ = await asyncio.wait({task, waiter}, timeout=20, return_when=asyncio.FIRST_COMPLETED)
        if task in done:
            waiter.cancel()
            task.result()
        if waiter not in done:
            raise TimeoutError(f"the bot with shards {bot.shard_ids} was not ready within 20 s")

    async def stop(self) -> None:
        for bot, task in self.running:
            await bot.close()
            with contextlib.suppress(discord.HTTPException, discord.ConnectionClosed):
                await asyncio.wait_for(task, timeout=10)
        self.running = []
