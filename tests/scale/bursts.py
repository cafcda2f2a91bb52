"""A burst of event reminders in every guild of a fleet's loopback, seeded in the shared database before the
processes start, and the check that every reminder post and DM reached Discord exactly once."""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from bot.client import all_migrations
from bot.database import Database
from bot.discovery import feature_packages
from cogs.events.models import CHANNEL_TARGET, NewEvent, Rsvp, RsvpCounts
from cogs.events.recurrence import Recurrence
from cogs.events.store import EventStore
from cogs.events.views import rsvp_view
from loopback import LoopbackDiscord
from tests.faults.test_kill_reminders import bot_messages_in, reminder_messages

OFFSETS = (7200, 7199)  # two reminders per event, due a second apart


@dataclass
class Burst:
    expected: set[tuple[int, int, int]] = field(default_factory=set)  # (event, offset, recipient) to be sent once
    closed: set[int] = field(default_factory=set)  # members whose DMs are closed: refused, never retried
    announcements: dict[int, tuple[int, int, int]] = field(default_factory=dict)  # message -> (guild, event, seq)


async def seed_burst(lb: LoopbackDiscord, url: str, *, events: int, going: int, closed: int, due_in: int) -> Burst:
    """In every guild, `events` active events with `going` members going (`closed` of them with closed DMs) whose
    reminders fall due `due_in` seconds from now; their announcements carry the RSVP buttons, as the bot's do."""
    db = await Database.open(url)
    await db.migrate(all_migrations(feature_packages()))
    store = EventStore(db)
    now = int(time.time())
    starts = now + OFFSETS[0] + due_in
    burst = Burst()
    for guild in lb.world.guilds.values():
        channel = guild.channel("events")
        members = [m.user.id for m in lb.add_members(guild.id, going, prefix=f"going{guild.id % 1000}-")]
        for user_id in members[:closed]:
            lb.close_dms(user_id)
            burst.closed.add(user_id)
        for n in range(events):
            new = NewEvent(guild.id, guild.owner_id, f"Meetup {n}", "", "Room 1", "UTC", "18:00", 3600,
                           Recurrence.NONE, 1, OFFSETS, None, starts)  # fmt: skip
            event_id, occurrence_id = await store.insert_draft(new, now)
            assert await store.activate(event_id, channel.id, now)
            await store.add_reminders(occurrence_id, starts, OFFSETS, now)
            seq = int(await db.fetchval("SELECT seq FROM event_occurrences WHERE id = ?", (occurrence_id,)))
            components = rsvp_view(event_id, seq, RsvpCounts()).to_components()
            announcement = await lb.send_message(channel.id, lb.bot_user.id, f"Meetup {n}", components=components)
            burst.announcements[announcement.id] = (guild.id, event_id, seq)
            await store.set_message(occurrence_id, announcement.id)
            for user_id in members:
                await store.set_rsvp(occurrence_id, user_id, Rsvp.GOING, now, user_id)
            burst.expected |= {(event_id, o, r) for o in OFFSETS
                               for r in [CHANNEL_TARGET, *[u for u in members if u not in burst.closed]]}  # fmt: skip
    await db.close()
    return burst


async def deliveries(db: Database) -> dict[int, Any]:
    """Every reminder delivery row with its event and offset, by id."""
    return {row["id"]: row for row in await db.fetch(
        "SELECT d.id, d.user_id, d.state, d.message_id, r.offset_s, o.event_id FROM event_deliveries d"
        " JOIN event_reminders r ON r.id = d.reminder_id JOIN event_occurrences o ON o.id = r.occurrence_id"
    )}  # fmt: skip


def check_exactly_once(lb: LoopbackDiscord, burst: Burst, rows: dict[int, Any]) -> int:
    """What members see: every bot message in the events channels and DMs (but the announcements and ephemeral
    replies) is a reminder send, one per delivery, each delivery of `expected` once; returns how many messages."""
    channels = {g.channel("events").id for g in lb.world.guilds.values()} | set(lb.world.dm_channel_by_user.values())
    seen = [m for m in bot_messages_in(lb, channels, set(burst.announcements))
            if not lb.world.messages[m].ephemeral]  # an RSVP's confirmation: only the one who clicked sees it
    by_message = reminder_messages(lb)
    assert set(seen) <= set(by_message), "a message went out without a reminder nonce"
    assert len(seen) == len({by_message[m] for m in seen}), "two messages for one delivery"
    keys = []
    for message_id in seen:
        row = rows[int(by_message[message_id].removeprefix("evd"))]
        assert row["state"] == "sent" and row["message_id"] == message_id
        keys.append((row["event_id"], row["offset_s"], row["user_id"]))
    assert Counter(keys).most_common(1)[0][1] == 1, "a delivery went out twice"
    assert set(keys) == burst.expected, (len(set(keys)), len(burst.expected))
    assert {r["state"] for r in rows.values() if r["user_id"] in burst.closed} == {"dm_closed"}
    assert {r["state"] for r in rows.values() if r["user_id"] not in burst.closed} == {"sent"}
    return len(seen)
