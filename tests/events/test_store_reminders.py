"""The reminder bookkeeping on a real SQLite file: the grace rule, claiming, and deliveries that survive a crash."""

from __future__ import annotations

import itertools
from datetime import timedelta
from pathlib import Path

from bot.client import all_migrations
from bot.clock import ManualClock
from bot.database import Database
from bot.discovery import feature_packages
from cogs.events.models import CHANNEL_TARGET, DeliveryState, NoticeKind, ReminderState, Rsvp
from cogs.events.planner import EventPlanner
from cogs.events.store import EventStore
from cogs.events.store_reminders import CLAIM_LEASE_S
from tests.events.conftest import GUILD
from tests.events.test_planner import make

CLICKS = itertools.count(1)  # interaction IDs: each click later than the one before

GRACE = 30 * 60


async def test_next_due_is_the_earliest_thing_a_pass_has_to_do(planner: EventPlanner, clock: ManualClock) -> None:
    first_event, first, _ = await make(planner, "next thursday 18:00", reminders="1d,1h")
    _, second, _ = await make(planner, "next thursday 18:00", title="Same time", reminders="1h")
    store = planner.store
    # Their announcements are owed: the confirming process holds them for the lease (0 on SQLite), then any pass.
    assert await store.next_due(planner.now()) == planner.now() + store.lease_s
    await store.announce_later(first.id, planner.now() + 600)
    await store.announce_later(second.id, planner.now() + 300)
    assert await store.next_due(planner.now()) == planner.now() + 300  # owed, after a failure: at the retry
    for occurrence in (first, second):
        await store.set_message(occurrence.id, 9000 + occurrence.id)
    assert await store.next_due(planner.now()) == first.starts_at - 86400  # the earliest reminder
    clock.set(first.start - timedelta(days=1))
    [day_before] = await store.due_batch(GUILD, planner.now(), 10)
    await store.claim(day_before, planner.now())
    assert await store.next_due(planner.now()) == day_before.due_at  # claimed and unfinished: resumed at once
    await store.defer([day_before.id], planner.now() + 60)
    assert await store.next_due(planner.now()) == planner.now() + 60  # a message to retry: at its retry time
    assert await store.due_batch(GUILD, planner.now(), 10) == []  # and not before
    clock.advance(timedelta(seconds=60))
    [resumed] = await store.due_batch(GUILD, planner.now(), 10)
    for delivery in await store.pending_deliveries(resumed.id):
        await store.delivered(delivery.id, 1, planner.now())
    assert await store.finish_if_done(resumed.id, planner.now())
    assert await store.next_due(planner.now()) == first.starts_at - 3600
    clock.set(first.start - timedelta(hours=1))
    assert await store.defer_guild(GUILD, planner.now(), planner.now() + 60) == 2  # the server is unavailable
    assert await store.next_due(planner.now()) == planner.now() + 60
    for occurrence in (first, second):
        await store.cancel_pending(occurrence.id, planner.now())
    assert await store.next_due(planner.now()) == first.ends_at  # the events end
    await planner.cancel(first_event)
    assert await store.next_due(planner.now()) == planner.now()  # a notice to send at once


async def test_grace_rule_late_within_grace_missed_after(planner: EventPlanner, clock: ManualClock) -> None:
    _, occurrence, _ = await make(planner, reminders="1d,1h")
    store = planner.store
    clock.set(occurrence.start - timedelta(minutes=45))  # the 1d reminder is 23h late, the 1h one 15 min late
    now = planner.now()
    assert await store.due_guilds(now) == [GUILD]
    assert await store.expire(GUILD, now, GRACE) == 1
    batch = await store.due_batch(GUILD, now, 10)
    assert [r.offset_s for r in batch] == [3600]  # still sendable, late
    states = {r.offset_s: r.state for r in await store.reminders_of(occurrence.id)}
    assert states == {86400: ReminderState.MISSED, 3600: ReminderState.PENDING}
    clock.advance(timedelta(minutes=16))  # now 31 minutes late: past the grace period
    assert await store.expire(GUILD, planner.now(), GRACE) == 1
    assert await store.due_batch(GUILD, planner.now(), 10) == []


