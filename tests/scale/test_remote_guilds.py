"""Clicks in DMs reach shard 0's process whatever guild they are about: it fetches a guild of another shard over
REST (roles, channels, itself, the clicker as they are now) and `get_guild` gives it to the callback; a process
with every shard never does; a process that runs several shards runs its ready steps again when one of them has
to identify afresh."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import discord
import pytest

from bot.client import CommunityBot
from bot.database import DatabaseTarget
from bot.settings import Settings
from loopback import Guild, LoopbackDiscord, User
from tests.scale.inprocess import ShardBots

COUNT = 2
FEATURES = ["admin"]


class Probe(discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"probe:(?P<ref>\d+)"):
    """A DM button whose callback says what `get_guild` gave it for the guild `ref` names."""

    def __init__(self, ref: int, guild_id: int | None = None) -> None:
        super().__init__(discord.ui.Button(custom_id=f"probe:{ref}", label="Probe"))
        self.ref = ref
        self.guild_id = guild_id or ref

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: Any, match: Any) -> Probe:
        ref = int(match["ref"])
        return cls(ref, NAMED_BY.get(ref))

    async def callback(self, interaction: discord.Interaction) -> None:
        bot = interaction.client
        assert isinstance(bot, CommunityBot)
        guild = bot.get_guild(self.guild_id)
        if guild is None:
            await interaction.response.send_message("no guild")
            return
        member = guild.get_member(interaction.user.id)
        roles = sorted(r.name for r in member.roles if not r.is_default()) if member else None
        general = bot.get_channel(guild.get_channel(next(c.id for c in guild.text_channels if c.name == "general")).id)
        await interaction.response.send_message(
            f"{guild.name} | roles {roles} | me {guild.me is not None} | #{getattr(general, 'name', None)}"
            f" | listed {guild in bot.guilds}"
        )


NAMED_BY: dict[int, int] = {}  # a small ref -> the guild a feature's hook says it acts for


@pytest.fixture
async def bots(loopback: LoopbackDiscord, database_target: DatabaseTarget, settings: Settings
               ) -> AsyncIterator[ShardBots]:
    loopback.max_concurrency = COUNT  # a bucket per shard: they identify at once (tests/scale/test_identify.py)
    fleet = ShardBots(loopback, database_target, settings)
    try:
        yield fleet
    finally:
        await fleet.stop()
        NAMED_BY.clear()


class World:
    def __init__(self, lb: LoopbackDiscord) -> None:
        self.near: Guild = lb.add_guild("Near community", on_shard=(0, COUNT))
        self.far: Guild = lb.add_guild("Far community", on_shard=(1, COUNT))
        self.alice: User = lb.add_user("alice")
        for guild in (self.near, self.far):
            lb.add_member(guild.id, self.alice, roles=[guild.role("Moderators")])


async def probe(lb: LoopbackDiscord, bot: CommunityBot, user: User, ref: int) -> str:
    dm = await (await bot.fetch_user(user.id)).send("probe", view=discord.ui.View().add_item(Probe(ref)))
    ix = await lb.click_button(dm.id, f"probe:{ref}", user.id)
    await ix.wait_response()
    assert ix.guild_id is None and ix.shard_id == 0
    return ix.content_text()


async def test_shard_0_fetches_a_guild_of_another_shard_for_a_dm_click(loopback: LoopbackDiscord, bots: ShardBots
                                                                        ) -> None:
    lb, w = loopback, World(loopback)
    [zero] = await bots.start(COUNT, [0], features=FEATURES)
    zero.add_dynamic_items(Probe)
    assert zero.get_guild(w.far.id) is None and zero.get_guild(w.near.id) is not None

    answer = await probe(lb, zero, w.alice, w.far.id)
    assert answer == "Far community | roles ['Moderators'] | me True | #general | listed False"
    assert len(lb.calls_to("GET", rf"^/guilds/{w.far.id}$")) == 1
    assert zero.remote_guilds.fetches == 1 and zero.get_guild(w.far.id) is not None
    assert w.far.id not in {g.id for g in zero.guilds}  # not this process's to run

    # the next click uses the fetched guild, with the clicker's roles as they are now
    await lb.set_member_roles(w.far.id, w.alice.id, [])
    answer = await probe(lb, zero, w.alice, w.far.id)
    assert answer.startswith("Far community | roles [] |")
    assert len(lb.calls_to("GET", rf"^/guilds/{w.far.id}$")) == 1

    # its own guild comes from its cache
    assert (await probe(lb, zero, w.alice, w.near.id)).startswith("Near community | roles ['Moderators'] |")
    assert not lb.calls_to("GET", rf"^/guilds/{w.near.id}$")


async def test_ids_that_are_no_guild_are_asked_about_once_and_a_feature_may_name_the_guild(
    loopback: LoopbackDiscord, bots: ShardBots
) -> None:
    lb, w = loopback, World(loopback)
    [zero] = await bots.start(COUNT, [0], features=FEATURES)
    zero.add_dynamic_items(Probe)
    stranger = lb.world.ids.next_on_shard(1, COUNT)  # a snowflake on shard 1 that is no guild
    for _ in range(2):
        assert await probe(lb, zero, w.alice, stranger) == "no guild"
    assert [c.status for c in lb.calls_to("GET", rf"^/guilds/{stranger}$")] == [404]

    # a custom_id without the guild's id: the feature that owns it says which guild it acts for
    NAMED_BY[7] = w.far.id
    admin = next(f for f in zero.loaded_features() if f.name == "admin")

    async def guild_of_component(custom_id: str) -> int | None:
        return w.far.id if custom_id == "probe:7" else None

    admin.guild_of_component = guild_of_component  # type: ignore[method-assign]
    assert (await probe(lb, zero, w.alice, 7)).startswith("Far community | roles ['Moderators'] |")


async def test_a_process_with_every_shard_fetches_nothing(loopback: LoopbackDiscord, bots: ShardBots) -> None:
    lb, w = loopback, World(loopback)
    [both] = await bots.start(COUNT, [0, 1], features=FEATURES)
    both.add_dynamic_items(Probe)
    assert {g.id for g in both.guilds} >= {w.near.id, w.far.id}
    assert (await probe(lb, both, w.alice, w.far.id)).endswith("| listed True")
    assert not lb.calls_to("GET", rf"^/guilds/{w.far.id}$") and both.remote_guilds.fetches == 0


async def test_a_shard_that_identifies_again_runs_the_ready_steps_again(loopback: LoopbackDiscord, bots: ShardBots
                                                                         ) -> None:
    lb, w = loopback, World(loopback)
    [both] = await bots.start(COUNT, [0, 1], features=FEATURES)

    async def no_identify_delay(shard_id: int | None, *, initial: bool = False) -> None:
        """discord.py waits 5 s before re-identifying; the wait itself is not under test."""

    both.before_identify_hook = no_identify_delay  # type: ignore[method-assign]
    readies: list[int] = []

    async def count_ready() -> None:
        readies.append(len(both.guilds))

    both.add_listener(count_ready, "on_ready")
    await lb.invalidate_session(shard_id=1)  # a new session: what happened meanwhile is lost, as on Discord
    await lb.wait_until(lambda: readies, timeout=10)
    await asyncio.sleep(0.2)
    assert readies == [len(both.guilds)] and w.far.id in {g.id for g in both.guilds}
    assert [s for s, _ in lb.gateway.identified].count(1) == 2
