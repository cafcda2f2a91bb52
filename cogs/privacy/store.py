"""Privacy's SQL: members who left and when their data is due to be forgotten."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.database import Database
from bot.times import unix, utc


class DepartureStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def left(self, guild_id: int, user_id: int, now: datetime, keep: timedelta) -> datetime:
        due = now + keep
        await self.db.execute(
            "INSERT INTO privacy_departures (guild_id, user_id, left_at, due_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (guild_id, user_id) DO UPDATE SET left_at = excluded.left_at, due_at = excluded.due_at",
            (guild_id, user_id, unix(now), unix(due)),
        )
        return due

    async def returned(self, guild_id: int, user_id: int) -> None:
        await self.db.execute("DELETE FROM privacy_departures WHERE guild_id = ? AND user_id = ?", (guild_id, user_id))

    async def next_due(self) -> datetime | None:
        value = await self.db.fetchval("SELECT MIN(due_at) FROM privacy_departures")
        return None if value is None else utc(value)

    async def due(self, now: datetime, limit: int = 100) -> list[tuple[int, int]]:
        rows = await self.db.fetch(
            "SELECT guild_id, user_id FROM privacy_departures WHERE due_at <= ? ORDER BY due_at LIMIT ?",
            (unix(now), limit),
        )
        return [(row["guild_id"], row["user_id"]) for row in rows]

    async def postpone(self, guild_id: int, user_id: int, until: datetime) -> None:
        await self.db.execute(
            "UPDATE privacy_departures SET due_at = ? WHERE guild_id = ? AND user_id = ?",
            (unix(until), guild_id, user_id),
        )

    async def export(self, guild_id: int, user_id: int) -> list[dict[str, int]]:
        rows = await self.db.fetch(
            "SELECT left_at, due_at FROM privacy_departures WHERE guild_id = ? AND user_id = ?", (guild_id, user_id)
        )
        return [{"left_at": row["left_at"], "forget_at": row["due_at"]} for row in rows]

    async def forget(self, guild_id: int, user_id: int) -> int:
        result = await self.db.execute(
            "DELETE FROM privacy_departures WHERE guild_id = ? AND user_id = ?", (guild_id, user_id)
        )
        return result.rowcount
