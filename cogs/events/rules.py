"""The decisions of events without I/O: what organisers may type, what an edit changes, who may act when."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeVar

from bot.errors import UserFacingError
from bot.i18n import N_, _
from bot.times import unix, utc
from cogs.events.models import (
    Event,
    EventDefaults,
    EventInput,
    EventState,
    NewEvent,
    NoticeKind,
    Occurrence,
    OccurrenceState,
    Reminder,
)
from cogs.events.recurrence import Recurrence, nth_weekday_of
from cogs.events.timeparse import TimeParseError, localize, parse_offsets, parse_span, parse_when, resolve_zone

T = TypeVar("T")

TITLE_MAX = 100  # Discord scheduled event name
LOCATION_MAX = 100  # Discord scheduled event location
DESCRIPTION_MAX = 1000  # Discord scheduled event description
REASON_MAX = 300
MAX_DURATION = timedelta(days=14)
DRAFT_LIFETIME = timedelta(days=1)  # unconfirmed previews are purged by the housekeeping after this
LATE_AFTER_S = 60  # later than this, a reminder carries the "bot was offline" note

# What an edit says it changed, in the organiser's words ('' = part of another change).
_SHOWN_NAMES = {"tz": "time zone", "local_time": "", "monthly_nth": "", "duration_s": "duration",
                "reminder_offsets": "reminders", "ping_role_id": "ping role"}  # fmt: skip
# Those words in the organiser's language (`_(CHANGED_WORDS[name])` where the answer is written).
CHANGED_WORDS = {"title": N_("title"), "location": N_("location"), "description": N_("description"),
                 "recurrence": N_("recurrence"), "start": N_("start"), "time zone": N_("time zone"),
                 "duration": N_("duration"), "reminders": N_("reminders"), "ping role": N_("ping role")}  # fmt: skip
# A field longer than allowed, one whole sentence per field (the word order and gender differ by language).
_TOO_LONG = {"title": N_("The title is {length} characters; the limit is {limit}."),
             "description": N_("The description is {length} characters; the limit is {limit}."),
             "location": N_("The location is {length} characters; the limit is {limit}."),
             "reason": N_("The reason is {length} characters; the limit is {limit}.")}  # fmt: skip
_NOT_CHANGEABLE = {EventState.DRAFT: N_("**{title}** is draft; it cannot be changed."),
                   EventState.ACTIVE: N_("**{title}** is active; it cannot be changed."),
                   EventState.CANCELLED: N_("**{title}** is cancelled; it cannot be changed."),
                   EventState.ENDED: N_("**{title}** is ended; it cannot be changed.")}  # fmt: skip


# ------------------------------------------------------------ what organisers type


def clean_line(text: str | None, limit: int, what: str, *, required: bool = False) -> str:
    """One line of text with its whitespace collapsed, refused when empty (if required) or too long."""
    value = " ".join((text or "").split())
    if required and not value:
        raise UserFacingError(_("The title cannot be empty.") if what == "title" else _("This cannot be empty."))
    return _within(value, limit, what)


def clean_block(text: str | None, limit: int, what: str) -> str:
    """A block of text (line breaks kept), refused when too long."""
    return _within((text or "").replace("\r\n", "\n").strip(), limit, what)


def _within(value: str, limit: int, what: str) -> str:
    if len(value) > limit:
        template = _TOO_LONG.get(what)
        if template is None:
            raise ValueError(f"no message for a too long {what}")
        raise UserFacingError(_(template).format(length=len(value), limit=limit))
    return value


def guarded(call: Callable[..., T], *args: object) -> T:
    """Call a parser; its refusal becomes the member's answer."""
    try:
        return call(*args)
    except TimeParseError as error:
        raise UserFacingError(str(error)) from None


def duration_seconds(text: str | None, default_minutes: int) -> int:
    """How long an event lasts: what the organiser typed (5 minutes to 14 days), else the default."""
    if not text or not text.strip():
        return default_minutes * 60
    span = guarded(parse_span, text)
    if span < timedelta(minutes=5) or span > MAX_DURATION:
        raise UserFacingError(_("An event lasts between 5 minutes and 14 days; write it like `90m` or `2h`."))
    return int(span.total_seconds())


