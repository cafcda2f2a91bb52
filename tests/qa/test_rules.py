"""The timing rules against a ManualClock and a real SQLite file: what falls due when, exactly once."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import given
from hypothesis import strategies as st

from bot.clock import ManualClock
from bot.times import unix
from cogs.qa.models import QuestionAction, QuestionTimes
from cogs.qa.rules import Timing, due_now, next_due, pending_actions
from cogs.qa.settings import QASettings
from cogs.qa.store import CLAIM_LEASE_SECONDS, QAStore
from tests.qa.conftest import ASKER, HELPER, question

HOUR = timedelta(hours=1)


async def _due_actions(store: QAStore, clock: ManualClock, timing: Timing, thread_id: int) -> list[QuestionAction]:
    """What the due work would do now: due rows from the index, then the rules for each."""
    now = unix(clock.now())
    rows = [q for q in await store.due(now) if q.thread_id == thread_id]
    return due_now(rows[0].times(), timing, now) if rows else []


async def test_a_reply_then_quiet_nudges_the_asker_once(store: QAStore, clock: ManualClock, timing: Timing) -> None:
    await store.add_question(question(1), timing)
    clock.advance(HOUR)
    await store.record_message(1, 50, HELPER, unix(clock.now()), timing)
    clock.advance(23 * HOUR + timedelta(minutes=59))
    assert await _due_actions(store, clock, timing, 1) == []
    clock.advance(timedelta(minutes=1))
    assert await _due_actions(store, clock, timing, 1) == [QuestionAction.NUDGE]
    assert [q.thread_id for q in await store.take_due(unix(clock.now()))] == [1]
    assert await store.sending(1, QuestionAction.NUDGE, unix(clock.now()))
    await store.complete(1, QuestionAction.NUDGE, unix(clock.now()), timing, posted=True)
    clock.advance(3 * HOUR)
    assert await _due_actions(store, clock, timing, 1) == []
    stored = await store.get(1)
    assert stored.nudged_at == unix(clock.now() - 3 * HOUR)
    # the next thing due is the archive, a full quiet period after the nudge (the nudge is activity)
    assert stored.next_due_at == stored.nudged_at + timing.archive_open_after


async def test_new_activity_pushes_the_nudge_back(store: QAStore, clock: ManualClock, timing: Timing) -> None:
    await store.add_question(question(1), timing)
    await store.record_message(1, 50, HELPER, unix(clock.now()), timing)
    clock.advance(20 * HOUR)
    await store.record_message(1, 51, ASKER, unix(clock.now()), timing)
    clock.advance(10 * HOUR)
    assert await _due_actions(store, clock, timing, 1) == []
    clock.advance(14 * HOUR)
    assert await _due_actions(store, clock, timing, 1) == [QuestionAction.NUDGE]


async def test_no_reply_at_all_is_surfaced_after_a_day(store: QAStore, clock: ManualClock, timing: Timing) -> None:
    await store.add_question(question(1), timing)
    await store.record_message(1, 1, ASKER, unix(clock.now() + HOUR), timing)  # the asker adding details
    clock.advance(23 * HOUR)
    assert await _due_actions(store, clock, timing, 1) == []
    clock.advance(HOUR)
    assert await _due_actions(store, clock, timing, 1) == [QuestionAction.SURFACE]
    await store.complete(1, QuestionAction.SURFACE, unix(clock.now()), timing, posted=True)
    assert await _due_actions(store, clock, timing, 1) == []


async def test_solved_posts_archive_after_a_quiet_day_others_after_days(
    store: QAStore, clock: ManualClock, timing: Timing
) -> None:
    for thread_id in (1, 2):
        await store.add_question(question(thread_id), timing)
        await store.record_message(thread_id, 10, HELPER, unix(clock.now()), timing)
    await store.mark_answer(
        1, message_id=10, author_id=HELPER, text="x", by_id=ASKER, at=unix(clock.now()), timing=timing
    )
    clock.advance(24 * HOUR)
    assert await _due_actions(store, clock, timing, 1) == [QuestionAction.ARCHIVE]
    assert await _due_actions(store, clock, timing, 2) == [QuestionAction.NUDGE]
    await store.complete(2, QuestionAction.NUDGE, unix(clock.now()), timing, posted=True)
    clock.advance(7 * 24 * HOUR - HOUR)
    assert await _due_actions(store, clock, timing, 2) == []
    clock.advance(HOUR)
    assert await _due_actions(store, clock, timing, 2) == [QuestionAction.ARCHIVE]


async def test_a_message_wakes_an_archived_question(store: QAStore, clock: ManualClock, timing: Timing) -> None:
    await store.add_question(question(1), timing)
    await store.set_archived(1, True, unix(clock.now()), timing)
    assert (await store.get(1)).archived_at is not None
    await store.record_message(1, 70, HELPER, unix(clock.now()), timing)
    stored = await store.get(1)
    assert stored.archived_at is None and stored.next_due_at is not None


async def test_a_post_woken_after_weeks_gets_a_full_quiet_period(
    store: QAStore, clock: ManualClock, timing: Timing
) -> None:
    await store.add_question(question(1), timing)
    await store.record_message(1, 50, HELPER, unix(clock.now()), timing)
    await store.complete(1, QuestionAction.NUDGE, unix(clock.now() + 24 * HOUR), timing, posted=True)
    clock.advance(30 * 24 * HOUR)
    await store.set_archived(1, True, unix(clock.now()), timing)
    clock.advance(14 * 24 * HOUR)
    await store.set_archived(1, False, unix(clock.now()), timing)  # a moderator reopens it, nobody writes yet
    assert await _due_actions(store, clock, timing, 1) == []  # not archived straight back
    clock.advance(timedelta(seconds=timing.archive_open_after - 1))
    assert await _due_actions(store, clock, timing, 1) == []
    clock.advance(timedelta(seconds=1))
    assert await _due_actions(store, clock, timing, 1) == [QuestionAction.ARCHIVE]


async def test_failures_back_off_then_give_up(store: QAStore, clock: ManualClock, timing: Timing) -> None:
    await store.add_question(question(1), timing)
    clock.advance(25 * HOUR)
    delays = []
    for _ in range(4):
        now = unix(clock.now())
        assert [q.thread_id for q in await store.take_due(now)] == [1]
        assert await store.sending(1, QuestionAction.SURFACE, now)
        assert await store.fail(1, QuestionAction.SURFACE, now, timing) is False
        stored = await store.get(1)
        delays.append(stored.next_due_at - now)
        clock.advance(timedelta(seconds=stored.next_due_at - now))
    assert delays == [300, 600, 1200, 2400]
    assert await store.fail(1, QuestionAction.SURFACE, unix(clock.now()), timing) is True
    assert (await store.get(1)).surfaced_at is not None


async def test_a_settings_change_moves_what_is_due(store: QAStore, clock: ManualClock, timing: Timing) -> None:
    await store.add_question(question(1), timing)
    await store.record_message(1, 5, HELPER, unix(clock.now()), timing)
    shorter = Timing.from_settings(QASettings(nudge_after_hours=2))
    assert await store.refresh_guild_due((await store.get(1)).guild_id, shorter) == 1
    clock.advance(2 * HOUR)
    assert await _due_actions(store, clock, shorter, 1) == [QuestionAction.NUDGE]


async def test_a_claim_is_due_again_after_its_lease_until_completed(
    store: QAStore, clock: ManualClock, timing: Timing
) -> None:
    await store.add_question(question(1), timing)
    clock.advance(30 * HOUR)
    now = unix(clock.now())
    [taken] = await store.take_due(now)
    assert (taken.claimed_by, taken.claimed_at) == (store.owner, now)
    assert await store.sending(1, QuestionAction.SURFACE, now)
    # whoever comes after the lease (another process, or this one restarted) finds the claim and checks the thread
    assert (await store.earliest_due()) == now + CLAIM_LEASE_SECONDS
    assert await store.take_due(now + CLAIM_LEASE_SECONDS - 1) == []
    released = await store.release(1, timing)
    assert released.pending_action is None and released.claimed_by is None
    assert released.next_due_at == now - 6 * HOUR // timedelta(seconds=1)  # surfacing is due since 24 h



_times = st.integers(min_value=0, max_value=10**6)


@given(
    solved=st.booleans(),
    created=_times,
    activity=_times,
    bot=st.one_of(st.none(), _times),
    replies=st.integers(0, 3),
    nudged=st.one_of(st.none(), _times),
    surfaced=st.one_of(st.none(), _times),
    archived=st.one_of(st.none(), _times),
    hours=st.integers(1, 72),
)
def test_next_due_is_exactly_when_something_becomes_due(
    solved: bool,
    created: int,
    activity: int,
    bot: int | None,
    replies: int,
    nudged: int | None,
    surfaced: int | None,
    archived: int | None,
    hours: int,
) -> None:
    timing = Timing(hours * 3600, 24 * 3600, 24 * 3600, 7 * 86400)
    q = QuestionTimes(solved, created, max(created, activity), bot, replies, nudged, surfaced, archived)
    due = next_due(q, timing)
    if due is None:
        assert pending_actions(q, timing) == {}
        assert due_now(q, timing, 10**9) == []
        return
    assert due_now(q, timing, due - 1) == []
    assert due_now(q, timing, due) != []
    # one reminder at most per kind, and never on a solved question
    if solved:
        assert set(due_now(q, timing, 10**9)) <= {QuestionAction.ARCHIVE}
