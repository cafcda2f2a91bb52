"""Setup tests start from a fresh Discord server: @everyone, the bot's role, #general, and the "General" category
and voice channel Discord makes with every new server."""

from __future__ import annotations

from collections.abc import AsyncIterator

import discord
import pytest
import yarl

from tests.loopback import ChannelType, Guild, LoopbackDiscord


def fresh_guild(lb: LoopbackDiscord, name: str = "Fresh Server") -> Guild:
    """A server as Discord makes it: the category comes first, so a lookup that ignores kinds finds it first."""
    guild = lb.add_guild(name, default_channels=False)
    del guild.roles[guild.role("Moderators").id]  # the loopback's default world has one; a new server does not
    category = lb.add_channel(guild.id, "General", type=ChannelType.CATEGORY)
    lb.add_channel(guild.id, "general", parent_id=category.id)
    lb.add_channel(guild.id, "General", type=ChannelType.VOICE, parent_id=category.id)
    return guild


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
