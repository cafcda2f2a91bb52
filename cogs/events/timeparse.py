"""Reading what organisers type: event times, durations, reminder offsets and time zones."""

# Small and strict on purpose: anything that could mean two things is refused with a suggestion, never guessed.
# Local times are resolved in the event's IANA zone; daylight-saving gaps are shifted forward with a note and
# overlaps take the first of the two instants with a note.

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone
from difflib import get_close_matches
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from bot.times import unix

EXAMPLES = "`2025-12-03 18:00`, `next thursday 18:00`, `dec 3 6pm`, `tomorrow 7:30pm` or `in 2 hours`"


class TimeParseError(ValueError):
    """What the organiser typed cannot be used; the message says why and what to write instead."""


@dataclass(frozen=True)
class ParsedTime:
    """An instant read from a phrase, with the zone it was read in and any notes for the organiser."""

    instant: datetime  # UTC-aware
    zone: ZoneInfo
    notes: tuple[str, ...] = ()

    @property
    def local(self) -> datetime:
        return self.instant.astimezone(self.zone)

    @property
    def unix(self) -> int:
        return unix(self.instant)


# ---------------------------------------------------------------- zones


@lru_cache(maxsize=1)
def zone_names() -> tuple[str, ...]:
    """Every IANA zone name the bot knows, sorted."""
    return tuple(sorted(available_timezones()))


@lru_cache(maxsize=1)
def _zone_lookup() -> dict[str, str]:
    return {name.lower(): name for name in zone_names()}


def resolve_zone(name: str) -> ZoneInfo:
    """An IANA zone from its name (case-insensitive); an unknown name gets close suggestions."""
    cleaned = name.strip().replace(" ", "_")
    canonical = _zone_lookup().get(cleaned.lower())
    if canonical is None:
        guesses = get_close_matches(cleaned.lower(), list(_zone_lookup()), n=3, cutoff=0.6)
        hint = f" Did you mean {', '.join(f'`{_zone_lookup()[g]}`' for g in guesses)}?" if guesses else ""
        shown = cleaned[:60].replace("`", "'")
        raise TimeParseError(
            f"`{shown}` is not an IANA time zone name (for example `Europe/Berlin`, `America/New_York`).{hint}"
        )
    try:
        return ZoneInfo(canonical)
    except (ZoneInfoNotFoundError, ValueError):  # listed but not loadable: treat as unknown
        raise TimeParseError(f"The time zone `{canonical}` cannot be loaded on this system.") from None


def zone_choices(current: str, limit: int = 25) -> list[str]:
    """Zone names for autocomplete: prefix matches of any path segment first, then substring matches."""
    needle = current.strip().lower().replace(" ", "_")
    if not needle:
        popular = [
            "UTC",
            "Europe/London",
            "Europe/Berlin",
            "America/New_York",
            "America/Los_Angeles",
            "Africa/Lagos",
            "Africa/Nairobi",
            "Asia/Kolkata",
            "Asia/Singapore",
            "Australia/Sydney",
        ]
        return popular[:limit]
    starts = [
        z
        for z in zone_names()
        if any(part.lower().startswith(needle) for part in re.split(r"[/]", z)) or z.lower().startswith(needle)
    ]
    contains = [z for z in zone_names() if needle in z.lower() and z not in starts]
    return (starts + contains)[:limit]


# ---------------------------------------------------------------- local time in a zone


