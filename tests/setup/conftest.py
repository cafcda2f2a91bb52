"""Setup tests start from a fresh Discord server: @everyone, the bot's role, #general, and the "General" category
and voice channel Discord makes with every new server."""

from __future__ import annotations

from collections.abc import AsyncIterator

import discord
import pytest
import yarl

from loopback import LoopbackDiscord
from tests.setup.helpers import fresh_guild


@pytest.fixture
async def loopback() -> AsyncIterator[LoopbackDiscord]:
    """A started loopback Discord whose one guild (`loopback.guild`) is a fresh server."""
    saved_base, saved_gateway = discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
    server = LoopbackDiscord(token="test-token")
    await server.start()
    server.guild = fresh_guild(server)
    try:
        yield server
    finally:
        await server.stop()
        discord.http.Route.BASE = saved_base
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(str(saved_gateway))
