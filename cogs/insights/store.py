"""Read-only queries behind the reports: insights' own daily aggregates, and the other features' tables as they are.

Nothing here writes. Instants in other features' tables are unix seconds; per-day series group them by quarter hour
in SQL (at most 35,040 groups a year, whatever the number of rows) and Python puts each group on the server's local
day, so days follow the time zone exactly, daylight saving included. Medians come from per-minute counts in SQL
(exact to the minute), so a year of a million questions is never sorted nor copied into Python.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.database import Database
from cogs.insights.models import Period
from cogs.insights.rules import QUARTER_HOUR, local_day, week_start

WEEK = 7 * 86400
MONTH = 30 * 86400
DAY = 86400


def _int(value: Any) -> int:
    """SUM() is NULL over no rows, and a Decimal on PostgreSQL."""
    return 0 if value is None else int(value)


@dataclass(frozen=True)
class Newcomers:
    joined: int
    finished_onboarding: int
    eligible_7: int  # joined at least 7 days ago
    stayed_7: int
    eligible_30: int
    stayed_30: int
    posted_first_week: int


@dataclass(frozen=True)
class OccurrenceFigures:
    title: str
    starts_at: int
    state: str
    going: int
    maybe: int


class InsightsStore:
    """The queries of every report; see the module docstring."""

    def __init__(self, db: Database) -> None:
        self.db = db

    # --- helpers -------------------------------------------------------------------------------------------------

    async def _per_day(self, column: str, table_where: str, params: tuple[Any, ...], zone: ZoneInfo) -> Counter[date]:
        """Rows per local day of an instant column; `table_where` is "FROM ... WHERE ..." (parameters only)."""
        rows = await self.db.fetch(
            f"SELECT {column} / {QUARTER_HOUR} AS q, COUNT(*) AS n {table_where} GROUP BY {column} / {QUARTER_HOUR}",
            params,
        )
        counts: Counter[date] = Counter()
        for row in rows:
            counts[local_day(int(row[0]) * QUARTER_HOUR, zone)] += int(row[1])
        return counts

    async def _median(self, expression: str, table_where: str, params: tuple[Any, ...]) -> tuple[int, float | None]:
        """How many rows, and the median of `expression` (seconds) to the minute, over "FROM ... WHERE ...".

        One grouped pass counts the rows per minute of the value; the median is read off the cumulative counts.
        Sorting every value instead (ORDER BY ... OFFSET) took 3 s over 850,000 replies; this takes under one.
        """
        rows = await self.db.fetch(
            f"SELECT ({expression}) / 60 AS m, COUNT(*) {table_where} GROUP BY ({expression}) / 60 ORDER BY m",
            params,
        )
        minutes = [(int(r[0]), int(r[1])) for r in rows]
        count = sum(n for _, n in minutes)
        if count == 0:
            return 0, None
        wanted = [(count - 1) // 2, count // 2]  # 0-based ranks of the middle value(s)
        found: list[float] = []
        seen = 0
        for minute, n in minutes:
            while wanted and wanted[0] < seen + n:
                found.append(minute * 60 + 30)  # the middle of that minute
                wanted.pop(0)
            seen += n
        return count, sum(found) / len(found)

    def _scan(self, period: Period) -> str:
        """SQLite's hint to read a long period by scanning the table: the (guild, state, created_at) index of Q&A
        would fetch each of a year's million rows one by one (12 s against 2.5 s for the scan)."""
        return " NOT INDEXED" if self.db.backend == "sqlite" and period.days > 31 else ""

    # --- members and activity (insights' own tables) -------------------------------------------------------------

    async def member_days(self, guild_id: int, period: Period) -> dict[date, tuple[int, int]]:
        rows = await self.db.fetch(
            "SELECT day, joins, leaves FROM insights_member_days WHERE guild_id = ? AND day >= ? AND day <= ?",
            (guild_id, period.first.isoformat(), period.last.isoformat()),
        )
        return {date.fromisoformat(r[0]): (int(r[1]), int(r[2])) for r in rows}

    async def message_days(self, guild_id: int, period: Period) -> dict[date, int]:
        rows = await self.db.fetch(
            "SELECT day, SUM(messages) FROM insights_message_days WHERE guild_id = ? AND day >= ? AND day <= ?"
            " GROUP BY day",
            (guild_id, period.first.isoformat(), period.last.isoformat()),
        )
        return {date.fromisoformat(r[0]): _int(r[1]) for r in rows}

    async def message_channels(self, guild_id: int, first: date, last: date) -> list[tuple[int, int]]:
        """(channel_id, messages) over the days, busiest first."""
        rows = await self.db.fetch(
            "SELECT channel_id, SUM(messages) AS n FROM insights_message_days"
            " WHERE guild_id = ? AND day >= ? AND day <= ? GROUP BY channel_id ORDER BY n DESC, channel_id",
            (guild_id, first.isoformat(), last.isoformat()),
        )
        return [(int(r[0]), _int(r[1])) for r in rows]

    async def message_rows(self, guild_id: int, period: Period) -> list[tuple[date, int, int]]:
        """(day, channel_id, messages) for the export."""
        rows = await self.db.fetch(
            "SELECT day, channel_id, messages FROM insights_message_days WHERE guild_id = ? AND day >= ? AND day <= ?"
            " ORDER BY day, channel_id",
            (guild_id, period.first.isoformat(), period.last.isoformat()),
        )
        return [(date.fromisoformat(r[0]), int(r[1]), int(r[2])) for r in rows]

    async def active_members(self, guild_id: int, first: date, last: date) -> int:
        """Distinct members who posted between two local days (within the 35 days the marks are kept)."""
        return _int(await self.db.fetchval(
            "SELECT COUNT(DISTINCT user_id) FROM insights_active_marks WHERE guild_id = ? AND day >= ? AND day <= ?",
            (guild_id, first.isoformat(), last.isoformat()),
        ))

    async def active_weeks(self, guild_id: int, period: Period) -> dict[date, int]:
        """Distinct posters per week (by its Monday): finished weeks as kept, the weeks still in the marks counted."""
        first_week = week_start(period.first)
        rows = await self.db.fetch(
            "SELECT week_start, members FROM insights_active_weeks WHERE guild_id = ? AND week_start >= ?",
            (guild_id, first_week.isoformat()),
        )
        weeks = {date.fromisoformat(r[0]): int(r[1]) for r in rows}
        oldest = await self.db.fetchval(
            "SELECT MIN(day) FROM insights_active_marks WHERE guild_id = ? AND day >= ?",
            (guild_id, first_week.isoformat()),
        )
        week = week_start(date.fromisoformat(oldest)) if oldest is not None else period.last + timedelta(days=1)
        while week <= period.last:
            if week not in weeks:  # a kept week is final; marks of it may be partly pruned
                weeks[week] = await self.active_members(guild_id, week, week + timedelta(days=6))
            week += timedelta(days=7)
        weeks = {w: n for w, n in weeks.items() if n}
        return {week: n for week, n in weeks.items() if week <= period.last}

    async def newcomers(self, guild_id: int, period: Period) -> Newcomers:
        now = period.until
        row = await self.db.fetchrow(
            "SELECT COUNT(*),"
            " SUM(CASE WHEN p.finished_at IS NOT NULL THEN 1 ELSE 0 END),"
            " SUM(CASE WHEN n.joined_at <= ? THEN 1 ELSE 0 END),"
            " SUM(CASE WHEN n.joined_at <= ? AND (n.left_at IS NULL OR n.left_at >= n.joined_at + ?)"
            " THEN 1 ELSE 0 END),"
            " SUM(CASE WHEN n.joined_at <= ? THEN 1 ELSE 0 END),"
            " SUM(CASE WHEN n.joined_at <= ? AND (n.left_at IS NULL OR n.left_at >= n.joined_at + ?)"
            " THEN 1 ELSE 0 END),"
            " SUM(CASE WHEN n.first_message_at IS NOT NULL AND n.first_message_at < n.joined_at + ? THEN 1 ELSE 0 END)"
            " FROM insights_newcomers n"
            " LEFT JOIN onboarding_profiles p ON p.guild_id = n.guild_id AND p.user_id = n.user_id"
            " WHERE n.guild_id = ? AND n.joined_at >= ? AND n.joined_at <= ?",
            (now - WEEK, now - WEEK, WEEK, now - MONTH, now - MONTH, MONTH, WEEK, guild_id, period.since, now),
        )
        assert row is not None
        return Newcomers(*(_int(v) for v in row))

    async def newcomer_rows(
        self, guild_id: int, period: Period
    ) -> list[tuple[int, int | None, int | None, int | None]]:
        """(joined_at, left_at, first_message_at, finished_onboarding_at) per newcomer, for the export."""
        rows = await self.db.fetch(
            "SELECT n.joined_at, n.left_at, n.first_message_at, p.finished_at FROM insights_newcomers n"
            " LEFT JOIN onboarding_profiles p ON p.guild_id = n.guild_id AND p.user_id = n.user_id"
            " WHERE n.guild_id = ? AND n.joined_at >= ? AND n.joined_at <= ? ORDER BY n.joined_at",
            (guild_id, period.since, period.until),
        )
        return [(int(r[0]), r[1], r[2], r[3]) for r in rows]

    # --- onboarding (onboarding's tables, read only) -------------------------------------------------------------

    async def onboarding_counts(self, guild_id: int, period: Period) -> dict[str, int]:
        """Onboarding events in the period by kind: welcomed, started, finished, dm_closed, ..."""
        rows = await self.db.fetch(
            "SELECT event, COUNT(*) FROM onboarding_events WHERE guild_id = ? AND at >= ? AND at <= ? GROUP BY event",
            (guild_id, period.since, period.until),
        )
        return {str(r[0]): int(r[1]) for r in rows}

    async def onboarding_days(self, guild_id: int, period: Period, column: str) -> Counter[date]:
        """Profiles per local day of `started_at` or `finished_at`."""
        if column not in ("started_at", "finished_at"):
            raise ValueError(column)
        return await self._per_day(
            column, f"FROM onboarding_profiles WHERE guild_id = ? AND {column} >= ? AND {column} <= ?",
            (guild_id, period.since, period.until), ZoneInfo(period.zone),
        )

    async def onboarding_dropoff(self, guild_id: int, period: Period) -> list[tuple[str, int]]:
        """Members who began in the period and have not finished, by the question they stopped at."""
        rows = await self.db.fetch(
            "SELECT step, COUNT(*) AS n FROM onboarding_profiles WHERE guild_id = ? AND created_at >= ?"
            " AND created_at <= ? AND status <> 'finished' GROUP BY step ORDER BY n DESC, step",
            (guild_id, period.since, period.until),
        )
        return [(str(r[0]), int(r[1])) for r in rows]

    async def onboarding_finish_time(self, guild_id: int, period: Period) -> tuple[int, float | None]:
        """Members who finished in the period, and the median time from the first question to the last answer."""
        where = "FROM onboarding_profiles WHERE guild_id = ? AND finished_at >= ? AND finished_at <= ?"
        return await self._median("finished_at - created_at", where, (guild_id, period.since, period.until))

    async def onboarding_roles(self, guild_id: int, period: Period) -> list[tuple[str, int]]:
        """The role answered by members who finished in the period, most common first."""
        rows = await self.db.fetch(
            "SELECT COALESCE(role, '(none)') AS r, COUNT(*) AS n FROM onboarding_profiles WHERE guild_id = ?"
            " AND finished_at >= ? AND finished_at <= ? GROUP BY COALESCE(role, '(none)') ORDER BY n DESC, r",
            (guild_id, period.since, period.until),
        )
        return [(str(r[0]), int(r[1])) for r in rows]

    # --- Q&A (Q&A's tables, read only) ---------------------------------------------------------------------------

    async def qa_figures(self, guild_id: int, period: Period) -> dict[str, Any]:
        """Asked (per local day and in all), replied within 24 h, replied, solved, the two medians, unanswered now."""
        where = f"FROM qa_questions{self._scan(period)} WHERE guild_id = ? AND created_at >= ? AND created_at <= ?"
        params = (guild_id, period.since, period.until)
        rows = await self.db.fetch(
            f"SELECT created_at / {QUARTER_HOUR}, COUNT(*),"
            f" SUM(CASE WHEN first_reply_at IS NOT NULL AND first_reply_at - created_at <= {DAY} THEN 1 ELSE 0 END),"
            " SUM(CASE WHEN solved_at IS NOT NULL THEN 1 ELSE 0 END) "
            f"{where} GROUP BY created_at / {QUARTER_HOUR}",
            params,
        )
        zone = ZoneInfo(period.zone)
        asked_days: Counter[date] = Counter()
        in_24h = solved = 0
        for row in rows:
            asked_days[local_day(int(row[0]) * QUARTER_HOUR, zone)] += int(row[1])
            in_24h += _int(row[2])
            solved += _int(row[3])
        replied, first_reply = await self._median(
            "first_reply_at - created_at", where + " AND first_reply_at IS NOT NULL", params
        )
        _, to_solution = await self._median("solved_at - created_at", where + " AND solved_at IS NOT NULL", params)
        open_questions = "qa_questions INDEXED BY qa_questions_open" if self.db.backend == "sqlite" else "qa_questions"
        unanswered = _int(await self.db.fetchval(
            f"SELECT COUNT(*) FROM {open_questions} WHERE guild_id = ? AND state = 'open' AND archived_at IS NULL"
            " AND first_reply_at IS NULL",
            (guild_id,),
        ))
        return {"asked": sum(asked_days.values()), "asked_days": asked_days, "in_24h": in_24h, "replied": replied,
                "solved": solved, "first_reply": first_reply, "to_solution": to_solution, "unanswered": unanswered}

    async def qa_days(self, guild_id: int, period: Period, column: str) -> Counter[date]:
        """Questions per local day of `created_at` (asked) or `solved_at` (solved)."""
        if column not in ("created_at", "solved_at"):
            raise ValueError(column)
        return await self._per_day(
            column, f"FROM qa_questions{self._scan(period)} WHERE guild_id = ? AND {column} >= ? AND {column} <= ?",
            (guild_id, period.since, period.until), ZoneInfo(period.zone),
        )

    async def qa_tags(self, guild_id: int, period: Period, limit: int = 8) -> list[tuple[str, int]]:
        rows = await self.db.fetch(
            f"SELECT lower(t.tag) AS tag, COUNT(*) AS n FROM qa_questions q{self._scan(period)}"
            " JOIN qa_question_tags t ON t.thread_id = q.thread_id"
            " WHERE q.guild_id = ? AND q.created_at >= ? AND q.created_at <= ?"
            " GROUP BY lower(t.tag) ORDER BY n DESC, tag LIMIT ?",
            (guild_id, period.since, period.until, limit),
        )
        return [(str(r[0]), int(r[1])) for r in rows]

    async def qa_helpers(self, guild_id: int, period: Period, limit: int = 5) -> list[tuple[int, int]]:
        """Members whose answers were accepted in the period, most first (as the leaderboard counts)."""
        rows = await self.db.fetch(
            "SELECT answer_author_id, COUNT(*) AS n FROM qa_questions WHERE guild_id = ? AND answer_author_id IS NOT"
            " NULL AND answer_marked_at >= ? AND answer_marked_at <= ? GROUP BY answer_author_id"
            " ORDER BY n DESC, answer_author_id LIMIT ?",
            (guild_id, period.since, period.until, limit),
        )
        return [(int(r[0]), int(r[1])) for r in rows]

    # --- events (events' tables, read only) ----------------------------------------------------------------------

    async def occurrences(self, guild_id: int, period: Period) -> list[OccurrenceFigures]:
        """Each dated event that started (or was to start) in the period, with its Going and Maybe counts."""
        rows = await self.db.fetch(
            "SELECT e.title, o.starts_at, o.state,"
            " SUM(CASE WHEN r.status = 'going' THEN 1 ELSE 0 END), SUM(CASE WHEN r.status = 'maybe' THEN 1 ELSE 0 END)"
            " FROM event_occurrences o JOIN events e ON e.id = o.event_id"
            " LEFT JOIN event_rsvps r ON r.occurrence_id = o.id"
            " WHERE e.guild_id = ? AND o.starts_at >= ? AND o.starts_at <= ?"
            " GROUP BY o.id, e.title, o.starts_at, o.state ORDER BY o.starts_at, o.id",
            (guild_id, period.since, period.until),
        )
        return [OccurrenceFigures(str(r[0]), int(r[1]), str(r[2]), _int(r[3]), _int(r[4])) for r in rows]

    async def reminders_delivered(self, guild_id: int, period: Period) -> int:
        """Reminder messages Discord accepted in the period (channel posts and DMs)."""
        return _int(await self.db.fetchval(
            "SELECT COUNT(*) FROM event_deliveries d JOIN event_reminders r ON r.id = d.reminder_id"
            " JOIN event_occurrences o ON o.id = r.occurrence_id JOIN events e ON e.id = o.event_id"
            " WHERE e.guild_id = ? AND r.kind = 'reminder' AND d.state = 'sent' AND d.sent_at >= ? AND d.sent_at <= ?",
            (guild_id, period.since, period.until),
        ))

    # --- mentors (onboarding's mentoring tables, read only) -----------------------------------------------------

    async def mentor_figures(self, guild_id: int, period: Period) -> dict[str, Any]:
        params = (guild_id, period.since, period.until)
        requests = _int(await self.db.fetchval(
            "SELECT COUNT(*) FROM mentor_requests WHERE guild_id = ? AND created_at >= ? AND created_at <= ?", params
        ))
        where = "FROM mentor_requests WHERE guild_id = ? AND matched_at >= ? AND matched_at <= ?"
        accepted, to_accept = await self._median("matched_at - created_at", where, params)
        capacity = _int(await self.db.fetchval(
            "SELECT SUM(capacity) FROM mentors WHERE guild_id = ? AND status = 'active'", (guild_id,)
        ))
        mentors = _int(await self.db.fetchval(
            "SELECT COUNT(*) FROM mentors WHERE guild_id = ? AND status = 'active'", (guild_id,)
        ))
        matched = _int(await self.db.fetchval(
            "SELECT COUNT(*) FROM mentor_requests WHERE guild_id = ? AND status = 'matched'", (guild_id,)
        ))
        waiting = _int(await self.db.fetchval(
            "SELECT COUNT(*) FROM mentor_requests WHERE guild_id = ? AND status IN ('waiting', 'offered')", (guild_id,)
        ))
        return {"requests": requests, "accepted": accepted, "to_accept": to_accept, "capacity": capacity,
                "mentors": mentors, "matched": matched, "waiting": waiting}

    async def mentor_days(self, guild_id: int, period: Period, column: str) -> Counter[date]:
        if column not in ("created_at", "matched_at"):
            raise ValueError(column)
        return await self._per_day(
            column, f"FROM mentor_requests WHERE guild_id = ? AND {column} >= ? AND {column} <= ?",
            (guild_id, period.since, period.until), ZoneInfo(period.zone),
        )


def weekly(days: dict[date, int] | Counter[date], first: date, last: date) -> dict[date, int]:
    """Daily counts summed per week (by Monday), every week of the range present."""
    weeks: dict[date, int] = {}
    day = week_start(first)
    while day <= last:
        weeks[day] = 0
        day += timedelta(days=7)
    for day, n in days.items():
        if first <= day <= last:
            weeks[week_start(day)] = weeks.get(week_start(day), 0) + n
    return weeks
