"""Plain values of the events feature: states, RSVP choices, and rows as dataclasses."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time
from enum import StrEnum
from zoneinfo import ZoneInfo

from bot.database import Row
from bot.i18n import _
from bot.times import utc
from cogs.events.recurrence import Recurrence, Series


class EventState(StrEnum):
    DRAFT = "draft"
    ACTIVE = "active"
    CANCELLED = "cancelled"
    ENDED = "ended"


class OccurrenceState(StrEnum):
    UPCOMING = "upcoming"
    CANCELLED = "cancelled"
    ENDED = "ended"


class Rsvp(StrEnum):
    GOING = "going"
    MAYBE = "maybe"
    DECLINED = "declined"

    @property
    def label(self) -> str:
        """The choice as its button says it, in the current language."""
        if self is Rsvp.GOING:
            return _("Going")
        return _("Maybe") if self is Rsvp.MAYBE else _("Can't go")

    @property
    def code(self) -> str:
        """One letter for a button's custom_id."""
        return {Rsvp.GOING: "g", Rsvp.MAYBE: "m", Rsvp.DECLINED: "n"}[self]

    @classmethod
    def from_code(cls, code: str) -> Rsvp:
        return {"g": cls.GOING, "m": cls.MAYBE, "n": cls.DECLINED}[code]


class NoticeKind(StrEnum):
    REMINDER = "reminder"
    CANCELLED = "cancelled"
    MOVED = "moved"