def recurrence_of(text: str | None) -> Recurrence:
    try:
        return Recurrence((text or "none").strip().lower())
    except ValueError:
        options = _(", ").join(f"`{r.value}`" for r in Recurrence)
        raise UserFacingError(_("Repeat must be one of {options}.").format(options=options)) from None


def reminder_offsets(reminders: str | None, defaults: EventDefaults) -> tuple[int, ...]:
    """The offsets the organiser gave, else the server's default (whose problem is named if it has one)."""
    if reminders is not None:
        return guarded(parse_offsets, reminders)
    try:
        return parse_offsets(defaults.reminders)
    except TimeParseError as error:
        raise UserFacingError(
            _(
                "This server's default reminders (`events.default_reminders`) cannot be used: {problem} "
                "Give `reminders` yourself, or ask a moderator to fix it with `/config set`."
            ).format(problem=error)
        ) from None


def dst_note(notes: tuple[str, ...]) -> str:
    """The daylight-saving notes of a parsed time (`ParsedTime.dst_notes`), which stay on the occurrence."""
    return " ".join(notes)


# ------------------------------------------------------------ creating


@dataclass(frozen=True)
class DraftPlan:
    """A draft to store, the notes for the preview, and the reminders already past (skipped)."""

    new: NewEvent
    notes: tuple[str, ...]
    skipped: tuple[int, ...]


def plan_draft(
    guild_id: int, creator_id: int, typed: EventInput, defaults: EventDefaults, now: datetime
) -> DraftPlan:
    """Validate an organiser's `/event create` input."""
    zone = guarded(resolve_zone, typed.timezone or defaults.zone)
    parsed = guarded(parse_when, typed.when or "", zone, now)
    rule = recurrence_of(typed.recurrence)
    offsets = reminder_offsets(typed.reminders, defaults)
    local = parsed.local
    new = NewEvent(
        guild_id=guild_id,
        creator_id=creator_id,
        title=clean_line(typed.title, TITLE_MAX, "title", required=True),
        description=clean_block(typed.description, DESCRIPTION_MAX, "description"),
        location=clean_line(typed.location, LOCATION_MAX, "location"),
        tz=zone.key,
        local_time=f"{local:%H:%M}",
        duration_s=duration_seconds(typed.duration, defaults.duration_minutes),
        recurrence=rule,
        monthly_nth=nth_weekday_of(local.date()),
        reminder_offsets=offsets,
        ping_role_id=typed.ping_role_id,
        starts_at=parsed.unix,
        note=dst_note(parsed.dst_notes),
    )
    notes = parsed.notes
    if rule is Recurrence.MONTHLY and new.monthly_nth == -1:
        notes += (_("This is the fifth such weekday of the month, so the series repeats on the last one."),)
    skipped = tuple(o for o in offsets if parsed.unix - o <= unix(now))
    return DraftPlan(new, notes, skipped)


def check_confirm(event: Event | None, occurrence: Occurrence | None, user_id: int, now: int) -> Occurrence:
    """Whether this member may confirm this draft now; returns its first occurrence."""
    if event is None or occurrence is None:
        raise UserFacingError(_("This draft has expired; run `/event create` again."))
    if event.state is not EventState.DRAFT:
        raise UserFacingError(_("This event was already confirmed."))
    if event.creator_id != user_id:
        raise UserFacingError(_("Only the organiser who made this draft can confirm it."))
    if occurrence.starts_at <= now:
        raise UserFacingError(
            _("This draft's start (<t:{start}:F>) has passed; run `/event create` again.").format(
                start=occurrence.starts_at
            )
        )
    return occurrence


# ------------------------------------------------------------ RSVPs and changes


def check_rsvp(event: Event | None, occurrence: Occurrence | None, now: int) -> tuple[Event, Occurrence]:
    """Whether an occurrence still takes RSVPs."""
    if event is None or occurrence is None:
        raise UserFacingError(_("This event no longer exists."))
    if occurrence.state is OccurrenceState.CANCELLED or event.state is EventState.CANCELLED:
        raise UserFacingError(_("This event was cancelled."))
    if occurrence.state is OccurrenceState.ENDED or occurrence.ends_at <= now:
        raise UserFacingError(_("This event is over."))
    return event, occurrence


