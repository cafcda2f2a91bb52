"""One member's mentoring data (mentor record, requests, offers): export and forget."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.database import Database
from bot.member_data import export_rows
from bot.times import unix


@dataclass
class MentoringForgotten:
    """What a forget changed that other members must hear about (none of it names the forgotten member)."""

    rows: int = 0
    mentees_left: list[tuple[int, int]] = field(default_factory=list)  # (request id, mentee) whose mentor went
    requeued: list[int] = field(default_factory=list)  # requests whose open offer to the forgotten mentor went
    mentors_freed: list[tuple[int, int]] = field(default_factory=list)  # (request id, mentor) of the member's match
    offers_withdrawn: list[tuple[int, int]] = field(default_factory=list)  # (mentor, DM message) asking for them


class MentoringMemberData:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def export(self, guild_id: int, user_id: int) -> dict[str, Any]:
        """Their mentor record and their requests; other members are not named (their IDs are theirs)."""
        key = (guild_id, user_id)
        return {
            "mentor": await export_rows(
                self.db,
                "SELECT topics, capacity, bio, status, joined_at, updated_at, last_offered_at FROM mentors"
                " WHERE guild_id = ? AND user_id = ?",
                key,
                ("topics",),
            ),
            "requests": await export_rows(
                self.db,
                "SELECT id, topics, role, status, source, created_at, matched_at, ended_at FROM mentor_requests"
                " WHERE guild_id = ? AND mentee_id = ? ORDER BY id",
                key,
                ("topics",),
            ),
            "mentorships_given": await export_rows(
                self.db,
                "SELECT id, status, matched_at, ended_at FROM mentor_requests WHERE guild_id = ? AND mentor_id = ?"
                " ORDER BY id",
                key,
            ),
            "offers_received": await export_rows(
                self.db,
                "SELECT id, request_id, status, offered_at, due_at, answered_at FROM mentor_offers"
                " WHERE guild_id = ? AND mentor_id = ? ORDER BY id",
                key,
            ),
        }

    async def forget(self, guild_id: int, user_id: int, now: datetime) -> MentoringForgotten:
        """In one transaction: end their mentorships as a mentor (mentees told afterwards), put requests waiting on
        their answer back in the queue, delete their offers, their requests (and the offers made for them) and
        their mentor record. Other mentees' histories stay, without the mentor's ID."""
        done = MentoringForgotten()
        at = unix(now)
        async with self.db.transaction() as tx:
            result = await tx.execute(
                "UPDATE mentor_requests SET status = 'ended', ended_at = ?, mentor_id = NULL"
                " WHERE guild_id = ? AND mentor_id = ? AND status = 'matched' RETURNING id, mentee_id",
                (at, guild_id, user_id),
            )
            done.mentees_left = [(row["id"], row["mentee_id"]) for row in result.rows]
            done.rows += result.rowcount
            result = await tx.execute(
                "UPDATE mentor_requests SET status = 'waiting' WHERE status = 'offered' AND id IN"
                " (SELECT request_id FROM mentor_offers WHERE guild_id = ? AND mentor_id = ? AND status = 'open')"
                " RETURNING id",
                (guild_id, user_id),
            )
            done.requeued = [row["id"] for row in result.rows]
            done.rows += (await tx.execute(
                "UPDATE mentor_requests SET mentor_id = NULL WHERE guild_id = ? AND mentor_id = ?", (guild_id, user_id)
            )).rowcount
            done.rows += (await tx.execute(
                "DELETE FROM mentor_offers WHERE guild_id = ? AND mentor_id = ?", (guild_id, user_id)
            )).rowcount
            # As a mentee: the mentor of a match gets the place back; an offer DM that names them is closed.
            matched = await tx.fetch(
                "SELECT id, mentor_id FROM mentor_requests WHERE guild_id = ? AND mentee_id = ? AND status = 'matched'"
                " AND mentor_id IS NOT NULL",
                (guild_id, user_id),
            )
            done.mentors_freed = [(row["id"], row["mentor_id"]) for row in matched]
            offers = await tx.fetch(
                "SELECT o.mentor_id, o.message_id FROM mentor_offers o JOIN mentor_requests r ON r.id = o.request_id"
                " WHERE r.guild_id = ? AND r.mentee_id = ? AND o.status = 'open' AND o.message_id IS NOT NULL",
                (guild_id, user_id),
            )
            done.offers_withdrawn = [(row["mentor_id"], row["message_id"]) for row in offers]
            done.rows += (await tx.execute(
                "DELETE FROM mentor_offers WHERE request_id IN"
                " (SELECT id FROM mentor_requests WHERE guild_id = ? AND mentee_id = ?)",
                (guild_id, user_id),
            )).rowcount
            done.rows += (await tx.execute(
                "DELETE FROM mentor_requests WHERE guild_id = ? AND mentee_id = ?", (guild_id, user_id)
            )).rowcount
            done.rows += (await tx.execute(
                "DELETE FROM mentors WHERE guild_id = ? AND user_id = ?", (guild_id, user_id)
            )).rowcount
        return done
