"""Login, READY and GUILD_CREATE: the bot's cache matches the loopback's world."""

from __future__ import annotations

import aiohttp
import discord
import pytest

from loopback import LoopbackDiscord

from .conftest import BotRunner, World


async def test_ready_fills_cache_with_guild_channels_tags_roles_members(
    lb: LoopbackDiscord, world: World, runner: BotRunner
) -> None:
    bot = await runner.start()
    guild = bot.get_guild(world.guild.id)
    assert guild is not None and guild.name == "Data Community"
    assert {c.name for c in guild.text_channels} == {"welcome", "events", "mod-log", "general"}
    forum = guild.get_channel(world.guild.channel("questions").id)
    assert isinstance(forum, discord.ForumChannel)
    assert [t.name for t in forum.available_tags] == ["python", "sql", "ml", "career"]
    assert {r.name for r in guild.roles} >= {"@everyone", "Moderators", "Bot"}
    assert guild.member_count == 4 and guild.get_member(world.alice.id) is not None
    bob = guild.get_member(world.bob.id)
    assert bob is not None and "Moderators" in {r.name for r in bob.roles}
    assert bob.guild_permissions.manage_threads
    assert guild.me.guild_permissions.manage_roles and not guild.me.guild_permissions.administrator
    assert bot.user.id == lb.bot_user.id and bot.application_id == lb.application_id
    assert lb.gateway.identify_count == 1


async def test_unknown_route_is_recorded_and_answers_404(lb: LoopbackDiscord, world: World, runner: BotRunner) -> None:
    bot = await runner.start()
    with pytest.raises(discord.NotFound):
        await bot.http.request(discord.http.Route("GET", "/guilds/{guild_id}/nope", guild_id=world.guild.id))
    assert [c.path for c in lb.unknown_routes] == [f"/guilds/{world.guild.id}/nope"]


async def test_wrong_token_fails_login(lb: LoopbackDiscord, world: World, runner: BotRunner) -> None:
    with pytest.raises(discord.LoginFailure):
        await runner.start(token="wrong-token")
    assert lb.calls_to("GET", r"^/users/@me$")[0].status == 401


async def test_json_replies_use_exact_content_type(lb: LoopbackDiscord) -> None:
    headers = {"Authorization": "Bot test-token"}
    async with aiohttp.ClientSession() as http, http.get(lb.api_base + "/users/@me", headers=headers) as resp:
        assert resp.headers["Content-Type"] == "application/json"
        assert (await resp.json())["id"] == str(lb.bot_user.id)


async def test_world_persists_across_bot_restart(lb: LoopbackDiscord, world: World, runner: BotRunner) -> None:
    bot = await runner.start()
    channel = bot.get_channel(world.guild.channel("general").id)
    sent = await channel.send("before restart")
    await runner.stop()
    bot = await runner.start()
    again = await bot.get_channel(channel.id).fetch_message(sent.id)
    assert again.content == "before restart"
    assert lb.gateway.identify_count == 2
