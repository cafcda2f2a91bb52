"""Mentoring's SQL: joining, matching with free capacity (enforced in SQL), offers, answers and time-outs."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from bot.database import Database, Dialect, Result, Row, Transaction
from bot.times import unix, utc
from cogs.onboarding.mentors.models import (
    AnswerOutcome,
    AnswerResult,
    Ended,
    Mentor,
    MentoringCounts,
    MentorStatus,
    Offer,
    OpenRequest,
    RequestOutcome,
    RequestResult,
)

_OFFER_SELECT = (
    "SELECT o.id, o.request_id, o.guild_id, o.mentor_id, o.due_at, r.mentee_id, r.topics"
    " FROM mentor_offers o JOIN mentor_requests r ON r.id = o.request_id"
)


def _offer(row: Row) -> Offer:
    return Offer(
        row["id"],
        row["request_id"],
        row["guild_id"],
        row["mentor_id"],
        row["mentee_id"],
        tuple(json.loads(row["topics"])),
        utc(row["due_at"]),
    )


# The places a mentor has taken: active mentees plus offers waiting for an answer. Counted inside the same
# BEGIN IMMEDIATE transaction that inserts an offer, so two requests racing cannot both take the last place.
_TAKEN = (
    "(SELECT COUNT(*) FROM mentor_requests r WHERE r.guild_id = m.guild_id AND r.mentor_id = m.user_id"
    "   AND r.status = 'matched')"
    " + (SELECT COUNT(*) FROM mentor_offers o WHERE o.guild_id = m.guild_id AND o.mentor_id = m.user_id"
    "   AND o.status = 'open')"
)

# Fit: at least one shared topic. Order: same role as the mentee first, then least loaded, then most shared
# topics, then whoever was asked least recently (so offers rotate among equals), then who joined first (the user ID
# orders mentors who joined within the same second, the same way on both engines).
# Parameters: the request's topics (JSON), the mentee's role, guild, mentee, request.
def _candidate_sql(dialect: Dialect) -> str:
    return f"""