async def test_notices_do_not_expire_by_grace_but_with_the_event(planner: EventPlanner, clock: ManualClock) -> None:
    event, occurrence, _ = await make(planner)
    await planner.rsvp(event.id, 1, 7, Rsvp.GOING, next(CLICKS))
    await planner.cancel(event, reason="rain")
    clock.advance(timedelta(hours=2))  # the bot was down for two hours: the cancel notice is still useful
    assert await planner.store.expire(GUILD, planner.now(), GRACE) == 0
    assert [r.kind for r in await planner.store.due_batch(GUILD, planner.now(), 10)] == [NoticeKind.CANCELLED]
    clock.set(occurrence.end + timedelta(seconds=1))
    assert await planner.store.expire(GUILD, planner.now(), GRACE) == 1


async def test_claim_fixes_who_is_messaged_and_respects_opt_outs(planner: EventPlanner, clock: ManualClock) -> None:
    event, occurrence, _ = await make(planner, reminders="1h")
    store = planner.store
    for user in (1, 2, 3, 4):
        await planner.rsvp(event.id, 1, user, Rsvp.GOING, next(CLICKS))
    await planner.rsvp(event.id, 1, 5, Rsvp.MAYBE, next(CLICKS))
    await store.set_dm_reminders(GUILD, 2, False, planner.now())
    await store.remember_dm_closed(3, planner.now())
    clock.set(occurrence.start - timedelta(hours=1))
    [reminder] = await store.due_batch(GUILD, planner.now(), 10)
    assert await store.claim(reminder, planner.now())
    assert not await store.claim(reminder, planner.now())  # already claimed
    await planner.rsvp(event.id, 1, 6, Rsvp.GOING, next(CLICKS))  # too late for this reminder's list
    targets = [d.user_id for d in await store.pending_deliveries(reminder.id)]
    assert targets == [CHANNEL_TARGET, 1, 4]


async def test_a_crash_mid_reminder_resends_only_what_discord_had_not_accepted(
    planner: EventPlanner, db: Database, clock: ManualClock
) -> None:
    event, occurrence, _ = await make(planner, reminders="1h")
    for user in (1, 2):
        await planner.rsvp(event.id, 1, user, Rsvp.GOING, next(CLICKS))
    clock.set(occurrence.start - timedelta(hours=1))
    store = planner.store
    [reminder] = await store.due_batch(GUILD, planner.now(), 10)
    await store.claim(reminder, planner.now())
    channel, first_dm, _ = await store.pending_deliveries(reminder.id)
    await store.delivered(channel.id, 9001, planner.now())
    await store.delivered(first_dm.id, 9002, planner.now())
    # the process dies here; a new one reads the same database once the claim's lease is over (on PostgreSQL)
    fresh = EventStore(db)
    waiting = [r.id for r in await fresh.due_batch(GUILD, planner.now(), 10)]
    assert waiting == ([] if db.backend == "postgresql" else [reminder.id])
    clock.advance(timedelta(seconds=CLAIM_LEASE_S))
    [resumed] = await fresh.due_batch(GUILD, planner.now(), 10)
    assert resumed.state is ReminderState.SENDING
    assert await fresh.claim(resumed, planner.now())
    assert [d.user_id for d in await fresh.pending_deliveries(resumed.id)] == [2]
    assert not await fresh.finish_if_done(resumed.id, planner.now())
    [last] = await fresh.pending_deliveries(resumed.id)
    await fresh.delivered(last.id, 9003, planner.now())
    assert await fresh.finish_if_done(resumed.id, planner.now())
    assert await fresh.due_batch(GUILD, planner.now(), 10) == []
    assert await fresh.delivery_summary(resumed.id) == {"sent": 3}


async def test_closed_dms_are_remembered_and_counted(planner: EventPlanner) -> None:
    store = planner.store
    assert not await store.dm_closed(5)
    await store.remember_dm_closed(5, 1)
    await store.remember_dm_closed(5, 2)
    assert await store.dm_closed(5)
    assert await store.db.fetchval("SELECT failures FROM dm_closed WHERE user_id = 5") == 2
    assert await store.dm_memory.count() == 1
    assert await store.forget_dm_closed(5) and not await store.dm_closed(5)


