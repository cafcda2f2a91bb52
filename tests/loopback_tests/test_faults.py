"""Injected failures (429, 500, 403) and rate-limit enforcement, as discord.py experiences them."""

from __future__ import annotations

import asyncio
import time

import discord
import pytest

from loopback import LoopbackDiscord

from .conftest import BotRunner, World


async def test_dm_opens_channel_and_is_stored(lb: LoopbackDiscord, world: World, runner: BotRunner) -> None:
    bot = await runner.start()
    user = await bot.fetch_user(world.alice.id)
    await user.send("Welcome to Data Community!")
    await user.send("Second message")
    assert lb.calls_to("POST", r"^/users/@me/channels$")[0].body == {"recipient_id": world.alice.id}
    assert [m.content for m in lb.dm_messages(world.alice.id)] == ["Welcome to Data Community!", "Second message"]


async def test_dm_refused_with_50007(lb: LoopbackDiscord, world: World, runner: BotRunner) -> None:
    bot = await runner.start()
    user = await bot.fetch_user(world.alice.id)
    dm = await user.create_dm()
    lb.inject("POST", rf"^/channels/{dm.id}/messages$", 403, code=50007)
    with pytest.raises(discord.Forbidden) as caught:
        await dm.send("hello")
    assert caught.value.code == 50007 and caught.value.status == 403
    lb.close_dms(world.bob.id)
    bob = await bot.fetch_user(world.bob.id)
    with pytest.raises(discord.Forbidden) as caught:
        await bob.send("hello")
    assert caught.value.code == 50007 and lb.dm_messages(world.bob.id) == []


async def test_429_is_retried_and_succeeds(lb: LoopbackDiscord, world: World, runner: BotRunner) -> None:
    bot = await runner.start()
    channel = bot.get_channel(world.guild.channel("general").id)
    lb.inject("POST", r"/messages$", 429, times=2, retry_after=0.05)
    sent = await channel.send("eventually")
    statuses = [c.status for c in lb.calls_to("POST", rf"^/channels/{channel.id}/messages$")]
    assert statuses == [429, 429, 200]
    assert [m.id for m in lb.channel_messages(channel.id)] == [sent.id]


async def test_global_429_is_retried(lb: LoopbackDiscord, world: World, runner: BotRunner) -> None:
    bot = await runner.start()
    lb.inject("GET", r"^/users/", 429, retry_after=0.05, global_=True)
    user = await bot.fetch_user(world.alice.id)
    assert user.id == world.alice.id


async def test_500_is_retried_with_backoff(lb: LoopbackDiscord, world: World, runner: BotRunner) -> None:
    bot = await runner.start()
    channel = bot.get_channel(world.guild.channel("general").id)
    lb.inject("POST", r"/messages$", 500)
    started = time.monotonic()
    await channel.send("after a 500")
    assert time.monotonic() - started >= 0.9  # discord.py sleeps 1 s before the first retry
    assert [c.status for c in lb.calls_to("POST", r"/messages$")] == [500, 200]


async def test_404_and_missing_permissions(lb: LoopbackDiscord, world: World, runner: BotRunner) -> None:
    bot = await runner.start()
    channel = bot.get_channel(world.guild.channel("general").id)
    lb.inject("GET", r"/messages/\d+$", 404, code=10008)
    with pytest.raises(discord.NotFound) as caught:
        await channel.fetch_message(1)
    assert caught.value.code == 10008
    lb.set_bot_permissions(world.guild.id, 0)
    world.guild.everyone.permissions = 0  # @everyone also grants Send Messages
    with pytest.raises(discord.Forbidden) as caught:
        await channel.send("no permission")
    assert caught.value.code == 50013


async def test_rate_limit_enforcement_delays_but_loses_nothing(
    lb: LoopbackDiscord, world: World, runner: BotRunner
) -> None:
    bot = await runner.start()
    channel = bot.get_channel(world.guild.channel("general").id)
    lb.rate_limits(per_route=5, per_seconds=0.3, global_per_second=50)
    started = time.monotonic()
    await asyncio.gather(*(channel.send(f"msg {i}") for i in range(12)))
    elapsed = time.monotonic() - started
    assert len(lb.channel_messages(channel.id)) == 12
    assert elapsed >= 0.55  # 12 sends through a 5-per-0.3 s bucket need at least two resets
    ok = [c for c in lb.calls_to("POST", r"/messages$") if c.status == 200]
    assert len(ok) == 12 and ok[0].at <= ok[-1].at


async def test_rate_limit_answers_429_when_client_ignores_headers(lb: LoopbackDiscord) -> None:
    lb.rate_limits(per_route=2, per_seconds=10, global_per_second=50)
    limited, headers = lb.ratelimiter.check("POST /x:1", "/x", counts_globally=True)
    assert limited is None and headers["X-RateLimit-Remaining"] == "1"
    lb.ratelimiter.check("POST /x:1", "/x", counts_globally=True)
    limited, _ = lb.ratelimiter.check("POST /x:1", "/x", counts_globally=True)
    assert limited is not None and limited.status == 429 and limited.headers["Via"]
    assert lb.ratelimiter.check("POST /x:2", "/x", counts_globally=True)[0] is None  # other channel, other bucket


async def test_an_answer_lost_after_the_work_was_done(lb: LoopbackDiscord, world: World, runner: BotRunner) -> None:
    """`after=True`: Discord did the work, then a 500 replaced its answer, and discord.py sends it again."""
    bot = await runner.start()
    channel = bot.get_channel(world.guild.channel("general").id)
    lb.inject("POST", r"/messages$", 500, after=True)
    sent = await channel.send("once")  # discord.py puts a nonce on every send, so its repeat finds the first one
    assert [m.id for m in lb.channel_messages(channel.id)] == [sent.id]
    assert [c.status for c in lb.calls_to("POST", r"/messages$")] == [500, 200]
    forum = bot.get_channel(world.guild.channel("questions").id)
    lb.inject("POST", rf"/channels/{forum.id}/threads$", 429, after=True, retry_after=0.01)
    await forum.create_thread(name="Twice", content="no nonce here")  # creating a post has no nonce: two posts
    assert [t.name for t in world.guild.threads if t.parent_id == forum.id] == ["Twice", "Twice"]


async def test_a_held_answer_waits_while_the_work_is_already_done(
    lb: LoopbackDiscord, world: World, runner: BotRunner
) -> None:
    bot = await runner.start()
    channel = bot.get_channel(world.guild.channel("general").id)
    hold = lb.hold("POST", r"/messages$")
    sending = asyncio.create_task(channel.send("held"))
    await asyncio.wait_for(hold.reached.wait(), 5)
    assert [m.content for m in lb.channel_messages(channel.id)] == ["held"] and not sending.done()
    hold.release()
    sent = await asyncio.wait_for(sending, 5)
    assert sent.id == lb.channel_messages(channel.id)[0].id and hold.paths == [f"/channels/{channel.id}/messages"]
    await channel.send("not held")  # the hold was used up
