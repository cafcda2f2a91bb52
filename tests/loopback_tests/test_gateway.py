"""Gateway sessions: resume after a drop, reconnect, invalidation, and member chunking."""

from __future__ import annotations

import time

import discord
from discord.ext import commands

from loopback import LoopbackDiscord

from .conftest import BotRunner, World, collect


def ping_command(guild_id: int):
    """A setup registering /ping in the guild."""

    async def setup(bot: commands.Bot) -> None:
        @bot.tree.command(name="ping", description="Ping", guild=discord.Object(guild_id))
        async def ping(ix: discord.Interaction) -> None:
            await ix.response.send_message("pong")

        await bot.tree.sync(guild=discord.Object(guild_id))

    return setup


async def test_drop_resumes_and_replays_missed_events(lb: LoopbackDiscord, world: World, runner: BotRunner) -> None:
    bot = await runner.start(ping_command(world.guild.id))
    joined = collect(bot, "on_member_join")
    resumed = collect(bot, "on_resumed")
    await lb.drop_gateway()
    carol = lb.add_user("carol")
    await lb.join_member(world.guild.id, carol)  # sent while the bot is disconnected
    ix = await lb.invoke_slash(world.guild.id, world.guild.channel("general").id, world.alice.id, "ping")
    await ix.wait_response()
    assert ix.content_text() == "pong"
    await lb.wait_until(lambda: joined and resumed)
    assert joined[0].id == carol.id
    assert lb.gateway.resume_count == 1 and lb.gateway.identify_count == 1


async def test_reconnect_opcode_resumes(lb: LoopbackDiscord, world: World, runner: BotRunner) -> None:
    bot = await runner.start(ping_command(world.guild.id))
    resumed = collect(bot, "on_resumed")
    await lb.send_reconnect()
    await lb.wait_connected()
    await lb.wait_until(lambda: resumed)
    ix = await lb.invoke_slash(world.guild.id, world.guild.channel("general").id, world.alice.id, "ping")
    await ix.wait_response()
    assert lb.gateway.resume_count == 1


async def test_invalid_session_makes_bot_identify_again(lb: LoopbackDiscord, world: World, runner: BotRunner) -> None:
    bot = await runner.start(ping_command(world.guild.id))

    async def no_identify_delay(shard_id: int | None, *, initial: bool = False) -> None:
        """discord.py waits 5 s before every re-IDENTIFY; skip it to keep the suite fast."""

    bot.before_identify_hook = no_identify_delay
    ready = collect(bot, "on_ready")
    await lb.invalidate_session()
    await lb.wait_until(lambda: lb.gateway.identify_count == 2 and ready, timeout=10)
    ix = await lb.invoke_slash(world.guild.id, world.guild.channel("general").id, world.alice.id, "ping")
    await ix.wait_response()
    assert bot.get_guild(world.guild.id) is not None and lb.gateway.resume_count == 0


async def test_large_guild_is_chunked_in_thousands(lb: LoopbackDiscord, world: World, runner: BotRunner) -> None:
    lb.add_members(world.guild.id, 5000)
    started = time.monotonic()
    bot = await runner.start()
    guild = bot.get_guild(world.guild.id)
    assert guild.large and guild.chunked
    assert len(guild.members) == guild.member_count == 5004
    requests = [m for m in lb.gateway.received if m["op"] == 8]
    assert len(requests) == 1 and int(requests[0]["d"]["guild_id"]) == world.guild.id
    assert time.monotonic() - started < 10
    members = await guild.query_members("member12", limit=5)
    assert len(members) == 5 and all(m.name.startswith("member12") for m in members)
    by_id = await guild.query_members(user_ids=[world.alice.id])
    assert [m.id for m in by_id] == [world.alice.id]
