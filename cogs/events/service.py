"""The rules of events without Discord: validate what organisers type, RSVP, edit, cancel, advance a series."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TypeVar
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.errors import UserFacingError
from cogs.events.models import (
    Event,
    EventState,
    NoticeKind,
    Occurrence,
    OccurrenceState,
    Rsvp,
    RsvpCounts,
    utc,
)
from cogs.events.recurrence import Recurrence, nth_weekday_of
from cogs.events.store import EventStore, NewEvent
from cogs.events.timeparse import (
    TimeParseError,
    format_offsets,
    localize,
    parse_offsets,
    parse_span,
    parse_when,
    resolve_zone,
)

log = logging.getLogger(__name__)
T = TypeVar("T")

TITLE_MAX = 100  # Discord scheduled event name
LOCATION_MAX = 100  # Discord scheduled event location
DESCRIPTION_MAX = 1000  # Discord scheduled event description
MAX_DURATION = timedelta(days=14)
DRAFT_LIFETIME = timedelta(days=1)  # unconfirmed previews are purged by the dispatcher's refill after this


@dataclass(frozen=True)
class Defaults:
    """The server's settings that fill what the organiser left out."""

    zone: str
    reminders: str
    duration_minutes: int


@dataclass(frozen=True)
class DraftResult:
    event: Event
    occurrence: Occurrence
    notes: tuple[str, ...]


@dataclass(frozen=True)
class RsvpResult:
    event: Event
    occurrence: Occurrence
    counts: RsvpCounts
    previous: Rsvp | None


@dataclass
class EditResult:
    event: Event
    occurrence: Occurrence
    changed: list[str] = field(default_factory=list)
    moved_from: int | None = None  # the old start when the time changed
    notes: tuple[str, ...] = ()
    due_times: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class CancelResult:
    event: Event
    cancelled: Occurrence
    whole_series: bool
    next_occurrence: Occurrence | None
    due_times: list[int]


@dataclass(frozen=True)
class Advanced:
    event: Event
    ended: Occurrence
    next_occurrence: Occurrence | None
    due_times: list[int]


# What an edit says it changed, in the organiser's words ('' = part of another change).
_SHOWN_NAMES = {"tz": "time zone", "local_time": "", "monthly_nth": "", "duration_s": "duration",
                "reminder_offsets": "reminders", "ping_role_id": "ping role"}  # fmt: skip


def _clean_line(text: str | None, limit: int, what: str, *, required: bool = False) -> str:
    value = " ".join((text or "").split())
    if required and not value:
        raise UserFacingError(f"The {what} cannot be empty.")
    if len(value) > limit:
        raise UserFacingError(f"The {what} is {len(value)} characters; the limit is {limit}.")
    return value


def _clean_block(text: str | None, limit: int, what: str) -> str:
    value = (text or "").replace("\r\n", "\n").strip()
    if len(value) > limit:
        raise UserFacingError(f"The {what} is {len(value)} characters; the limit is {limit}.")
    return value


def _guarded(call: Callable[..., T], *args: object) -> T:
    """Call a parser; its refusal becomes the user's answer."""
    try:
        return call(*args)
    except TimeParseError as error:
        raise UserFacingError(str(error)) from None


def _duration(text: str | None, default_minutes: int) -> int:
    if not text or not text.strip():
        return default_minutes * 60
    span = _guarded(parse_span, text)
    if span < timedelta(minutes=5) or span > MAX_DURATION:
        raise UserFacingError("An event lasts between 5 minutes and 14 days; write it like `90m` or `2h`.")
    return int(span.total_seconds())


def _recurrence(text: str | None) -> Recurrence:
    try:
        return Recurrence((text or "none").strip().lower())
    except ValueError:
        options = ", ".join(f"`{r.value}`" for r in Recurrence)
        raise UserFacingError(f"Repeat must be one of {options}.") from None


