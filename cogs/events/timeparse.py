"""Reading what organisers type: event times, durations, reminder offsets and time zones."""

# Small and strict on purpose: anything that could mean two things is refused with a suggestion, never guessed.
# Local times are resolved in the event's IANA zone; daylight-saving gaps are shifted forward with a note and
# overlaps take the first of the two instants with a note.
# English, French and Chinese phrases are read whatever the member's language ("demain 19h", "明天晚上7点"): the
# French and Chinese words are first rewritten into the English tokens (and a few internal ones, "@pm", "@day+2",
# "@week+1", "~7:30" for an hour read off a 12-hour "7点"), then one parser reads them. Messages are written in
# the member's language when raised.

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone
from difflib import get_close_matches
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from babel.dates import format_date

from bot import i18n
from bot.i18n import N_, _
from bot.times import unix

# Shown in the member's language, with phrases of that language (every language's phrases are always accepted).
EXAMPLES = N_("`2025-12-03 18:00`, `next thursday 18:00`, `dec 3 6pm`, `tomorrow 7:30pm` or `in 2 hours`")


class TimeParseError(ValueError):
    """What the organiser typed cannot be used; the message says why and what to write instead."""


@dataclass(frozen=True)
class ParsedTime:
    """An instant read from a phrase, with the zone it was read in and any notes for the organiser."""

    instant: datetime  # UTC-aware
    zone: ZoneInfo
    notes: tuple[str, ...] = ()
    dst_notes: tuple[str, ...] = ()  # the daylight-saving ones among `notes` (they stay on the occurrence)

    @property
    def local(self) -> datetime:
        return self.instant.astimezone(self.zone)

    @property
    def unix(self) -> int:
        return unix(self.instant)


# ---------------------------------------------------------------- dates written out in the member's language

_DAY_PATTERNS = {"zh_CN": "M月d日EEE", "fr": "EEE d MMM"}
_LONG_DAY_PATTERNS = {"zh_CN": "y年M月d日EEE", "fr": "EEE d MMM y"}
_SHORT_PATTERNS = {"zh_CN": "M月d日", "fr": "d MMM"}
_YEAR_PATTERNS = {"zh_CN": "y年M月d日", "fr": "d MMM y"}


def _babel_locale() -> str:
    language = i18n.current()
    return i18n.BABEL_LOCALE.get(language, language)


def _date_text(day: date, patterns: dict[str, str], english: str) -> str:
    """A date in the current language ("Thu 06 Mar", "jeu. 6 mars", "3月6日周四")."""
    return str(format_date(day, patterns.get(_babel_locale(), english), locale=_babel_locale()))


def day_text(day: date) -> str:
    return _date_text(day, _DAY_PATTERNS, "EEE dd MMM")


def long_day_text(day: date) -> str:
    return _date_text(day, _LONG_DAY_PATTERNS, "EEE dd MMM y")


def _month_name(month: int) -> str:
    return str(format_date(date(2000, month, 1), "MMMM", locale=_babel_locale()))


def weekday_name(weekday: int) -> str:
    return str(format_date(date(2024, 1, 1 + weekday), "EEEE", locale=_babel_locale()))  # 1 Jan 2024: a Monday


def _month_day(month: int, day: int, *, day_first: bool) -> str:
    if _babel_locale() == "zh_CN":
        return f"{month}月{day}日"
    if _babel_locale() == "en":
        return f"{day} {calendar.month_name[month]}" if day_first else f"{calendar.month_name[month]} {day}"
    return f"{day} {_month_name(month)}"


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
        shown = cleaned[:60].replace("`", "'")
        if not guesses:
            raise TimeParseError(
                _("`{zone}` is not an IANA time zone name (for example `Europe/Berlin`, `America/New_York`).").format(
                    zone=shown
                )
            )
        names = _(", ").join(f"`{_zone_lookup()[g]}`" for g in guesses)
        raise TimeParseError(
            _(
                "`{zone}` is not an IANA time zone name (for example `Europe/Berlin`, `America/New_York`)."
                " Did you mean {zones}?"
            ).format(zone=shown, zones=names)
        )
    try:
        return ZoneInfo(canonical)
    except (ZoneInfoNotFoundError, ValueError):  # listed but not loadable: treat as unknown
        raise TimeParseError(
            _("The time zone `{zone}` cannot be loaded on this system.").format(zone=canonical)
        ) from None


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
        note = _(
            "{time} does not exist on {day} in {zone} (the clocks go forward), so the time is {shifted}."
        ).format(time=f"{naive:%H:%M}", day=long_day_text(naive.date()), zone=zone.key, shifted=f"{round_trip:%H:%M}")
        return round_trip, (note,)
    if first.utcoffset() != second.utcoffset():
        note = _(
            "{time} happens twice on {day} in {zone} (the clocks go back); using the first one ({name}, UTC{offset})."
        ).format(
            time=f"{naive:%H:%M}", day=long_day_text(naive.date()), zone=zone.key, name=f"{first:%Z}",
            offset=_offset(first),
        )  # fmt: skip
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
_FRENCH_MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
                  "novembre", "décembre")  # fmt: skip
