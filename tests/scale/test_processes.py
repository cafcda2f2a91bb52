"""Three real bot processes, one shard each, on one PostgreSQL database and one loopback Discord with six guilds:
each guild is served by the process holding its shard, its commands are uploaded once, and a click in a welcome
DM (which Discord sends to shard 0, whatever guild it is about) is handled by shard 0's process."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from loopback import Guild, LoopbackDiscord, User
from loopback.interactions import InteractionRecord
from tests.harness import running_loopback
from tests.onboarding.helpers import component
from tests.scale.fleet import Fleet

SHARDS = 3
GUILDS_PER_SHARD = 2


@pytest.fixture
async def lb() -> AsyncIterator[LoopbackDiscord]:
    """A loopback Discord with two community guilds on each of three shards, and alice in all of them."""
    async with running_loopback("fleet-token") as server:
        server.alice = server.add_user("alice")
        for shard in range(SHARDS):
            for n in range(GUILDS_PER_SHARD):
                guild = server.add_guild(f"Community {shard}.{n}", on_shard=(shard, SHARDS))
                server.add_member(guild.id, server.alice)
        yield server


@pytest.fixture
async def fleet(lb: LoopbackDiscord, tmp_path: Path, shared_postgres: str) -> AsyncIterator[Fleet]:
    async with Fleet(lb, tmp_path, shared_postgres, SHARDS) as running:
        yield running


def field(ix: InteractionRecord, name: str) -> str:
    [embed] = ix.responses[0]["data"]["embeds"]
    return next(f["value"] for f in embed["fields"] if f["name"] == name)


async def welcome_dm_pick(lb: LoopbackDiscord, guild: Guild, user: User) -> InteractionRecord:
    """The user joins `guild`, gets its welcome DM and picks a role in it."""
    await lb.join_member(guild.id, user)
    await lb.wait_until(lambda: lb.dm_messages(user.id), timeout=15)
    [welcome] = lb.dm_messages(user.id)
    ix = await lb.select(welcome.id, component(welcome, f"onb:{guild.id}:role:"), user.id, ["data-analyst"])
    await ix.wait_response(timeout=10)
    return ix


async def test_each_guild_is_served_by_its_shards_process_and_dm_clicks_by_shard_0(
    lb: LoopbackDiscord, fleet: Fleet
) -> None:
    guilds = list(lb.world.guilds.values())
    assert Counter(fleet.shard_of(g.id) for g in guilds) == {0: 2, 1: 2, 2: 2}
    await fleet.start()  # the three start together on an empty database: each migration is applied once

    # every guild's commands were uploaded once, by the process holding it
    app = lb.application_id
    puts = Counter(c.path for c in lb.calls_to("PUT", r"/commands$") if c.status == 200)
    assert puts == Counter({f"/applications/{app}/guilds/{g.id}/commands": 1 for g in guilds})

    # /about in each guild reaches only the process of its shard, which holds two guilds
    for guild in guilds:
        ix = await lb.invoke_slash(guild.id, guild.channel("general").id, lb.alice.id, "about")
        await ix.wait_response(timeout=10)
        assert ix.shard_id == fleet.shard_of(guild.id)
        assert field(ix, "Servers") == str(GUILDS_PER_SHARD), ix.content_text()

    # a welcome DM of a guild on shard 2 is sent by shard 2's process; the pick in it reaches shard 0's process,
    # which fetches that guild (it has no cache of it) and carries on with the questions
    far = next(g for g in guilds if fleet.shard_of(g.id) == 2)
    near = next(g for g in guilds if fleet.shard_of(g.id) == 0)
    fetched_before = len(lb.calls_to("GET", rf"^/guilds/{far.id}$"))
    for guild, name in ((far, "farah"), (near, "nils")):
        user = lb.add_user(name)
        ix = await welcome_dm_pick(lb, guild, user)
        assert ix.guild_id is None and ix.shard_id == 0
        assert "Where are you in your data journey?" in ix.content_text(), ix.content_text()
        async with fleet.database() as db:
            role = await db.fetchval(
                "SELECT role FROM onboarding_profiles WHERE guild_id = ? AND user_id = ?", (guild.id, user.id)
            )
        assert role == "data-analyst"
    assert len(lb.calls_to("GET", rf"^/guilds/{far.id}$")) == fetched_before + 1  # shard 0's process fetched it
    assert not lb.calls_to("GET", rf"^/guilds/{near.id}$")  # its own guild: from its cache

    assert await fleet.stop() == {0: 0, 1: 0, 2: 0}, fleet.logs()
    assert "Traceback" not in fleet.logs(), fleet.logs()


async def test_a_killed_process_leaves_its_shard_down_until_it_starts_again(
    lb: LoopbackDiscord, fleet: Fleet
) -> None:
    await fleet.start()
    await fleet.kill(1)
    dark = next(g for g in lb.world.guilds.values() if fleet.shard_of(g.id) == 1)
    lit = next(g for g in lb.world.guilds.values() if fleet.shard_of(g.id) == 2)
    await asyncio.sleep(0.2)  # the loopback notices the closed socket
    ix = await lb.invoke_slash(lit.id, lit.channel("general").id, lb.alice.id, "about")
    await ix.wait_response(timeout=10)  # other shards go on
    # Discord does not move a shard to another process: its guilds are unanswered until it is back
    assert lb.gateway.shards[1].ws is None
    await fleet.start(1)
    ix = await lb.invoke_slash(dark.id, dark.channel("general").id, lb.alice.id, "about")
    await ix.wait_response(timeout=10)
    assert ix.shard_id == 1
    assert await fleet.stop() == {0: 0, 1: 0, 2: 0}, fleet.logs()
