"""The events workflow over the store: drafts, confirm, RSVPs, edits, cancels and series, on the bot's clock."""

from __future__ import annotations

import logging
from typing import TypeVar

from bot.clock import Clock
from bot.errors import UserFacingError
from bot.i18n import _
from bot.times import unix, utc
from cogs.events.models import (
    CancelResult,
    DraftResult,
    EditResult,
    Event,
    EventDefaults,
    EventInput,
    EventState,
    NoticeKind,
    Occurrence,
    OccurrenceEnded,
    OccurrenceState,
    Rsvp,
    RsvpResult,
)
from cogs.events.render import offsets_text
from cogs.events.rules import (
    REASON_MAX,
    check_changeable,
    check_confirm,
    check_rsvp,
    clean_line,
    dst_note,
    plan_draft,
    plan_edit,
)
from cogs.events.store import EventStore

log = logging.getLogger(__name__)
T = TypeVar("T")


def present(row: T | None) -> T:
    """A row this request just read or wrote; gone means a concurrent delete (a discard, the draft purge)."""
    if row is None:
        raise UserFacingError(_("This event no longer exists."))
    return row


class EventPlanner:
    """Events, their occurrences, RSVPs and what must be told to whom; times from the injected clock."""

    def __init__(self, store: EventStore, clock: Clock) -> None:
        self.store = store
        self.clock = clock

    def now(self) -> int:
        return unix(self.clock.now())

    async def _event(self, event_id: int) -> Event:
        return present(await self.store.event(event_id))

    async def _occurrence(self, occurrence_id: int) -> Occurrence:
        return present(await self.store.occurrence(occurrence_id))

    # ------------------------------------------------------------ creating

    async def create_draft(
        self, guild_id: int, creator_id: int, typed: EventInput, defaults: EventDefaults
    ) -> DraftResult:
        """Validate an organiser's input and store it as a draft awaiting Confirm."""
        plan = plan_draft(guild_id, creator_id, typed, defaults, self.clock.now())
        event_id, occurrence_id = await self.store.insert_draft(plan.new, self.now())
        notes = plan.notes
        if plan.skipped:
            notes += (_("Reminders already past and skipped: {offsets}.").format(offsets=offsets_text(plan.skipped)),)
        return DraftResult(await self._event(event_id), await self._occurrence(occurrence_id), notes)

    async def confirm(self, event_id: int, user_id: int, channel_id: int) -> tuple[Event, Occurrence, list[int]]:
        """Turn a draft into an active event with its reminders; the caller then posts the announcement."""
        event = await self.store.event(event_id)
        first = await self.store.occurrence_by_seq(event_id, 1) if event else None
        occurrence = check_confirm(event, first, user_id, self.now())
        if event is None or not await self.store.activate(event_id, channel_id, self.now()):
            raise UserFacingError(_("This event was already confirmed."))
        due = await self.store.add_reminders(occurrence.id, occurrence.starts_at, event.reminder_offsets, self.now())
        return await self._event(event_id), occurrence, due

    # ------------------------------------------------------------ RSVPs

    async def rsvp(
        self, event_id: int, seq: int, user_id: int, choice: Rsvp, clicked_id: int, *, dm_reminders: bool = False
    ) -> RsvpResult:
        """Record a click on an RSVP button; `clicked_id` (the interaction's ID) orders a member's clicks.

        The event and occurrence come from the store's cache; the answer and the previous one are one round trip.
        With `dm_reminders` (the server sends reminder DMs), a Going click on an event with reminders
        also reads whether this member gets them, in that same round trip.
        """
        found = await self.store.clicked(event_id, seq)
        event, occurrence = check_rsvp(found[0] if found else None, found[1] if found else None, self.now())
        asks = dm_reminders and choice is Rsvp.GOING and bool(event.reminder_offsets)
        write = await self.store.set_rsvp(occurrence.id, user_id, choice, self.now(), clicked_id,
                                          prefs_of=event.guild_id if asks else None)  # fmt: skip
        return RsvpResult(event, occurrence, write.previous, write.dm_closed, write.dm_reminders)

    # ------------------------------------------------------------ editing

    async def current(self, event: Event) -> Occurrence:
        """The occurrence an edit or cancel applies to."""
        return check_changeable(event, await self.store.latest_occurrence(event.id), self.now())

    async def edit(self, event: Event, typed: EventInput) -> EditResult:
        """Apply an organiser's changes; a new time moves the reminders and tells those going."""
        occurrence = await self.current(event)
        plan = plan_edit(event, occurrence, typed, self.clock.now())
        now = self.now()
        if plan.changes:
            await self.store.update_event(event.id, now, **plan.changes)
        if plan.moved or plan.duration_s != event.duration_s:
            await self.store.move_occurrence(occurrence.id, plan.start, plan.start + plan.duration_s,
                                             dst_note(plan.dst_notes))  # fmt: skip
        result = EditResult(await self._event(event.id), await self._occurrence(occurrence.id))
        result.changed = plan.changed
        result.notes = plan.notes
        if plan.moved or "reminder_offsets" in plan.changes:
            await self.store.cancel_pending(occurrence.id, now)
            result.due_times = await self.store.add_reminders(
                occurrence.id, plan.start, result.event.reminder_offsets, now
            )
        if plan.moved:
            result.moved_from = occurrence.starts_at
            await self.store.add_notice(occurrence.id, NoticeKind.MOVED, now, str(occurrence.starts_at))
            result.due_times.append(now)
        return result

    # ------------------------------------------------------------ cancelling

    async def cancel(self, event: Event, *, whole_series: bool = True, reason: str = "") -> CancelResult:
        """Cancel the current occurrence (and the series unless told otherwise); those going are told."""
        occurrence = await self.current(event)
        reason = clean_line(reason, REASON_MAX, "reason")
        now = self.now()
        whole = whole_series or not event.recurring
        await self.store.set_occurrence_state(occurrence.id, OccurrenceState.CANCELLED)
        await self.store.cancel_pending(occurrence.id, now)
        await self.store.add_notice(occurrence.id, NoticeKind.CANCELLED, now, reason)
        next_occurrence, due = None, [now]
        if whole:
            await self.store.set_event_state(event.id, EventState.CANCELLED, now)
        else:
            next_occurrence, more = await self._add_next(event, occurrence, now)
            due += more
        return CancelResult(
            await self._event(event.id), await self._occurrence(occurrence.id), whole, next_occurrence, due
        )

    # ------------------------------------------------------------ time passing

    async def advance(self, limit: int = 200) -> list[OccurrenceEnded]:
        """Close occurrences that have ended; a series gets its next occurrence (announced by the caller)."""
        now = self.now()
        done = []
        for event, occurrence in await self.store.ended_occurrences(now, limit):
            if not await self.store.end_occurrence(occurrence.id):
                continue  # another process's pass ended it (and added the next date) first
            next_occurrence: Occurrence | None = None
            due: list[int] = []
            if event.recurring:
                next_occurrence, due = await self._add_next(event, occurrence, now)
            else:
                await self.store.set_event_state(event.id, EventState.ENDED, now)
            ended = await self._occurrence(occurrence.id)
            done.append(OccurrenceEnded(await self._event(event.id), ended, next_occurrence, due))
        return done

    async def _add_next(self, event: Event, previous: Occurrence, now: int) -> tuple[Occurrence | None, list[int]]:
        series = event.series(previous.start)
        start, notes = series.next_start(previous.start, not_before=utc(now))
        starts_at = unix(start)
        occurrence_id = await self.store.add_occurrence(
            event.id, previous.seq + 1, starts_at, starts_at + event.duration_s, " ".join(notes)
        )
        if occurrence_id is None:
            return None, []
        due = await self.store.add_reminders(occurrence_id, starts_at, event.reminder_offsets, now)
        log.info("Event %s: occurrence %s at %s", event.id, previous.seq + 1, start.isoformat())
        return await self._occurrence(occurrence_id), due