for _number, _name in enumerate(_FRENCH_MONTHS, start=1):
    _MONTHS[_name] = _number
    _MONTHS[_name.replace("é", "e").replace("û", "u")] = _number
_MONTHS.update({"janv": 1, "févr": 2, "fevr": 2, "fév": 2, "fev": 2, "avr": 4, "juil": 7, "déc": 12})

_WEEKDAYS: dict[str, int] = {}
for _number, _name in enumerate(calendar.day_name):
    _WEEKDAYS[_name.lower()] = _number
    _WEEKDAYS[_name.lower()[:3]] = _number
_WEEKDAYS.update({"tues": 1, "weds": 2, "thur": 3, "thurs": 3})
_FRENCH_WEEKDAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
_FRENCH_WEEKDAY = {name: calendar.day_name[n].lower() for n, name in enumerate(_FRENCH_WEEKDAYS)}

_UNITS = {
    "s": 1, "sec": 1, "secs": 1, "second": 1, "seconds": 1,
    "m": 60, "min": 60, "mins": 60, "minute": 60, "minutes": 60,
    "h": 3600, "hr": 3600, "hrs": 3600, "hour": 3600, "hours": 3600,
    "d": 86400, "day": 86400, "days": 86400,
    "w": 604800, "wk": 604800, "wks": 604800, "week": 604800, "weeks": 604800,
    # French
    "seconde": 1, "secondes": 1, "heure": 3600, "heures": 3600, "j": 86400, "jour": 86400, "jours": 86400,
    "sem": 604800, "semaine": 604800, "semaines": 604800,
}  # fmt: skip
_SPAN_ONE = ("a", "an", "un", "une")  # "an hour", "une heure"
_SPAN_AND = ("and", "et")
# Chinese units as written after a number ("2小时", "30分钟", "1天"), rewritten to the English ones.
_CHINESE_UNITS = (("个小时", "h"), ("小时", "h"), ("钟头", "h"), ("分钟", "m"), ("秒钟", "s"), ("秒", "s"),
                  ("天", "d"), ("日", "d"), ("个星期", "w"), ("星期", "w"), ("周", "w"))  # fmt: skip

_FILLER = {"at", "on", "the", "of", "from", "starting", "@", "à", "a", "le", "la", "l", "de", "du", "vers", "dès"}

_ISO = re.compile(
    r"^([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})"
    r"(?:[t ]+([0-9]{1,2}):([0-9]{2})(?::([0-9]{2})(?:\.[0-9]+)?)?)?"
    r"\s*(z|utc|[+-][0-9]{2}:?[0-9]{2})?$"
)
_AMPM = re.compile(r"^([0-9]{1,2})(?:[:.]([0-9]{2}))?(am|pm|a\.m\.|p\.m\.)$")
_CLOCK = re.compile(r"^([0-9]{1,2})(?::|h)([0-9]{2})$")
_HOUR_H = re.compile(r"^([0-9]{1,2})h$")
_TWELVE = re.compile(r"^~([0-9]{1,2}):([0-9]{2})$")  # an hour read off "7点": which half of the day is not said
_SLASHED = re.compile(r"^([0-9]{1,4})[/.]([0-9]{1,2})(?:[/.]([0-9]{2,4}))?$")
_DASHED_DATE = re.compile(r"^([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})$")
_DAY = re.compile(r"^([0-9]{1,2})(st|nd|rd|th|er)?$")
_YEAR = re.compile(r"^([0-9]{4})$")
_SHIFT = re.compile(r"^@day\+([0-9])$")
_WEEK = re.compile(r"^@week\+([0-9])$")
_COMPACT = re.compile(r"^(?:[0-9]+(?:\.[0-9]+)?[a-z]+)+$")
_COMPACT_PART = re.compile(r"([0-9]+(?:\.[0-9]+)?)([a-z]+)")
_HOURS_MINUTES = re.compile(r"^([0-9]+)h([0-9]{2})$")  # "1h30"
_INTEGER = re.compile(r"^[0-9]+$")
_NUMBER = re.compile(r"^[0-9]+(?:\.[0-9]+)?$")
_PERIODS = ("@am", "@pm", "@noon")

