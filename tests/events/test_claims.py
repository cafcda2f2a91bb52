"""Several bot processes on one database (two separately opened Database objects): the due work is shared out.

Each due reminder, owed announcement and ended occurrence is taken by exactly one process; what a process claimed
and did not finish (it died) is taken over by another once the claim's lease is over, and not before while the
claimer is alive and renewing it. The cache of clicked events follows a change made by the other process.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from bot.clock import ManualClock
from bot.database import Database, DatabaseTarget
from cogs.events.models import CHANNEL_TARGET, EventState, ReminderState, Rsvp
from cogs.events.planner import EventPlanner
from cogs.events.store import EventStore
from tests.events.conftest import GUILD
from tests.events.test_planner import make

CLICKS = itertools.count(1)
LEASE = 180
EVENTS = 12


@pytest.fixture
async def other_db(migrated_target: DatabaseTarget) -> AsyncIterator[Database]:
    """The same database opened a second time: another bot process."""
    second = await Database.open(migrated_target)
    yield second
    await second.close()


async def due_reminders(planner: EventPlanner, clock: ManualClock, going: int = 3) -> list[int]:
    """EVENTS events at one time, each with two reminders due now and members going; returns the reminder ids."""
    for n in range(EVENTS):
        event, occurrence, _ = await make(planner, "next thursday 18:00", title=f"Meetup {n}", reminders="2h,1h")
        for user in range(1, going + 1):
            await planner.rsvp(event.id, 1, user, Rsvp.GOING, next(CLICKS))
    clock.set(occurrence.start - timedelta(hours=1))
    return [r.id for r in await planner.store.due_batch(GUILD, planner.now(), 1000)]


async def drain(store: EventStore, now: int) -> list[int]:
    """One process's share of a pass: small batches, each claimed, until nothing due is left for it."""
    claimed: list[int] = []
    position = (0, 0)
    while batch := await store.due_batch(GUILD, now, 3, position):
        position = (batch[-1].due_at, batch[-1].id)
        claimed += sorted(await store.claim_many(batch, now, dm_reminders=True))
        await asyncio.sleep(0)
    return claimed


async def test_two_processes_claim_every_due_reminder_exactly_once(
    planner: EventPlanner, db: Database, other_db: Database, clock: ManualClock
) -> None:
    due = await due_reminders(planner, clock)
    assert len(due) == 2 * EVENTS
    first, second = EventStore(db, lease_s=LEASE), EventStore(other_db, lease_s=LEASE)
    now = planner.now()
    mine, theirs = await asyncio.gather(drain(first, now), drain(second, now))
    assert not set(mine) & set(theirs)
    assert sorted(mine + theirs) == sorted(due)
    # every claimed reminder got its deliveries: the channel post and the three members going
    rows = await db.fetch("SELECT reminder_id, COUNT(*) AS n FROM event_deliveries GROUP BY reminder_id")
    assert {int(r["n"]) for r in rows} == {4} and len(rows) == len(due)


async def test_the_same_reminders_offered_to_two_processes_at_once_are_claimed_once(
    planner: EventPlanner, db: Database, other_db: Database, clock: ManualClock
) -> None:
    due = await due_reminders(planner, clock)
    first, second = EventStore(db, lease_s=LEASE), EventStore(other_db, lease_s=LEASE)
    now = planner.now()
    batches = await asyncio.gather(first.due_batch(GUILD, now, 1000), second.due_batch(GUILD, now, 1000))
    one, two = await asyncio.gather(
        *(s.claim_many(b, now, dm_reminders=True) for s, b in zip((first, second), batches, strict=True))
    )
    assert not one & two and sorted(one | two) == sorted(due)
    # Each then sees only its own claims as due (to resume), not the other's.
    assert {r.id for r in await first.due_batch(GUILD, now, 1000)} == one
    assert {r.id for r in await second.due_batch(GUILD, now, 1000)} == two


async def test_a_dead_process_s_claim_is_taken_over_after_the_lease_and_not_before(
    planner: EventPlanner, db: Database, other_db: Database, clock: ManualClock
) -> None:
    event, occurrence, _ = await make(planner, reminders="1h")
    await planner.rsvp(event.id, 1, 7, Rsvp.GOING, next(CLICKS))
    await planner.store.set_message(occurrence.id, 4242)  # announced
    clock.set(occurrence.start - timedelta(hours=1))
    now = planner.now()
    alive, survivor = EventStore(db, lease_s=LEASE), EventStore(other_db, lease_s=LEASE)
    [reminder] = await alive.due_batch(GUILD, now, 10)
    assert await alive.claim(reminder, now)
    channel, _dm = await alive.pending_deliveries(reminder.id)
    await alive.delivered(channel.id, 9001, now)

    # While the claimer lives and renews, the other process leaves it alone, and is due again when it may take it.
    assert await survivor.due_batch(GUILD, now, 10) == []
    assert not await survivor.claim_many([reminder], now, dm_reminders=True)
    assert await survivor.next_due(now) == now + LEASE
    assert await alive.renew(reminder.id, now + 100)
    assert await survivor.due_batch(GUILD, now + LEASE, 10) == []
    assert await survivor.next_due(now + LEASE) == now + 100 + LEASE
    assert await survivor.expire(GUILD, now + LEASE, 30 * 60) == 0  # nor is it marked missed under its claimer

    # The claimer dies: one lease after its last renewal the survivor resumes it, sending only what had not gone.
    later = now + 100 + LEASE
    [taken] = await survivor.due_batch(GUILD, later, 10)
    assert taken.id == reminder.id and taken.state is ReminderState.SENDING
    assert await survivor.claim_many([taken], later, dm_reminders=True) == {reminder.id}
    assert [d.user_id for d in await survivor.pending_deliveries(reminder.id)] == [7]
    # The first process was only slow: its renewal fails, so it stops, and it may not take the reminder back.
    assert not await alive.renew(reminder.id, later)
    assert await alive.due_batch(GUILD, later, 10) == []
    [dm] = await survivor.pending_deliveries(reminder.id)
    await survivor.delivered(dm.id, 9002, later)
    assert await survivor.finish_if_done(reminder.id, later)
    assert await survivor.delivery_summary(reminder.id) == {"sent": 2}
    assert channel.user_id == CHANNEL_TARGET


