"""Onboarding's SQL: profiles, the welcome of each join, reminders, presence and the stats log (closed DMs: core)."""

from __future__ import annotations

import json
import statistics
from datetime import datetime, timedelta
from typing import Any

from bot.database import Database, Row
from bot.dm_closed import DmClosedStore
from bot.times import unix, utc, utc_or_none
from cogs.onboarding.api import MemberProfile
from cogs.onboarding.cache import TOPIC, ProfileCache, key_of
from cogs.onboarding.models import (
    OnboardingProfile,
    OnboardingStats,
    RoleLine,
    Step,
    Welcome,
    WelcomeKind,
    WelcomeState,
)
from cogs.onboarding.rules import answers_from_columns, member_profile

# The columns an answer may set (apply_answer/skip_answer only produce these; the whitelist keeps SQL static).
_ANSWER_COLUMNS = ("role", "level", "interests", "region", "timezone", "wants_mentor")

_NEW_PROFILE = (
    "INSERT INTO onboarding_profiles (guild_id, user_id, created_at, updated_at) VALUES (?, ?, ?, ?)"
    " ON CONFLICT (guild_id, user_id) DO NOTHING"
)
_LOG = "INSERT INTO onboarding_events (guild_id, user_id, event, at) VALUES (?, ?, ?, ?)"


def _profile(row: Row) -> OnboardingProfile:
    return OnboardingProfile(
        guild_id=row["guild_id"],
        user_id=row["user_id"],
        answers=answers_from_columns(dict(row)),
        step=row["step"],
        status=row["status"],
        given_roles=tuple(int(x) for x in json.loads(row["given_roles"] or "[]")),
        created_at=utc(row["created_at"]),
        started_at=utc_or_none(row["started_at"]),
        finished_at=utc_or_none(row["finished_at"]),
    )


def _welcome(row: Row) -> Welcome:
    return Welcome(
        row["guild_id"],
        row["user_id"],
        row["join_seq"],
        WelcomeKind(row["kind"]),
        WelcomeState(row["state"]),
        row["attempts"],
        utc(row["queued_at"]),
    )