class EventService:
    """Events, their occurrences, RSVPs and what must be told to whom; times from the injected clock."""

    def __init__(self, store: EventStore, clock: Clock) -> None:
        self.store = store
        self.clock = clock

    def now(self) -> int:
        return int(self.clock.now().timestamp())

    # ------------------------------------------------------------ creating

    @staticmethod
    def _offsets(reminders: str | None, defaults: Defaults) -> tuple[int, ...]:
        if reminders is not None:
            return _guarded(parse_offsets, reminders)
        try:
            return parse_offsets(defaults.reminders)
        except TimeParseError as error:
            raise UserFacingError(
                f"This server's default reminders (`events.default_reminders`) cannot be used: {error} "
                "Give `reminders` yourself, or ask a moderator to fix it with `/config set`."
            ) from None

    async def create_draft(
        self,
        *,
        guild_id: int,
        creator_id: int,
        title: str,
        when: str,
        defaults: Defaults,
        timezone: str | None = None,
        duration: str | None = None,
        location: str | None = None,
        description: str | None = None,
        recurrence: str | None = None,
        reminders: str | None = None,
        ping_role_id: int | None = None,
    ) -> DraftResult:
        """Validate an organiser's input and store it as a draft awaiting Confirm."""
        zone: ZoneInfo = _guarded(resolve_zone, timezone or defaults.zone)
        parsed = _guarded(parse_when, when, zone, self.clock.now())
        rule = _recurrence(recurrence)
        offsets = self._offsets(reminders, defaults)
        local = parsed.local
        new = NewEvent(
            guild_id=guild_id,
            creator_id=creator_id,
            title=_clean_line(title, TITLE_MAX, "title", required=True),
            description=_clean_block(description, DESCRIPTION_MAX, "description"),
            location=_clean_line(location, LOCATION_MAX, "location"),
            tz=zone.key,
            local_time=f"{local:%H:%M}",
            duration_s=_duration(duration, defaults.duration_minutes),
            recurrence=rule.value,
            monthly_nth=nth_weekday_of(local.date()),
            reminder_offsets=offsets,
            ping_role_id=ping_role_id,
            starts_at=parsed.unix,
            note=" ".join(n for n in parsed.notes if "does not exist" in n or "happens twice" in n),
        )
        event_id, occurrence_id = await self.store.insert_draft(new, self.now())
        event = await self.store.event(event_id)
        occurrence = await self.store.occurrence(occurrence_id)
        notes = list(parsed.notes)
        if rule is Recurrence.MONTHLY and new.monthly_nth == -1:
            notes.append("This is the fifth such weekday of the month, so the series repeats on the last one.")
        skipped = [o for o in offsets if parsed.unix - o <= self.now()]
        if skipped:
            notes.append(f"Reminders already past and skipped: {format_offsets(skipped)}.")
        return DraftResult(event, occurrence, tuple(notes))

    async def confirm(self, event_id: int, user_id: int, channel_id: int) -> tuple[Event, Occurrence, list[int]]:
        """Turn a draft into an active event with its reminders; the caller then posts the announcement."""
        event = await self.store.event(event_id)
        if event is None:
            raise UserFacingError("This draft has expired; run `/event create` again.")
        if event.state is not EventState.DRAFT:
            raise UserFacingError("This event was already confirmed.")
        if event.creator_id != user_id:
            raise UserFacingError("Only the organiser who made this draft can confirm it.")
        occurrence = await self.store.occurrence_by_seq(event_id, 1)
        if occurrence.starts_at <= self.now():
            raise UserFacingError(
                f"This draft's start (<t:{occurrence.starts_at}:F>) has passed; run `/event create` again."
            )
        if not await self.store.activate(event_id, channel_id, self.now()):
            raise UserFacingError("This event was already confirmed.")
        due = await self.store.add_reminders(occurrence.id, occurrence.starts_at, event.reminder_offsets, self.now())
        return await self.store.event(event_id), occurrence, due

    # ------------------------------------------------------------ RSVPs

    async def rsvp(self, event_id: int, seq: int, user_id: int, choice: Rsvp) -> RsvpResult:
        event = await self.store.event(event_id)
        occurrence = await self.store.occurrence_by_seq(event_id, seq) if event else None
        if event is None or occurrence is None:
            raise UserFacingError("This event no longer exists.")
        if occurrence.state is OccurrenceState.CANCELLED or event.state is EventState.CANCELLED:
            raise UserFacingError("This event was cancelled.")
        if occurrence.state is OccurrenceState.ENDED or occurrence.ends_at <= self.now():
            raise UserFacingError("This event is over.")
        previous = await self.store.set_rsvp(occurrence.id, user_id, choice, self.now())
        return RsvpResult(event, occurrence, await self.store.counts(occurrence.id), previous)

    # ------------------------------------------------------------ editing

    async def current(self, event: Event) -> Occurrence:
        occurrence = await self.store.latest_occurrence(event.id)
        upcoming = occurrence is not None and occurrence.state is OccurrenceState.UPCOMING
        if event.state is not EventState.ACTIVE or not upcoming:
            raise UserFacingError(f"**{event.title}** is {event.state.value}; it cannot be changed.")
        if occurrence.ends_at <= self.now():
            raise UserFacingError(
                f"**{event.title}** has just ended; a series can be changed once its next date is up."
            )
        return occurrence

    async def edit(
        self,
        event: Event,
        *,
        title: str | None = None,
        when: str | None = None,
        timezone: str | None = None,
        duration: str | None = None,
        location: str | None = None,
        description: str | None = None,
        recurrence: str | None = None,
        reminders: str | None = None,
        ping_role_id: int | None = None,
        clear_ping_role: bool = False,
    ) -> EditResult:
        """Apply an organiser's changes; a new time moves the reminders and tells those going."""
        occurrence = await self.current(event)
        changes: dict[str, object] = {}
        zone = _guarded(resolve_zone, timezone) if timezone else event.zone
        start, notes = occurrence.starts_at, ()
        if when:
            parsed = _guarded(parse_when, when, zone, self.clock.now())
            start, notes = parsed.unix, parsed.notes
        elif zone.key != event.tz:  # same wall-clock time and date, read in the new zone
            local_day = occurrence.start.astimezone(event.zone).date()
            aware, notes = localize(datetime.combine(local_day, event.wall_time), zone)
            start = int(aware.timestamp())
            if start <= self.now():
                raise UserFacingError(f"In {zone.key} that start (<t:{start}:F>) is in the past.")
        if zone.key != event.tz:
            changes["tz"] = zone.key
        if start != occurrence.starts_at and when:
            local = utc(start).astimezone(zone)
            changes["local_time"] = f"{local:%H:%M}"
            changes["monthly_nth"] = nth_weekday_of(local.date())
        if title is not None and (value := _clean_line(title, TITLE_MAX, "title", required=True)) != event.title:
            changes["title"] = value
        if location is not None and (value := _clean_line(location, LOCATION_MAX, "location")) != event.location:
            changes["location"] = value
        if description is not None:
            value = _clean_block(description, DESCRIPTION_MAX, "description")
            if value != event.description:
                changes["description"] = value
        duration_s = _duration(duration, event.duration_s // 60) if duration else event.duration_s
        if duration_s != event.duration_s:
            changes["duration_s"] = duration_s
        if recurrence is not None and (rule := _recurrence(recurrence)) is not event.recurrence:
            changes["recurrence"] = rule.value
            changes.setdefault("monthly_nth", nth_weekday_of(utc(start).astimezone(zone).date()))
        if reminders is not None:
            offsets = _guarded(parse_offsets, reminders)
            if offsets != event.reminder_offsets:
                changes["reminder_offsets"] = offsets
        if clear_ping_role and event.ping_role_id is not None:
            changes["ping_role_id"] = None
        elif ping_role_id is not None and ping_role_id != event.ping_role_id:
            changes["ping_role_id"] = ping_role_id
        moved = start != occurrence.starts_at
        if not changes and not moved:
            raise UserFacingError("Nothing to change: every value given is what the event already has.")
        now = self.now()
        if changes:
            await self.store.update_event(event.id, now, **changes)
        if moved or duration_s != event.duration_s:
            note = " ".join(n for n in notes if "does not exist" in n or "happens twice" in n)
            await self.store.move_occurrence(occurrence.id, start, start + duration_s, note)
        result = EditResult(await self.store.event(event.id), await self.store.occurrence(occurrence.id))
        shown = {_SHOWN_NAMES.get(name, name) for name in changes} | ({"start"} if moved else set())
        result.changed = sorted(shown - {""})
        result.notes = tuple(notes)
        if moved or "reminder_offsets" in changes:
            await self.store.cancel_pending(occurrence.id, now)
            result.due_times = await self.store.add_reminders(occurrence.id, start, result.event.reminder_offsets, now)
        if moved:
            result.moved_from = occurrence.starts_at
            await self.store.add_notice(occurrence.id, NoticeKind.MOVED, now, str(occurrence.starts_at))
            result.due_times.append(now)
        return result

    # ------------------------------------------------------------ cancelling

    async def cancel(self, event: Event, *, whole_series: bool = True, reason: str = "") -> CancelResult:
        """Cancel the current occurrence (and the series unless told otherwise); those going are told."""
        occurrence = await self.current(event)
        reason = _clean_line(reason, 300, "reason")
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
            await self.store.event(event.id), await self.store.occurrence(occurrence.id), whole, next_occurrence, due
        )

    # ------------------------------------------------------------ time passing

    async def advance(self, limit: int = 200) -> list[Advanced]:
        """Close occurrences that have ended; a series gets its next occurrence (announced by the caller)."""
        now = self.now()
        done = []
        for event, occurrence in await self.store.ended_occurrences(now, limit):
            await self.store.set_occurrence_state(occurrence.id, OccurrenceState.ENDED)
            if event.recurring:
                next_occurrence, due = await self._add_next(event, occurrence, now)
            else:
                await self.store.set_event_state(event.id, EventState.ENDED, now)
                next_occurrence, due = None, []
            ended = await self.store.occurrence(occurrence.id)
            done.append(Advanced(await self.store.event(event.id), ended, next_occurrence, due))
        return done

    async def _add_next(self, event: Event, previous: Occurrence, now: int) -> tuple[Occurrence | None, list[int]]:
        series = event.series(previous.start)
        start, notes = series.next_start(previous.start, not_before=utc(now))
        starts_at = int(start.timestamp())
        occurrence_id = await self.store.add_occurrence(
            event.id, previous.seq + 1, starts_at, starts_at + event.duration_s, " ".join(notes)
        )
        if occurrence_id is None:
            return None, []
        due = await self.store.add_reminders(occurrence_id, starts_at, event.reminder_offsets, now)
        log.info("Event %s: occurrence %s at %s", event.id, previous.seq + 1, start.isoformat())
        return await self.store.occurrence(occurrence_id), due