# ---------------------------------------------------------------- French and Chinese, rewritten


def _french(text: str) -> str:
    """French day words in English tokens: "jeudi prochain 18:30" -> "next thursday 18:30"."""
    text = text.replace("’", "'")
    text = re.sub(r"\baujourd'hui\b", " today ", text)
    text = re.sub(r"\bapr[eè]s[- ]demain\b", " @day+2 ", text)
    text = re.sub(r"\bce soir\b", " today @pm ", text)
    text = re.sub(r"\bcet apr[eè]s[- ]midi\b", " today @pm ", text)
    text = re.sub(r"\bce matin\b", " today @am ", text)
    text = re.sub(r"\b(l')?apr[eè]s[- ]midi\b|\baprem\b|\bsoir\b", " @pm ", text)
    text = re.sub(r"\bmatin\b", " @am ", text)
    text = re.sub(r"\bdemain\b", " tomorrow ", text)
    text = re.sub(r"\bmidi\b", " noon ", text)
    text = re.sub(r"\bminuit\b", " midnight ", text)
    days = "|".join(_FRENCH_WEEKDAYS)
    text = re.sub(rf"\b(?:ce )?({days}) prochaine?\b", lambda m: f" next {_FRENCH_WEEKDAY[m.group(1)]} ", text)
    text = re.sub(rf"\bce ({days})\b", lambda m: f" this {_FRENCH_WEEKDAY[m.group(1)]} ", text)
    text = re.sub(rf"\b({days})\b", lambda m: f" {_FRENCH_WEEKDAY[m.group(1)]} ", text)
    text = re.sub(r"\b([0-9]{1,2})\s*h\s*([0-9]{2})\b", r"\1h\2", text)  # "19 h 30"
    return re.sub(r"\b([0-9]{1,2})\s+h\b", r"\1h", text)


_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8,
              "九": 9}  # fmt: skip
_CN_NUMBER = r"[0-9]+|[零〇一二两三四五六七八九十]+"
_CN_WEEKDAY = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6, "末": 5,
               "1": 0, "2": 1, "3": 2, "4": 3, "5": 4, "6": 5, "7": 6}  # fmt: skip


def chinese_number(text: str) -> int:
    """"7", "七", "十二", "二十三", "三十" as a number (0 to 99)."""
    if text.isascii():
        return int(text)
    if "十" in text:
        tens, _sep, ones = text.partition("十")
        return (_CN_DIGITS.get(tens, 0) if tens else 1) * 10 + (_CN_DIGITS.get(ones, 0) if ones else 0)
    value = 0
    for char in text:
        value = value * 10 + _CN_DIGITS[char]
    return value


def _chinese_clock(match: re.Match[str]) -> str:
    hour = chinese_number(match.group(1))
    rest = match.group(2) or ""
    minute = 0
    if rest == "半":
        minute = 30
    elif rest in ("一刻", "1刻"):
        minute = 15
    elif rest in ("三刻", "3刻"):
        minute = 45
    elif rest and rest not in ("钟", "整"):
        minute = chinese_number(rest.rstrip("分"))
    return f" ~{hour}:{minute:02d} "