class ReminderState(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    MISSED = "missed"
    CANCELLED = "cancelled"


class DeliveryState(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    DM_CLOSED = "dm_closed"
    FAILED = "failed"
    MISSED = "missed"


CHANNEL_TARGET = 0  # event_deliveries.user_id of the channel post


@dataclass(frozen=True)
class EventFields:
    """What the organiser decided about an event or series, as stored."""

    guild_id: int
    creator_id: int
    title: str
    description: str
    location: str
    tz: str
    local_time: str  # 'HH:MM' the series keeps in its zone
    duration_s: int
    recurrence: Recurrence
    monthly_nth: int
    reminder_offsets: tuple[int, ...]
    ping_role_id: int | None


@dataclass(frozen=True)
class Event(EventFields):
    """An event or a series (one row of `events`)."""

    id: int
    channel_id: int | None
    state: EventState
    revision: int
    created_at: int

    @classmethod
    def from_row(cls, row: Row) -> Event:
        offsets = tuple(int(x) for x in row["reminder_offsets"].split(",") if x)
        return cls(
            id=row["id"], guild_id=row["guild_id"], creator_id=row["creator_id"], title=row["title"],
            description=row["description"], location=row["location"], tz=row["tz"], local_time=row["local_time"],
            duration_s=row["duration_s"], recurrence=Recurrence(row["recurrence"]), monthly_nth=row["monthly_nth"],
            reminder_offsets=offsets, ping_role_id=row["ping_role_id"], channel_id=row["channel_id"],
            state=EventState(row["state"]), revision=row["revision"], created_at=row["created_at"],
        )  # fmt: skip

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.tz)

    @property
    def wall_time(self) -> time:
        hour, minute = self.local_time.split(":")
        return time(int(hour), int(minute))

    def series(self, first_start: datetime) -> Series:
        """The series rule anchored on a start (weekday from the start, nth from the stored column)."""
        weekday = first_start.astimezone(self.zone).weekday()
        return Series(self.recurrence, self.zone, self.wall_time, weekday, self.monthly_nth)

    @property
    def recurring(self) -> bool:
        return self.recurrence is not Recurrence.NONE


@dataclass(frozen=True)
class Occurrence:
    """One dated instance of an event."""

    id: int
    event_id: int
    seq: int
    starts_at: int
    ends_at: int
    state: OccurrenceState
    message_id: int | None
    scheduled_event_id: int | None
    note: str

    @classmethod
    def from_row(cls, row: Row) -> Occurrence:
        return cls(
            id=row["id"], event_id=row["event_id"], seq=row["seq"], starts_at=row["starts_at"],
            ends_at=row["ends_at"], state=OccurrenceState(row["state"]), message_id=row["message_id"],
            scheduled_event_id=row["scheduled_event_id"], note=row["note"],
        )  # fmt: skip

    @property
    def start(self) -> datetime:
        return utc(self.starts_at)

    @property
    def end(self) -> datetime:
        return utc(self.ends_at)


@dataclass(frozen=True)
class RsvpCounts:
    """How many members answered each choice for one occurrence."""

    going: int = 0
    maybe: int = 0
    declined: int = 0

    def of(self, choice: Rsvp) -> int:
        return {Rsvp.GOING: self.going, Rsvp.MAYBE: self.maybe, Rsvp.DECLINED: self.declined}[choice]


@dataclass(frozen=True)
class Reminder:
    """Something to tell at a time: a reminder at an offset, or a cancelled/moved notice."""

    id: int
    occurrence_id: int
    kind: NoticeKind
    offset_s: int
    due_at: int
    state: ReminderState
    detail: str

    @classmethod
    def from_row(cls, row: Row) -> Reminder:
        return cls(
            id=row["id"], occurrence_id=row["occurrence_id"], kind=NoticeKind(row["kind"]), offset_s=row["offset_s"],
            due_at=row["due_at"], state=ReminderState(row["state"]), detail=row["detail"],
        )  # fmt: skip


@dataclass(frozen=True)
class ReminderDelivery:
    """One message of a reminder or notice: the channel post (user 0) or one member's DM."""

    id: int
    reminder_id: int
    user_id: int
    state: DeliveryState
    attempts: int

    @property
    def is_channel(self) -> bool:
        return self.user_id == CHANNEL_TARGET


@dataclass(frozen=True)
class EventInput:
    """What an organiser typed in `/event create` or `/event edit` (None: not given)."""

    title: str | None = None
    when: str | None = None
    timezone: str | None = None
    duration: str | None = None
    location: str | None = None
    description: str | None = None
    recurrence: str | None = None
    reminders: str | None = None
    ping_role_id: int | None = None
    clear_ping_role: bool = False


@dataclass(frozen=True)
class EventDefaults:
    """The server's settings that fill what the organiser left out."""

    zone: str
    reminders: str
    duration_minutes: int


@dataclass(frozen=True)
class NewEvent(EventFields):
    """Everything needed to store a draft: the organiser's fields and the first start."""

    starts_at: int
    note: str = ""


@dataclass(frozen=True)
class DraftResult:
    """A stored draft and what the organiser should check in the preview."""

    event: Event
    occurrence: Occurrence
    notes: tuple[str, ...]


@dataclass
class RsvpWrite:
    """What storing a click returned: the member's previous answer and (when asked) what the confirmation says
    about reminder DMs: their DMs known closed, their DM preference in that server."""

    previous: Rsvp | None
    dm_closed: bool | None = None
    dm_reminders: bool | None = None


@dataclass(frozen=True)
class RsvpResult:
    """A recorded RSVP (and the member's reminder DM state when it was asked for)."""

    event: Event
    occurrence: Occurrence
    previous: Rsvp | None
    dm_closed: bool | None = None
    dm_reminders: bool | None = None


@dataclass
class EditResult:
    """An applied edit: what changed, and the due times it added."""

    event: Event
    occurrence: Occurrence
    changed: list[str] = field(default_factory=list)
    moved_from: int | None = None  # the old start when the time changed
    notes: tuple[str, ...] = ()
    due_times: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class CancelResult:
    """A cancelled occurrence (and series), and the due times it added."""

    event: Event
    cancelled: Occurrence
    whole_series: bool
    next_occurrence: Occurrence | None
    due_times: list[int]


@dataclass(frozen=True)
class OccurrenceEnded:
    """An occurrence closed at its end, with the series' next one (None for a one-off)."""

    event: Event
    ended: Occurrence
    next_occurrence: Occurrence | None
    due_times: list[int]