async def test_each_owed_announcement_is_claimed_by_one_process(
    planner: EventPlanner, db: Database, other_db: Database, clock: ManualClock
) -> None:
    occurrences = []
    for n in range(EVENTS):
        _, occurrence, _ = await make(planner, title=f"Series {n}")
        occurrences.append(occurrence.id)
    first, second = EventStore(db, lease_s=LEASE), EventStore(other_db, lease_s=LEASE)
    now = planner.now() + LEASE  # past the confirming process's own claim: as if it died before posting
    one, two = await asyncio.gather(first.claim_unannounced(now, limit=5), second.claim_unannounced(now, limit=5))
    three, four = await asyncio.gather(first.claim_unannounced(now), second.claim_unannounced(now))
    claimed = [o.id for _, o in one + two + three + four]
    assert sorted(claimed) == sorted(occurrences)  # each once
    assert await first.claim_unannounced(now + LEASE - 1) == []  # held while the claimers may be posting
    await first.set_message(occurrences[0], 4242)  # one was posted; the claimers of the others died
    retaken = [o.id for _, o in await second.claim_unannounced(now + LEASE)]
    assert sorted(retaken) == sorted(occurrences[1:])


async def test_an_ended_occurrence_is_closed_and_its_series_advanced_once(
    planner: EventPlanner, db: Database, other_db: Database, clock: ManualClock
) -> None:
    occurrences = []
    for n in range(EVENTS):
        _, occurrence, _ = await make(planner, title=f"Weekly {n}", recurrence="weekly")
        occurrences.append(occurrence)
    clock.set(occurrences[-1].end + timedelta(minutes=1))
    other = EventPlanner(EventStore(other_db), clock)
    done_here, done_there = await asyncio.gather(planner.advance(), other.advance())
    ended = [d.ended.id for d in done_here + done_there]
    assert sorted(ended) == sorted(o.id for o in occurrences)
    assert all(d.next_occurrence is not None and d.next_occurrence.seq == 2 for d in done_here + done_there)
    assert await db.fetchval("SELECT COUNT(*) FROM event_occurrences WHERE seq = 2") == EVENTS


async def test_a_change_by_another_process_reaches_the_cached_event(
    planner: EventPlanner, db: Database, other_db: Database, clock: ManualClock
) -> None:
    if db.backend == "sqlite":
        pytest.skip("one process per SQLite file: change notices stay in the process (the same-process case is below)")
    event, occurrence, _ = await make(planner, title="Before")
    first, second = planner.store, EventStore(other_db)
    assert (await first.clicked(event.id, 1)) is not None
    await second.update_event(event.id, planner.now(), title="After")  # the other process edits it
    for _ in range(100):  # PostgreSQL delivers the notice a moment later
        found = await first.clicked(event.id, 1)
        if found is not None and found[0].title == "After":
            break
        await asyncio.sleep(0.02)
    assert found is not None and found[0].title == "After"
    await second.set_event_state(event.id, EventState.CANCELLED, planner.now())
    for _ in range(100):
        found = await first.clicked(event.id, 1)
        if found is not None and found[0].state is EventState.CANCELLED:
            break
        await asyncio.sleep(0.02)
    assert found is not None and found[0].state is EventState.CANCELLED
    assert occurrence.id == found[1].id


async def test_the_cached_event_follows_every_change_in_this_process(planner: EventPlanner, clock: ManualClock) -> None:
    event, occurrence, _ = await make(planner, title="Before")
    store = planner.store
    assert (await store.clicked(event.id, 1)) == (event, occurrence)
    await store.update_event(event.id, planner.now(), title="After")
    assert (await store.clicked(event.id, 1))[0].title == "After"  # type: ignore[index]
    await store.move_occurrence(occurrence.id, occurrence.starts_at + 60, occurrence.ends_at + 60, "")
    assert (await store.clicked(event.id, 1))[1].starts_at == occurrence.starts_at + 60  # type: ignore[index]
    await store.set_message(occurrence.id, 99)
    assert (await store.clicked(event.id, 1))[1].message_id == 99  # type: ignore[index]
    await planner.cancel((await store.clicked(event.id, 1))[0])  # type: ignore[index]
    cancelled = await store.clicked(event.id, 1)
    assert cancelled is not None and cancelled[1].state.value == "cancelled"
    assert len(store.cache) == 1
