"""SIGKILL the real bot process in the middle of a burst of event reminders, start it again on the same file:
every reminder post and every reminder DM reaches Discord exactly once, nothing is missing, the file is sound."""

from __future__ import annotations

import sqlite3
import time
from collections import Counter
from pathlib import Path

from bot.client import all_migrations
from bot.database import Database
from bot.discovery import feature_packages
from cogs.events.models import CHANNEL_TARGET, NewEvent, Rsvp
from cogs.events.store import EventStore
from loopback import LoopbackDiscord, RecordedCall
from tests.faults.bot_process import BotProcess

EVENTS = 4
GOING = 60  # members who said Going to each event
CLOSED = 3  # of them with DMs closed: they cannot get a DM, and must not be retried
OFFSETS = (7200, 7199)  # two reminders per event, due a second apart


async def seed(lb: LoopbackDiscord, database: Path) -> tuple[list[int], list[int], set[int]]:
    """Active events whose reminders fall due as the bot starts; returns (event ids, members going, closed)."""
    guild, events_channel = lb.guild, lb.guild.channel("events")
    members = [m.user.id for m in lb.add_members(guild.id, GOING, prefix="going")]
    closed = set(members[:CLOSED])
    for user_id in closed:
        lb.close_dms(user_id)
    db = await Database.open(database)
    await db.migrate(all_migrations(feature_packages()))
    store = EventStore(db)
    now = int(time.time())
    starts = now + OFFSETS[0] + 1  # reminders due in 1 s and 2 s; the process needs longer than that to start
    event_ids = []
    for n in range(EVENTS):
        new = NewEvent(guild.id, guild.owner_id, f"Meetup {n}", "", "Room 1", "UTC", "18:00", 3600, "none", 1,
                       OFFSETS, None, starts)  # fmt: skip
        event_id, occurrence_id = await store.insert_draft(new, now)
        assert await store.activate(event_id, events_channel.id, now)
        await store.add_reminders(occurrence_id, starts, OFFSETS, now)
        announcement = await lb.send_message(events_channel.id, lb.bot_user.id, f"Meetup {n} announcement")
        await store.set_message(occurrence_id, announcement.id)
        for user_id in members:
            await store.set_rsvp(occurrence_id, user_id, Rsvp.GOING, now, user_id)
        event_ids.append(event_id)
    await db.close()
    return event_ids, members, closed


def reminder_sends(lb: LoopbackDiscord) -> list[RecordedCall]:
    """Every message create the bot made for a reminder delivery (nonce `evd<delivery id>`)."""
    calls = lb.calls_to("POST", r"/channels/\d+/messages$")
    return [c for c in calls if str(c.body.get("nonce") or "").startswith("evd")]


def reminder_messages(lb: LoopbackDiscord) -> dict[int, str]:
    """Message id -> nonce of every message Discord created or returned for a reminder send."""
    return {int(c.response["id"]): str(c.body["nonce"]) for c in reminder_sends(lb) if c.status == 200}


def bot_messages_in(lb: LoopbackDiscord, channel_ids: set[int], skip: set[int]) -> list[int]:
    """Ids of every message the bot has in these channels (what members actually see), except `skip`."""
    bot_id = lb.bot_user.id
    return [m.id for m in lb.world.messages.values()
            if m.channel_id in channel_ids and m.author.id == bot_id and not m.deleted and m.id not in skip]


async def test_sigkill_during_a_reminder_burst_loses_and_doubles_nothing(
    loopback: LoopbackDiscord, tmp_path: Path
) -> None:
    lb = loopback
    event_ids, members, closed = await seed(lb, tmp_path / "community.db")
    events_channel = lb.guild.channel("events").id
    announcements = {m.id for m in lb.channel_messages(events_channel)}
    open_members = [u for u in members if u not in closed]
    expected = {(e, o, r) for e in event_ids for o in OFFSETS for r in [CHANNEL_TARGET, *open_members]}
    bot = BotProcess(lb, tmp_path)
    try:
        await bot.start()
        # Let the burst get going, then kill the process without warning.
        await lb.waiters.wait(lambda: len(reminder_messages(lb)) >= len(expected) // 4, 60, "a quarter of the burst")
        await bot.kill()
        before_kill = len(reminder_messages(lb))
        with sqlite3.connect(bot.database) as conn:
            states = dict(conn.execute("SELECT state, COUNT(*) FROM event_deliveries GROUP BY state").fetchall())
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        # The kill really landed mid-burst: some messages out, some claimed and still pending, none finished all.
        assert 0 < before_kill < len(expected), (before_kill, len(expected))
        assert states.get("pending", 0) > 0 and states.get("sent", 0) > 0, states

        await bot.start()
        with sqlite3.connect(bot.database) as conn:  # read-only look while the new process works
            def finished() -> bool:
                return conn.execute("SELECT COUNT(*) FROM event_reminders WHERE state != 'sent'").fetchone()[0] == 0
            await lb.wait_until(finished, timeout=60, interval=0.05)
        assert await bot.stop() == 0, bot.log()
    finally:
        await bot.cleanup()

    # What members see: every bot message in the events channel and the DMs is a reminder send, once per nonce.
    dm_channels = {lb.world.dm_channel_by_user[u] for u in members if u in lb.world.dm_channel_by_user}
    seen = bot_messages_in(lb, {events_channel, *dm_channels}, announcements)
    by_message = reminder_messages(lb)
    assert set(seen) <= set(by_message), "a message went out without a reminder nonce"
    assert len(seen) == len(set(by_message[m] for m in seen)), "two messages for one delivery"
    with sqlite3.connect(bot.database) as conn:
        conn.row_factory = sqlite3.Row
        deliveries = {row["id"]: row for row in conn.execute(
            "SELECT d.id, d.user_id, d.state, d.message_id, r.offset_s, o.event_id FROM event_deliveries d"
            " JOIN event_reminders r ON r.id = d.reminder_id JOIN event_occurrences o ON o.id = r.occurrence_id"
        )}  # fmt: skip
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    # Each message, traced through its nonce to (event, offset, recipient), went where it belongs.
    keys = []
    for message_id in seen:
        row = deliveries[int(by_message[message_id].removeprefix("evd"))]
        channel = lb.world.messages[message_id].channel_id
        assert channel == (events_channel if row["user_id"] == CHANNEL_TARGET
                           else lb.world.dm_channel_by_user[row["user_id"]])  # fmt: skip
        assert row["state"] == "sent" and row["message_id"] == message_id
        keys.append((row["event_id"], row["offset_s"], row["user_id"]))
    assert Counter(keys).most_common(1)[0][1] == 1 and set(keys) == expected
    # Closed DMs: refused, remembered, never sent; nothing else is left in any other state.
    assert {r["state"] for r in deliveries.values() if r["user_id"] in closed} == {"dm_closed"}
    assert {r["state"] for r in deliveries.values() if r["user_id"] not in closed} == {"sent"}
    # The second process did part of the work (the first was stopped before it could finish).
    assert len(seen) - before_kill > 0
    sends = reminder_sends(lb)
    accepted = [int(c.response["id"]) for c in sends if c.status == 200]
    print(f"reminder messages {len(seen)} (expected {len(expected)}), out before the kill {before_kill};"
          f" sends {len(sends)}: refused (closed DMs) {sum(c.status == 403 for c in sends)},"
          f" repeats answered from the nonce {len(accepted) - len(set(accepted))}")
