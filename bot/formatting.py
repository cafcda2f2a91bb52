"""How numbers, durations and counts are written out for members, one style everywhere, in the current language.

Instants shown to members use Discord's `<t:UNIX:F>` / `<t:UNIX:R>` markup (`timestamp`), so each reader sees
their own time zone and language; everything written out by the bot itself goes through here. Durations and sizes
follow the language of the message being written (bot/i18n.py): English keeps the bot's compact style ("3 h 5 min"),
other languages get Babel's (CLDR's) short units ("3 h 5 min" in French, "3小时5分钟" in Chinese). Counted words
are written with `ngettext` where the sentence is (`plural` is for English-only text such as logs).
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from babel.lists import format_list
from babel.numbers import format_decimal
from babel.units import format_unit

from bot import i18n
from bot.times import unix

# (English abbreviation, CLDR unit, seconds)
_UNITS = (("d", "duration-day", 86400), ("h", "duration-hour", 3600), ("min", "duration-minute", 60),
          ("s", "duration-second", 1))
NONE_SHOWN = "—"


def _locale() -> str:
    """Babel's locale for the language of the message being written ("en" for English and the test language)."""
    language = i18n.current()
    return i18n.BABEL_LOCALE.get(language, language)


def _amount(count: int, unit: int) -> str:
    """One amount of a unit: "3 h" in English, Babel's short unit in the current language otherwise."""
    english, cldr, _size = _UNITS[unit]
    locale = _locale()
    if locale == i18n.DEFAULT:
        return f"{count} {english}"
    return str(format_unit(count, cldr, length="short", locale=locale))


def duration(seconds: float | None, *, parts: int = 2) -> str:
    """A duration in its largest units: "45 s", "12 min", "3 h 5 min", "2 d 4 h"; "—" when there is none."""
    if seconds is None:
        return NONE_SHOWN
    left = max(0, int(seconds))
    shown: list[tuple[int, int]] = []  # (count, unit index)
    for index, (_english, _cldr, size) in enumerate(_UNITS):
        count, left = divmod(left, size)
        if count or (shown and len(shown) < parts):
            shown.append((count, index))
        if len(shown) == parts:
            break
    # trailing zero units say nothing ("3 h 0 min" is "3 h")
    while len(shown) > 1 and shown[-1][0] == 0:
        shown.pop()
    if not shown:
        shown = [(0, len(_UNITS) - 1)]
    amounts = [_amount(count, unit) for count, unit in shown]
    if _locale() == i18n.DEFAULT:
        return " ".join(amounts)
    return str(format_list(amounts, style="unit-narrow", locale=_locale()))


def age(seconds: float) -> str:
    """How long ago, in one unit, never "0": "1 min", "5 h", "3 d"."""
    seconds = max(0, int(seconds))
    if seconds < 3600:
        return _amount(max(1, seconds // 60), 2)
    if seconds < 2 * 86400:
        return _amount(seconds // 3600, 1)
    return _amount(seconds // 86400, 0)


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """"1 reply", "3 replies": the count and the English word that goes with it.

    English only (logs, the operator's terminal): text members read writes the whole phrase with
    `ngettext("{n} reply", "{n} replies", n).format(n=i18n.number(n))`, so every language has its own forms."""
    word = singular if count == 1 else (plural_form or f"{singular}s")
    return f"{i18n.number(count)} {word}"


def size(num_bytes: float) -> str:
    """A file size: "512 B", "3.4 MiB" (the decimal separator of the current language)."""
    for unit in ("B", "KiB", "MiB", "GiB"):
        if num_bytes < 1024 or unit == "GiB":
            digits = 0 if unit == "B" else 1
            shown = format_decimal(round(num_bytes, digits), format="0.0" if digits else "0", locale=_locale())
            return f"{shown} {unit}"
        num_bytes /= 1024
    return f"{num_bytes:.1f} GiB"


TimestampStyle = Literal["t", "T", "d", "D", "f", "F", "R"]


def timestamp(when: datetime | int, style: TimestampStyle = "F") -> str:
    """Discord's timestamp markup: each reader sees it in their own zone and language."""
    seconds = when if isinstance(when, int) else unix(when)
    return f"<t:{seconds}:{style}>"