def _chinese(text: str) -> str:
    """Chinese dates and times in English tokens: "下周四晚上8点半" -> "@week+1 thursday @pm ~8:30"."""
    text = text.replace("：", ":").replace("，", " ").replace("、", " ").replace("号", "日")
    text = re.sub(r"大后天", " @day+3 ", text)
    text = re.sub(r"后天", " @day+2 ", text)
    text = re.sub(r"今晚", " today @pm ", text)
    text = re.sub(r"明晚", " tomorrow @pm ", text)
    text = re.sub(r"今天|今日", " today ", text)
    text = re.sub(r"明天|明日", " tomorrow ", text)

    def weekday(match: re.Match[str]) -> str:
        prefix, day = match.group(1) or "", calendar.day_name[_CN_WEEKDAY[match.group(3)]].lower()
        if prefix in ("下下",):
            return f" @week+2 {day} "
        if prefix == "下":
            return f" @week+1 {day} "
        if prefix in ("这", "本", "这个"):
            return f" @week+0 {day} "
        return f" {day} "

    text = re.sub(r"(下下|下|这个|这|本)?(周|星期|礼拜)([一二三四五六日天1-7])", weekday, text)

    def month_day(match: re.Match[str]) -> str:
        month = chinese_number(match.group(2))
        name = calendar.month_name[month].lower() if 1 <= month <= 12 else "?"
        return f" {name} {chinese_number(match.group(3))} {match.group(1) or ''} "

    text = re.sub(rf"(?:([0-9]{{4}})年)?({_CN_NUMBER})月({_CN_NUMBER})日", month_day, text)
    text = re.sub(r"凌晨|早上|早晨|清晨|上午|早", " @am ", text)
    text = re.sub(r"中午", " @noon ", text)
    text = re.sub(r"下午|傍晚|晚上|夜里|夜晚|晚", " @pm ", text)
    text = re.sub(rf"({_CN_NUMBER})[点點](半|[一三1-3]刻|(?:{_CN_NUMBER})分?|钟|整)?", _chinese_clock, text)
    return text.replace("的", " ").replace("在", " ")


_CHINESE = re.compile(r"[\u4e00-\u9fff]")
_CHINESE_RELATIVE = re.compile(
    rf"^(半|(?:{_CN_NUMBER})(?:\.[0-9]+)?)\s*(个小时|小时|钟头|分钟|天|个星期|星期|周)\s*(?:后|以后|之后)$"
)


def _chinese_span(text: str) -> str:
    """"2小时30分钟" -> "2h 30m" (for the span parser)."""
    text = re.sub(r"半(个)?小时", " 30m ", text)
    for word, unit in _CHINESE_UNITS:

        def amount(match: re.Match[str], unit: str = unit) -> str:
            return f" {chinese_number(match.group(1))}{unit} "

        text = re.sub(rf"({_CN_NUMBER})\s*{word}", amount, text)
    return text.replace("又", " ").replace("零", " ")


def _tokens(text: str) -> list[str]:
    cleaned = text.strip().lower().replace(",", " ")
    if _CHINESE.search(cleaned):
        cleaned = _chinese(cleaned)
    cleaned = _french(cleaned)
    cleaned = cleaned.replace("l'", " ")
    # "6 pm" -> "6pm", "6 p.m." -> "6p.m."
    cleaned = re.sub(r"([0-9])\s+(am|pm|a\.m\.|p\.m\.)(?=\s|$)", r"\1\2", cleaned)
    return [t for t in cleaned.split() if t not in _FILLER]


def _shown(text: str) -> str:
    """User text quoted back safely inside backticks."""
    return text.replace("`", "'")[:60]


def examples() -> str:
    """Phrases to copy, in the member's language."""
    return _(EXAMPLES)


# ---------------------------------------------------------------- durations and offsets


