"""Recurring series: the next start of a weekly, fortnightly or monthly-nth-weekday event, in its own zone."""

# A series keeps its wall-clock time (18:00 stays 18:00 across daylight-saving changes) because each start is
# computed as a local date plus the local time, then resolved in the event's IANA zone.

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from bot.i18n import N_, _
from cogs.events.timeparse import localize, weekday_name


class Recurrence(StrEnum):
    NONE = "none"
    WEEKLY = "weekly"
    BIWEEKLY = "biweekly"
    MONTHLY = "monthly"  # on the nth weekday of the month (or the last one)

    @property
    def label(self) -> str:
        return _(_LABELS[self])


_LABELS = {
    Recurrence.NONE: N_("Once"),
    Recurrence.WEEKLY: N_("Every week"),
    Recurrence.BIWEEKLY: N_("Every two weeks"),
    Recurrence.MONTHLY: N_("Monthly on the nth weekday"),
}
# Whole sentences per ordinal: the word order differs between languages.
_MONTHLY = {
    1: N_("Monthly on the first {weekday} at {time} ({zone})"),
    2: N_("Monthly on the second {weekday} at {time} ({zone})"),
    3: N_("Monthly on the third {weekday} at {time} ({zone})"),
    4: N_("Monthly on the fourth {weekday} at {time} ({zone})"),
    -1: N_("Monthly on the last {weekday} at {time} ({zone})"),
}
_ICAL_DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


def nth_weekday_of(day: date) -> int:
    """Which weekday of its month a date is: 1-4, or -1 for a fifth one (kept as 'the last')."""
    nth = (day.day - 1) // 7 + 1
    return -1 if nth == 5 else nth


def nth_weekday_date(year: int, month: int, weekday: int, nth: int) -> date:
    """The nth (1-4, or -1 for last) given weekday of a month."""
    if nth == -1:
        last = date(year, month, calendar.monthrange(year, month)[1])
        return last - timedelta(days=(last.weekday() - weekday) % 7)
    first = date(year, month, 1)
    return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (nth - 1))


@dataclass(frozen=True)
class Series:
    """What a series needs to produce its starts: rule, zone, wall-clock time, and the nth for monthly."""

    rule: Recurrence
    zone: ZoneInfo
    local_time: time
    weekday: int
    nth: int = 1

    @classmethod
    def from_first(cls, rule: Recurrence, first_start: datetime, zone: ZoneInfo, local_time: time) -> Series:
        local_day = first_start.astimezone(zone).date()
        return cls(rule, zone, local_time, local_day.weekday(), nth_weekday_of(local_day))

    def next_day(self, after: date) -> date:
        """The local date of the occurrence following the one on `after`."""
        if self.rule is Recurrence.WEEKLY:
            return after + timedelta(days=7)
        if self.rule is Recurrence.BIWEEKLY:
            return after + timedelta(days=14)
        if self.rule is Recurrence.MONTHLY:
            year, month = (after.year + 1, 1) if after.month == 12 else (after.year, after.month + 1)
            return nth_weekday_date(year, month, self.weekday, self.nth)
        raise ValueError("a one-off event has no next occurrence")

    def start_on(self, day: date) -> tuple[datetime, tuple[str, ...]]:
        """The UTC start on a local date, with a note when daylight saving moved or doubled the time."""
        aware, notes = localize(datetime.combine(day, self.local_time), self.zone)
        return aware.astimezone(UTC), notes

    def next_start(self, previous_start: datetime, not_before: datetime) -> tuple[datetime, tuple[str, ...]]:
        """The first start after `previous_start` that is later than `not_before` (skipping any missed)."""
        day = previous_start.astimezone(self.zone).date()
        for _step in range(2000):  # decades of weekly meetups; a guard, not a limit anyone meets
            day = self.next_day(day)
            start, notes = self.start_on(day)
            if start > not_before:
                return start, notes
        raise RuntimeError("no next occurrence found")

    def describe(self) -> str:
        """'Every week on Thursday at 18:00 (Europe/Berlin)'."""
        values = {"weekday": weekday_name(self.weekday), "time": f"{self.local_time:%H:%M}", "zone": self.zone.key}
        if self.rule is Recurrence.WEEKLY:
            return _("Every week on {weekday} at {time} ({zone})").format(**values)
        if self.rule is Recurrence.BIWEEKLY:
            return _("Every two weeks on {weekday} at {time} ({zone})").format(**values)
        if self.rule is Recurrence.MONTHLY:
            return _(_MONTHLY[self.nth]).format(**values)
        return _("Once")

    def rrule(self) -> dict[str, object] | None:
        """The iCalendar RRULE (as icalendar's vRecur mapping) for this series."""
        day = _ICAL_DAYS[self.weekday]
        if self.rule is Recurrence.WEEKLY:
            return {"FREQ": "WEEKLY", "BYDAY": day}
        if self.rule is Recurrence.BIWEEKLY:
            return {"FREQ": "WEEKLY", "INTERVAL": 2, "BYDAY": day}
        if self.rule is Recurrence.MONTHLY:
            return {"FREQ": "MONTHLY", "BYDAY": f"{self.nth}{day}"}
        return None
