"""How numbers, durations and counts are written out for members, one style everywhere.

Instants shown to members use Discord's `<t:UNIX:F>` / `<t:UNIX:R>` markup (`timestamp`), so each reader sees
their own time zone and language; everything written out by the bot itself goes through here.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from bot.times import unix

_UNITS = (("d", 86400), ("h", 3600), ("min", 60), ("s", 1))
NONE_SHOWN = "—"


def duration(seconds: float | None, *, parts: int = 2) -> str:
    """A duration in its largest units: "45 s", "12 min", "3 h 5 min", "2 d 4 h"; "—" when there is none."""
    if seconds is None:
        return NONE_SHOWN
    left = max(0, int(seconds))
    shown: list[str] = []
    for unit, size in _UNITS:
        count, left = divmod(left, size)
        if count or (shown and len(shown) < parts):
            shown.append(f"{count} {unit}")
        if len(shown) == parts:
            break
    # trailing zero units say nothing ("3 h 0 min" is "3 h")
    while len(shown) > 1 and shown[-1].startswith("0 "):
        shown.pop()
    return " ".join(shown) if shown else "0 s"


def age(seconds: float) -> str:
    """How long ago, in one unit, never "0": "1 min", "5 h", "3 d"."""
    seconds = max(0, int(seconds))
    if seconds < 3600:
        return f"{max(1, seconds // 60)} min"
    if seconds < 2 * 86400:
        return f"{seconds // 3600} h"
    return f"{seconds // 86400} d"


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """"1 reply", "3 replies": the count and the word that goes with it."""
    word = singular if count == 1 else (plural_form or f"{singular}s")
    return f"{count:,} {word}"


def size(num_bytes: float) -> str:
    """A file size: "512 B", "3.4 MiB"."""
    for unit in ("B", "KiB", "MiB", "GiB"):
        if num_bytes < 1024 or unit == "GiB":
            return f"{num_bytes:.0f} {unit}" if unit == "B" else f"{num_bytes:.1f} {unit}"
        num_bytes /= 1024
    return f"{num_bytes:.1f} GiB"


TimestampStyle = Literal["t", "T", "d", "D", "f", "F", "R"]


def timestamp(when: datetime | int, style: TimestampStyle = "F") -> str:
    """Discord's timestamp markup: each reader sees it in their own zone and language."""
    seconds = when if isinstance(when, int) else unix(when)
    return f"<t:{seconds}:{style}>"