def parse_span(text: str) -> timedelta:
    """'2 hours', '1h30m', '90 minutes', 'an hour', '1.5h', '2 days and 3 hours', '2 heures', '2小时' as a timedelta."""
    cleaned = text.strip().lower().replace(",", " ")
    if _CHINESE.search(cleaned):
        cleaned = _chinese_span(cleaned)
    tokens = [t for t in cleaned.split() if t not in _SPAN_AND]
    if not tokens:
        raise TimeParseError(_("Say how long, for example `90m`, `2h` or `1h30m`."))
    total = 0.0
    index = 0
    while index < len(tokens):
        token = tokens[index]
        if match := _HOURS_MINUTES.match(token):
            total += int(match.group(1)) * 3600 + int(match.group(2)) * 60
            index += 1
            continue
        if _COMPACT.match(token):
            for amount, unit in _COMPACT_PART.findall(token):
                total += _unit_seconds(unit, text) * float(amount)
            index += 1
            continue
        if (_NUMBER.match(token) or token in _SPAN_ONE) and index + 1 < len(tokens):
            amount = 1.0 if token in _SPAN_ONE else float(token)
            total += _unit_seconds(tokens[index + 1], text) * amount
            index += 2
            continue
        raise TimeParseError(
            _("I could not read `{text}` as a length of time; write it like `90m` or `1h30m`.").format(
                text=_shown(text)
            )
        )
    return timedelta(seconds=round(total))


def _unit_seconds(unit: str, text: str) -> int:
    if unit not in _UNITS:
        raise TimeParseError(
            _("`{unit}` in `{text}` is not a unit; use m, h, d or w.").format(unit=_shown(unit), text=_shown(text))
        )
    return _UNITS[unit]


MAX_REMINDERS = 10
MAX_REMINDER_OFFSET = timedelta(days=28)


def parse_offsets(text: str) -> tuple[int, ...]:
    """'1d,1h,10m' as seconds before the start, largest first; 'none' or 'off' means no reminders."""
    cleaned = text.strip().lower()
    if cleaned in ("", "none", "off", "no", "0", "aucun", "aucune", "non", "无", "不要", "没有"):
        return ()
    offsets: set[int] = set()
    for part in re.split(r"[,;，、；]", cleaned):
        if not part.strip():
            continue
        seconds = int(parse_span(part).total_seconds())
        if seconds < 60:
            raise TimeParseError(
                _("A reminder must be at least 1 minute before the start (`{text}`).").format(text=_shown(part.strip()))
            )
        if seconds > MAX_REMINDER_OFFSET.total_seconds():
            raise TimeParseError(
                _("A reminder can be at most 28 days before the start (`{text}`).").format(text=_shown(part.strip()))
            )
        offsets.add(seconds)
    if len(offsets) > MAX_REMINDERS:
        raise TimeParseError(_("At most {count} reminders per event.").format(count=i18n.number(MAX_REMINDERS)))
    return tuple(sorted(offsets, reverse=True))


# ---------------------------------------------------------------- the main parser


