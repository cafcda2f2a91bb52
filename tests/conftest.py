"""Fixtures: a loopback Discord with one community guild, and the real bot started against it."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings

from bot.client import CommunityBot
from bot.database import Database, DatabaseTarget
from bot.settings import Settings, load_settings
from loopback import LoopbackDiscord
from tests.databases import (
    BACKENDS,
    blank_postgres,
    drop_postgres,
    migrated_postgres,
    migrated_sqlite,
    postgres_problem,
    postgres_url,
)
from tests.harness import SHIPPED_CONFIG, BotHarness, running_loopback

# Property tests check what is answered, not how fast: speed is measured in bench/. Hypothesis' default 200 ms
# deadline per example is a timing check, and two test processes (pytest -n) and their bots share the cores.
hypothesis_settings.register_profile("bot", deadline=None)
hypothesis_settings.load_profile("bot")


@pytest.fixture
def settings() -> Settings:
    """The shipped settings file, as a fresh install uses it."""
    return load_settings(SHIPPED_CONFIG)


# --- databases: each test that takes `backend` runs on every engine of BOT_TEST_BACKENDS (tests/databases.py) ---------


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "sqlite_only: reads or writes the SQLite file itself; not run on PostgreSQL")


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    name: str = request.param
    if name == "postgresql":
        if request.node.get_closest_marker("sqlite_only"):
            pytest.skip("reads the SQLite file itself")
        if (problem := postgres_problem()) is not None:
            if os.environ.get("BOT_TEST_POSTGRES"):
                pytest.fail(f"BOT_TEST_POSTGRES is set but {problem}")
            pytest.skip(problem)
    return name


@pytest.fixture
async def database_target(backend: str, tmp_path: Path) -> AsyncIterator[DatabaseTarget]:
    """A blank database of the test's own: a SQLite file in tmp_path, or a new PostgreSQL database."""
    if backend == "sqlite":
        yield tmp_path / "community.db"
        return
    name = await blank_postgres()
    try:
        yield postgres_url(name)
    finally:
        await drop_postgres(name)


@pytest.fixture
async def migrated_target(
    backend: str, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[DatabaseTarget]:
    """A database of the test's own with every migration of core and every feature applied."""
    if backend == "sqlite":
        yield await migrated_sqlite(tmp_path / "community.db", tmp_path_factory.getbasetemp())
        return
    name = await migrated_postgres()
    try:
        yield postgres_url(name)
    finally:
        await drop_postgres(name)


@pytest.fixture
async def db(migrated_target: DatabaseTarget) -> AsyncIterator[Database]:
    """The migrated database, open."""
    database = await Database.open(migrated_target)
    try:
        yield database
    finally:
        await database.close()


@pytest.fixture
async def second_database(migrated_target: DatabaseTarget) -> AsyncIterator[Database]:
    """A second Database on the same database, on either engine: another process, as far as the data goes."""
    other = await Database.open(migrated_target)
    try:
        yield other
    finally:
        await other.close()


@pytest.fixture
async def loopback() -> AsyncIterator[LoopbackDiscord]:
    """A started loopback Discord holding one guild set up like a fresh community server."""
    async with running_loopback() as server:
        server.guild = server.add_guild("Data Community")
        yield server


@pytest.fixture
async def harness(
    loopback: LoopbackDiscord, migrated_target: DatabaseTarget, settings: Settings
) -> AsyncIterator[BotHarness]:
    """Starts/stops/restarts the real bot over one database (either engine)."""
    h = BotHarness(loopback, migrated_target, settings)
    try:
        yield h
    finally:
        await h.stop()


@pytest.fixture
async def bot(harness: BotHarness) -> CommunityBot:
    """The real bot, ready, commands synced to the loopback guild."""
    return await harness.start()
