"""Setup tests start from a fresh Discord server: @everyone, the bot's role, #general, and the "General" category
and voice channel Discord makes with every new server."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from loopback import LoopbackDiscord
from tests.harness import running_loopback
from tests.setup.helpers import fresh_guild


@pytest.fixture
async def loopback() -> AsyncIterator[LoopbackDiscord]:
    """A started loopback Discord whose one guild (`loopback.guild`) is a fresh server."""
    async with running_loopback() as server:
        server.guild = fresh_guild(server)
        yield server