def localize(naive: datetime, zone: ZoneInfo) -> tuple[datetime, tuple[str, ...]]:
    """A wall-clock time in `zone` as an aware datetime, handling daylight-saving gaps and overlaps."""
    if naive.tzinfo is not None:
        raise ValueError("localize takes a naive wall-clock time")
    first = naive.replace(tzinfo=zone, fold=0)
    second = naive.replace(tzinfo=zone, fold=1)
    round_trip = first.astimezone(UTC).astimezone(zone)
    if round_trip.replace(tzinfo=None) != naive:
        # In a gap, fold=0 applies the offset from before the change, which lands after the gap: the
        # wall time moves forward by the size of the jump (02:30 becomes 03:30 when clocks skip an hour).
        note = (
            f"{naive:%H:%M} does not exist on {naive:%a %d %b %Y} in {zone.key} (the clocks go forward), "
            f"so the time is {round_trip:%H:%M}."
        )
        return round_trip, (note,)
    if first.utcoffset() != second.utcoffset():
        note = (
            f"{naive:%H:%M} happens twice on {naive:%a %d %b %Y} in {zone.key} (the clocks go back); "
            f"using the first one ({first:%Z}, UTC{_offset(first)})."
        )
        return first, (note,)
    return first, ()


def _offset(moment: datetime) -> str:
    minutes = int((moment.utcoffset() or timedelta(0)).total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    hours, mins = divmod(abs(minutes), 60)
    return f"{sign}{hours:02d}:{mins:02d}"


# ---------------------------------------------------------------- vocabulary

_MONTHS: dict[str, int] = {}
for _number in range(1, 13):
    _MONTHS[calendar.month_name[_number].lower()] = _number
    _MONTHS[calendar.month_abbr[_number].lower()] = _number
_MONTHS["sept"] = 9

_WEEKDAYS: dict[str, int] = {}
for _number, _name in enumerate(calendar.day_name):
    _WEEKDAYS[_name.lower()] = _number
    _WEEKDAYS[_name.lower()[:3]] = _number
_WEEKDAYS.update({"tues": 1, "weds": 2, "thur": 3, "thurs": 3})

_UNITS = {
    "s": 1, "sec": 1, "secs": 1, "second": 1, "seconds": 1,
    "m": 60, "min": 60, "mins": 60, "minute": 60, "minutes": 60,
    "h": 3600, "hr": 3600, "hrs": 3600, "hour": 3600, "hours": 3600,
    "d": 86400, "day": 86400, "days": 86400,
    "w": 604800, "wk": 604800, "wks": 604800, "week": 604800, "weeks": 604800,
}  # fmt: skip

_FILLER = {"at", "on", "the", "of", "from", "starting", "@"}

_ISO = re.compile(
    r"^([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})"
    r"(?:[t ]+([0-9]{1,2}):([0-9]{2})(?::([0-9]{2})(?:\.[0-9]+)?)?)?"
    r"\s*(z|utc|[+-][0-9]{2}:?[0-9]{2})?$"
)
_AMPM = re.compile(r"^([0-9]{1,2})(?:[:.]([0-9]{2}))?(am|pm|a\.m\.|p\.m\.)$")
_CLOCK = re.compile(r"^([0-9]{1,2})(?::|h)([0-9]{2})$")
_HOUR_H = re.compile(r"^([0-9]{1,2})h$")
_SLASHED = re.compile(r"^([0-9]{1,4})[/.]([0-9]{1,2})(?:[/.]([0-9]{2,4}))?$")
_DASHED_DATE = re.compile(r"^([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})$")
_DAY = re.compile(r"^([0-9]{1,2})(st|nd|rd|th)?$")
_YEAR = re.compile(r"^([0-9]{4})$")
_COMPACT = re.compile(r"^(?:[0-9]+(?:\.[0-9]+)?[a-z]+)+$")
_COMPACT_PART = re.compile(r"([0-9]+(?:\.[0-9]+)?)([a-z]+)")
_INTEGER = re.compile(r"^[0-9]+$")
_NUMBER = re.compile(r"^[0-9]+(?:\.[0-9]+)?$")


def _tokens(text: str) -> list[str]:
    cleaned = text.strip().lower().replace(",", " ")
    # "6 pm" -> "6pm", "6 p.m." -> "6p.m."
    cleaned = re.sub(r"([0-9])\s+(am|pm|a\.m\.|p\.m\.)(?=\s|$)", r"\1\2", cleaned)
    return [t for t in cleaned.split() if t not in _FILLER]


def _shown(text: str) -> str:
    """User text quoted back safely inside backticks."""
    return text.replace("`", "'")[:60]


# ---------------------------------------------------------------- durations and offsets


def parse_span(text: str) -> timedelta:
    """'2 hours', '1h30m', '90 minutes', 'an hour', '1.5h', '2 days and 3 hours' as a timedelta."""
    tokens = [t for t in text.strip().lower().replace(",", " ").split() if t != "and"]
    if not tokens:
        raise TimeParseError("Say how long, for example `90m`, `2h` or `1h30m`.")
    total = 0.0
    index = 0
    while index < len(tokens):
        token = tokens[index]
        if _COMPACT.match(token):
            for amount, unit in _COMPACT_PART.findall(token):
                total += _unit_seconds(unit, text) * float(amount)
            index += 1
            continue
        if (_NUMBER.match(token) or token in ("a", "an")) and index + 1 < len(tokens):
            amount = 1.0 if token in ("a", "an") else float(token)
            total += _unit_seconds(tokens[index + 1], text) * amount
            index += 2
            continue
        raise TimeParseError(f"I could not read `{_shown(text)}` as a length of time; write it like `90m` or `1h30m`.")
    return timedelta(seconds=round(total))


def _unit_seconds(unit: str, text: str) -> int:
    if unit not in _UNITS:
        raise TimeParseError(f"`{_shown(unit)}` in `{_shown(text)}` is not a unit; use m, h, d or w.")
    return _UNITS[unit]


MAX_REMINDERS = 10
MAX_REMINDER_OFFSET = timedelta(days=28)


def parse_offsets(text: str) -> tuple[int, ...]:
    """'1d,1h,10m' as seconds before the start, largest first; 'none' or 'off' means no reminders."""
    cleaned = text.strip().lower()
    if cleaned in ("", "none", "off", "no", "0"):
        return ()
    offsets: set[int] = set()
    for part in re.split(r"[,;]", cleaned):
        if not part.strip():
            continue
        seconds = int(parse_span(part).total_seconds())
        if seconds < 60:
            raise TimeParseError(f"A reminder must be at least 1 minute before the start (`{_shown(part.strip())}`).")
        if seconds > MAX_REMINDER_OFFSET.total_seconds():
            raise TimeParseError(f"A reminder can be at most 28 days before the start (`{_shown(part.strip())}`).")
        offsets.add(seconds)
    if len(offsets) > MAX_REMINDERS:
        raise TimeParseError(f"At most {MAX_REMINDERS} reminders per event.")
    return tuple(sorted(offsets, reverse=True))


# ---------------------------------------------------------------- the main parser


def parse_when(text: str, zone: ZoneInfo, now: datetime) -> ParsedTime:
    """Read an event time. `now` is UTC-aware; the result is in the future or an error is raised."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    raw = text.strip()
    if not raw:
        raise TimeParseError(f"Say when the event starts, for example {EXAMPLES}.")
    lowered = raw.lower()
    if len(lowered) > 100:
        raise TimeParseError("That time is too long to be a date; write it like `2025-12-03 18:00`.")
    result = _parse_iso(lowered, zone) or _parse_relative(lowered, zone, now) or _parse_phrase(lowered, zone, now)
    if result.instant <= now:
        raise TimeParseError(f"`{_shown(raw)}` is in the past (<t:{result.unix}:F>). Events must start in the future.")
    return result


def _parse_iso(text: str, zone: ZoneInfo) -> ParsedTime | None:
    match = _ISO.match(text)
    if not match:
        return None
    year, month, day, hour, minute, second, offset = match.groups()
    if hour is None:
        return None  # a bare date: the phrase parser explains that a time is needed
    try:
        # naive on purpose: a wall-clock reading, resolved in the event's zone by localize()
        naive = datetime(int(year), int(month), int(day), int(hour), int(minute), int(second or 0))  # noqa: DTZ001
    except ValueError:
        raise TimeParseError(f"`{_shown(text)}` is not a real date and time.") from None
    if offset is None:
        aware, notes = localize(naive, zone)
        return ParsedTime(aware.astimezone(UTC), zone, notes)
    if offset in ("z", "utc"):
        fixed = UTC
    else:
        sign = 1 if offset[0] == "+" else -1
        digits = offset[1:].replace(":", "")
        delta = timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
        if delta >= timedelta(hours=24):
            raise TimeParseError(f"`{offset}` is not a UTC offset.")
        fixed = timezone(sign * delta)
    instant = naive.replace(tzinfo=fixed).astimezone(UTC)
    return ParsedTime(instant, zone, ())


def _parse_relative(text: str, zone: ZoneInfo, now: datetime) -> ParsedTime | None:
    if not text.startswith("in "):
        return None
    span = parse_span(text[3:])
    if span < timedelta(minutes=1):
        raise TimeParseError("That is less than a minute from now; give a time at least a minute ahead.")
    if span > timedelta(days=3 * 366):
        raise TimeParseError("That is more than three years ahead.")
    instant = (now + span).replace(second=0, microsecond=0)
    if instant <= now:
        instant += timedelta(minutes=1)
    return ParsedTime(instant.astimezone(UTC), zone, ())


@dataclass
class _Pieces:
    time_of_day: time | None = None
    day_shift: int | None = None  # today=0, tomorrow=1
    weekday: int | None = None
    weekday_next: bool = False
    month: int | None = None
    day: int | None = None
    year: int | None = None
    said: str = ""


def _parse_phrase(text: str, zone: ZoneInfo, now: datetime) -> ParsedTime:
    tokens = _tokens(text)
    pieces = _Pieces(said=text)
    leftovers: list[str] = []
    index = 0
    while index < len(tokens):
        token = tokens[index]
        nxt = tokens[index + 1] if index + 1 < len(tokens) else None
        consumed = _read_token(token, nxt, pieces)
        if consumed == 0:
            leftovers.append(token)
            index += 1
        else:
            index += consumed
    if leftovers:
        bare = [t for t in leftovers if _INTEGER.match(t)]
        if len(bare) == 1 == len(leftovers) and pieces.time_of_day is None and 1 <= int(bare[0]) <= 12:
            hour = bare[0]
            raise TimeParseError(
                f"`{hour}` alone could be {hour}am or {hour}pm; write `{hour}pm` or `{int(hour) % 24:02d}:00`."
            )
        raise TimeParseError(f"I could not read `{_shown(' '.join(leftovers))}`. Try {EXAMPLES}.")
    return _assemble(pieces, zone, now)


def _set_time(pieces: _Pieces, value: time) -> None:
    if pieces.time_of_day is not None:
        raise TimeParseError(f"`{_shown(pieces.said)}` has two times of day; give one.")
    pieces.time_of_day = value


def _set_date(pieces: _Pieces, *, month: int, day: int, year: int | None) -> None:
    if pieces.month is not None or pieces.weekday is not None or pieces.day_shift is not None:
        raise TimeParseError(f"`{_shown(pieces.said)}` names the day twice; give one date.")
    pieces.month, pieces.day, pieces.year = month, day, year


def _read_token(token: str, nxt: str | None, pieces: _Pieces) -> int:
    """How many tokens were understood starting at `token` (0 when none)."""
    if token in ("noon", "midday"):
        _set_time(pieces, time(12, 0))
        return 1
    if token == "midnight":
        raise TimeParseError("`midnight` is ambiguous (start or end of the day?); write `00:00` with the date.")
    if match := _AMPM.match(token):
        hour, minute = int(match.group(1)), int(match.group(2) or 0)
        if not 1 <= hour <= 12 or minute > 59:
            raise TimeParseError(f"`{_shown(token)}` is not a time on a 12-hour clock.")
        hour = hour % 12 + (12 if match.group(3).startswith("p") else 0)
        _set_time(pieces, time(hour, minute))
        return 1
    if (match := _CLOCK.match(token)) or (match := _HOUR_H.match(token)):
        hour = int(match.group(1))
        minute = int(match.group(2)) if match.re is _CLOCK else 0
        if hour > 23 or minute > 59:
            raise TimeParseError(f"`{_shown(token)}` is not a time on a 24-hour clock (00:00 to 23:59).")
        _set_time(pieces, time(hour, minute))
        return 1
    if token in ("today", "tonight"):
        _set_shift(pieces, 0)
        return 1
    if token in ("tomorrow", "tmrw", "tmr"):
        _set_shift(pieces, 1)
        return 1
    if token in ("next", "this") and nxt in _WEEKDAYS:
        _set_weekday(pieces, _WEEKDAYS[nxt], next_week=token == "next")
        return 2
    if token in ("next", "this") and nxt in ("week", "month", "year"):
        raise TimeParseError(f"`{token} {nxt}` is not a date; name the day, for example `next thursday 18:00`.")
    if token in _WEEKDAYS:
        _set_weekday(pieces, _WEEKDAYS[token], next_week=False)
        return 1
    if token in _MONTHS:
        return _read_month_first(token, nxt, pieces)
    if (match := _DAY.match(token)) and nxt in _MONTHS:
        _set_date(pieces, month=_MONTHS[nxt], day=int(match.group(1)), year=None)
        return 2
    if _YEAR.match(token) and pieces.month is not None and pieces.year is None:
        pieces.year = int(token)
        return 1
    if match := _DASHED_DATE.match(token):
        _set_date(pieces, month=int(match.group(2)), day=int(match.group(3)), year=int(match.group(1)))
        return 1
    if match := _SLASHED.match(token):
        _read_numeric_date(token, match, pieces)
        return 1
    return 0


def _set_shift(pieces: _Pieces, days: int) -> None:
    if pieces.day_shift is not None or pieces.weekday is not None or pieces.month is not None:
        raise TimeParseError(f"`{_shown(pieces.said)}` names the day twice; give one date.")
    pieces.day_shift = days


def _set_weekday(pieces: _Pieces, weekday: int, *, next_week: bool) -> None:
    if pieces.day_shift is not None or pieces.weekday is not None or pieces.month is not None:
        raise TimeParseError(f"`{_shown(pieces.said)}` names the day twice; give one date.")
    pieces.weekday, pieces.weekday_next = weekday, next_week


def _read_month_first(token: str, nxt: str | None, pieces: _Pieces) -> int:
    if nxt is not None and (match := _DAY.match(nxt)) and int(match.group(1)) <= 31:
        _set_date(pieces, month=_MONTHS[token], day=int(match.group(1)), year=None)
        return 2
    raise TimeParseError(f"Which day of {calendar.month_name[_MONTHS[token]]}? Write it like `dec 3 6pm`.")


def _read_numeric_date(token: str, match: re.Match[str], pieces: _Pieces) -> None:
    first, second, third = match.group(1), int(match.group(2)), match.group(3)
    if len(first) == 4:  # 2025/12/03
        if third is None:
            raise TimeParseError(f"`{_shown(token)}` is not a date; write it like `2025-12-03`.")
        _set_date(pieces, month=second, day=int(third), year=int(first))
        return
    a, b = int(first), second
    year = None if third is None else int(third) + (2000 if len(third) == 2 else 0)
    if a <= 12 and b <= 12 and a != b:
        day_month = f"{a} {calendar.month_abbr[b].lower()}"
        month_day = f"{calendar.month_abbr[a].lower()} {b}"
        raise TimeParseError(
            f"`{_shown(token)}` could be {a} {calendar.month_name[b]} or {calendar.month_name[a]} {b}. "
            f"Write the month as a word (`{day_month}` or `{month_day}`) or use `YYYY-MM-DD`."
        )
    if a > 12 and b > 12:
        raise TimeParseError(f"`{_shown(token)}` is not a date (for a time of day write it like `18:30`).")
    day, month = (a, b) if a > 12 or a == b else (b, a)
    _set_date(pieces, month=month, day=day, year=year)


def _assemble(pieces: _Pieces, zone: ZoneInfo, now: datetime) -> ParsedTime:
    has_date = pieces.day_shift is not None or pieces.weekday is not None or pieces.month is not None
    if pieces.time_of_day is None:
        if has_date:
            raise TimeParseError(f"Add a time of day, for example `{_shown(pieces.said)} 18:00`.")
        raise TimeParseError(f"I could not read `{_shown(pieces.said)}` as a time. Try {EXAMPLES}.")
    today = now.astimezone(zone).date()
    notes: list[str] = []
    if pieces.month is not None:
        day = _calendar_day(pieces, today, zone, notes)
    elif pieces.weekday is not None:
        ahead = (pieces.weekday - today.weekday()) % 7
        if pieces.weekday_next and ahead == 0:
            ahead = 7
        day = today + timedelta(days=ahead)
        if pieces.weekday_next:
            notes.append(f"Read “next {calendar.day_name[pieces.weekday]}” as the coming one, {day:%a %d %b}.")
        elif ahead == 0 and _instant(day, pieces.time_of_day, zone)[0] <= now:
            day += timedelta(days=7)
    elif pieces.day_shift is not None:
        day = today + timedelta(days=pieces.day_shift)
    else:  # a time alone: the next time the clock shows it
        day = today
        if _instant(day, pieces.time_of_day, zone)[0] <= now:
            day += timedelta(days=1)
            notes.append(f"{pieces.time_of_day:%H:%M} today has passed, so this is tomorrow, {day:%a %d %b}.")
    instant, dst_notes = _instant(day, pieces.time_of_day, zone)
    return ParsedTime(instant, zone, tuple(notes) + dst_notes)


def _calendar_day(pieces: _Pieces, today: date, zone: ZoneInfo, notes: list[str]) -> date:
    assert pieces.month is not None and pieces.day is not None
    if pieces.year is not None:
        return _checked_date(pieces.year, pieces.month, pieces.day)
    candidate = _date_unless_leap_miss(today.year, pieces.month, pieces.day)
    if candidate is not None and candidate >= today:
        return candidate
    if candidate is not None and (today - candidate).days <= 7:
        raise TimeParseError(
            f"{candidate:%d %b} has just passed. Add the year if you mean next year (`{_shown(pieces.said)} "
            f"{today.year + 1}`)."
        )
    following = _date_unless_leap_miss(today.year + 1, pieces.month, pieces.day)
    if following is None:
        following = _checked_date(today.year + 4 - (today.year % 4), pieces.month, pieces.day)
    notes.append(f"{following:%d %b} has passed this year, so this is {following:%d %b %Y}.")
    return following


def _checked_date(year: int, month: int, day: int) -> date:
    if not 1 <= month <= 12:
        raise TimeParseError(f"There is no month {month}.")
    try:
        return date(year, month, day)
    except ValueError:
        raise TimeParseError(f"{calendar.month_name[month]} has no day {day}.") from None


def _date_unless_leap_miss(year: int, month: int, day: int) -> date | None:
    """The date, or None for 29 February of a year without one (a later year is looked for)."""
    if month == 2 and day == 29 and not calendar.isleap(year):
        return None
    return _checked_date(year, month, day)


def _instant(day: date, at: time, zone: ZoneInfo) -> tuple[datetime, tuple[str, ...]]:
    aware, notes = localize(datetime.combine(day, at), zone)
    return aware.astimezone(UTC), notes
