"""Fixtures: a started loopback Discord with one guild, and a bare discord.py bot runner."""

from __future__ import annotations

import asyncio
import contextlib
import inspect
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import discord
import pytest
import yarl
from discord.ext import commands

from loopback import Guild, LoopbackDiscord, User

Setup = Callable[[commands.Bot], Awaitable[None] | None]


class World:
    """Handles to the default test world."""

    def __init__(self, lb: LoopbackDiscord) -> None:
        self.guild: Guild = lb.add_guild("Data Community")
        self.alice: User = lb.add_user("alice")
        self.bob: User = lb.add_user("bob")
        lb.add_member(self.guild.id, self.alice)
        lb.add_member(self.guild.id, self.bob, roles=[self.guild.role("Moderators")])


def default_intents() -> discord.Intents:
    """Default intents plus the two privileged ones the product uses."""
    intents = discord.Intents.default()
    intents.members = True
    intents.message_content = True
    return intents


class BareBot(commands.Bot):
    """A plain commands.Bot whose setup_hook runs a test-provided setup (commands, persistent views)."""

    def __init__(self, setup: Setup | None, **options: Any) -> None:
        options.setdefault("intents", default_intents())
        options.setdefault("guild_ready_timeout", 0.05)
        super().__init__(command_prefix="!", help_command=None, **options)
        self._setup = setup
        self.ready_event = asyncio.Event()

    async def setup_hook(self) -> None:
        if self._setup is not None:
            result = self._setup(self)
            if inspect.isawaitable(result):
                await result

    async def on_ready(self) -> None:
        self.ready_event.set()


class BotRunner:
    """Starts a bare bot against the loopback in this event loop; stops and restarts it."""

    def __init__(self, lb: LoopbackDiscord) -> None:
        self.lb = lb
        self.bot: BareBot | None = None
        self.task: asyncio.Task[None] | None = None

    async def start(self, setup: Setup | None = None, *, token: str | None = None, **options: Any) -> BareBot:
        """Start a fresh bot and wait for on_ready."""
        discord.http.Route.BASE = self.lb.api_base
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(self.lb.gateway_url)
        bot = BareBot(setup, **options)
        self.bot = bot
        self.task = asyncio.create_task(bot.start(token or self.lb.token))
        waiter = asyncio.create_task(bot.ready_event.wait())
        done, _ = await asyncio.wait({self.task, waiter}, timeout=15, return_when=asyncio.FIRST_COMPLETED)
        if self.task in done:
            waiter.cancel()
            self.task.result()
        if waiter not in done:
            raise TimeoutError("bare bot not ready within 15 s")
        return bot

    async def stop(self) -> None:
        """Close the bot and wait for its task."""
        if self.bot is None:
            return
        await self.bot.close()
        if self.task is not None:
            # A bot that failed to log in has already raised to the test; only the wait matters here.
            with contextlib.suppress(discord.HTTPException, discord.ConnectionClosed, discord.LoginFailure):
                await asyncio.wait_for(self.task, timeout=10)
        self.bot = self.task = None


@pytest.fixture
async def lb() -> AsyncIterator[LoopbackDiscord]:
    """A started loopback Discord; restores discord.py's endpoints afterwards."""
    saved_base = discord.http.Route.BASE
    saved_gateway = discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
    server = LoopbackDiscord(token="test-token")
    await server.start()
    try:
        yield server
    finally:
        await server.stop()
        discord.http.Route.BASE = saved_base
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = saved_gateway


@pytest.fixture
def world(lb: LoopbackDiscord) -> World:
    """The default guild with alice (member) and bob (moderator)."""
    return World(lb)


@pytest.fixture
async def runner(lb: LoopbackDiscord) -> AsyncIterator[BotRunner]:
    """A bare-bot runner that is always stopped at teardown."""
    r = BotRunner(lb)
    try:
        yield r
    finally:
        await r.stop()
        assert not lb.handler_errors, lb.handler_errors


def collect(bot: commands.Bot, event: str) -> list[Any]:
    """Listen for `event` (e.g. "on_member_join") and gather its first argument."""
    seen: list[Any] = []

    async def listener(*args: Any) -> None:
        seen.append(args[0] if len(args) == 1 else args)

    bot.add_listener(listener, event)
    return seen
