"""Shards: each guild's events reach only the session of shard `(guild_id >> 22) % shard_count`, DMs shard 0; each
shard resumes on its own; GET /gateway/bot answers as Discord does; bad shards are closed with Discord's codes."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

import discord
import pytest
import yarl
from discord.ext import commands

from loopback import Guild, LoopbackDiscord, User

from .conftest import collect, default_intents

COUNT = 2


class ShardedBareBot(commands.AutoShardedBot):
    """discord.py's sharded bot with /where (it answers with its shards) and a DM button, nothing else."""

    def __init__(self, **options: Any) -> None:
        options.setdefault("intents", default_intents())
        options.setdefault("guild_ready_timeout", 0.05)
        super().__init__(command_prefix="!", help_command=None, **options)
        self.ready_event = asyncio.Event()

        @self.tree.command(name="where", description="Which shards answer")
        async def where(ix: discord.Interaction) -> None:
            await ix.response.send_message(f"shards {sorted(self.shards)} guild {ix.guild_id}")

    async def setup_hook(self) -> None:
        self.add_view(DmView(self))

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        """discord.py waits 5 s before each IDENTIFY but the first; the wait itself is not under test."""

    async def on_ready(self) -> None:
        self.ready_event.set()


class DmView(discord.ui.View):
    def __init__(self, bot: ShardedBareBot) -> None:
        super().__init__(timeout=None)
        self.bot = bot

    @discord.ui.button(label="Hi", custom_id="dm:hi")
    async def hi(self, ix: discord.Interaction, button: discord.ui.Button[Any]) -> None:
        await ix.response.send_message(f"answered by shards {sorted(self.bot.shards)}")


class Fleet:
    """Sharded bots against one loopback, as separate processes would be (each with its own shard ids)."""

    def __init__(self, lb: LoopbackDiscord) -> None:
        self.lb = lb
        self.bots: list[tuple[ShardedBareBot, asyncio.Task[None]]] = []

    async def start(self, **options: Any) -> ShardedBareBot:
        discord.http.Route.BASE = self.lb.api_base
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(self.lb.gateway_url)
        bot = ShardedBareBot(**options)
        task = asyncio.create_task(bot.start(self.lb.token))
        self.bots.append((bot, task))
        waiter = asyncio.create_task(bot.ready_event.wait())
        done, _ = await asyncio.wait({task, waiter}, timeout=15, return_when=asyncio.FIRST_COMPLETED)
        if task in done:
            waiter.cancel()
            task.result()
        if waiter not in done:
            raise TimeoutError("sharded bot not ready within 15 s")
        return bot

    async def stop(self) -> None:
        for bot, task in self.bots:
            await bot.close()
            with contextlib.suppress(discord.HTTPException, discord.ConnectionClosed, discord.ClientException):
                await asyncio.wait_for(task, timeout=10)
        self.bots = []


@pytest.fixture
async def fleet(lb: LoopbackDiscord) -> AsyncIterator[Fleet]:
    f = Fleet(lb)
    try:
        yield f
    finally:
        await f.stop()
        assert not lb.handler_errors, lb.handler_errors


class Spread:
    """Two guilds on each of two shards, a member in all of them."""

    def __init__(self, lb: LoopbackDiscord) -> None:
        self.guilds: dict[int, list[Guild]] = {
            shard: [lb.add_guild(f"Shard {shard} guild {n}", on_shard=(shard, COUNT)) for n in range(2)]
            for shard in range(COUNT)
        }
        self.alice: User = lb.add_user("alice")
        for guild in self.all:
            lb.add_member(guild.id, self.alice)

    @property
    def all(self) -> list[Guild]:
        return [g for guilds in self.guilds.values() for g in guilds]


@pytest.fixture
def spread(lb: LoopbackDiscord) -> Spread:
    return Spread(lb)


