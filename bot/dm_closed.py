"""The one memory of "this member's DMs are closed to the bot" (Discord 403, code 50007), shared by every feature.

A DM to such a member fails and counts toward Discord's invalid-request ban, so whichever feature notices it first
records it here and every feature then uses its channel fallback instead of DMing. Kept per user: the bot has one DM
channel with a member, whichever server the DM is about. Cleared only when the member says their DMs are open again
(for example `/event reminders on`), which makes every feature try DMs again.
"""

from __future__ import annotations

from datetime import datetime

from bot.database import Database
from bot.times import unix


class DmClosedStore:
    """Reads and writes the core `dm_closed` table; one instance lives on the bot as `bot.dm_closed`."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def remember(self, user_id: int, guild_id: int | None, now: datetime) -> bool:
        """Note a refusal; True when this member was not known as closed before (a later one counts a failure)."""
        result = await self.db.execute(
            "INSERT INTO dm_closed (user_id, guild_id, noted_at) VALUES (?, ?, ?)"
            " ON CONFLICT (user_id) DO UPDATE SET noted_at = excluded.noted_at,"
            " failures = dm_closed.failures + 1, guild_id = COALESCE(excluded.guild_id, dm_closed.guild_id)"
            " RETURNING failures",
            (user_id, guild_id, unix(now)),
        )
        return int(result.rows[0][0]) == 1

    async def is_closed(self, user_id: int) -> bool:
        return await self.db.fetchval("SELECT 1 FROM dm_closed WHERE user_id = ?", (user_id,)) is not None

    async def forget(self, user_id: int) -> bool:
        """The member says their DMs are open: every feature may DM them again. True if they were marked."""
        return (await self.db.execute("DELETE FROM dm_closed WHERE user_id = ?", (user_id,))).rowcount == 1

    async def count(self) -> int:
        return int(await self.db.fetchval("SELECT COUNT(*) FROM dm_closed"))
