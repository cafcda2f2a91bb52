"""/onboarding stats: how newcomers fare, from the event log and the profiles."""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import datetime

from bot.database import Database
from cogs.onboarding.store import iso, parse


@dataclass(frozen=True)
class RoleLine:
    role: str | None
    started: int
    finished: int


@dataclass(frozen=True)
class OnboardingStats:
    joined: int
    rejoined: int
    welcomed: int
    started: int
    finished: int
    dm_closed: int
    median_seconds_to_finish: float | None
    mentors_matched: int
    mentors_active: int
    requests_waiting: int
    per_role: list[RoleLine] = field(default_factory=list)

    @property
    def finish_rate(self) -> float | None:
        return None if self.started == 0 else self.finished / self.started


async def compute_stats(db: Database, guild_id: int, since: datetime | None) -> OnboardingStats:
    """Counts over the period from `since` (None: all time)."""
    start = iso(since) if since is not None else ""
    rows = await db.fetchall(
        "SELECT event, COUNT(*) AS n FROM onboarding_events WHERE guild_id = ? AND at >= ? GROUP BY event",
        (guild_id, start),
    )
    counts = {row["event"]: row["n"] for row in rows}
    durations = [
        (parse(row["finished_at"]) - parse(row["created_at"])).total_seconds()
        for row in await db.fetchall(
            "SELECT created_at, finished_at FROM onboarding_profiles WHERE guild_id = ? AND finished_at >= ?",
            (guild_id, start),
        )
    ]
    per_role = [
        RoleLine(row["role"], row["started"], row["finished"])
        for row in await db.fetchall(
            "SELECT role, COUNT(*) AS started, SUM(finished_at IS NOT NULL AND finished_at >= :start) AS finished"
            " FROM onboarding_profiles WHERE guild_id = :guild AND started_at >= :start GROUP BY role"
            " ORDER BY started DESC, role",
            {"guild": guild_id, "start": start},
        )
    ]
    mentors_active = await db.fetchval(
        "SELECT COUNT(*) FROM mentors WHERE guild_id = ? AND status = 'active'", (guild_id,)
    )
    waiting = await db.fetchval(
        "SELECT COUNT(*) FROM mentor_requests WHERE guild_id = ? AND status IN ('waiting', 'offered')", (guild_id,)
    )
    return OnboardingStats(
        joined=counts.get("joined", 0) + counts.get("rejoined", 0),
        rejoined=counts.get("rejoined", 0),
        welcomed=counts.get("welcomed", 0),
        started=counts.get("started", 0),
        finished=counts.get("finished", 0),
        dm_closed=counts.get("dm_closed", 0),
        median_seconds_to_finish=statistics.median(durations) if durations else None,
        mentors_matched=counts.get("mentor_matched", 0),
        mentors_active=mentors_active,
        requests_waiting=waiting,
        per_role=per_role,
    )


def format_duration(seconds: float | None) -> str:
    if seconds is None:
        return "n/a"
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    if seconds < 172800:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} days"
