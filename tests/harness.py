"""Starts the real CommunityBot in-process against the loopback Discord, and restarts it on the same database."""

from __future__ import annotations

import asyncio
import contextlib
import inspect
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import discord
import yarl

from bot.client import CommunityBot
from bot.clock import Clock
from bot.database import DatabaseTarget
from bot.environment import point_discord_at
from bot.settings import Settings
from loopback import LoopbackDiscord

SHIPPED_CONFIG = Path(__file__).parents[1] / "data" / "config.yaml"


async def eventually(check: Callable[[], Any], within: float = 10.0) -> Any:
    """Poll `check()` (plain or async: state the bot keeps in its database or sent to the loopback) until it returns
    something truthy, and return that; TimeoutError after `within` seconds (a busy machine runs the bot late)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while True:
        value = check()
        if inspect.isawaitable(value):
            value = await value
        if value:
            return value
        if loop.time() > deadline:
            raise TimeoutError(f"condition not met within {within} s")
        await asyncio.sleep(0.02)


class BotHarness:
    """One bot at a time over one database file; `restart()` is a real stop and a fresh start."""

    def __init__(self, loopback: LoopbackDiscord, database: DatabaseTarget, settings: Settings) -> None:
        self.loopback = loopback
        self.database = database
        self.settings = settings
        self.bot: CommunityBot | None = None
        self._task: asyncio.Task | None = None

    async def start(
        self, *, settings: Settings | None = None, clock: Clock | None = None, **options: Any
    ) -> CommunityBot:
        """Start a fresh bot and wait until it is ready and its commands are synced."""
        if self.bot is not None:
            raise RuntimeError("stop the running bot first")
        point_discord_at(self.loopback.api_base, self.loopback.gateway_url)
        options.setdefault("guild_ready_timeout", 0.05)
        bot = CommunityBot(settings or self.settings, self.database, clock=clock, **options)
        ready = asyncio.Event()
        bot.add_listener(_set_when_ready(ready), "on_ready")
        self.bot = bot
        self._task = asyncio.create_task(bot.start(self.loopback.token), name="bot-under-test")
        waiter = asyncio.create_task(ready.wait())
        done, _ = await asyncio.wait({self._task, waiter}, timeout=15, return_when=asyncio.FIRST_COMPLETED)
        if self._task in done:
            waiter.cancel()
            # A start that failed (say, a ConfigError from a feature) leaves the harness ready for the next start.
            task, self.bot, self._task = self._task, None, None
            await bot.close()
            task.result()  # re-raise what stopped it
        if waiter not in done:
            raise TimeoutError("the bot did not become ready within 15 s")
        # on_ready listeners run concurrently; the bot's own on_ready syncs commands, so wait for the sync.
        # After a restart the loopback still holds the commands and an unchanged set is not re-sent.
        await self.loopback.wait_until(lambda: self.loopback.commands_registered(), timeout=10)
        return bot

    async def stop(self) -> None:
        """Close the bot as a signal would, and wait for its task to end."""
        if self.bot is None:
            return
        await self.bot.close()
        if self._task is not None:
            with contextlib.suppress(discord.HTTPException, discord.ConnectionClosed):
                await asyncio.wait_for(self._task, timeout=10)
        self.bot, self._task = None, None

    async def restart(self, **kwargs: Any) -> CommunityBot:
        await self.stop()
        return await self.start(**kwargs)


def _set_when_ready(event: asyncio.Event):
    async def on_ready() -> None:
        event.set()

    return on_ready


@contextlib.asynccontextmanager
async def discord_addresses_kept() -> AsyncIterator[None]:
    """Puts discord.py's REST and gateway addresses back afterwards: a bot started against a loopback points the
    whole process at it, and the next test must start from the defaults."""
    saved_base, saved_gateway = discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
    try:
        yield
    finally:
        discord.http.Route.BASE = saved_base
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(str(saved_gateway))


@contextlib.asynccontextmanager
async def running_loopback(token: str = "test-token") -> AsyncIterator[LoopbackDiscord]:
    """A started loopback Discord, stopped afterwards, with discord.py's addresses put back."""
    async with discord_addresses_kept():
        server = LoopbackDiscord(token=token)
        await server.start()
        try:
            yield server
        finally:
            await server.stop()
