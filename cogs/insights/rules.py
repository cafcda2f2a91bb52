"""Decisions without I/O: the period of a report, local days, medians, the digest's schedule and comparisons."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_skeleton
from babel.numbers import format_decimal

from bot import i18n
from bot.i18n import _
from cogs.insights.models import Period

DAY_CHOICES = (7, 30, 90, 365)
QUARTER_HOUR = 900  # SQL groups instants by this; every real zone's offset is a multiple of it
MARKS_KEPT_DAYS = 35
NEWCOMERS_KEPT_DAYS = 400
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_DIGEST = re.compile(r"^\s*([a-z]+)\s+(\d{1,2}):(\d{2})\s*$")


def parse_digest(value: str) -> tuple[int, time] | None:
    """`monday 09:00` as (weekday 0-6, local time); `off` as None; anything else raises ValueError saying why."""
    text = value.strip().lower()
    if text == "off":
        return None
    match = _DIGEST.match(text)
    if match is None:
        raise ValueError(f"{value!r} is not a day and time such as 'monday 09:00', or 'off'")
    name, hour, minute = match.group(1), int(match.group(2)), int(match.group(3))
    days = [i for i, day in enumerate(WEEKDAYS) if day.startswith(name) and len(name) >= 3]
    if len(days) != 1:
        raise ValueError(f"{name!r} is not a day of the week (monday ... sunday)")
    if hour > 23 or minute > 59:
        raise ValueError(f"{hour:02}:{minute:02} is not a time of day (00:00-23:59)")
    return days[0], time(hour, minute)


def local_day(seconds: int, zone: ZoneInfo) -> date:
    """The server's calendar date at an instant."""
    return datetime.fromtimestamp(seconds, zone).date()


def local_midnight(day: date, zone: ZoneInfo) -> int:
    """Unix seconds of the start of a local day (the first instant of that date, even across a DST change)."""
    return int(datetime.combine(day, time(0), zone).timestamp())


def period_of(days: int, now: datetime, zone_name: str) -> Period:
    """The last `days` local days, today included."""
    zone = ZoneInfo(zone_name)
    last = now.astimezone(zone).date()
    first = last - timedelta(days=days - 1)
    return Period(days, first, last, local_midnight(first, zone), int(now.timestamp()), zone_name)


def week_start(day: date) -> date:
    """The Monday of a day's week."""
    return day - timedelta(days=day.weekday())


def median(values: Sequence[float]) -> float | None:
    ordered = sorted(values)
    if not ordered:
        return None
    mid = len(ordered) // 2
    return float(ordered[mid]) if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def _babel_locale() -> str:
    language = i18n.current()
    return i18n.BABEL_LOCALE.get(language, language)


def one_decimal(value: float) -> str:
    """"3.5" ("3,5" in French): a figure with one decimal, in the current language."""
    return str(format_decimal(value, format="#,##0.0", locale=_babel_locale()))


# English keeps the strftime forms it always had ("Mon 26 Oct 2026"); other languages get their CLDR forms
# ("lun. 26 oct. 2026", "2026年10月26日周一").
_ENGLISH_DAY = {
    (False, False): "%d %b", (False, True): "%d %b %Y", (True, False): "%a %d %b", (True, True): "%a %d %b %Y",
}
_SKELETON = {(False, False): "MMMd", (False, True): "yMMMd", (True, False): "MMMEd", (True, True): "yMMMEd"}


def day_text(day: date, *, weekday: bool = False, year: bool = True) -> str:
    """A date written out in the current language: "26 Oct 2026", "26 oct. 2026", "2026年10月26日"."""
    if _babel_locale() == i18n.DEFAULT:
        return day.strftime(_ENGLISH_DAY[weekday, year])
    return str(format_skeleton(_SKELETON[weekday, year], day, locale=_babel_locale()))


def week_range(first: date) -> str:
    """The 7 days from `first`: "Mon 26 Oct to Sun 01 Nov 2026" (the digest says which week it covers so)."""
    last = first + timedelta(days=6)
    return _("{first} to {last}").format(first=day_text(first, weekday=True, year=False),
                                         last=day_text(last, weekday=True))


def duration_text(seconds: float | None) -> str:
    """A duration for people: "45 min", "3.5 h", "2.1 days"; "n/a" when there is none."""
    if seconds is None:
        return _("n/a")
    if seconds < 3600:
        return _("{minutes} min").format(minutes=i18n.number(max(1, round(seconds / 60))))
    if seconds < 2 * 86400:
        return _("{hours} h").format(hours=one_decimal(seconds / 3600))
    return _("{days} days").format(days=one_decimal(seconds / 86400))  # 2 days or more: always plural


def share_text(part: int, whole: int) -> str:
    """"7 of 10 (70%)"; "0 of 0" when there is nothing to share."""
    if whole == 0:
        return _("{part} of {whole}").format(part=i18n.number(0), whole=i18n.number(0))
    return _("{part} of {whole} ({percent})").format(
        part=i18n.number(part), whole=i18n.number(whole), percent=i18n.percent(part / whole)
    )


def change_text(now: int, before: int) -> str:
    """A week's figure beside the week before: "12 (▲ 3 from 9)", "5 (same)"."""
    if now == before:
        return _("{n} (same as the week before)").format(n=i18n.number(now))
    arrow = "▲" if now > before else "▼"
    return _("{n} ({arrow} {change} from {before})").format(
        n=i18n.number(now), arrow=arrow, change=i18n.number(abs(now - before)), before=i18n.number(before)
    )


def next_digest(schedule: tuple[int, time], now: datetime, zone: ZoneInfo) -> tuple[datetime, str]:
    """The next digest instant strictly after `now`, and the week it covers (the 7 local days before it, named by
    their first day)."""
    weekday, at = schedule
    local = now.astimezone(zone)
    day = local.date() + timedelta(days=(weekday - local.weekday()) % 7)
    when = datetime.combine(day, at, zone)
    if when <= now:
        day += timedelta(days=7)
        when = datetime.combine(day, at, zone)
    # A time skipped by a DST change (02:30 on the spring-forward night) is normalised by the round trip through UTC.
    when = when.astimezone(UTC)
    return when, (day - timedelta(days=7)).isoformat()
