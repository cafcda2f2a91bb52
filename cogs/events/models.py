"""Plain values of the events feature: states, RSVP choices, and rows as dataclasses."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime, time
from enum import StrEnum
from zoneinfo import ZoneInfo

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
        return {Rsvp.GOING: "Going", Rsvp.MAYBE: "Maybe", Rsvp.DECLINED: "Can't go"}[self]

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


def utc(unix: int) -> datetime:
    return datetime.fromtimestamp(unix, UTC)


@dataclass(frozen=True)
class Event:
    id: int
    guild_id: int
    creator_id: int
    title: str
    description: str
    location: str
    tz: str
    local_time: str
    duration_s: int
    recurrence: Recurrence
    monthly_nth: int
    reminder_offsets: tuple[int, ...]
    ping_role_id: int | None
    channel_id: int | None
    state: EventState
    revision: int
    created_at: int

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> Event:
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
    def from_row(cls, row: sqlite3.Row) -> Occurrence:
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
    going: int = 0
    maybe: int = 0
    declined: int = 0

    def of(self, choice: Rsvp) -> int:
        return {Rsvp.GOING: self.going, Rsvp.MAYBE: self.maybe, Rsvp.DECLINED: self.declined}[choice]


@dataclass(frozen=True)
class Reminder:
    id: int
    occurrence_id: int
    kind: NoticeKind
    offset_s: int
    due_at: int
    state: ReminderState
    detail: str

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> Reminder:
        return cls(
            id=row["id"], occurrence_id=row["occurrence_id"], kind=NoticeKind(row["kind"]), offset_s=row["offset_s"],
            due_at=row["due_at"], state=ReminderState(row["state"]), detail=row["detail"],
        )  # fmt: skip


@dataclass(frozen=True)
class Delivery:
    id: int
    reminder_id: int
    user_id: int
    state: DeliveryState
    attempts: int

    @property
    def is_channel(self) -> bool:
        return self.user_id == CHANNEL_TARGET