def check_changeable(event: Event, occurrence: Occurrence | None, now: int) -> Occurrence:
    """The occurrence an edit or cancel applies to: the current one, while it has not ended."""
    if event.state is not EventState.ACTIVE or occurrence is None or occurrence.state is not OccurrenceState.UPCOMING:
        raise UserFacingError(_(_NOT_CHANGEABLE[event.state]).format(title=event.title))
    if occurrence.ends_at <= now:
        raise UserFacingError(
            _("**{title}** has just ended; a series can be changed once its next date is up.").format(title=event.title)
        )
    return occurrence


@dataclass(frozen=True)
class EditPlan:
    """What an edit changes: event columns, the occurrence's start and length, and notes for the organiser."""

    changes: dict[str, object]
    start: int
    duration_s: int
    notes: tuple[str, ...]
    moved: bool
    dst_notes: tuple[str, ...] = ()  # the daylight-saving ones among `notes` (they stay on the occurrence)

    @property
    def changed(self) -> list[str]:
        """The changes in the organiser's words, for the answer."""
        shown = {_SHOWN_NAMES.get(name, name) for name in self.changes} | ({"start"} if self.moved else set())
        return sorted(shown - {""})


def plan_edit(event: Event, occurrence: Occurrence, typed: EventInput, now: datetime) -> EditPlan:
    """Validate an organiser's `/event edit` input against the event as it is."""
    changes: dict[str, object] = {}
    zone = guarded(resolve_zone, typed.timezone) if typed.timezone else event.zone
    start = occurrence.starts_at
    notes: tuple[str, ...] = ()
    dst_notes: tuple[str, ...] = ()
    if typed.when:
        parsed = guarded(parse_when, typed.when, zone, now)
        start, notes, dst_notes = parsed.unix, parsed.notes, parsed.dst_notes
    elif zone.key != event.tz:  # same wall-clock time and date, read in the new zone
        local_day = occurrence.start.astimezone(event.zone).date()
        aware, notes = localize(datetime.combine(local_day, event.wall_time), zone)
        dst_notes = notes
        start = unix(aware)
        if start <= unix(now):
            raise UserFacingError(
                _("In {zone} that start (<t:{start}:F>) is in the past.").format(zone=zone.key, start=start)
            )
    if zone.key != event.tz:
        changes["tz"] = zone.key
    if start != occurrence.starts_at and typed.when:
        local = utc(start).astimezone(zone)
        changes["local_time"] = f"{local:%H:%M}"
        changes["monthly_nth"] = nth_weekday_of(local.date())
    if typed.title is not None and (value := clean_line(typed.title, TITLE_MAX, "title", required=True)) != event.title:
        changes["title"] = value
    if typed.location is not None and (value := clean_line(typed.location, LOCATION_MAX, "location")) != event.location:
        changes["location"] = value
    if typed.description is not None:
        value = clean_block(typed.description, DESCRIPTION_MAX, "description")
        if value != event.description:
            changes["description"] = value
    duration_s = duration_seconds(typed.duration, event.duration_s // 60) if typed.duration else event.duration_s
    if duration_s != event.duration_s:
        changes["duration_s"] = duration_s
    if typed.recurrence is not None and (rule := recurrence_of(typed.recurrence)) is not event.recurrence:
        changes["recurrence"] = rule.value
        changes.setdefault("monthly_nth", nth_weekday_of(utc(start).astimezone(zone).date()))
    if typed.reminders is not None:
        offsets = guarded(parse_offsets, typed.reminders)
        if offsets != event.reminder_offsets:
            changes["reminder_offsets"] = offsets
    if typed.clear_ping_role and event.ping_role_id is not None:
        changes["ping_role_id"] = None
    elif typed.ping_role_id is not None and typed.ping_role_id != event.ping_role_id:
        changes["ping_role_id"] = typed.ping_role_id
    moved = start != occurrence.starts_at
    if not changes and not moved:
        raise UserFacingError(_("Nothing to change: every value given is what the event already has."))
    return EditPlan(changes, start, duration_s, notes, moved, dst_notes)


# ------------------------------------------------------------ sending


def is_late(reminder: Reminder, now: int) -> bool:
    """A reminder sent this late says so (the bot was offline when it fell due); notices never do."""
    return reminder.kind is NoticeKind.REMINDER and now - reminder.due_at > LATE_AFTER_S
