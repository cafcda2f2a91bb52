"""Three real bot processes on one PostgreSQL: SIGKILL the one holding the most reminder claims in the middle of a
burst of event reminders in three guilds (one per shard). The two survivors send the rest: the dead process's
unfinished claims once their lease runs out, and what is due in its guild over REST (no process runs its shard
meanwhile). Every reminder post and DM reaches Discord exactly once, within TAKEOVER_BOUND_S of the kill.

PostgreSQL only: several processes need it (`shared_postgres` skips, or fails under BOT_TEST_POSTGRES, without it).
"""

from __future__ import annotations

import asyncio
import re
import time
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path

import discord
import pytest
import yarl

from bot.client import all_migrations
from bot.database import Database
from bot.discovery import feature_packages
from cogs.events.models import CHANNEL_TARGET, NewEvent, Rsvp
from cogs.events.store import EventStore
from cogs.events.store_reminders import CLAIM_LEASE_S
from tests.faults.test_kill_reminders import bot_messages_in, reminder_messages, reminder_sends
from tests.loopback import LoopbackDiscord
from tests.scale.fleet import Fleet

SHARDS = 3
EVENTS = 3  # per guild
GOING = 70  # members going to each event (the same members for every event of a guild)
CLOSED = 2  # of them, per guild, with DMs closed: refused once, remembered, never retried
OFFSETS = (7200, 7199)
START_S = 12  # reminders fall due this long after seeding: the three processes are ready by then
# The dead process's claims are respected for the lease (a live process renews them every lease/3 while it sends),
# then the next reminder pass of a survivor takes them over: it is armed for that instant (store.next_due). 60 s on
# top covers a survivor's pass over the rest on two busy cores.
TAKEOVER_BOUND_S = CLAIM_LEASE_S + 60
WORKER = re.compile(r"claims reminders as ([0-9a-f]+)")


@pytest.fixture
async def lb() -> AsyncIterator[LoopbackDiscord]:
    """A loopback Discord with a community guild on each of three shards."""
    saved_base, saved_gateway = discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
    server = LoopbackDiscord(token="fleet-token")
    await server.start()
    for shard in range(SHARDS):
        server.add_guild(f"Community {shard}", on_shard=(shard, SHARDS))
    try:
        yield server
    finally:
        await server.stop()
        discord.http.Route.BASE = saved_base
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(str(saved_gateway))


async def seed(lb: LoopbackDiscord, url: str) -> tuple[set[tuple[int, int, int]], set[int], set[int]]:
    """Active events in every guild whose reminders fall due START_S from now; returns (what must be sent: (event,
    offset, recipient), members with closed DMs, the announcement message ids)."""
    db = await Database.open(url)
    await db.migrate(all_migrations(feature_packages()))
    store = EventStore(db)
    now = int(time.time())
    starts = now + OFFSETS[0] + START_S
    expected, closed, announcements = set(), set(), set()
    for guild in lb.world.guilds.values():
        channel = guild.channel("events")
        members = [m.user.id for m in lb.add_members(guild.id, GOING, prefix=f"going{guild.id % 1000}-")]
        for user_id in members[:CLOSED]:
            lb.close_dms(user_id)
            closed.add(user_id)
        for n in range(EVENTS):
            new = NewEvent(guild.id, guild.owner_id, f"Meetup {n}", "", "Room 1", "UTC", "18:00", 3600, "none", 1,
                           OFFSETS, None, starts)  # fmt: skip
            event_id, occurrence_id = await store.insert_draft(new, now)
            assert await store.activate(event_id, channel.id, now)
            await store.add_reminders(occurrence_id, starts, OFFSETS, now)
            announcement = await lb.send_message(channel.id, lb.bot_user.id, f"Meetup {n} announcement")
            announcements.add(announcement.id)
            await store.set_message(occurrence_id, announcement.id)
            for user_id in members:
                await store.set_rsvp(occurrence_id, user_id, Rsvp.GOING, now, user_id)
            expected |= {(event_id, o, r) for o in OFFSETS
                         for r in [CHANNEL_TARGET, *[u for u in members if u not in closed]]}  # fmt: skip
    await db.close()
    return expected, closed, announcements


