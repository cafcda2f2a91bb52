"""The events workflow without Discord: drafts, confirm, RSVPs, edits, cancels and series, on a real SQLite file."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.clock import ManualClock
from bot.errors import UserFacingError
from cogs.events.models import EventInput, EventState, NoticeKind, OccurrenceState, ReminderState, Rsvp
from cogs.events.planner import EventPlanner
from tests.events.conftest import DEFAULTS, GUILD, ORGANISER

CLICKS = itertools.count(1)  # interaction IDs: each click later than the one before

BERLIN = ZoneInfo("Europe/Berlin")


async def make(planner: EventPlanner, when: str = "next thursday 18:00", **kwargs: Any):  # type: ignore[no-untyped-def]
    typed = EventInput(title=kwargs.pop("title", "Data meetup"), when=when, **kwargs)
    draft = await planner.create_draft(GUILD, ORGANISER, typed, DEFAULTS)
    event, occurrence, due = await planner.confirm(draft.event.id, ORGANISER, channel_id=555)
    return event, occurrence, due


async def test_a_draft_is_stored_and_confirm_schedules_its_reminders(planner: EventPlanner) -> None:
    typed = EventInput(title="  Intro to   dbt ", when="next thursday 18:00", reminders="1d,1h,10m")
    draft = await planner.create_draft(GUILD, ORGANISER, typed, DEFAULTS)
    assert draft.event.state is EventState.DRAFT and draft.event.title == "Intro to dbt"
    assert draft.occurrence.start == datetime(2025, 3, 6, 17, 0, tzinfo=UTC)
    assert await planner.store.reminders_of(draft.occurrence.id) == []  # nothing is due for a draft
    event, occurrence, due = await planner.confirm(draft.event.id, ORGANISER, channel_id=555)
    assert event.state is EventState.ACTIVE and event.channel_id == 555
    start = occurrence.starts_at
    assert sorted(due) == [start - 86400, start - 3600, start - 600]
    with pytest.raises(UserFacingError, match="already confirmed"):
        await planner.confirm(draft.event.id, ORGANISER, channel_id=555)


async def test_confirm_is_refused_to_others_and_after_the_start(planner: EventPlanner, clock: ManualClock) -> None:
    draft = await planner.create_draft(GUILD, ORGANISER, EventInput(title="Talk", when="in 2 hours"), DEFAULTS)
    with pytest.raises(UserFacingError, match="Only the organiser"):
        await planner.confirm(draft.event.id, 999, channel_id=555)
    clock.advance(timedelta(hours=3))
    with pytest.raises(UserFacingError, match="has passed"):
        await planner.confirm(draft.event.id, ORGANISER, channel_id=555)


async def test_reminders_already_past_are_skipped_with_a_note(planner: EventPlanner) -> None:
    draft = await planner.create_draft(GUILD, ORGANISER, EventInput(title="Soon", when="in 2 hours"), DEFAULTS)
    assert any("skipped: 1 d." in n for n in draft.notes)
    _, occurrence, due = await planner.confirm(draft.event.id, ORGANISER, channel_id=1)
    assert due == [occurrence.starts_at - 3600]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"title": "x" * 101}, "limit is 100"),
        ({"title": "   "}, "cannot be empty"),
        ({"when": "3/4 18:00"}, "could be 3 April"),
        ({"when": "yesterday"}, "could not read"),
        ({"timezone": "Mars/Base"}, "not an IANA"),
        ({"duration": "3 weeks"}, "between 5 minutes and 14 days"),
        ({"reminders": "1x"}, "not a unit"),
        ({"recurrence": "daily"}, "Repeat must be one of"),
        ({"description": "d" * 1001}, "limit is 1000"),
    ],
)
async def test_bad_input_gets_a_clear_message_and_stores_nothing(
    planner: EventPlanner, fields: dict[str, str], message: str
) -> None:
    args = {"title": "Meetup", "when": "next thursday 18:00"} | fields
    with pytest.raises(UserFacingError, match=message):
        await planner.create_draft(GUILD, ORGANISER, EventInput(**args), DEFAULTS)
    assert await planner.store.db.fetchval("SELECT COUNT(*) FROM events") == 0


async def test_rsvps_count_and_change(planner: EventPlanner) -> None:
    event, _, _ = await make(planner)
    await planner.rsvp(event.id, 1, 1, Rsvp.GOING, next(CLICKS))
    await planner.rsvp(event.id, 1, 2, Rsvp.GOING, next(CLICKS))
    result = await planner.rsvp(event.id, 1, 3, Rsvp.MAYBE, next(CLICKS))
    counts = await planner.store.counts(result.occurrence.id)
    assert (counts.going, counts.maybe, counts.declined) == (2, 1, 0)
    result = await planner.rsvp(event.id, 1, 2, Rsvp.DECLINED, next(CLICKS))
    assert result.previous is Rsvp.GOING
    counts = await planner.store.counts(result.occurrence.id)
    assert (counts.going, counts.maybe, counts.declined) == (1, 1, 1)
    with pytest.raises(UserFacingError, match="no longer exists"):
        await planner.rsvp(event.id, 7, 1, Rsvp.GOING, next(CLICKS))


async def test_rsvp_after_the_end_or_a_cancel_is_refused(planner: EventPlanner, clock: ManualClock) -> None:
    event, _, _ = await make(planner)
    other, _, _ = await make(planner, "next friday 18:00", title="Other")
    await planner.cancel(other)
    with pytest.raises(UserFacingError, match="cancelled"):
        await planner.rsvp(other.id, 1, 1, Rsvp.GOING, next(CLICKS))
    clock.set(datetime(2025, 3, 6, 18, 1, tzinfo=UTC))  # after 19:00 Berlin: over
    with pytest.raises(UserFacingError, match="over"):
        await planner.rsvp(event.id, 1, 1, Rsvp.GOING, next(CLICKS))


async def test_moving_an_event_moves_its_reminders_and_tells_those_going(planner: EventPlanner) -> None:
    event, occurrence, _ = await make(planner, reminders="1d,1h")
    result = await planner.edit(event, EventInput(when="next friday 19:00", title="Data meetup (moved)"))
    assert result.moved_from == occurrence.starts_at
    assert result.occurrence.start == datetime(2025, 3, 7, 18, 0, tzinfo=UTC)
    assert result.event.local_time == "19:00" and result.event.revision == 1
    assert result.changed == ["start", "title"]
    reminders = await planner.store.reminders_of(occurrence.id)
    pending = {(r.kind, r.due_at) for r in reminders if r.state is ReminderState.PENDING}
    new_start = result.occurrence.starts_at
    assert pending == {
        (NoticeKind.REMINDER, new_start - 86400), (NoticeKind.REMINDER, new_start - 3600),
        (NoticeKind.MOVED, planner.now()),
    }  # fmt: skip
    assert sum(r.state is ReminderState.CANCELLED for r in reminders) == 2
    with pytest.raises(UserFacingError, match="Nothing to change"):
        await planner.edit(result.event, EventInput(title="Data meetup (moved)"))


async def test_reminders_removed_then_restored_come_back(planner: EventPlanner) -> None:
    event, occurrence, _ = await make(planner, reminders="1h")
    result = await planner.edit(event, EventInput(reminders="none"))
    assert result.due_times == []
    result = await planner.edit(result.event, EventInput(reminders="1h"))
    assert result.due_times == [occurrence.starts_at - 3600]
    states = [r.state for r in await planner.store.reminders_of(occurrence.id)]
    assert states == [ReminderState.PENDING]


async def test_a_new_zone_keeps_the_wall_clock_time(planner: EventPlanner) -> None:
    event, _, _ = await make(planner)  # Thu 18:00 Berlin
    result = await planner.edit(event, EventInput(timezone="Europe/London"))
    assert result.occurrence.start.astimezone(ZoneInfo("Europe/London")).strftime("%a %H:%M") == "Thu 18:00"
    assert result.occurrence.start - datetime(2025, 3, 6, 17, 0, tzinfo=UTC) == timedelta(hours=1)


async def test_cancel_stops_reminders_and_queues_a_notice(planner: EventPlanner) -> None:
    event, occurrence, _ = await make(planner)
    result = await planner.cancel(event, reason="speaker ill")
    assert result.event.state is EventState.CANCELLED and result.cancelled.state is OccurrenceState.CANCELLED
    reminders = await planner.store.reminders_of(occurrence.id)
    assert {r.state for r in reminders if r.kind is NoticeKind.REMINDER} == {ReminderState.CANCELLED}
    notice = [r for r in reminders if r.kind is NoticeKind.CANCELLED]
    assert len(notice) == 1 and notice[0].detail == "speaker ill" and notice[0].due_at == planner.now()
    with pytest.raises(UserFacingError, match="cancelled"):
        await planner.cancel(result.event)


async def test_cancelling_one_date_of_a_series_keeps_the_series(planner: EventPlanner) -> None:
    event, occurrence, _ = await make(planner, recurrence="weekly")
    result = await planner.cancel(event, whole_series=False)
    assert result.event.state is EventState.ACTIVE and not result.whole_series
    assert result.next_occurrence.seq == 2
    assert result.next_occurrence.starts_at - occurrence.starts_at == 7 * 86400
    assert len(result.due_times) == 3  # the notice now, and 1d/1h before the next date


async def test_a_one_off_event_ends(planner: EventPlanner, clock: ManualClock) -> None:
    _, occurrence, _ = await make(planner)
    assert await planner.advance() == []
    clock.set(occurrence.end + timedelta(seconds=1))
    done = await planner.advance()
    assert len(done) == 1 and done[0].next_occurrence is None
    assert done[0].event.state is EventState.ENDED and done[0].ended.state is OccurrenceState.ENDED
    assert await planner.store.upcoming(GUILD, planner.now()) == []


async def test_a_weekly_series_advances_across_the_dst_change_at_the_same_local_time(
    planner: EventPlanner, clock: ManualClock
) -> None:
    clock.set(datetime(2025, 3, 20, 9, 0, tzinfo=UTC))
    event, occurrence, _ = await make(planner, "2025-03-27 18:00", recurrence="weekly", reminders="1h")
    clock.set(occurrence.end + timedelta(minutes=1))
    done = await planner.advance()
    following = done[0].next_occurrence
    assert following.seq == 2
    assert following.start.astimezone(BERLIN).strftime("%Y-%m-%d %H:%M %Z") == "2025-04-03 18:00 CEST"
    assert following.start.hour == 16  # UTC moved, the local time did not
    assert done[0].due_times == [following.starts_at - 3600]
    assert (await planner.store.event(event.id)).state is EventState.ACTIVE


async def test_a_series_skips_dates_that_passed_while_the_bot_was_down(
    planner: EventPlanner, clock: ManualClock
) -> None:
    _, occurrence, _ = await make(planner, recurrence="biweekly")
    clock.set(occurrence.start + timedelta(days=40))
    done = await planner.advance()
    following = done[0].next_occurrence
    assert following.start > clock.now()
    local_days = (following.start.astimezone(BERLIN).date() - occurrence.start.astimezone(BERLIN).date()).days
    assert local_days == 42 and following.start.astimezone(BERLIN).hour == 18
