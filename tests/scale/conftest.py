"""Fixtures for several bot processes (or several in-process bots) sharing one PostgreSQL database."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator

import pytest

from loopback import LoopbackDiscord
from tests.databases import blank_postgres, drop_postgres, postgres_problem, postgres_url
from tests.harness import running_loopback


def needs_postgres() -> None:
    """Skip (or, with BOT_TEST_POSTGRES set, fail) when PostgreSQL cannot be used."""
    problem = postgres_problem()
    if problem is not None:
        if os.environ.get("BOT_TEST_POSTGRES"):
            pytest.fail(f"BOT_TEST_POSTGRES is set but {problem}")
        pytest.skip(problem)


@pytest.fixture
async def shared_postgres() -> AsyncIterator[str]:
    """The URL of a fresh, empty PostgreSQL database of the test's own (the bots migrate it), dropped afterwards."""
    needs_postgres()
    name = await blank_postgres()
    try:
        yield postgres_url(name)
    finally:
        await drop_postgres(name)


@pytest.fixture
async def three_shards() -> AsyncIterator[LoopbackDiscord]:
    """A loopback Discord with a community guild on each of three shards (for a Fleet of three)."""
    async with running_loopback("fleet-token") as server:
        for shard in range(3):
            server.add_guild(f"Community {shard}", on_shard=(shard, 3))
        yield server