async def test_sigkill_of_one_of_three_processes_during_a_reminder_burst(
    lb: LoopbackDiscord, tmp_path: Path, shared_postgres: str
) -> None:
    expected, closed, announcements = await seed(lb, shared_postgres)
    async with Fleet(lb, tmp_path, shared_postgres, SHARDS) as fleet:
        await fleet.start()
        workers = {}
        for shard in range(SHARDS):
            await fleet.wait_log(shard, "claims reminders as")
            [workers[shard]] = WORKER.findall(fleet.process(shard).log())
        await lb.waiters.wait(lambda: len(reminder_messages(lb)) >= len(expected) // 5, 90, "a fifth of the burst")
        async with fleet.database() as db:
            held = Counter(dict(await db.fetch(
                "SELECT claimed_by, COUNT(*) FROM event_reminders WHERE state = 'sending' GROUP BY claimed_by")))
            victim = next((s for s, w in workers.items() if w == max(held, key=held.__getitem__, default="")), None)
            assert victim is not None, (held, workers, fleet.logs())
            await fleet.kill(victim)
            killed_at = time.monotonic()
            before_kill = len(reminder_messages(lb))
            orphaned = [r[0] for r in await db.fetch(
                "SELECT id FROM event_reminders WHERE state = 'sending' AND claimed_by = ?", (workers[victim],))]
            # The kill landed mid-burst, on a process holding claims it had not finished.
            assert 0 < before_kill < len(expected) and orphaned, (before_kill, len(expected), orphaned)

            async def finished() -> bool:
                return await db.fetchval("SELECT COUNT(*) FROM event_reminders WHERE state != 'sent'") == 0

            while not await finished():
                assert time.monotonic() - killed_at < TAKEOVER_BOUND_S, (
                    f"the survivors did not finish within {TAKEOVER_BOUND_S} s of the kill\n{fleet.logs()[-6000:]}")
                await asyncio.sleep(1)
            took = time.monotonic() - killed_at
            deliveries = {row["id"]: row for row in await db.fetch(
                "SELECT d.id, d.user_id, d.state, d.message_id, r.offset_s, o.event_id FROM event_deliveries d"
                " JOIN event_reminders r ON r.id = d.reminder_id JOIN event_occurrences o ON o.id = r.occurrence_id"
            )}  # fmt: skip
            # the dead process's claims were taken over (claimed again by a survivor) and finished
            finishers = {r[0] for r in await db.fetch(
                f"SELECT claimed_by FROM event_reminders WHERE id IN ({','.join('?' * len(orphaned))})", orphaned)}
        survivors = [s for s in range(SHARDS) if s != victim]
        assert await fleet.stop(*survivors) == dict.fromkeys(survivors, 0), fleet.logs()[-6000:]

    # What members see: every bot message in the events channels and the DMs is a reminder send, once per nonce.
    channels = {g.channel("events").id for g in lb.world.guilds.values()}
    dm_channels = set(lb.world.dm_channel_by_user.values())
    seen = bot_messages_in(lb, channels | dm_channels, announcements)
    by_message = reminder_messages(lb)
    assert set(seen) <= set(by_message), "a message went out without a reminder nonce"
    assert len(seen) == len({by_message[m] for m in seen}), "two messages for one delivery"
    keys = []
    for message_id in seen:
        row = deliveries[int(by_message[message_id].removeprefix("evd"))]
        assert row["state"] == "sent" and row["message_id"] == message_id
        keys.append((row["event_id"], row["offset_s"], row["user_id"]))
    assert Counter(keys).most_common(1)[0][1] == 1 and set(keys) == expected
    assert {r["state"] for r in deliveries.values() if r["user_id"] in closed} == {"dm_closed"}
    assert {r["state"] for r in deliveries.values() if r["user_id"] not in closed} == {"sent"}
    assert finishers <= {workers[s] for s in survivors}, (finishers, workers)
    sends = reminder_sends(lb)
    accepted = [int(c.response["id"]) for c in sends if c.status == 200]
    print(f"killed shard {victim}'s process holding {len(orphaned)} unfinished reminder claims; messages {len(seen)}"
          f" (expected {len(expected)}), {before_kill} out before the kill; the survivors finished {took:.0f} s after"
          f" it (bound {TAKEOVER_BOUND_S} s); repeats answered from the nonce {len(accepted) - len(set(accepted))}")

