"""One member's onboarding data (profile and answers, welcome records, reminder, stats log): export and forget."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.database import Database
from bot.member_data import export_rows
from bot.times import unix
from cogs.onboarding.cache import TOPIC, key_of

# Every onboarding table keyed by (guild_id, user_id); a forget deletes the member's rows from each.
MEMBER_TABLES = ("onboarding_profiles", "onboarding_welcomes", "onboarding_reminders", "onboarding_events")


class OnboardingMemberData:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def export(self, guild_id: int, user_id: int) -> dict[str, Any]:
        key = (guild_id, user_id)
        return {
            "profile": await export_rows(
                self.db,
                "SELECT role, level, interests, region, timezone, wants_mentor, step, status, given_roles,"
                " created_at, started_at, finished_at, updated_at FROM onboarding_profiles"
                " WHERE guild_id = ? AND user_id = ?",
                key,
                ("interests", "given_roles"),
            ),
            "welcome": await export_rows(
                self.db,
                "SELECT join_seq, joined_at, left_at, kind, state, message_id, queued_at, updated_at"
                " FROM onboarding_welcomes WHERE guild_id = ? AND user_id = ?",
                key,
            ),
            "reminder": await export_rows(
                self.db,
                "SELECT due_at, state, done_at FROM onboarding_reminders WHERE guild_id = ? AND user_id = ?",
                key,
            ),
            "history": await export_rows(
                self.db,
                "SELECT event, at FROM onboarding_events WHERE guild_id = ? AND user_id = ? ORDER BY at",
                key,
            ),
        }

    async def forget(self, guild_id: int, user_id: int, seen: datetime) -> int:
        """Delete the member's rows; in the same transaction the server is marked seen at `seen` (real time).

        The catch-up at the next start welcomes members who joined after the last mark and have no welcome row for
        that join. A forgotten member has no row left (and nothing may keep their ID), so the mark moves past their
        join instead: the catch-up never looks at them again. Joins are recorded live while the bot runs, so moving
        the mark to now skips nobody else.
        """
        touched = 0
        async with self.db.transaction() as tx:
            for table in MEMBER_TABLES:
                sql = f"DELETE FROM {table} WHERE guild_id = ? AND user_id = ?"  # table names from MEMBER_TABLES
                touched += (await tx.execute(sql, (guild_id, user_id))).rowcount
            await tx.execute(
                "UPDATE onboarding_presence SET seen_at = ?, seen_at_us = ? WHERE guild_id = ? AND seen_at <= ?",
                (unix(seen), seen.microsecond, guild_id, unix(seen)),
            )
        await self.db.publish(TOPIC, key_of(guild_id, user_id))  # no process may answer from the profile any more
        return touched