class OnboardingStore:
    """Every onboarding statement, against the shared Database."""

    def __init__(self, db: Database, dm_memory: DmClosedStore | None = None) -> None:
        self.db = db
        # The bot's one memory of closed DMs (bot.dm_closed); a store of its own over the same file in store tests.
        self.dm_memory = dm_memory or DmClosedStore(db)
        self.profiles = ProfileCache()
        self._subscribed = False

    async def close(self) -> None:
        """Stop listening for change notices (the feature unloads)."""
        if self._subscribed:
            self.db.unsubscribe(TOPIC, self.profiles.invalidate)
            self._subscribed = False

    async def _changed(self, guild_id: int, user_id: int) -> None:
        """After a committed write to a member's profile: every process drops what it cached of it."""
        await self.db.publish(TOPIC, key_of(guild_id, user_id))

    async def _returning(self, sql: str, params: tuple[Any, ...]) -> list[Row]:
        # RETURNING needs the statement stepped to its end inside a transaction before the commit.
        async with self.db.transaction() as tx:
            return (await tx.execute(sql, params)).rows

    # --- profiles -------------------------------------------------------------------------------------------------

    async def profile(self, guild_id: int, user_id: int) -> OnboardingProfile | None:
        row = await self.db.fetchrow(
            "SELECT * FROM onboarding_profiles WHERE guild_id = ? AND user_id = ?", (guild_id, user_id)
        )
        return None if row is None else _profile(row)

    async def member_profile(self, guild_id: int, user_id: int) -> MemberProfile | None:
        """The member's answers as other features see them (None before the first answer), from the cache."""
        found, cached = self.profiles.get(guild_id, user_id)
        if found:
            return cached
        if not self._subscribed:  # first use: from now on every process's changes reach this cache
            await self.db.subscribe(TOPIC, self.profiles.invalidate)
            self._subscribed = True
        generation = self.profiles.generation
        profile = await self.profile(guild_id, user_id)
        answers = None if profile is None or profile.status == "new" else member_profile(profile.answers)
        self.profiles.put(guild_id, user_id, answers, generation)
        return answers

    async def ensure_profile(self, guild_id: int, user_id: int, now: datetime) -> OnboardingProfile:
        """The member's profile, created (no answers yet) when the first question is shown."""
        await self.db.execute(_NEW_PROFILE, (guild_id, user_id, unix(now), unix(now)))
        await self._changed(guild_id, user_id)
        profile = await self.profile(guild_id, user_id)
        if profile is None:
            raise RuntimeError(f"onboarding profile {guild_id}/{user_id} vanished after its insert")
        return profile

    async def save_answer(
        self, guild_id: int, user_id: int, updates: dict[str, Any], step: Step, now: datetime, reminder_after: timedelta
    ) -> bool:
        """Store answers and the next step; the first answer starts the member (and schedules the reminder)."""
        unknown = set(updates) - set(_ANSWER_COLUMNS)
        if unknown:
            raise ValueError(f"not answer columns: {sorted(unknown)}")
        assignments = "".join(f", {column} = ?" for column in updates)
        async with self.db.transaction() as tx:
            await tx.execute(_NEW_PROFILE, (guild_id, user_id, unix(now), unix(now)))
            cursor = await tx.execute(
                "UPDATE onboarding_profiles SET status = 'started', started_at = ? WHERE guild_id = ? AND user_id = ?"
                " AND status = 'new'",
                (unix(now), guild_id, user_id),
            )
            first = cursor.rowcount == 1
            await tx.execute(
                f"UPDATE onboarding_profiles SET step = ?, updated_at = ?{assignments}"
                " WHERE guild_id = ? AND user_id = ?",
                (step.value, unix(now), *updates.values(), guild_id, user_id),
            )
            if first:
                await tx.execute(_LOG, (guild_id, user_id, "started", unix(now)))
                await tx.execute(
                    "INSERT INTO onboarding_reminders (guild_id, user_id, due_at) VALUES (?, ?, ?)"
                    " ON CONFLICT (guild_id, user_id) DO NOTHING",
                    (guild_id, user_id, unix(now + reminder_after)),
                )
        await self._changed(guild_id, user_id)
        return first

    async def set_step(self, guild_id: int, user_id: int, step: Step, now: datetime) -> None:
        await self.db.execute(
            "UPDATE onboarding_profiles SET step = ?, updated_at = ? WHERE guild_id = ? AND user_id = ?",
            (step.value, unix(now), guild_id, user_id),
        )
        await self._changed(guild_id, user_id)

    async def finish(self, guild_id: int, user_id: int, now: datetime) -> bool:
        """Mark every question answered; True the first time (which is what the stats count)."""
        async with self.db.transaction() as tx:
            cursor = await tx.execute(
                "UPDATE onboarding_profiles SET finished_at = ? WHERE guild_id = ? AND user_id = ?"
                " AND finished_at IS NULL",
                (unix(now), guild_id, user_id),
            )
            first = cursor.rowcount == 1
            await tx.execute(
                "UPDATE onboarding_profiles SET status = 'finished', step = 'done', updated_at = ?"
                " WHERE guild_id = ? AND user_id = ?",
                (unix(now), guild_id, user_id),
            )
            await tx.execute(
                "UPDATE onboarding_reminders SET state = 'cancelled', done_at = ? WHERE guild_id = ? AND user_id = ?"
                " AND state = 'due'",
                (unix(now), guild_id, user_id),
            )
            if first:
                await tx.execute(_LOG, (guild_id, user_id, "finished", unix(now)))
        await self._changed(guild_id, user_id)
        return first

    async def set_given_roles(self, guild_id: int, user_id: int, role_ids: list[int]) -> None:
        await self.db.execute(
            "UPDATE onboarding_profiles SET given_roles = ? WHERE guild_id = ? AND user_id = ?",
            (json.dumps(sorted(set(role_ids))), guild_id, user_id),
        )
        await self._changed(guild_id, user_id)

    # --- welcomes -------------------------------------------------------------------------------------------------

    async def record_join(
        self, guild_id: int, user_id: int, joined_at: datetime, *, screening: bool, now: datetime
    ) -> Welcome | None:
        """Write the welcome of a join before anything is sent; None when this join was already recorded."""
        async with self.db.transaction() as tx:
            existing = await tx.fetchrow(
                "SELECT joined_at, join_seq, left_at FROM onboarding_welcomes WHERE guild_id = ? AND user_id = ?",
                (guild_id, user_id),
            )
            # The same join delivered twice (a replayed event, the catch-up at start). Joins are stored in whole
            # seconds, so a leave in between is what tells a quick rejoin from a replay.
            if existing is not None and existing["joined_at"] == unix(joined_at) and existing["left_at"] is None:
                return None
            profile = await tx.fetchrow(
                "SELECT status FROM onboarding_profiles WHERE guild_id = ? AND user_id = ?", (guild_id, user_id)
            )
            kind = WelcomeKind.WELCOME_BACK if profile and profile["status"] == "finished" else WelcomeKind.WELCOME
            state = WelcomeState.SCREENING if screening else WelcomeState.PENDING
            seq = 1 if existing is None else existing["join_seq"] + 1
            await tx.execute(
                "INSERT INTO onboarding_welcomes (guild_id, user_id, join_seq, joined_at, left_at, kind, state,"
                " attempts, message_id, last_error, queued_at, updated_at)"
                " VALUES (?, ?, ?, ?, NULL, ?, ?, 0, NULL, NULL, ?, ?)"
                " ON CONFLICT (guild_id, user_id) DO UPDATE SET join_seq = excluded.join_seq,"
                " joined_at = excluded.joined_at, left_at = NULL, kind = excluded.kind, state = excluded.state,"
                " attempts = 0, message_id = NULL, last_error = NULL, queued_at = excluded.queued_at,"
                " updated_at = excluded.updated_at",
                (guild_id, user_id, seq, unix(joined_at), kind.value, state.value, unix(now), unix(now)),
            )
            await tx.execute(_LOG, (guild_id, user_id, "joined" if existing is None else "rejoined", unix(now)))
        return Welcome(guild_id, user_id, seq, kind, state, 0, utc(unix(now)))

    async def welcome(self, guild_id: int, user_id: int) -> Welcome | None:
        row = await self.db.fetchrow(
            "SELECT * FROM onboarding_welcomes WHERE guild_id = ? AND user_id = ?", (guild_id, user_id)
        )
        return None if row is None else _welcome(row)

    async def screening_passed(self, guild_id: int, user_id: int, now: datetime) -> bool:
        """A member passed membership screening: their welcome is now due."""
        cursor = await self.db.execute(
            "UPDATE onboarding_welcomes SET state = 'pending', queued_at = ?, updated_at = ?"
            " WHERE guild_id = ? AND user_id = ? AND state = 'screening'",
            (unix(now), unix(now), guild_id, user_id),
        )
        return cursor.rowcount == 1

    async def claim_welcome(self, guild_id: int, user_id: int, now: datetime) -> Welcome | None:
        """pending -> sending before the DM; None when another attempt or a finished one got there first."""
        rows = await self._returning(
            "UPDATE onboarding_welcomes SET state = 'sending', attempts = attempts + 1, updated_at = ?"
            " WHERE guild_id = ? AND user_id = ? AND state = 'pending' RETURNING *",
            (unix(now), guild_id, user_id),
        )
        return _welcome(rows[0]) if rows else None

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
                (state.value, unix(now), message_id, error, guild_id, user_id, *(s.value for s in only_from)),
            )
            moved = cursor.rowcount == 1
            if moved and state is WelcomeState.SENT:
                await tx.execute(_LOG, (guild_id, user_id, "welcomed", unix(now)))
        return moved

    async def open_welcomes(self, states: tuple[WelcomeState, ...], limit: int) -> list[Welcome]:
        """Welcomes still to deliver, oldest join first (the rebuild after a restart)."""
        marks = ",".join("?" * len(states))
        rows = await self.db.fetch(
            f"SELECT * FROM onboarding_welcomes WHERE state IN ({marks}) ORDER BY queued_at, guild_id, user_id LIMIT ?",
            (*(s.value for s in states), limit),
        )
        return [_welcome(row) for row in rows]

    async def record_leave(self, guild_id: int, user_id: int, now: datetime) -> None:
        async with self.db.transaction() as tx:
            await tx.execute(
                "UPDATE onboarding_welcomes SET left_at = ? WHERE guild_id = ? AND user_id = ?",
                (unix(now), guild_id, user_id),
            )
            await tx.execute(
                "UPDATE onboarding_welcomes SET state = 'left', updated_at = ? WHERE guild_id = ? AND user_id = ?"
                " AND state IN ('screening', 'pending', 'sending', 'fallback')",
                (unix(now), guild_id, user_id),
            )

    async def welcomed_joins(self, guild_id: int) -> dict[int, int]:
        """user id -> unix seconds of the latest join recorded, for one server."""
        rows = await self.db.fetch(
            "SELECT user_id, joined_at FROM onboarding_welcomes WHERE guild_id = ?", (guild_id,)
        )
        return {row["user_id"]: row["joined_at"] for row in rows}

    # --- closed DMs -----------------------------------------------------------------------------------------------

    async def record_dm_closed(self, guild_id: int, user_id: int, now: datetime) -> bool:
        """Remember in the bot's shared memory that this member's DMs are closed; True the first time."""
        # The first time, onboarding also logs its own 'dm_closed' event for /onboarding stats.
        first = await self.dm_memory.remember(user_id, guild_id, now)
        if first:
            await self.db.execute(_LOG, (guild_id, user_id, "dm_closed", unix(now)))
        return first

    async def dm_closed(self, guild_id: int, user_id: int) -> bool:
        """Closed to the bot, whichever feature noticed it in whichever server (one DM channel per member)."""
        return await self.dm_memory.is_closed(user_id)

    # --- reminders ------------------------------------------------------------------------------------------------

    async def next_reminder_due(self) -> datetime | None:
        """The earliest reminder due; one a stop cut off mid-send is due at once (its claim time)."""
        seconds = await self.db.fetchval(
            "SELECT MIN(CASE state WHEN 'sending' THEN COALESCE(done_at, due_at) ELSE due_at END)"
            " FROM onboarding_reminders WHERE state IN ('due', 'sending')"
        )
        return utc_or_none(seconds)

    async def due_reminders(self, now: datetime, limit: int = 100) -> list[tuple[int, int]]:
        """(guild id, user id) of the reminders due at `now`, earliest first."""
        rows = await self.db.fetch(
            "SELECT guild_id, user_id FROM onboarding_reminders WHERE state = 'due' AND due_at <= ?"
            " ORDER BY due_at LIMIT ?",
            (unix(now), limit),
        )
        return [(row["guild_id"], row["user_id"]) for row in rows]

    async def interrupted_reminders(self) -> list[tuple[int, int, datetime]]:
        """(guild id, user id, claimed at) of reminders whose send was in flight when the bot stopped."""
        rows = await self.db.fetch(
            "SELECT guild_id, user_id, done_at FROM onboarding_reminders WHERE state = 'sending'"
        )
        return [(row["guild_id"], row["user_id"], utc(row["done_at"])) for row in rows]

    async def claim_reminder(self, guild_id: int, user_id: int, now: datetime) -> bool:
        cursor = await self.db.execute(
            "UPDATE onboarding_reminders SET state = 'sending', done_at = ? WHERE guild_id = ? AND user_id = ?"
            " AND state = 'due'",
            (unix(now), guild_id, user_id),
        )
        return cursor.rowcount == 1

    async def close_reminder(self, guild_id: int, user_id: int, state: str, now: datetime) -> None:
        """sending -> sent (Discord accepted it) or skipped (finished meanwhile, left, DMs closed)."""
        await self.db.execute(
            "UPDATE onboarding_reminders SET state = ?, done_at = ? WHERE guild_id = ? AND user_id = ?"
            " AND state IN ('due', 'sending')",
            (state, unix(now), guild_id, user_id),
        )

    async def retry_reminder(self, guild_id: int, user_id: int, due: datetime) -> None:
        """Due again (a failed send, or one cut off by a stop that Discord never got)."""
        await self.db.execute(
            "UPDATE onboarding_reminders SET state = 'due', due_at = ?, done_at = NULL WHERE guild_id = ?"
            " AND user_id = ? AND state IN ('due', 'sending')",
            (unix(due), guild_id, user_id),
        )

    # --- presence (joins while the bot was offline) ---------------------------------------------------------------

    async def last_seen(self, guild_id: int) -> datetime | None:
        """When the bot last saw a server (at ready, every few minutes, at a clean stop); None before the first."""
        row = await self.db.fetchrow(
            "SELECT seen_at, seen_at_us FROM onboarding_presence WHERE guild_id = ?", (guild_id,)
        )
        # To the microsecond, as Discord's joined_at it is compared with (onboarding migration 0004).
        return None if row is None else utc(row["seen_at"]) + timedelta(microseconds=row["seen_at_us"])

    async def mark_seen(self, guild_ids: list[int], now: datetime) -> None:
        await self.db.executemany(
            "INSERT INTO onboarding_presence (guild_id, first_seen_at, seen_at, seen_at_us) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (guild_id) DO UPDATE SET seen_at = excluded.seen_at, seen_at_us = excluded.seen_at_us",
            [(guild_id, unix(now), unix(now), now.microsecond) for guild_id in guild_ids],
        )

    # --- stats ----------------------------------------------------------------------------------------------------

    async def counts(self) -> dict[str, int]:
        """For /about."""
        row = await self.db.fetchrow(
            "SELECT (SELECT COUNT(*) FROM onboarding_profiles WHERE status = 'finished') AS finished,"
            " (SELECT COUNT(*) FROM onboarding_profiles) AS profiles,"
            " (SELECT COUNT(*) FROM onboarding_welcomes WHERE state IN ('pending', 'sending', 'fallback')) AS queued"
        )
        if row is None:
            return {}
        return {
            "onboarding profiles": row["profiles"],
            "onboarding finished": row["finished"],
            "welcomes queued": row["queued"],
        }

    async def stats(self, guild_id: int, since: datetime | None) -> OnboardingStats:
        """/onboarding stats: counts over the period from `since` (None: all time), from the log and the profiles."""
        start = unix(since) if since is not None else 0
        rows = await self.db.fetch(
            "SELECT event, COUNT(*) AS n FROM onboarding_events WHERE guild_id = ? AND at >= ? GROUP BY event",
            (guild_id, start),
        )
        counts = {row["event"]: row["n"] for row in rows}
        durations = [
            row["finished_at"] - row["created_at"]
            for row in await self.db.fetch(
                "SELECT created_at, finished_at FROM onboarding_profiles WHERE guild_id = ? AND finished_at >= ?",
                (guild_id, start),
            )
        ]
        per_role = [
            RoleLine(row["role"], row["started"], row["finished"])
            for row in await self.db.fetch(
                "SELECT role, COUNT(*) AS started,"
                " SUM(CASE WHEN finished_at IS NOT NULL AND finished_at >= ? THEN 1 ELSE 0 END) AS finished"
                " FROM onboarding_profiles WHERE guild_id = ? AND started_at >= ? GROUP BY role"
                " ORDER BY started DESC, role",
                (start, guild_id, start),
            )
        ]
        return OnboardingStats(
            joined=counts.get("joined", 0) + counts.get("rejoined", 0),
            rejoined=counts.get("rejoined", 0),
            welcomed=counts.get("welcomed", 0),
            started=counts.get("started", 0),
            finished=counts.get("finished", 0),
            dm_closed=counts.get("dm_closed", 0),
            median_seconds_to_finish=statistics.median(durations) if durations else None,
            mentors_matched=counts.get("mentor_matched", 0),
            per_role=per_role,
        )
