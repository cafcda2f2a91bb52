"""Decisions without I/O for scheduled backups: when the next one is due, the file names, which ones go."""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta

BACKUP_NAME = re.compile(r"^community-(\d{8}-\d{6})\.(db|pgdump)$")


def backup_name(now: datetime, postgres: bool) -> str:
    """Names sort in time order, and say when they were taken (UTC)."""
    return f"community-{now.astimezone(UTC):%Y%m%d-%H%M%S}.{'pgdump' if postgres else 'db'}"


def taken_at(name: str) -> datetime | None:
    match = BACKUP_NAME.match(name)
    return None if match is None else datetime.strptime(match[1], "%Y%m%d-%H%M%S").replace(tzinfo=UTC)


def next_backup_at(last: datetime | None, now: datetime, at: str) -> datetime:
    """The first `at` (HH:MM UTC) after the last backup; one missed while the bot was off is due at once. With no
    backup in the folder yet, the first is due now (backups were just switched on)."""
    if last is None:
        return now
    hour, minute = (int(part) for part in at.split(":"))
    due = datetime.combine(last.astimezone(UTC).date(), time(hour, minute), tzinfo=UTC)
    return due if due > last else due + timedelta(days=1)


def to_remove(names: list[str], keep: int) -> list[str]:
    """The oldest backups beyond the newest `keep` (only files named like the bot's backups)."""
    ours = sorted(name for name in names if BACKUP_NAME.match(name))
    return ours[: max(0, len(ours) - keep)]
