"""The reminder bookkeeping on a real SQLite file: the grace rule, claiming, and deliveries that survive a crash."""

from __future__ import annotations

from datetime import timedelta

from bot.clock import ManualClock
from bot.database import Database
from cogs.events.models import CHANNEL_TARGET, DeliveryState, NoticeKind, ReminderState, Rsvp
from cogs.events.service import EventService
from cogs.events.store import EventStore
from tests.events.conftest import GUILD
from tests.events.test_service import make

GRACE = 30 * 60


async def test_the_window_query_returns_distinct_due_times_in_order(service: EventService) -> None:
    _, first, _ = await make(service, "next thursday 18:00", reminders="1d,1h")
    await make(service, "next thursday 18:00", title="Same time", reminders="1h")
    times = await service.store.next_due_times(until=first.starts_at, limit=10)
    assert times == [first.starts_at - 86400, first.starts_at - 3600]
    assert await service.store.next_due_times(until=first.starts_at, limit=1) == [first.starts_at - 86400]


async def test_grace_rule_late_within_grace_missed_after(service: EventService, clock: ManualClock) -> None:
    _, occurrence, _ = await make(service, reminders="1d,1h")
    store = service.store
    clock.set(occurrence.start - timedelta(minutes=45))  # the 1d reminder is 23h late, the 1h one 15 min late
    now = service.now()
    assert await store.due_guilds(now) == [GUILD]
    assert await store.expire(GUILD, now, GRACE) == 1
    batch = await store.due_batch(GUILD, now, 10)
    assert [r.offset_s for r in batch] == [3600]  # still sendable, late
    states = {r.offset_s: r.state for r in await store.reminders_of(occurrence.id)}
    assert states == {86400: ReminderState.MISSED, 3600: ReminderState.PENDING}
    clock.advance(timedelta(minutes=16))  # now 31 minutes late: past the grace period
    assert await store.expire(GUILD, service.now(), GRACE) == 1
    assert await store.due_batch(GUILD, service.now(), 10) == []


async def test_notices_do_not_expire_by_grace_but_with_the_event(service: EventService, clock: ManualClock) -> None:
    event, occurrence, _ = await make(service)
    await service.rsvp(event.id, 1, 7, Rsvp.GOING)
    await service.cancel(event, reason="rain")
    clock.advance(timedelta(hours=2))  # the bot was down for two hours: the cancel notice is still useful
    assert await service.store.expire(GUILD, service.now(), GRACE) == 0
    assert [r.kind for r in await service.store.due_batch(GUILD, service.now(), 10)] == [NoticeKind.CANCELLED]
    clock.set(occurrence.end + timedelta(seconds=1))
    assert await service.store.expire(GUILD, service.now(), GRACE) == 1


async def test_claim_fixes_who_is_messaged_and_respects_opt_outs(service: EventService, clock: ManualClock) -> None:
    event, occurrence, _ = await make(service, reminders="1h")
    store = service.store
    for user in (1, 2, 3, 4):
        await service.rsvp(event.id, 1, user, Rsvp.GOING)
    await service.rsvp(event.id, 1, 5, Rsvp.MAYBE)
    await store.set_dm_reminders(GUILD, 2, False, service.now())
    await store.remember_dm_closed(3, service.now())
    clock.set(occurrence.start - timedelta(hours=1))
    [reminder] = await store.due_batch(GUILD, service.now(), 10)
    assert await store.claim(reminder, service.now())
    assert not await store.claim(reminder, service.now())  # already claimed
    await service.rsvp(event.id, 1, 6, Rsvp.GOING)  # too late for this reminder's list
    targets = [d.user_id for d in await store.pending_deliveries(reminder.id)]
    assert targets == [CHANNEL_TARGET, 1, 4]


async def test_a_crash_mid_reminder_resends_only_what_discord_had_not_accepted(
    service: EventService, events_db: Database, clock: ManualClock
) -> None:
    event, occurrence, _ = await make(service, reminders="1h")
    for user in (1, 2):
        await service.rsvp(event.id, 1, user, Rsvp.GOING)
    clock.set(occurrence.start - timedelta(hours=1))
    store = service.store
    [reminder] = await store.due_batch(GUILD, service.now(), 10)
    await store.claim(reminder, service.now())
    channel, first_dm, _ = await store.pending_deliveries(reminder.id)
    await store.delivered(channel.id, 9001, service.now())
    await store.delivered(first_dm.id, 9002, service.now())
    # the process dies here; a new one reads the same file
    fresh = EventStore(events_db)
    [resumed] = await fresh.due_batch(GUILD, service.now(), 10)
    assert resumed.state is ReminderState.SENDING
    assert await fresh.claim(resumed, service.now())
    assert [d.user_id for d in await fresh.pending_deliveries(resumed.id)] == [2]
    assert not await fresh.finish_if_done(resumed.id, service.now())
    [last] = await fresh.pending_deliveries(resumed.id)
    await fresh.delivered(last.id, 9003, service.now())
    assert await fresh.finish_if_done(resumed.id, service.now())
    assert await fresh.due_batch(GUILD, service.now(), 10) == []
    assert await fresh.delivery_summary(resumed.id) == {"sent": 3}


async def test_closed_dms_are_remembered_and_counted(service: EventService) -> None:
    store = service.store
    assert not await store.dm_closed(5)
    await store.remember_dm_closed(5, 1)
    await store.remember_dm_closed(5, 2)
    assert await store.dm_closed(5)
    assert await store.db.fetchval("SELECT failures FROM dm_closed WHERE user_id = 5") == 2
    assert await store.dm_memory.count() == 1
    assert await store.forget_dm_closed(5) and not await store.dm_closed(5)


async def test_a_failed_delivery_is_retried_then_given_up(service: EventService, clock: ManualClock) -> None:
    _, occurrence, _ = await make(service, reminders="1h")
    clock.set(occurrence.start - timedelta(hours=1))
    store = service.store
    [reminder] = await store.due_batch(GUILD, service.now(), 10)
    await store.claim(reminder, service.now(), dm_reminders=False)
    [delivery] = await store.pending_deliveries(reminder.id)
    assert await store.delivery_retry_later(delivery.id, "503") == 1
    assert await store.delivery_retry_later(delivery.id, "503") == 2
    await store.delivery_failed(delivery.id, DeliveryState.FAILED, "503")
    assert await store.finish_if_done(reminder.id, service.now())
    assert await store.delivery_summary(reminder.id) == {"failed": 1}


async def test_old_delivery_rows_are_purged_but_recent_and_pending_ones_stay(
    service: EventService, clock: ManualClock
) -> None:
    event, occurrence, _ = await make(service, reminders="1d,1h")
    await service.rsvp(event.id, 1, 7, Rsvp.GOING)
    store = service.store
    clock.set(occurrence.start - timedelta(hours=23))
    [first] = await store.due_batch(GUILD, service.now(), 10)
    await store.claim(first, service.now())
    for delivery in await store.pending_deliveries(first.id):
        await store.delivered(delivery.id, 1, service.now())
    assert await store.finish_if_done(first.id, service.now())
    clock.set(occurrence.start - timedelta(minutes=59))
    [second] = await store.due_batch(GUILD, service.now(), 10)
    await store.claim(second, service.now())  # claimed, not finished: its rows must stay
    assert await store.purge_deliveries(finished_before=service.now() - 86400) == 0
    assert await store.purge_deliveries(finished_before=service.now()) == 2
    assert len(await store.pending_deliveries(second.id)) == 2