def parse_when(text: str, zone: ZoneInfo, now: datetime) -> ParsedTime:
    """Read an event time. `now` is UTC-aware; the result is in the future or an error is raised."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    raw = text.strip()
    if not raw:
        raise TimeParseError(_("Say when the event starts, for example {examples}.").format(examples=examples()))
    lowered = raw.lower()
    if len(lowered) > 100:
        raise TimeParseError(_("That time is too long to be a date; write it like `2025-12-03 18:00`."))
    result = _parse_iso(lowered, zone) or _parse_relative(lowered, zone, now) or _parse_phrase(lowered, zone, now)
    if result.instant <= now:
        raise TimeParseError(
            _("`{text}` is in the past (<t:{start}:F>). Events must start in the future.").format(
                text=_shown(raw), start=result.unix
            )
        )
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
        raise TimeParseError(_("`{text}` is not a real date and time.").format(text=_shown(text))) from None
    if offset is None:
        aware, notes = localize(naive, zone)
        return ParsedTime(aware.astimezone(UTC), zone, notes, notes)
    if offset in ("z", "utc"):
        fixed = UTC
    else:
        sign = 1 if offset[0] == "+" else -1
        digits = offset[1:].replace(":", "")
        delta = timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
        if delta >= timedelta(hours=24):
            raise TimeParseError(_("`{offset}` is not a UTC offset.").format(offset=offset))
        fixed = timezone(sign * delta)
    instant = naive.replace(tzinfo=fixed).astimezone(UTC)
    return ParsedTime(instant, zone, ())


def _relative_span(text: str) -> timedelta | None:
    """The span of "in 2 hours", "dans 2 heures" or "2小时后"; None when `text` is not relative."""
    for prefix in ("in ", "dans "):
        if text.startswith(prefix):
            return parse_span(text[len(prefix):])
    if match := _CHINESE_RELATIVE.match(text.replace(" ", "")):
        amount = "半" if match.group(1) == "半" else match.group(1)
        if amount == "半":
            return parse_span("30m") if "时" in match.group(2) or "钟头" in match.group(2) else parse_span("12h")
        return parse_span(f"{amount}{match.group(2)}")
    return None


def _parse_relative(text: str, zone: ZoneInfo, now: datetime) -> ParsedTime | None:
    span = _relative_span(text)
    if span is None:
        return None
    if span < timedelta(minutes=1):
        raise TimeParseError(_("That is less than a minute from now; give a time at least a minute ahead."))
    if span > timedelta(days=3 * 366):
        raise TimeParseError(_("That is more than three years ahead."))
    instant = (now + span).replace(second=0, microsecond=0)
    if instant <= now:
        instant += timedelta(minutes=1)
    return ParsedTime(instant.astimezone(UTC), zone, ())


@dataclass
class _Pieces:
    time_of_day: time | None = None
    twelve_hour: bool = False  # read off "7点": the half of the day comes from a period word
    period: str | None = None  # "@am", "@pm" or "@noon"
    day_shift: int | None = None  # today=0, tomorrow=1
    weekday: int | None = None
    weekday_next: bool = False
    week_shift: int | None = None  # "下周四": the Thursday of the week after this one (weeks start on Monday)
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
                _("`{hour}` alone could be {hour}am or {hour}pm; write `{hour}pm` or `{clock}`.").format(
                    hour=hour, clock=f"{int(hour) % 24:02d}:00"
                )
            )
        unread = " ".join(leftovers) if text.isascii() else text  # rewritten words would not be what they typed
        raise TimeParseError(
            _("I could not read `{text}`. Try {examples}.").format(text=_shown(unread), examples=examples())
        )
    return _assemble(pieces, zone, now)


def _set_time(pieces: _Pieces, value: time, *, twelve_hour: bool = False) -> None:
    if pieces.time_of_day is not None:
        raise TimeParseError(_("`{text}` has two times of day; give one.").format(text=_shown(pieces.said)))
    pieces.time_of_day, pieces.twelve_hour = value, twelve_hour


def _twice(pieces: _Pieces) -> TimeParseError:
    return TimeParseError(_("`{text}` names the day twice; give one date.").format(text=_shown(pieces.said)))


def _set_date(pieces: _Pieces, *, month: int, day: int, year: int | None) -> None:
    if pieces.month is not None or pieces.weekday is not None or pieces.day_shift is not None:
        raise _twice(pieces)
    pieces.month, pieces.day, pieces.year = month, day, year


def _read_token(token: str, nxt: str | None, pieces: _Pieces) -> int:
    """How many tokens were understood starting at `token` (0 when none)."""
    if token in _PERIODS:
        if pieces.period is not None and pieces.period != token:
            raise TimeParseError(_("`{text}` has two times of day; give one.").format(text=_shown(pieces.said)))
        pieces.period = token
        return 1
    if token in ("noon", "midday"):
        _set_time(pieces, time(12, 0))
        return 1
    if token == "midnight":
        raise TimeParseError(_("`midnight` is ambiguous (start or end of the day?); write `00:00` with the date."))
    if match := _AMPM.match(token):
        hour, minute = int(match.group(1)), int(match.group(2) or 0)
        if not 1 <= hour <= 12 or minute > 59:
            raise TimeParseError(_("`{text}` is not a time on a 12-hour clock.").format(text=_shown(token)))
        hour = hour % 12 + (12 if match.group(3).startswith("p") else 0)
        _set_time(pieces, time(hour, minute))
        return 1
    if (match := _CLOCK.match(token)) or (match := _HOUR_H.match(token)) or (match := _TWELVE.match(token)):
        hour = int(match.group(1))
        minute = int(match.group(2)) if match.re is not _HOUR_H else 0
        if hour > 23 or minute > 59:
            raise TimeParseError(
                _("`{text}` is not a time on a 24-hour clock (00:00 to 23:59).").format(text=_shown(token.lstrip("~")))
            )
        _set_time(pieces, time(hour, minute), twelve_hour=match.re is _TWELVE)
        return 1
    if token in ("today", "tonight"):
        _set_shift(pieces, 0)
        return 1
    if token in ("tomorrow", "tmrw", "tmr"):
        _set_shift(pieces, 1)
        return 1
    if match := _SHIFT.match(token):
        _set_shift(pieces, int(match.group(1)))
        return 1
    if (match := _WEEK.match(token)) and nxt in _WEEKDAYS:
        _set_weekday(pieces, _WEEKDAYS[nxt], next_week=False)
        pieces.week_shift = int(match.group(1))
        return 2
    if token in ("next", "this") and nxt in _WEEKDAYS:
        _set_weekday(pieces, _WEEKDAYS[nxt], next_week=token == "next")
        return 2
    if token in ("next", "this") and nxt in ("week", "month", "year"):
        raise TimeParseError(
            _("`{text}` is not a date; name the day, for example `next thursday 18:00`.").format(text=f"{token} {nxt}")
        )
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
        raise _twice(pieces)
    pieces.day_shift = days


def _set_weekday(pieces: _Pieces, weekday: int, *, next_week: bool) -> None:
    if pieces.day_shift is not None or pieces.weekday is not None or pieces.month is not None:
        raise _twice(pieces)
    pieces.weekday, pieces.weekday_next = weekday, next_week


def _read_month_first(token: str, nxt: str | None, pieces: _Pieces) -> int:
    if nxt is not None and (match := _DAY.match(nxt)) and int(match.group(1)) <= 31:
        _set_date(pieces, month=_MONTHS[token], day=int(match.group(1)), year=None)
        return 2
    raise TimeParseError(
        _("Which day of {month}? Write it like `dec 3 6pm`.").format(month=_month_name(_MONTHS[token]))
    )


def _read_numeric_date(token: str, match: re.Match[str], pieces: _Pieces) -> None:
    first, second, third = match.group(1), int(match.group(2)), match.group(3)
    if len(first) == 4:  # 2025/12/03
        if third is None:
            raise TimeParseError(_("`{text}` is not a date; write it like `2025-12-03`.").format(text=_shown(token)))
        _set_date(pieces, month=second, day=int(third), year=int(first))
        return
    a, b = int(first), second
    year = None if third is None else int(third) + (2000 if len(third) == 2 else 0)
    if a <= 12 and b <= 12 and a != b:
        day_month = f"{a} {calendar.month_abbr[b].lower()}"
        month_day = f"{calendar.month_abbr[a].lower()} {b}"
        raise TimeParseError(
            _(
                "`{text}` could be {first} or {second}. Write the month as a word (`{day_month}` or `{month_day}`)"
                " or use `YYYY-MM-DD`."
            ).format(
                text=_shown(token),
                first=_month_day(b, a, day_first=True),
                second=_month_day(a, b, day_first=False),
                day_month=day_month,
                month_day=month_day,
            )
        )
    if a > 12 and b > 12:
        raise TimeParseError(
            _("`{text}` is not a date (for a time of day write it like `18:30`).").format(text=_shown(token))
        )
    day, month = (a, b) if a > 12 or a == b else (b, a)
    _set_date(pieces, month=month, day=day, year=year)


def _time_of_day(pieces: _Pieces) -> time:
    """The time with its period word applied ("晚上7点" is 19:00, "ce soir 9h" 21:00)."""
    at = pieces.time_of_day
    assert at is not None
    if pieces.period in ("@pm", "@noon") and at.hour < 12:
        if pieces.period == "@noon" and pieces.twelve_hour and at.hour > 2:  # "中午5点": no such noon
            raise TimeParseError(_("`{text}` is not a time on a 12-hour clock.").format(text=_shown(pieces.said)))
        return at.replace(hour=at.hour + 12)
    if pieces.period == "@am" and pieces.twelve_hour and at.hour == 12:
        return at.replace(hour=0)
    if pieces.period is None and pieces.twelve_hour and 1 <= at.hour < 12:
        hour = at.hour
        raise TimeParseError(
            _(
                "`{text}` could be {hour} in the morning or in the afternoon; write `{morning}`, `{evening}`"
                " or `{clock}`."
            ).format(
                text=_shown(pieces.said), hour=hour, morning=f"上午{hour}点", evening=f"晚上{hour}点",
                clock=f"{(hour % 12) + 12:02d}:{at.minute:02d}",
            )
        )  # fmt: skip
    return at


def _assemble(pieces: _Pieces, zone: ZoneInfo, now: datetime) -> ParsedTime:
    has_date = pieces.day_shift is not None or pieces.weekday is not None or pieces.month is not None
    if pieces.time_of_day is None:
        if has_date:
            raise TimeParseError(
                _("Add a time of day, for example `{text} 18:00`.").format(text=_shown(pieces.said))
            )
        raise TimeParseError(
            _("I could not read `{text}` as a time. Try {examples}.").format(
                text=_shown(pieces.said), examples=examples()
            )
        )
    at = _time_of_day(pieces)
    today = now.astimezone(zone).date()
    notes: list[str] = []
    if pieces.month is not None:
        day = _calendar_day(pieces, today, zone, notes)
    elif pieces.weekday is not None and pieces.week_shift is not None:
        day = today - timedelta(days=today.weekday()) + timedelta(days=7 * pieces.week_shift + pieces.weekday)
    elif pieces.weekday is not None:
        ahead = (pieces.weekday - today.weekday()) % 7
        if pieces.weekday_next and ahead == 0:
            ahead = 7
        day = today + timedelta(days=ahead)
        if pieces.weekday_next:
            notes.append(
                _("Read “next {weekday}” as the coming one, {day}.").format(
                    weekday=weekday_name(pieces.weekday), day=day_text(day)
                )
            )
        elif ahead == 0 and _instant(day, at, zone)[0] <= now:
            day += timedelta(days=7)
    elif pieces.day_shift is not None:
        day = today + timedelta(days=pieces.day_shift)
    else:  # a time alone: the next time the clock shows it
        day = today
        if _instant(day, at, zone)[0] <= now:
            day += timedelta(days=1)
            notes.append(
                _("{time} today has passed, so this is tomorrow, {day}.").format(time=f"{at:%H:%M}", day=day_text(day))
            )
    instant, dst_notes = _instant(day, at, zone)
    return ParsedTime(instant, zone, tuple(notes) + dst_notes, dst_notes)


def _calendar_day(pieces: _Pieces, today: date, zone: ZoneInfo, notes: list[str]) -> date:
    assert pieces.month is not None and pieces.day is not None
    if pieces.year is not None:
        return _checked_date(pieces.year, pieces.month, pieces.day)
    candidate = _date_unless_leap_miss(today.year, pieces.month, pieces.day)
    if candidate is not None and candidate >= today:
        return candidate
    if candidate is not None and (today - candidate).days <= 7:
        raise TimeParseError(
            _("{day} has just passed. Add the year if you mean next year (`{text} {year}`).").format(
                day=_date_text(candidate, _SHORT_PATTERNS, "dd MMM"), text=_shown(pieces.said), year=today.year + 1
            )
        )
    following = _date_unless_leap_miss(today.year + 1, pieces.month, pieces.day)
    if following is None:
        following = _checked_date(today.year + 4 - (today.year % 4), pieces.month, pieces.day)
    notes.append(
        _("{day} has passed this year, so this is {date}.").format(
            day=_date_text(following, _SHORT_PATTERNS, "dd MMM"), date=_date_text(following, _YEAR_PATTERNS, "dd MMM y")
        )
    )
    return following


def _checked_date(year: int, month: int, day: int) -> date:
    if not 1 <= month <= 12:
        raise TimeParseError(_("There is no month {month}.").format(month=month))
    try:
        return date(year, month, day)
    except ValueError:
        raise TimeParseError(_("{month} has no day {day}.").format(month=_month_name(month), day=day)) from None


def _date_unless_leap_miss(year: int, month: int, day: int) -> date | None:
    """The date, or None for 29 February of a year without one (a later year is looked for)."""
    if month == 2 and day == 29 and not calendar.isleap(year):
        return None
    return _checked_date(year, month, day)


def _instant(day: date, at: time, zone: ZoneInfo) -> tuple[datetime, tuple[str, ...]]:
    aware, notes = localize(datetime.combine(day, at), zone)
    return aware.astimezone(UTC), notes
