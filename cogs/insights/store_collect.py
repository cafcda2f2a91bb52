"""What insights writes: joins and leaves, message counts and activity marks, their upkeep, and the digest's state.

Messages come in fast (a busy server posts several a second), so they are counted in memory and written in one
transaction per flush (every few seconds, before every report, and at unload): a crash loses at most the last few
seconds of counts, never a row another feature needs. Joins and leaves are written at once.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import date, timedelta
from typing import Any

from bot.database import Database, Statement
from cogs.insights.rules import MARKS_KEPT_DAYS, NEWCOMERS_KEPT_DAYS, week_start


class InsightsCollector:
    """Daily aggregates of one process; see the module docstring."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._messages: Counter[tuple[int, str, int]] = Counter()  # (guild, day, channel) -> messages
        self._marks: set[tuple[int, str, int]] = set()  # (guild, day, user)
        self._first_posts: dict[tuple[int, int], int] = {}  # (guild, user) -> earliest instant in this buffer
        # A report's flush waits for one in flight (the periodic one): it took the counts out of memory already,
        # so without the wait the report would read the database before they are in it.
        self._flushing = asyncio.Lock()

    # --- counting ------------------------------------------------------------------------------------------------

    def count_message(self, guild_id: int, day: date, channel_id: int, user_id: int, at: int) -> None:
        self._messages[(guild_id, day.isoformat(), channel_id)] += 1
        self._marks.add((guild_id, day.isoformat(), user_id))
        self._first_posts.setdefault((guild_id, user_id), at)

    @property
    def pending(self) -> int:
        return len(self._messages) + len(self._marks)

    async def flush(self) -> None:
        """Write what was counted since the last flush, in one transaction (kept in memory if it fails); returns
        once everything counted before the call is in the database."""
        async with self._flushing:
            await self._flush()

    async def _flush(self) -> None:
        if not self._messages and not self._marks:
            return
        messages, marks, first_posts = self._messages, self._marks, self._first_posts
        self._messages, self._marks, self._first_posts = Counter(), set(), {}
        statements = [
            Statement(
                "INSERT INTO insights_message_days (guild_id, day, channel_id, messages) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (guild_id, day, channel_id) DO UPDATE"
                " SET messages = insights_message_days.messages + excluded.messages",
                (guild, day, channel, n),
            )
            for (guild, day, channel), n in sorted(messages.items())
        ]
        statements += [
            Statement(
                "INSERT INTO insights_active_marks (guild_id, day, user_id) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                mark,
            )
            for mark in sorted(marks)
        ]
        statements += [
            Statement(
                "UPDATE insights_newcomers SET first_message_at = ?"
                " WHERE guild_id = ? AND user_id = ? AND first_message_at IS NULL AND joined_at <= ?",
                (at, guild, user, at),
            )
            for (guild, user), at in sorted(first_posts.items())
        ]
        try:
            await self.db.batch(statements)
        except BaseException:
            # not written: count it again with what comes next
            self._messages.update(messages)
            self._marks |= marks
            for key, at in first_posts.items():
                self._first_posts[key] = min(at, self._first_posts.get(key, at))
            raise

    async def member_joined(self, guild_id: int, user_id: int, day: date, at: int) -> None:
        await self.db.batch([
            Statement(
                "INSERT INTO insights_member_days (guild_id, day, joins, leaves) VALUES (?, ?, 1, 0)"
                " ON CONFLICT (guild_id, day) DO UPDATE SET joins = insights_member_days.joins + 1",
                (guild_id, day.isoformat()),
            ),
            Statement(
                "INSERT INTO insights_newcomers (guild_id, user_id, joined_at) VALUES (?, ?, ?)"
                " ON CONFLICT (guild_id, user_id) DO UPDATE SET joined_at = excluded.joined_at, left_at = NULL,"
                " first_message_at = NULL",
                (guild_id, user_id, at),
            ),
        ])

    async def member_left(self, guild_id: int, user_id: int, day: date, at: int) -> None:
        await self.db.batch([
            Statement(
                "INSERT INTO insights_member_days (guild_id, day, joins, leaves) VALUES (?, ?, 0, 1)"
                " ON CONFLICT (guild_id, day) DO UPDATE SET leaves = insights_member_days.leaves + 1",
                (guild_id, day.isoformat()),
            ),
            Statement(
                "UPDATE insights_newcomers SET left_at = ? WHERE guild_id = ? AND user_id = ? AND left_at IS NULL",
                (at, guild_id, user_id),
            ),
        ])

    # --- upkeep --------------------------------------------------------------------------------------------------

    async def close_weeks(self, guild_id: int, today: date) -> int:
        """Keep the distinct-poster count of each finished week still in the marks; returns the weeks written."""
        this_week = week_start(today)
        rows = await self.db.fetch(
            "SELECT day, user_id FROM insights_active_marks WHERE guild_id = ? AND day < ?",
            (guild_id, this_week.isoformat()),
        )
        weeks: dict[date, set[int]] = {}
        for row in rows:
            weeks.setdefault(week_start(date.fromisoformat(row[0])), set()).add(int(row[1]))
        # a week whose first days were already pruned is not complete in the marks: it was kept before then
        oldest_whole = week_start(today - timedelta(days=MARKS_KEPT_DAYS - 6))
        statements = [
            Statement(
                "INSERT INTO insights_active_weeks (guild_id, week_start, members) VALUES (?, ?, ?)"
                " ON CONFLICT (guild_id, week_start) DO NOTHING",
                (guild_id, week.isoformat(), len(users)),
            )
            for week, users in sorted(weeks.items()) if week >= oldest_whole
        ]
        if statements:
            await self.db.batch(statements)
        return len(statements)

    async def prune(self, today: date, now: int) -> int:
        """Drop activity marks older than 35 days and newcomer rows older than 400; returns the rows removed."""
        cutoff = (today - timedelta(days=MARKS_KEPT_DAYS)).isoformat()
        marks = await self.db.execute("DELETE FROM insights_active_marks WHERE day < ?", (cutoff,))
        newcomers = await self.db.execute(
            "DELETE FROM insights_newcomers WHERE joined_at < ?", (now - NEWCOMERS_KEPT_DAYS * 86400,)
        )
        return marks.rowcount + newcomers.rowcount

    async def guilds_with_marks(self) -> list[int]:
        return [int(r[0]) for r in await self.db.fetch("SELECT DISTINCT guild_id FROM insights_active_marks")]

    # --- member data ---------------------------------------------------------------------------------------------

    async def export_member(self, guild_id: int, user_id: int) -> dict[str, Any]:
        marks = await self.db.fetch(
            "SELECT day FROM insights_active_marks WHERE guild_id = ? AND user_id = ? ORDER BY day",
            (guild_id, user_id),
        )
        newcomer = await self.db.fetchrow(
            "SELECT joined_at, left_at, first_message_at FROM insights_newcomers WHERE guild_id = ? AND user_id = ?",
            (guild_id, user_id),
        )
        # lists only: each row is one stored record (cogs/privacy counts them; docs/privacy.md)
        return {
            "days_posted": [r[0] for r in marks],
            "joins": [] if newcomer is None else [
                {"joined_at": newcomer[0], "left_at": newcomer[1], "first_message_at": newcomer[2]},
            ],
        }

    async def forget_member(self, guild_id: int, user_id: int) -> int:
        # the counts stay (they name nobody); what says who did what goes
        self._marks = {m for m in self._marks if (m[0], m[2]) != (guild_id, user_id)}
        self._first_posts.pop((guild_id, user_id), None)
        results = await self.db.batch([
            Statement("DELETE FROM insights_active_marks WHERE guild_id = ? AND user_id = ?", (guild_id, user_id)),
            Statement("DELETE FROM insights_newcomers WHERE guild_id = ? AND user_id = ?", (guild_id, user_id)),
        ])
        return sum(r.rowcount for r in results)

    # --- the weekly digest ---------------------------------------------------------------------------------------

    async def next_digest_due(self) -> int | None:
        due = await self.db.fetchval("SELECT MIN(due_at) FROM insights_digests")
        return None if due is None else int(due)

    async def digest_row(self, guild_id: int) -> Any:
        return await self.db.fetchrow(
            "SELECT due_at, week, schedule, sending_since FROM insights_digests WHERE guild_id = ?", (guild_id,)
        )

    async def plan_digest(self, guild_id: int, due_at: int, week: str, schedule: str) -> None:
        """Set (or move, after a settings change) a server's next digest; one in progress is left alone."""
        await self.db.execute(
            "INSERT INTO insights_digests (guild_id, due_at, week, schedule) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (guild_id) DO UPDATE SET due_at = excluded.due_at, week = excluded.week,"
            " schedule = excluded.schedule"
            " WHERE insights_digests.sending_since IS NULL AND insights_digests.schedule <> excluded.schedule",
            (guild_id, due_at, week, schedule),
        )

    async def drop_digest(self, guild_id: int) -> None:
        await self.db.execute(
            "DELETE FROM insights_digests WHERE guild_id = ? AND sending_since IS NULL", (guild_id,)
        )

    async def due_digests(self, now: int) -> list[tuple[int, str, int | None]]:
        """(guild_id, week, sending_since) of the digests due now."""
        rows = await self.db.fetch(
            "SELECT guild_id, week, sending_since FROM insights_digests WHERE due_at <= ? ORDER BY due_at", (now,)
        )
        return [(int(r[0]), str(r[1]), r[2]) for r in rows]

    async def claim_digest(self, guild_id: int, week: str, now: int, lease: int) -> bool:
        """Take a due digest (one process, one send); a claim older than the lease is taken over."""
        result = await self.db.execute(
            "UPDATE insights_digests SET sending_since = ? WHERE guild_id = ? AND week = ?"
            " AND (sending_since IS NULL OR sending_since < ?)",
            (now, guild_id, week, now - lease),
        )
        return result.rowcount == 1

    async def digest_sent(self, guild_id: int, week: str, now: int, next_due: int, next_week: str) -> None:
        await self.db.execute(
            "UPDATE insights_digests SET sending_since = NULL, last_sent_at = ?, last_week = ?, due_at = ?, week = ?"
            " WHERE guild_id = ? AND week = ?",
            (now, week, next_due, next_week, guild_id, week),
        )

    async def digest_failed(self, guild_id: int, week: str, retry_at: int) -> None:
        await self.db.execute(
            "UPDATE insights_digests SET sending_since = NULL, due_at = ? WHERE guild_id = ? AND week = ?",
            (retry_at, guild_id, week),
        )
