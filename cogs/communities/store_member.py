"""One member's communities data (their suggestions, entries they added or decided): export and forget."""

from __future__ import annotations

from typing import Any

from bot.database import Database, Statement
from bot.member_data import export_rows, forget_rows


class CommunitiesMemberData:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def export(self, guild_id: int, user_id: int) -> dict[str, Any]:
        key = (guild_id, user_id)
        return {
            "suggestions": await export_rows(
                self.db,
                "SELECT id, name, data, suggested_at, status, decided_at, entry_key FROM community_suggestions"
                " WHERE guild_id = ? AND suggested_by = ? ORDER BY id",
                key,
                ("data",),
            ),
            "entries_added": await export_rows(
                self.db,
                "SELECT key, name, status, created_at FROM community_entries WHERE guild_id = ? AND added_by = ?"
                " ORDER BY key",
                key,
            ),
            "suggestions_decided": await export_rows(
                self.db,
                "SELECT id, status, decided_at FROM community_suggestions WHERE guild_id = ? AND decided_by = ?"
                " ORDER BY id",
                key,
            ),
        }

    async def suggestion_cards(self, guild_id: int, user_id: int) -> list[tuple[int, int]]:
        """(channel, message) of the moderators' log cards of their suggestions: each names them."""
        rows = await self.db.fetch(
            "SELECT channel_id, message_id FROM community_suggestions WHERE guild_id = ? AND suggested_by = ?"
            " AND message_id IS NOT NULL",
            (guild_id, user_id),
        )
        return [(row["channel_id"], row["message_id"]) for row in rows]

    async def forget(self, guild_id: int, user_id: int) -> int:
        """Their suggestions go (an approved one's entry stays in the directory: it is the server's now); entries
        and decisions lose who added or decided them."""
        key = (guild_id, user_id)
        return await forget_rows(self.db, [
            Statement("DELETE FROM community_suggestions WHERE guild_id = ? AND suggested_by = ?", key),
            Statement(
                "UPDATE community_suggestions SET decided_by = NULL WHERE guild_id = ? AND decided_by = ?", key
            ),
            Statement("UPDATE community_entries SET added_by = NULL WHERE guild_id = ? AND added_by = ?", key),
        ])