async def test_a_failed_delivery_is_retried_then_given_up(planner: EventPlanner, clock: ManualClock) -> None:
    _, occurrence, _ = await make(planner, reminders="1h")
    clock.set(occurrence.start - timedelta(hours=1))
    store = planner.store
    [reminder] = await store.due_batch(GUILD, planner.now(), 10)
    await store.claim(reminder, planner.now(), dm_reminders=False)
    [delivery] = await store.pending_deliveries(reminder.id)
    assert await store.delivery_retry_later(delivery.id, "503") == 1
    assert await store.delivery_retry_later(delivery.id, "503") == 2
    await store.delivery_failed(delivery.id, DeliveryState.FAILED, "503")
    assert await store.finish_if_done(reminder.id, planner.now())
    assert await store.delivery_summary(reminder.id) == {"failed": 1}


async def test_old_delivery_rows_are_purged_but_recent_and_pending_ones_stay(
    planner: EventPlanner, clock: ManualClock
) -> None:
    event, occurrence, _ = await make(planner, reminders="1d,1h")
    await planner.rsvp(event.id, 1, 7, Rsvp.GOING, next(CLICKS))
    store = planner.store
    clock.set(occurrence.start - timedelta(hours=23))
    [first] = await store.due_batch(GUILD, planner.now(), 10)
    await store.claim(first, planner.now())
    for delivery in await store.pending_deliveries(first.id):
        await store.delivered(delivery.id, 1, planner.now())
    assert await store.finish_if_done(first.id, planner.now())
    clock.set(occurrence.start - timedelta(minutes=59))
    [second] = await store.due_batch(GUILD, planner.now(), 10)
    await store.claim(second, planner.now())  # claimed, not finished: its rows must stay
    assert await store.purge_deliveries(finished_before=planner.now() - 86400) == 0
    assert await store.purge_deliveries(finished_before=planner.now()) == 2
    assert len(await store.pending_deliveries(second.id)) == 2


async def test_a_database_from_before_the_retry_times_upgrades(tmp_path: Path) -> None:
    """Migration 0003 adds the retry times to an existing file: its reminders stay due when they were."""
    db = await Database.open(tmp_path / "old.db")
    try:
        migrations = all_migrations(feature_packages())
        await db.migrate([m for m in migrations if (m.namespace, m.version) != ("events", 3)])
        due = 1_750_000_000
        await db.execute(
            "INSERT INTO events (id, guild_id, creator_id, title, tz, local_time, duration_s, reminder_offsets,"
            " channel_id, state, created_at, updated_at) VALUES (1, ?, 1, 'Old', 'UTC', '18:00', 3600, '3600', 5,"
            " 'active', 0, 0)",
            (GUILD,),
        )
        await db.execute(
            "INSERT INTO event_occurrences (id, event_id, seq, starts_at, ends_at, state, message_id)"
            " VALUES (1, 1, 1, ?, ?, 'upcoming', 99)",
            (due + 3600, due + 7200),
        )
        await db.execute(
            "INSERT INTO event_reminders (occurrence_id, kind, offset_s, due_at, state) VALUES (1, 'reminder', 3600, ?,"
            " 'pending')",
            (due,),
        )
        applied = await db.migrate(migrations)
        assert [(m.namespace, m.version) for m in applied] == [("events", 3)]
        store = EventStore(db)
        assert await store.next_due(due - 600) == due
        [reminder] = await store.due_batch(GUILD, due, 10)
        assert reminder.due_at == due and reminder.state is ReminderState.PENDING
        assert await db.fetchval("SELECT retry_at FROM event_reminders") is None
    finally:
        await db.close()


async def test_a_members_clicks_count_in_the_order_they_were_made(planner: EventPlanner, clock: ManualClock) -> None:
    """Two quick clicks handled out of order (the bot works on several at once): the later click wins."""
    event, occurrence, _ = await make(planner)
    await planner.rsvp(event.id, 1, 7, Rsvp.DECLINED, 200)
    await planner.rsvp(event.id, 1, 7, Rsvp.GOING, 100)  # clicked first, handled second
    counts = await planner.store.counts(occurrence.id)
    assert (counts.going, counts.declined) == (0, 1)