SELECT * FROM (
    SELECT m.user_id, m.capacity, {_TAKEN} AS taken,
        (SELECT COUNT(*) FROM {dialect.json_strings("m.topics", "t")}
            WHERE t.value IN (SELECT w.value FROM {dialect.json_strings("?", "w")})) AS overlap,
        CASE WHEN (SELECT p.role FROM onboarding_profiles p WHERE p.guild_id = m.guild_id AND p.user_id = m.user_id)
            = ? THEN 1 ELSE 0 END AS same_role,
        m.last_offered_at, m.joined_at
    FROM mentors m
    WHERE m.guild_id = ? AND m.status = 'active' AND m.user_id != ?
        AND m.user_id NOT IN (SELECT mentor_id FROM mentor_offers WHERE request_id = ?)
) AS candidates
WHERE taken < capacity AND overlap > 0
ORDER BY same_role DESC, taken ASC, overlap DESC, COALESCE(last_offered_at, 0) ASC, joined_at ASC, user_id ASC
LIMIT 1
"""


class MentorStore:
    """Mentoring over SQLite; every change of places happens in one BEGIN IMMEDIATE transaction."""

    def __init__(self, db: Database) -> None:
        self.db = db

    # --- mentors --------------------------------------------------------------------------------------------------

    async def join(
        self, guild_id: int, user_id: int, topics: list[str], capacity: int, bio: str | None, now: datetime
    ) -> Mentor:
        """Become (or update oneself as) an active mentor."""
        if not topics:
            raise ValueError("a mentor needs at least one topic")
        await self.db.execute(
            "INSERT INTO mentors (guild_id, user_id, topics, capacity, bio, status, joined_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, 'active', ?, ?) ON CONFLICT (guild_id, user_id) DO UPDATE SET"
            " topics = excluded.topics, capacity = excluded.capacity, bio = excluded.bio, status = 'active',"
            " updated_at = excluded.updated_at",
            (guild_id, user_id, json.dumps(topics), capacity, bio, unix(now), unix(now)),
        )
        mentor = await self.mentor(guild_id, user_id)
        assert mentor is not None
        return mentor

    async def set_status(self, guild_id: int, user_id: int, status: MentorStatus, now: datetime) -> bool:
        """Pause or resume; False when the member is not a mentor (or has left)."""
        result = await self.db.execute(
            "UPDATE mentors SET status = ?, updated_at = ? WHERE guild_id = ? AND user_id = ? AND status != 'left'",
            (status.value, unix(now), guild_id, user_id),
        )
        return result.rowcount == 1

    async def leave(self, guild_id: int, user_id: int, now: datetime) -> tuple[bool, list[Ended], list[int]]:
        """Stop mentoring: (was a mentor, mentorships ended, ids of the requests whose open offer was withdrawn)."""
        async with self.db.transaction() as tx:
            result = await tx.execute(
                "UPDATE mentors SET status = 'left', updated_at = ? WHERE guild_id = ? AND user_id = ?"
                " AND status != 'left'",
                (unix(now), guild_id, user_id),
            )
            was_mentor = result.rowcount == 1
            ended = await self._end_where(
                tx, "guild_id = ? AND mentor_id = ? AND status = 'matched'", (guild_id, user_id), now
            )
            result = await tx.execute(
                "UPDATE mentor_offers SET status = 'withdrawn', answered_at = ? WHERE guild_id = ? AND mentor_id = ?"
                " AND status = 'open' RETURNING request_id",
                (unix(now), guild_id, user_id),
            )
            requeued = [row["request_id"] for row in result.rows]
            for request_id in requeued:
                await tx.execute(
                    "UPDATE mentor_requests SET status = 'waiting' WHERE id = ? AND status = 'offered'", (request_id,)
                )
        return was_mentor, ended, requeued

    async def mentor(self, guild_id: int, user_id: int) -> Mentor | None:
        rows = await self._mentors("m.guild_id = ? AND m.user_id = ?", (guild_id, user_id))
        return rows[0] if rows else None

    async def list_mentors(self, guild_id: int, topic: str | None = None) -> list[Mentor]:
        """Active and paused mentors, those with free places first."""
        if topic is None:
            mentors = await self._mentors("m.guild_id = ? AND m.status != 'left'", (guild_id,))
        else:
            topics = self.db.dialect.json_strings("m.topics", "t")
            mentors = await self._mentors(
                f"m.guild_id = ? AND m.status != 'left' AND EXISTS (SELECT 1 FROM {topics} WHERE t.value = ?)",
                (guild_id, topic),
            )
        return sorted(mentors, key=lambda m: (m.status is not MentorStatus.ACTIVE, m.free == 0, -m.free, m.user_id))

    async def has_available_mentor(self, guild_id: int) -> bool:
        """Whether anyone could take a mentee now (decides whether onboarding asks)."""
        return bool(
            await self.db.fetchval(
                f"SELECT 1 FROM mentors m WHERE m.guild_id = ? AND m.status = 'active' AND {_TAKEN} < m.capacity"
                " LIMIT 1",
                (guild_id,),
            )
        )

    async def _mentors(self, where: str, params: tuple[Any, ...]) -> list[Mentor]:
        rows = await self.db.fetch(
            "SELECT m.*, (SELECT COUNT(*) FROM mentor_requests r WHERE r.guild_id = m.guild_id"
            " AND r.mentor_id = m.user_id AND r.status = 'matched') AS mentees,"
            " (SELECT COUNT(*) FROM mentor_offers o WHERE o.guild_id = m.guild_id AND o.mentor_id = m.user_id"
            f" AND o.status = 'open') AS open_offers FROM mentors m WHERE {where}",
            params,
        )
        return [
            Mentor(
                r["guild_id"],
                r["user_id"],
                tuple(json.loads(r["topics"])),
                r["capacity"],
                r["bio"],
                MentorStatus(r["status"]),
                r["mentees"],
                r["open_offers"],
            )
            for r in rows
        ]

    # --- requests and offers --------------------------------------------------------------------------------------

    async def request(
        self,
        guild_id: int,
        mentee_id: int,
        topics: list[str],
        role: str | None,
        source: str,
        now: datetime,
        answer_window: timedelta,
    ) -> RequestResult:
        """Ask for a mentor: creates the request and offers it to the best fitting mentor with a free place."""
        if not topics:
            raise ValueError("a request needs at least one topic")
        async with self.db.transaction() as tx:
            result = await tx.execute(
                "SELECT r.id, r.status, r.mentor_id, (SELECT o.mentor_id FROM mentor_offers o WHERE o.request_id = r.id"
                " AND o.status = 'open') AS asked FROM mentor_requests r WHERE r.guild_id = ? AND r.mentee_id = ?"
                " AND r.status IN ('waiting', 'offered', 'matched')",
                (guild_id, mentee_id),
            )
            existing = _first(result)
            if existing is not None:
                if existing["status"] == "matched":
                    return RequestResult(
                        RequestOutcome.ALREADY_MATCHED, existing["id"], mentor_id=existing["mentor_id"]
                    )
                return RequestResult(RequestOutcome.ALREADY_OPEN, existing["id"], mentor_id=existing["asked"])
            result = await tx.execute(
                "INSERT INTO mentor_requests (guild_id, mentee_id, topics, role, status, source, created_at)"
                " VALUES (?, ?, ?, ?, 'waiting', ?, ?) RETURNING id",
                (guild_id, mentee_id, json.dumps(topics), role, source, unix(now)),
            )
            request_id = int(_one(result)["id"])
            offer = await self._offer_next(tx, request_id, now, answer_window)
        if offer is None:
            return RequestResult(RequestOutcome.WAITING, request_id)
        return RequestResult(RequestOutcome.OFFERED, request_id, offer)

    async def _offer_next(
        self, tx: Transaction, request_id: int, now: datetime, answer_window: timedelta
    ) -> Offer | None:
        """Inside a transaction: offer a waiting request to the next fitting mentor, if any."""
        result = await tx.execute("SELECT * FROM mentor_requests WHERE id = ? AND status = 'waiting'", (request_id,))
        request = _first(result)
        if request is None:
            return None
        result = await tx.execute(
            _candidate_sql(self.db.dialect),
            (request["topics"], request["role"], request["guild_id"], request["mentee_id"], request_id),
        )
        candidate = _first(result)
        if candidate is None:
            return None
        due = utc(unix(now + answer_window))  # as stored: whole seconds
        result = await tx.execute(
            "INSERT INTO mentor_offers (request_id, guild_id, mentor_id, status, offered_at, due_at)"
            " VALUES (?, ?, ?, 'open', ?, ?) RETURNING id",
            (request_id, request["guild_id"], candidate["user_id"], unix(now), unix(due)),
        )
        offer_id = int(_one(result)["id"])
        await tx.execute("UPDATE mentor_requests SET status = 'offered' WHERE id = ?", (request_id,))
        await tx.execute(
            "UPDATE mentors SET last_offered_at = ? WHERE guild_id = ? AND user_id = ?",
            (unix(now), request["guild_id"], candidate["user_id"]),
        )
        return Offer(
            offer_id,
            request_id,
            request["guild_id"],
            candidate["user_id"],
            request["mentee_id"],
            tuple(json.loads(request["topics"])),
            due,
        )

    async def offer_next(self, request_id: int, now: datetime, answer_window: timedelta) -> Offer | None:
        async with self.db.transaction() as tx:
            return await self._offer_next(tx, request_id, now, answer_window)

    async def rematch_waiting(self, guild_id: int, now: datetime, answer_window: timedelta) -> list[Offer]:
        """Offer waiting requests (oldest first) now that a place may have opened."""
        ids = [
            row["id"]
            for row in await self.db.fetch(
                "SELECT id FROM mentor_requests WHERE guild_id = ? AND status = 'waiting'"
                " ORDER BY created_at, id LIMIT 50",
                (guild_id,),
            )
        ]
        offers = []
        for request_id in ids:
            offer = await self.offer_next(request_id, now, answer_window)
            if offer is not None:
                offers.append(offer)
        return offers

    async def offer(self, offer_id: int) -> Offer | None:
        row = await self.db.fetchrow(f"{_OFFER_SELECT} WHERE o.id = ?", (offer_id,))
        return None if row is None else _offer(row)

    async def offer_message(self, offer_id: int) -> int | None:
        """The id of the DM that asked the mentor, once Discord accepted it."""
        message_id = await self.db.fetchval("SELECT message_id FROM mentor_offers WHERE id = ?", (offer_id,))
        return None if message_id is None else int(message_id)

    async def offer_delivered(self, offer_id: int, message_id: int) -> None:
        await self.db.execute("UPDATE mentor_offers SET message_id = ? WHERE id = ?", (message_id, offer_id))

    async def undelivered_offers(self) -> list[Offer]:
        """Open offers whose DM Discord never confirmed (the bot stopped in between): sent again at start."""
        rows = await self.db.fetch(f"{_OFFER_SELECT} WHERE o.status = 'open' AND o.message_id IS NULL")
        return [_offer(row) for row in rows]

    async def answer(
        self, offer_id: int, mentor_id: int, accept: bool, now: datetime, answer_window: timedelta
    ) -> AnswerResult:
        """A mentor accepts or declines; a decline (or a full mentor) moves the request to the next mentor."""
        async with self.db.transaction() as tx:
            result = await tx.execute(f"{_OFFER_SELECT} WHERE o.id = ?", (offer_id,))
            row = _first(result)
            if row is None:
                return AnswerResult(AnswerOutcome.NOT_OPEN)
            offer = _offer(row)
            if offer.mentor_id != mentor_id:
                return AnswerResult(AnswerOutcome.NOT_YOURS, offer)
            result = await tx.execute("SELECT status FROM mentor_offers WHERE id = ?", (offer_id,))
            if _one(result)["status"] != "open":
                return AnswerResult(AnswerOutcome.NOT_OPEN, offer)
            if accept:
                result = await tx.execute(
                    "SELECT m.capacity, (SELECT COUNT(*) FROM mentor_requests r WHERE r.guild_id = m.guild_id"
                    " AND r.mentor_id = m.user_id AND r.status = 'matched') AS mentees FROM mentors m"
                    " WHERE m.guild_id = ? AND m.user_id = ?",
                    (offer.guild_id, mentor_id),
                )
                mentor = _first(result)
                if mentor is not None and mentor["mentees"] < mentor["capacity"]:
                    await tx.execute(
                        "UPDATE mentor_offers SET status = 'accepted', answered_at = ? WHERE id = ?",
                        (unix(now), offer_id),
                    )
                    await tx.execute(
                        "UPDATE mentor_requests SET status = 'matched', mentor_id = ?, matched_at = ? WHERE id = ?",
                        (mentor_id, unix(now), offer.request_id),
                    )
                    await tx.execute(
                        "INSERT INTO onboarding_events (guild_id, user_id, event, at)"
                        " VALUES (?, ?, 'mentor_matched', ?)",
                        (offer.guild_id, offer.mentee_id, unix(now)),
                    )
                    return AnswerResult(AnswerOutcome.ACCEPTED, offer)
            outcome = AnswerOutcome.FULL if accept else AnswerOutcome.DECLINED
            await tx.execute(
                "UPDATE mentor_offers SET status = 'declined', answered_at = ? WHERE id = ?", (unix(now), offer_id)
            )
            await tx.execute(
                "UPDATE mentor_requests SET status = 'waiting' WHERE id = ? AND status = 'offered'", (offer.request_id,)
            )
            next_offer = await self._offer_next(tx, offer.request_id, now, answer_window)
        return AnswerResult(outcome, offer, next_offer)

    async def undeliverable(self, offer_id: int, now: datetime, answer_window: timedelta) -> Offer | None:
        """The mentor cannot be reached (DMs closed): pause them and move the request on."""
        async with self.db.transaction() as tx:
            result = await tx.execute(
                "UPDATE mentor_offers SET status = 'undeliverable', answered_at = ? WHERE id = ? AND status = 'open'"
                " RETURNING request_id, guild_id, mentor_id",
                (unix(now), offer_id),
            )
            row = _first(result)
            if row is None:
                return None
            await tx.execute(
                "UPDATE mentors SET status = 'paused', updated_at = ? WHERE guild_id = ? AND user_id = ?"
                " AND status = 'active'",
                (unix(now), row["guild_id"], row["mentor_id"]),
            )
            await tx.execute(
                "UPDATE mentor_requests SET status = 'waiting' WHERE id = ? AND status = 'offered'",
                (row["request_id"],),
            )
            return await self._offer_next(tx, row["request_id"], now, answer_window)

    async def next_offer_due(self) -> datetime | None:
        seconds = await self.db.fetchval("SELECT MIN(due_at) FROM mentor_offers WHERE status = 'open'")
        return None if seconds is None else utc(seconds)

    async def expire_due(self, now: datetime, limit: int = 100) -> list[Offer]:
        """Offers past their answer window count as declined; their requests wait for the next mentor."""
        rows = await self.db.fetch(
            f"{_OFFER_SELECT} WHERE o.status = 'open' AND o.due_at <= ? ORDER BY o.due_at LIMIT ?", (unix(now), limit)
        )
        expired = []
        for row in rows:
            offer = _offer(row)
            async with self.db.transaction() as tx:
                result = await tx.execute(
                    "UPDATE mentor_offers SET status = 'expired', answered_at = ? WHERE id = ? AND status = 'open'",
                    (unix(now), offer.id),
                )
                if result.rowcount != 1:
                    continue  # answered meanwhile
                await tx.execute(
                    "UPDATE mentor_requests SET status = 'waiting' WHERE id = ? AND status = 'offered'",
                    (offer.request_id,),
                )
            expired.append(offer)
        return expired

    async def open_request(self, guild_id: int, mentee_id: int) -> OpenRequest | None:
        row = await self.db.fetchrow(
            "SELECT r.id, r.status, r.mentor_id, (SELECT o.mentor_id FROM mentor_offers o WHERE o.request_id = r.id"
            " AND o.status = 'open') AS asked FROM mentor_requests r WHERE r.guild_id = ? AND r.mentee_id = ?"
            " AND r.status IN ('waiting', 'offered', 'matched')",
            (guild_id, mentee_id),
        )
        return None if row is None else OpenRequest(row["id"], row["status"], row["mentor_id"], row["asked"])

    async def end_for_mentee(self, guild_id: int, mentee_id: int, now: datetime) -> Ended | None:
        """The mentee ends their mentorship, or cancels the request still looking for a mentor."""
        async with self.db.transaction() as tx:
            ended = await self._end_where(
                tx,
                "guild_id = ? AND mentee_id = ? AND status IN ('waiting', 'offered', 'matched')",
                (guild_id, mentee_id),
                now,
            )
        return ended[0] if ended else None

    async def end_for_mentor(self, guild_id: int, mentor_id: int, mentee_id: int, now: datetime) -> Ended | None:
        async with self.db.transaction() as tx:
            ended = await self._end_where(
                tx,
                "guild_id = ? AND mentor_id = ? AND mentee_id = ? AND status = 'matched'",
                (guild_id, mentor_id, mentee_id),
                now,
            )
        return ended[0] if ended else None

    async def _end_where(
        self, tx: Transaction, where: str, params: tuple[Any, ...], now: datetime
    ) -> list[Ended]:
        result = await tx.execute(
            f"UPDATE mentor_requests SET status = CASE status WHEN 'matched' THEN 'ended' ELSE 'cancelled' END,"
            f" ended_at = ? WHERE {where} RETURNING id, guild_id, mentee_id, mentor_id",
            (unix(now), *params),
        )
        rows = result.rows
        for row in rows:
            await tx.execute(
                "UPDATE mentor_offers SET status = 'withdrawn', answered_at = ? WHERE request_id = ?"
                " AND status = 'open'",
                (unix(now), row["id"]),
            )
        return [Ended(row["id"], row["guild_id"], row["mentee_id"], row["mentor_id"]) for row in rows]

    async def counts(self) -> dict[str, int]:
        """For /about."""
        row = await self.db.fetchrow(
            "SELECT (SELECT COUNT(*) FROM mentors WHERE status != 'left') AS mentors,"
            " (SELECT COUNT(*) FROM mentor_requests WHERE status = 'matched') AS mentorships"
        )
        return {} if row is None else {"mentors": row["mentors"], "active mentorships": row["mentorships"]}

    async def stats(self, guild_id: int) -> MentoringCounts:
        """The mentoring part of /onboarding stats, as things stand now."""
        row = await self.db.fetchrow(
            "SELECT (SELECT COUNT(*) FROM mentors WHERE guild_id = ? AND status = 'active') AS active,"
            " (SELECT COUNT(*) FROM mentor_requests WHERE guild_id = ? AND status IN ('waiting', 'offered'))"
            " AS waiting",
            (guild_id, guild_id),
        )
        return MentoringCounts(0, 0) if row is None else MentoringCounts(row["active"], row["waiting"])


def _first(result: Result) -> Row | None:
    return result.rows[0] if result.rows else None


def _one(result: Result) -> Row:
    """The row a statement that always yields one (an INSERT ... RETURNING, a row locked by the transaction)."""
    if not result.rows:
        raise RuntimeError("the statement returned no row")
    return result.rows[0]
