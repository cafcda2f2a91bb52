"""SQL for onboarding: profiles, the welcome of each join, reminders and the stats log (closed DMs: bot/dm_closed)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from bot.database import Database, Row
from bot.dm_closed import DmClosedStore
from cogs.onboarding.flow import Step


def iso(when: datetime) -> str:
    """An instant as stored: ISO-8601 in UTC, to the microsecond (so text order is time order)."""
    if when.tzinfo is None:
        raise ValueError("naive datetime")
    return when.astimezone(UTC).isoformat(timespec="microseconds")


def parse(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


class WelcomeState(StrEnum):
    """Where the welcome of a member's latest join stands."""

    SCREENING = "screening"  # waiting for Discord's membership screening (pending member)
    PENDING = "pending"  # queued; no DM attempted for this join yet
    SENDING = "sending"  # a DM attempt is (or was, before a crash) in flight
    SENT = "sent"  # Discord accepted the DM
    FALLBACK = "fallback"  # DMs closed; waiting for the welcome-channel post
    DM_CLOSED = "dm_closed"  # DMs closed; greeted in the welcome channel
    LEFT = "left"  # left before being welcomed
    FAILED = "failed"  # gave up after repeated errors (logged)


class WelcomeKind(StrEnum):
    WELCOME = "welcome"
    WELCOME_BACK = "welcome_back"


# The columns an answer may set (apply_answer/skip_answer only produce these; the whitelist keeps SQL static).
_ANSWER_COLUMNS = ("role", "level", "interests", "region", "timezone", "wants_mentor")


@dataclass(frozen=True)
class Welcome:
    """One row of onboarding_welcomes."""

    guild_id: int
    user_id: int
    join_seq: int
    kind: WelcomeKind
    state: WelcomeState
    attempts: int
    queued_at: str

    @classmethod
    def from_row(cls, row: Row) -> Welcome:
        return cls(
            row["guild_id"],
            row["user_id"],
            row["join_seq"],
            WelcomeKind(row["kind"]),
            WelcomeState(row["state"]),
            row["attempts"],
            row["queued_at"],
        )


