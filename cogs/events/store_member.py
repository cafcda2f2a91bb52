"""One member's events data (events they organise, RSVPs, reminder deliveries, DM preference): export and forget."""

from __future__ import annotations

from typing import Any

from bot.database import Database, Statement
from bot.member_data import FORMER_MEMBER, export_rows, forget_rows

# The occurrences of this server's events (RSVPs and deliveries carry no guild of their own).
_GUILD_OCCURRENCES = "SELECT o.id FROM event_occurrences o JOIN events e ON e.id = o.event_id WHERE e.guild_id = ?"
_GUILD_REMINDERS = f"SELECT r.id FROM event_reminders r WHERE r.occurrence_id IN ({_GUILD_OCCURRENCES})"


class EventsMemberData:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def export(self, guild_id: int, user_id: int) -> dict[str, Any]:
        return {
            "events_organised": await export_rows(
                self.db,
                "SELECT id, title, description, location, tz, local_time, duration_s, recurrence, state, created_at,"
                " updated_at FROM events WHERE guild_id = ? AND creator_id = ? ORDER BY id",
                (guild_id, user_id),
            ),
            "rsvps": await export_rows(
                self.db,
                "SELECT e.id AS event_id, e.title, o.seq, o.starts_at, v.status, v.updated_at FROM event_rsvps v"
                " JOIN event_occurrences o ON o.id = v.occurrence_id JOIN events e ON e.id = o.event_id"
                " WHERE e.guild_id = ? AND v.user_id = ? ORDER BY o.starts_at",
                (guild_id, user_id),
            ),
            "reminder_messages": await export_rows(
                self.db,
                f"SELECT d.reminder_id, d.state, d.attempts, d.message_id, d.sent_at FROM event_deliveries d"
                f" WHERE d.user_id = ? AND d.reminder_id IN ({_GUILD_REMINDERS}) ORDER BY d.id",
                (user_id, guild_id),
            ),
            "reminder_dms": await export_rows(
                self.db,
                "SELECT dm_reminders, updated_at FROM event_member_prefs WHERE guild_id = ? AND user_id = ?",
                (guild_id, user_id),
            ),
        }

    async def announced_occurrences(self, guild_id: int, user_id: int) -> set[int]:
        """Upcoming, announced occurrences whose announcement names them (organiser) or counts their RSVP."""
        rows = await self.db.fetch(
            "SELECT o.id FROM event_occurrences o JOIN events e ON e.id = o.event_id WHERE e.guild_id = ?"
            " AND o.state = 'upcoming' AND o.message_id IS NOT NULL AND (e.creator_id = ? OR EXISTS"
            " (SELECT 1 FROM event_rsvps v WHERE v.occurrence_id = o.id AND v.user_id = ?))",
            (guild_id, user_id, user_id),
        )
        return {row[0] for row in rows}

    async def forget(self, guild_id: int, user_id: int) -> int:
        """Their drafts and RSVPs, reminder deliveries (pending or sent) and DM preference go; the events they
        organised stay for the members who RSVPed, organised by "a former member"."""
        return await forget_rows(self.db, [
            Statement(
                "DELETE FROM events WHERE guild_id = ? AND creator_id = ? AND state = 'draft'", (guild_id, user_id)
            ),
            Statement(
                "UPDATE events SET creator_id = ? WHERE guild_id = ? AND creator_id = ?",
                (FORMER_MEMBER, guild_id, user_id),
            ),
            Statement(
                f"DELETE FROM event_rsvps WHERE user_id = ? AND occurrence_id IN ({_GUILD_OCCURRENCES})",
                (user_id, guild_id),
            ),
            Statement(
                f"DELETE FROM event_deliveries WHERE user_id = ? AND reminder_id IN ({_GUILD_REMINDERS})",
                (user_id, guild_id),
            ),
            Statement("DELETE FROM event_member_prefs WHERE guild_id = ? AND user_id = ?", (guild_id, user_id)),
        ])