async def test_guilds_are_placed_on_the_shard_asked_for(lb: LoopbackDiscord, spread: Spread) -> None:
    for shard, guilds in spread.guilds.items():
        assert all((g.id >> 22) % COUNT == shard == lb.shard_of(g.id, COUNT) for g in guilds)


async def test_each_shard_gets_only_its_guilds(lb: LoopbackDiscord, spread: Spread, fleet: Fleet) -> None:
    zero = await fleet.start(shard_count=COUNT, shard_ids=[0])
    one = await fleet.start(shard_count=COUNT, shard_ids=[1])
    await lb.wait_shards(COUNT)
    assert {g.id for g in zero.guilds} == {g.id for g in spread.guilds[0]}
    assert {g.id for g in one.guilds} == {g.id for g in spread.guilds[1]}
    assert sorted(lb.gateway.identified) == [(0, COUNT), (1, COUNT)]
    ready = [m["d"] for m in lb.gateway.received if m["op"] == 2]
    assert sorted(tuple(d["shard"]) for d in ready) == [(0, COUNT), (1, COUNT)]


async def test_one_process_with_every_shard_sees_every_guild(lb: LoopbackDiscord, spread: Spread, fleet: Fleet) -> None:
    bot = await fleet.start(shard_count=COUNT)
    assert {g.id for g in bot.guilds} == {g.id for g in spread.all}
    assert {g.id: g.shard_id for g in bot.guilds} == {g.id: lb.shard_of(g.id, COUNT) for g in spread.all}


async def test_guild_events_and_interactions_reach_only_their_shard(
    lb: LoopbackDiscord, spread: Spread, fleet: Fleet
) -> None:
    zero = await fleet.start(shard_count=COUNT, shard_ids=[0])
    one = await fleet.start(shard_count=COUNT, shard_ids=[1])
    await zero.tree.sync()  # global commands, once for the whole bot
    joined = {0: collect(zero, "on_member_join"), 1: collect(one, "on_member_join")}
    messages = {0: collect(zero, "on_message"), 1: collect(one, "on_message")}
    for guild in spread.all:
        await lb.join_member(guild.id, lb.add_user(f"newcomer-{guild.id}"))
        await lb.send_message(guild.channel("general").id, spread.alice.id, f"hello <@{lb.bot_user.id}>")
    for shard, guilds in spread.guilds.items():
        await lb.wait_until(lambda s=shard: len(joined[s]) == 2 and len(messages[s]) == 2)
        assert {m.guild.id for m in joined[shard]} == {m.guild.id for m in messages[shard]} == {g.id for g in guilds}
        for guild in guilds:
            ix = await lb.invoke_slash(guild.id, guild.channel("general").id, spread.alice.id, "where")
            await ix.wait_response()
            assert ix.content_text() == f"shards [{shard}] guild {guild.id}"


async def test_dms_and_their_components_reach_shard_0(lb: LoopbackDiscord, spread: Spread, fleet: Fleet) -> None:
    zero = await fleet.start(shard_count=COUNT, shard_ids=[0])
    one = await fleet.start(shard_count=COUNT, shard_ids=[1])
    dms = {0: collect(zero, "on_message"), 1: collect(one, "on_message")}
    await lb.send_dm(spread.alice.id, "hello bot")
    await lb.wait_until(lambda: dms[0])
    sent = await one.get_user(spread.alice.id).send("from shard 1", view=DmView(one))  # any process may send a DM
    ix = await lb.click_button(sent.id, "dm:hi", spread.alice.id)
    await ix.wait_response()
    assert ix.content_text() == "answered by shards [0]"
    await lb.wait_until(lambda: len(dms[0]) == 3)
    # the bot's own DMs come back on shard 0 too, whichever process sent them
    assert [m.content for m in dms[0]] == ["hello bot", "from shard 1", "answered by shards [0]"] and not dms[1]


