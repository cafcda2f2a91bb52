"""The one representation of instants: timezone-aware UTC datetimes in code, unix seconds (INTEGER) in the database.

Whole seconds are enough for everything the bot schedules or reports, sort and compare as numbers in SQL on both
SQLite and PostgreSQL, and cannot carry a fixed offset by mistake. The IANA zone of an event or a member is stored
beside the instant where wall-clock time matters (recurring events).
"""

from __future__ import annotations

from datetime import UTC, datetime


def unix(when: datetime) -> int:
    """Unix seconds of an aware datetime (truncated); a naive one is a bug and raises."""
    if when.tzinfo is None:
        raise ValueError("naive datetime: use datetime.now(UTC) or the bot's clock")
    return int(when.timestamp())


def unix_or_none(when: datetime | None) -> int | None:
    return None if when is None else unix(when)


def utc(seconds: int | float) -> datetime:
    """The UTC datetime of unix seconds read from the database."""
    return datetime.fromtimestamp(seconds, UTC)


def utc_or_none(seconds: int | float | None) -> datetime | None:
    return None if seconds is None else utc(seconds)
