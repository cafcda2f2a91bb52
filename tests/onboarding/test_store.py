"""The onboarding store on a real SQLite file: joins, claims, reminders, finishing."""

from __future__ import annotations

from datetime import timedelta

from bot.clock import ManualClock
from bot.database import Database
from cogs.onboarding.models import Step, WelcomeKind, WelcomeState
from cogs.onboarding.store import OnboardingStore

G, U = 100, 200
DAYS3 = timedelta(days=3)


async def test_a_join_is_recorded_once_and_claimed_once(db: Database, clock: ManualClock) -> None:
    store = OnboardingStore(db)
    joined = clock.now()
    first = await store.record_join(G, U, joined, screening=False, now=clock.now())
    assert (first.state, first.kind, first.join_seq) == (WelcomeState.PENDING, WelcomeKind.WELCOME, 1)
    assert await store.record_join(G, U, joined, screening=False, now=clock.now()) is None  # the same join again

    claimed = await store.claim_welcome(G, U, clock.now())
    assert claimed is not None and claimed.state is WelcomeState.SENDING and claimed.attempts == 1
    assert await store.claim_welcome(G, U, clock.now()) is None
    assert await store.set_welcome_state(G, U, WelcomeState.SENT, clock.now(), message_id=5)
    # A late worker cannot move a finished welcome back.
    assert not await store.set_welcome_state(G, U, WelcomeState.PENDING, clock.now())
    assert (await store.welcome(G, U)).state is WelcomeState.SENT


async def test_screening_holds_the_welcome_until_passed(db: Database, clock: ManualClock) -> None:
    store = OnboardingStore(db)
    welcome = await store.record_join(G, U, clock.now(), screening=True, now=clock.now())
    assert welcome.state is WelcomeState.SCREENING
    assert await store.claim_welcome(G, U, clock.now()) is None
    assert await store.screening_passed(G, U, clock.now())
    assert not await store.screening_passed(G, U, clock.now())
    assert (await store.welcome(G, U)).state is WelcomeState.PENDING


async def test_a_rejoin_after_finishing_is_a_welcome_back(db: Database, clock: ManualClock) -> None:
    store = OnboardingStore(db)
    await store.record_join(G, U, clock.now(), screening=False, now=clock.now())
    await store.save_answer(G, U, {"role": "data-analyst"}, Step.LEVEL, clock.now(), DAYS3)
    await store.finish(G, U, clock.now())
    clock.advance(timedelta(days=40))
    again = await store.record_join(G, U, clock.now(), screening=False, now=clock.now())
    assert (again.kind, again.join_seq, again.state) == (WelcomeKind.WELCOME_BACK, 2, WelcomeState.PENDING)
    assert (await store.profile(G, U)).answers.role == "data-analyst"


async def test_the_first_answer_starts_the_member_and_schedules_one_reminder(db: Database, clock: ManualClock) -> None:
    store = OnboardingStore(db)
    await store.ensure_profile(G, U, clock.now())
    assert await store.next_reminder_due() is None
    assert await store.save_answer(G, U, {"role": "student"}, Step.LEVEL, clock.now(), DAYS3)
    clock.advance(timedelta(hours=5))
    assert not await store.save_answer(G, U, {"level": "new-to-data"}, Step.INTERESTS, clock.now(), DAYS3)
    due = clock.now() - timedelta(hours=5) + DAYS3
    assert await store.next_reminder_due() == due

    clock.set(due - timedelta(seconds=1))
    assert await store.due_reminders(clock.now()) == []
    clock.set(due)
    assert await store.due_reminders(clock.now()) == [(G, U)]
    assert await store.claim_reminder(G, U, clock.now())
    assert not await store.claim_reminder(G, U, clock.now())  # one reminder, even if the job fires twice
    await store.close_reminder(G, U, "sent", clock.now())
    assert await store.next_reminder_due() is None
    assert await store.due_reminders(clock.now() + timedelta(days=30)) == []


async def test_finishing_cancels_the_reminder_and_counts_once(db: Database, clock: ManualClock) -> None:
    store = OnboardingStore(db)
    await store.save_answer(G, U, {"role": "researcher"}, Step.LEVEL, clock.now(), DAYS3)
    clock.advance(timedelta(minutes=4))
    assert await store.finish(G, U, clock.now())
    assert not await store.finish(G, U, clock.now() + timedelta(days=1))  # a re-run does not count again
    assert await store.next_reminder_due() is None
    profile = await store.profile(G, U)
    assert (profile.status, profile.step) == ("finished", "done")
    events = await db.fetch("SELECT event FROM onboarding_events ORDER BY at")
    assert [e["event"] for e in events] == ["started", "finished"]


async def test_closed_dms_are_remembered_once(db: Database, clock: ManualClock) -> None:
    store = OnboardingStore(db)
    assert not await store.dm_closed(G, U)
    assert await store.record_dm_closed(G, U, clock.now())
    assert not await store.record_dm_closed(G, U, clock.now())
    # Per member, not per server: the bot has one DM channel with them (the shared memory, bot/dm_closed.py).
    assert await store.dm_closed(G, U) and await store.dm_closed(G + 1, U)
    events = await db.fetch("SELECT event FROM onboarding_events WHERE user_id = ?", (U,))
    assert [e["event"] for e in events] == ["dm_closed"]  # onboarding's stats row, written once


async def test_open_welcomes_come_back_oldest_first(db: Database, clock: ManualClock) -> None:
    store = OnboardingStore(db)
    for user in (3, 1, 2):
        await store.record_join(G, user, clock.now(), screening=False, now=clock.now())
        clock.advance(timedelta(seconds=1))
    await store.claim_welcome(G, 1, clock.now())
    await store.claim_welcome(G, 2, clock.now())
    await store.set_welcome_state(G, 2, WelcomeState.SENT, clock.now())
    opened = await store.open_welcomes((WelcomeState.PENDING, WelcomeState.SENDING), 10)
    assert [(w.user_id, w.state) for w in opened] == [(3, WelcomeState.PENDING), (1, WelcomeState.SENDING)]