async def test_each_shard_resumes_on_its_own(lb: LoopbackDiscord, spread: Spread, fleet: Fleet) -> None:
    zero = await fleet.start(shard_count=COUNT, shard_ids=[0])
    one = await fleet.start(shard_count=COUNT, shard_ids=[1])
    resumed = {0: collect(zero, "on_shard_resumed"), 1: collect(one, "on_shard_resumed")}
    joined = collect(one, "on_member_join")
    await lb.drop_gateway(shard_id=1)
    assert lb.gateway.shards[0].ws is not None and not lb.connected
    guild = spread.guilds[1][0]
    await lb.join_member(guild.id, lb.add_user("carol"))  # while shard 1 is down: replayed on RESUME
    await lb.wait_connected()
    await lb.wait_until(lambda: resumed[1] and joined)
    assert resumed == {0: [], 1: [1]} and joined[0].guild.id == guild.id
    assert lb.gateway.resume_count == 1 and lb.gateway.identify_count == 2

    ready = collect(one, "on_shard_ready")
    await lb.invalidate_session(shard_id=1)  # not resumable: shard 1 identifies again, shard 0 is untouched
    await lb.wait_until(lambda: ready == [1] and lb.connected, timeout=10)
    assert [s for s, _ in lb.gateway.identified] == [0, 1, 1]
    assert {g.id for g in one.guilds} == {g.id for g in spread.guilds[1]}


async def test_gateway_bot_answers_as_discord_does(lb: LoopbackDiscord, spread: Spread, fleet: Fleet) -> None:
    lb.max_concurrency = 16
    bot = await fleet.start()  # no shard count: discord.py asks GET /gateway/bot how many
    assert bot.shard_count == 1 and [c.path for c in lb.calls_to("GET", r"^/gateway/bot$")] == ["/gateway/bot"]
    limits = await bot.fetch_session_start_limits()
    assert (limits.total, limits.remaining, limits.max_concurrency) == (1000, 999, 16) and limits.reset_after > 0
    shards, url, _ = await bot.http.get_bot_gateway()
    assert (shards, url) == (1, lb.gateway_url)
    for n in range(1000):  # Discord recommends a shard per 1,000 guilds
        lb.add_member(lb.add_guild(f"g{n}", default_channels=False).id, spread.alice)
    assert (await bot.http.get_bot_gateway())[0] == 2
    lb.recommended_shards = 7
    assert (await bot.http.get_bot_gateway())[0] == 7


async def test_a_shard_out_of_range_is_closed_4010_and_too_many_guilds_4011(
    lb: LoopbackDiscord, spread: Spread, fleet: Fleet
) -> None:
    with pytest.raises(discord.ConnectionClosed) as raised:
        await fleet.start(shard_count=COUNT, shard_ids=[COUNT])
    assert raised.value.code == 4010
    lb.max_guilds_per_shard = 3  # the loopback's stand-in for Discord's 2,500
    with pytest.raises(discord.ConnectionClosed) as raised:
        await fleet.start(shard_count=1)
    assert raised.value.code == 4011
    await fleet.stop()
    await fleet.start(shard_count=COUNT)  # two per shard: accepted


async def test_identify_concurrency_is_enforced_when_asked(lb: LoopbackDiscord, spread: Spread, fleet: Fleet) -> None:
    lb.enforce_identify_concurrency = True
    lb.max_concurrency = 2
    await fleet.start(shard_count=COUNT, shard_ids=[0])
    await fleet.start(shard_count=COUNT, shard_ids=[1])  # another bucket (1 % 2): at once
    assert lb.gateway.identify_count == 2
    lb.max_concurrency = 1  # now both shards are in bucket 0, which was used less than 5 s ago
    await lb.invalidate_session(shard_id=1)
    await lb.wait_until(lambda: any(m["op"] == 2 and m["d"]["shard"] == [1, COUNT] for m in lb.gateway.received[-3:]))
    await asyncio.sleep(0.2)
    assert lb.gateway.identify_count == 2 and 1 not in lb.gateway.shards  # answered op 9: try again later