class OnboardingStore:
    """Every onboarding statement, against the shared Database."""

    def __init__(self, db: Database, dm_memory: DmClosedStore | None = None) -> None:
        self.db = db
        # The bot's one memory of closed DMs (bot.dm_closed); a store of its own over the same file in store tests.
        self.dm_memory = dm_memory or DmClosedStore(db)

    async def _returning(self, sql: str, params: tuple[Any, ...]) -> list[Row]:
        # RETURNING needs the statement stepped to its end inside a transaction before the commit.
        async with self.db.transaction() as tx:
            cursor = await tx.execute(sql, params)
            return list(await cursor.fetchall())

    # --- profiles -------------------------------------------------------------------------------------------------

    async def profile(self, guild_id: int, user_id: int) -> Row | None:
        return await self.db.fetchone(
            "SELECT * FROM onboarding_profiles WHERE guild_id = ? AND user_id = ?", (guild_id, user_id)
        )

    async def ensure_profile(self, guild_id: int, user_id: int, now: datetime) -> Row:
        """The member's profile, created (no answers yet) when the first question is shown."""
        await self.db.execute(
            "INSERT OR IGNORE INTO onboarding_profiles (guild_id, user_id, created_at, updated_at) VALUES (?, ?, ?, ?)",
            (guild_id, user_id, iso(now), iso(now)),
        )
        row = await self.profile(guild_id, user_id)
        assert row is not None
        return row

    async def save_answer(
        self, guild_id: int, user_id: int, updates: dict[str, Any], step: Step, now: datetime, reminder_after: timedelta
    ) -> bool:
        """Store answers and the next step; the first answer starts the member (and schedules the reminder)."""
        unknown = set(updates) - set(_ANSWER_COLUMNS)
        if unknown:
            raise ValueError(f"not answer columns: {sorted(unknown)}")
        assignments = "".join(f", {column} = ?" for column in updates)
        async with self.db.transaction() as tx:
            await tx.execute(
                "INSERT OR IGNORE INTO onboarding_profiles (guild_id, user_id, created_at, updated_at)"
                " VALUES (?, ?, ?, ?)",
                (guild_id, user_id, iso(now), iso(now)),
            )
            cursor = await tx.execute(
                "UPDATE onboarding_profiles SET status = 'started', started_at = ? WHERE guild_id = ? AND user_id = ?"
                " AND status = 'new'",
                (iso(now), guild_id, user_id),
            )
            first = cursor.rowcount == 1
            await tx.execute(
                f"UPDATE onboarding_profiles SET step = ?, updated_at = ?{assignments}"
                " WHERE guild_id = ? AND user_id = ?",
                (step.value, iso(now), *updates.values(), guild_id, user_id),
            )
            if first:
                await tx.execute(
                    "INSERT INTO onboarding_events (guild_id, user_id, event, at) VALUES (?, ?, 'started', ?)",
                    (guild_id, user_id, iso(now)),
                )
                await tx.execute(
                    "INSERT OR IGNORE INTO onboarding_reminders (guild_id, user_id, due_at) VALUES (?, ?, ?)",
                    (guild_id, user_id, iso(now + reminder_after)),
                )
        return first

    async def set_step(self, guild_id: int, user_id: int, step: Step, now: datetime) -> None:
        await self.db.execute(
            "UPDATE onboarding_profiles SET step = ?, updated_at = ? WHERE guild_id = ? AND user_id = ?",
            (step.value, iso(now), guild_id, user_id),
        )

    async def finish(self, guild_id: int, user_id: int, now: datetime) -> bool:
        """Mark every question answered; True the first time (which is what the stats count)."""
        async with self.db.transaction() as tx:
            cursor = await tx.execute(
                "UPDATE onboarding_profiles SET finished_at = ? WHERE guild_id = ? AND user_id = ?"
                " AND finished_at IS NULL",
                (iso(now), guild_id, user_id),
            )
            first = cursor.rowcount == 1
            await tx.execute(
                "UPDATE onboarding_profiles SET status = 'finished', step = 'done', updated_at = ?"
                " WHERE guild_id = ? AND user_id = ?",
                (iso(now), guild_id, user_id),
            )
            await tx.execute(
                "UPDATE onboarding_reminders SET state = 'cancelled', done_at = ? WHERE guild_id = ? AND user_id = ?"
                " AND state = 'due'",
                (iso(now), guild_id, user_id),
            )
            if first:
                await tx.execute(
                    "INSERT INTO onboarding_events (guild_id, user_id, event, at) VALUES (?, ?, 'finished', ?)",
                    (guild_id, user_id, iso(now)),
                )
        return first

    async def set_given_roles(self, guild_id: int, user_id: int, role_ids: list[int]) -> None:
        await self.db.execute(
            "UPDATE onboarding_profiles SET given_roles = ? WHERE guild_id = ? AND user_id = ?",
            (json.dumps(sorted(set(role_ids))), guild_id, user_id),
        )

    # --- welcomes -------------------------------------------------------------------------------------------------

    async def record_join(
        self, guild_id: int, user_id: int, joined_at: datetime, *, screening: bool, now: datetime
    ) -> Welcome | None:
        """Write the welcome of a join before anything is sent; None when this join was already recorded."""
        async with self.db.transaction() as tx:
            cursor = await tx.execute(
                "SELECT joined_at, join_seq FROM onboarding_welcomes WHERE guild_id = ? AND user_id = ?",
                (guild_id, user_id),
            )
            existing = await cursor.fetchone()
            if existing is not None and existing["joined_at"] == iso(joined_at):
                return None  # the same join delivered twice (for example a replayed event)
            cursor = await tx.execute(
                "SELECT status FROM onboarding_profiles WHERE guild_id = ? AND user_id = ?", (guild_id, user_id)
            )
            profile = await cursor.fetchone()
            kind = WelcomeKind.WELCOME_BACK if profile and profile["status"] == "finished" else WelcomeKind.WELCOME
            state = WelcomeState.SCREENING if screening else WelcomeState.PENDING
            seq = 1 if existing is None else existing["join_seq"] + 1
            await tx.execute(
                "INSERT INTO onboarding_welcomes (guild_id, user_id, join_seq, joined_at, kind, state, attempts,"
                " message_id, last_error, queued_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 0, NULL, NULL, ?, ?)"
                " ON CONFLICT (guild_id, user_id) DO UPDATE SET join_seq = excluded.join_seq,"
                " joined_at = excluded.joined_at, kind = excluded.kind, state = excluded.state, attempts = 0,"
                " message_id = NULL, last_error = NULL, queued_at = excluded.queued_at,"
                " updated_at = excluded.updated_at",
                (guild_id, user_id, seq, iso(joined_at), kind.value, state.value, iso(now), iso(now)),
            )
            await tx.execute(
                "INSERT INTO onboarding_events (guild_id, user_id, event, at) VALUES (?, ?, ?, ?)",
                (guild_id, user_id, "joined" if existing is None else "rejoined", iso(now)),
            )
        return Welcome(guild_id, user_id, seq, kind, state, 0, iso(now))

    async def welcome(self, guild_id: int, user_id: int) -> Welcome | None:
        row = await self.db.fetchone(
            "SELECT * FROM onboarding_welcomes WHERE guild_id = ? AND user_id = ?", (guild_id, user_id)
        )
        return None if row is None else Welcome.from_row(row)

    async def screening_passed(self, guild_id: int, user_id: int, now: datetime) -> bool:
        """A member passed membership screening: their welcome is now due."""
        cursor = await self.db.execute(
            "UPDATE onboarding_welcomes SET state = 'pending', queued_at = ?, updated_at = ?"
            " WHERE guild_id = ? AND user_id = ? AND state = 'screening'",
            (iso(now), iso(now), guild_id, user_id),
        )
        return cursor.rowcount == 1

    async def claim_welcome(self, guild_id: int, user_id: int, now: datetime) -> Welcome | None:
        """pending -> sending before the DM; None when another attempt or a finished one got there first."""
        rows = await self._returning(
            "UPDATE onboarding_welcomes SET state = 'sending', attempts = attempts + 1, updated_at = ?"
            " WHERE guild_id = ? AND user_id = ? AND state = 'pending' RETURNING *",
            (iso(now), guild_id, user_id),
        )
        return Welcome.from_row(rows[0]) if rows else None

    async def set_welcome_state(
        self,
        guild_id: int,
        user_id: int,
        state: WelcomeState,
        now: datetime,
        *,
        only_from: tuple[WelcomeState, ...] = (WelcomeState.SENDING,),
        message_id: int | None = None,
        error: str | None = None,
    ) -> bool:
        """Move a welcome on, only from the states given (so a late worker cannot undo a newer join)."""
        marks = ",".join("?" * len(only_from))
        async with self.db.transaction() as tx:
            cursor = await tx.execute(
                "UPDATE onboarding_welcomes SET state = ?, updated_at = ?, message_id = COALESCE(?, message_id),"
                f" last_error = ? WHERE guild_id = ? AND user_id = ? AND state IN ({marks})",
                (state.value, iso(now), message_id, error, guild_id, user_id, *(s.value for s in only_from)),
            )
            moved = cursor.rowcount == 1
            if moved and state is WelcomeState.SENT:
                await tx.execute(
                    "INSERT INTO onboarding_events (guild_id, user_id, event, at) VALUES (?, ?, 'welcomed', ?)",
                    (guild_id, user_id, iso(now)),
                )
        return moved

    async def open_welcomes(self, states: tuple[WelcomeState, ...], limit: int) -> list[Welcome]:
        """Welcomes still to deliver, oldest join first (the rebuild after a restart)."""
        marks = ",".join("?" * len(states))
        rows = await self.db.fetchall(
            f"SELECT * FROM onboarding_welcomes WHERE state IN ({marks}) ORDER BY queued_at LIMIT ?",
            (*(s.value for s in states), limit),
        )
        return [Welcome.from_row(row) for row in rows]

    async def record_leave(self, guild_id: int, user_id: int, now: datetime) -> None:
        await self.db.execute(
            "UPDATE onboarding_welcomes SET state = 'left', updated_at = ? WHERE guild_id = ? AND user_id = ?"
            " AND state IN ('screening', 'pending', 'sending', 'fallback')",
            (iso(now), guild_id, user_id),
        )

    # --- closed DMs -----------------------------------------------------------------------------------------------

    async def record_dm_closed(self, guild_id: int, user_id: int, now: datetime) -> bool:
        """Remember in the bot's shared memory that this member's DMs are closed; True the first time.

        The first time, onboarding also logs its own 'dm_closed' event for /onboarding stats.
        """
        first = await self.dm_memory.remember(user_id, guild_id, now)
        if first:
            await self.db.execute(
                "INSERT INTO onboarding_events (guild_id, user_id, event, at) VALUES (?, ?, 'dm_closed', ?)",
                (guild_id, user_id, iso(now)),
            )
        return first

    async def dm_closed(self, guild_id: int, user_id: int) -> bool:
        """Closed to the bot, whichever feature noticed it in whichever server (one DM channel per member)."""
        return await self.dm_memory.is_closed(user_id)

    # --- reminders ------------------------------------------------------------------------------------------------

    async def next_reminder_due(self) -> datetime | None:
        text = await self.db.fetchval("SELECT MIN(due_at) FROM onboarding_reminders WHERE state = 'due'")
        return None if text is None else parse(text)

    async def due_reminders(self, now: datetime, limit: int = 100) -> list[Row]:
        return await self.db.fetchall(
            "SELECT guild_id, user_id FROM onboarding_reminders WHERE state = 'due' AND due_at <= ?"
            " ORDER BY due_at LIMIT ?",
            (iso(now), limit),
        )

    async def interrupted_reminders(self) -> list[Row]:
        """Reminders whose send was in flight when the bot stopped."""
        return await self.db.fetchall(
            "SELECT guild_id, user_id, done_at FROM onboarding_reminders WHERE state = 'sending'"
        )

    async def claim_reminder(self, guild_id: int, user_id: int, now: datetime) -> bool:
        cursor = await self.db.execute(
            "UPDATE onboarding_reminders SET state = 'sending', done_at = ? WHERE guild_id = ? AND user_id = ?"
            " AND state = 'due'",
            (iso(now), guild_id, user_id),
        )
        return cursor.rowcount == 1

    async def close_reminder(self, guild_id: int, user_id: int, state: str, now: datetime) -> None:
        """sending -> sent (Discord accepted it) or skipped (finished meanwhile, left, DMs closed)."""
        await self.db.execute(
            "UPDATE onboarding_reminders SET state = ?, done_at = ? WHERE guild_id = ? AND user_id = ?"
            " AND state IN ('due', 'sending')",
            (state, iso(now), guild_id, user_id),
        )

    async def retry_reminder(self, guild_id: int, user_id: int, due: datetime) -> None:
        """Due again (a failed send, or one cut off by a stop that Discord never got)."""
        await self.db.execute(
            "UPDATE onboarding_reminders SET state = 'due', due_at = ?, done_at = NULL WHERE guild_id = ?"
            " AND user_id = ? AND state IN ('due', 'sending')",
            (iso(due), guild_id, user_id),
        )

    async def reminder(self, guild_id: int, user_id: int) -> Row | None:
        return await self.db.fetchone(
            "SELECT * FROM onboarding_reminders WHERE guild_id = ? AND user_id = ?", (guild_id, user_id)
        )

    # --- stats log ------------------------------------------------------------------------------------------------

    async def log(self, guild_id: int, user_id: int, event: str, now: datetime) -> None:
        await self.db.execute(
            "INSERT INTO onboarding_events (guild_id, user_id, event, at) VALUES (?, ?, ?, ?)",
            (guild_id, user_id, event, iso(now)),
        )

    async def counts(self) -> dict[str, int]:
        """For /about."""
        row = await self.db.fetchone(
            "SELECT (SELECT COUNT(*) FROM onboarding_profiles WHERE status = 'finished') AS finished,"
            " (SELECT COUNT(*) FROM onboarding_profiles) AS profiles,"
            " (SELECT COUNT(*) FROM onboarding_welcomes WHERE state IN ('pending', 'sending', 'fallback')) AS queued"
        )
        return {
            "onboarding profiles": row["profiles"],
            "onboarding finished": row["finished"],
            "welcomes queued": row["queued"],
        }

    # --- presence (joins while the bot was offline) ---------------------------------------------------------------

    async def last_seen(self, guild_id: int) -> tuple[datetime, datetime] | None:
        """(first seen, last seen) of a server, None before the first start there."""
        row = await self.db.fetchone(
            "SELECT first_seen_at, seen_at FROM onboarding_presence WHERE guild_id = ?", (guild_id,)
        )
        return None if row is None else (parse(row["first_seen_at"]), parse(row["seen_at"]))

    async def mark_seen(self, guild_ids: list[int], now: datetime) -> None:
        await self.db.executemany(
            "INSERT INTO onboarding_presence (guild_id, first_seen_at, seen_at) VALUES (?, ?, ?)"
            " ON CONFLICT (guild_id) DO UPDATE SET seen_at = excluded.seen_at",
            [(guild_id, iso(now), iso(now)) for guild_id in guild_ids],
        )

    async def welcomed_joins(self, guild_id: int) -> dict[int, str]:
        """user id -> joined_at of the latest join recorded, for one server."""
        rows = await self.db.fetchall(
            "SELECT user_id, joined_at FROM onboarding_welcomes WHERE guild_id = ?", (guild_id,)
        )
        return {row["user_id"]: row["joined_at"] for row in rows}
