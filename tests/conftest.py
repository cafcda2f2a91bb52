"""Fixtures: a loopback Discord with one community guild, and the real bot started against it."""

from __future__ import annotations

import asyncio
import functools
import os
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import discord
import pytest
import yarl

from bot.client import CommunityBot, all_migrations
from bot.database import Database, DatabaseTarget
from bot.discovery import feature_packages
from bot.settings import Settings, load_settings
from tests.harness import SHIPPED_CONFIG, BotHarness
from tests.loopback import LoopbackDiscord


@pytest.fixture
def settings() -> Settings:
    """The shipped settings file, as a fresh install uses it."""
    return load_settings(SHIPPED_CONFIG)


# --- PostgreSQL -----------------------------------------------------------------------------------------------------
# Tests that take `backend` (directly or through a fixture) run once on SQLite and once on PostgreSQL. Without a
# reachable server the PostgreSQL runs are skipped with the reason, unless BOT_TEST_POSTGRES is set (CI sets it):
# then they fail.
POSTGRES_ADMIN_URL = os.environ.get("BOT_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


@functools.cache
def postgres_problem() -> str | None:
    """Why PostgreSQL cannot be used for tests here, or None when it can."""

    async def probe() -> None:
        conn = await asyncpg.connect(POSTGRES_ADMIN_URL, timeout=5)
        await conn.close()

    try:
        asyncio.run(probe())
    except Exception as error:
        return f"PostgreSQL at {POSTGRES_ADMIN_URL} is not reachable ({type(error).__name__}: {error})"
    return None


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> str:
    name: str = request.param
    if name == "postgresql" and (problem := postgres_problem()) is not None:
        if os.environ.get("BOT_TEST_POSTGRES"):
            pytest.fail(f"BOT_TEST_POSTGRES is set but {problem}")
        pytest.skip(problem)
    return name


@pytest.fixture
async def database_target(backend: str, tmp_path: Path) -> AsyncIterator[DatabaseTarget]:
    """Where a test's database lives: a SQLite file in tmp_path, or a fresh PostgreSQL database of its own."""
    if backend == "sqlite":
        yield tmp_path / "community.db"
        return
    name = f"bot_test_{uuid.uuid4().hex[:16]}"
    admin = await asyncpg.connect(POSTGRES_ADMIN_URL)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    parts = urlsplit(POSTGRES_ADMIN_URL)
    try:
        yield urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        admin = await asyncpg.connect(POSTGRES_ADMIN_URL)
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()


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
