"""Fixtures: a loopback Discord with one community guild, and the real bot started against it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import discord
import pytest
import yarl

from bot.client import CommunityBot, all_migrations
from bot.database import Database
from bot.discovery import feature_packages
from bot.settings import Settings, load_settings
from tests.harness import SHIPPED_CONFIG, BotHarness
from tests.loopback import LoopbackDiscord


@pytest.fixture
def settings() -> Settings:
    """The shipped settings file, as a fresh install uses it."""
    return load_settings(SHIPPED_CONFIG)


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    """A real SQLite file in tmp_path with every migration of core and every feature applied."""
    database = await Database.open(tmp_path / "community.db")
    await database.migrate(all_migrations(feature_packages()))
    try:
        yield database
    finally:
        await database.close()


@pytest.fixture
async def loopback() -> AsyncIterator[LoopbackDiscord]:
    """A started loopback Discord holding one guild set up like a fresh community server."""
    saved_base, saved_gateway = discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
    server = LoopbackDiscord(token="test-token")
    await server.start()
    server.guild = server.add_guild("Data Community")
    try:
        yield server
    finally:
        await server.stop()
        discord.http.Route.BASE = saved_base
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(str(saved_gateway))


@pytest.fixture
async def harness(loopback: LoopbackDiscord, tmp_path: Path, settings: Settings) -> AsyncIterator[BotHarness]:
    """Starts/stops/restarts the real bot over one SQLite file in tmp_path."""
    h = BotHarness(loopback, tmp_path / "community.db", settings)
    try:
        yield h
    finally:
        await h.stop()


@pytest.fixture
async def bot(harness: BotHarness) -> CommunityBot:
    """The real bot, ready, commands synced to the loopback guild."""
    return await harness.start()
