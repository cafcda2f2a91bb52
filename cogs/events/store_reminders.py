"""SQL of reminders, notices, their deliveries (one row per message) and when the reminder work is due next.

Claims, with several bot processes on one PostgreSQL: every process runs the reminder pass. A pending reminder is
claimed (pending -> sending, `claimed_by` this process, `claimed_at` now) in a transaction that locks the rows it
takes and skips those another process is taking (`FOR UPDATE SKIP LOCKED`), so each is claimed once. A claimed
reminder is resumed only by the process that claimed it, or by any process once its claim is older than the lease
(`CLAIM_LEASE_S`): a live process renews its claims while it sends, a dead one's are taken over. On SQLite the bot is
one process, so the lease is 0: whatever a pass finds claimed is this process's own or a dead one's, resumed at once.
"""

from __future__ import annotations

from collections.abc import Iterable

from bot.database import Database, Transaction
from bot.dm_closed import DmClosedStore
from bot.times import utc
from cogs.events.models import (
    CHANNEL_TARGET,
    DeliveryState,
    EventState,
    NoticeKind,
    OccurrenceState,
    Reminder,
    ReminderDelivery,
    ReminderState,
    Rsvp,
)


def _marks(values: list[int]) -> str:
    return ",".join("?" * len(values))


CLAIM_LEASE_S = 180  # a claim of another live process is respected this long (it renews it while it sends)

# Due now: pending or claimed and unfinished, not waiting for a retry time, and ours to take (_claimable).
_DUE = "r.state IN (?, ?) AND r.due_at <= ? AND (r.retry_at IS NULL OR r.retry_at <= ?)"
# A reminder this process may take: pending, or claimed by this process or by one whose lease ran out.
_CLAIMABLE = "(r.state = ? OR r.claimed_by = ? OR r.claimed_at <= ?)"


class ReminderQueries:
    """The reminder half of EventStore; every state change is guarded by the state it expects."""

    db: Database
    dm_memory: DmClosedStore
    worker: str  # this process, in `claimed_by`
    lease_s: int  # how long another process's claim is respected (0 on SQLite: one process)

    def _claimable(self, now: int) -> tuple[object, ...]:
        """The parameters of _CLAIMABLE."""
        return ReminderState.PENDING, self.worker, now - self.lease_s

    def _due(self, now: int) -> tuple[object, ...]:
        """The parameters of _DUE and _CLAIMABLE."""
        return ReminderState.PENDING, ReminderState.SENDING, now, now, *self._claimable(now)

    # ------------------------------------------------------------ reminders

    async def add_reminders(self, occurrence_id: int, starts_at: int, offsets: Iterable[int], now: int) -> list[int]:
        """A pending reminder per offset whose time is still ahead; returns their due times."""
        due = [(occurrence_id, NoticeKind.REMINDER, o, starts_at - o, ReminderState.PENDING)
               for o in offsets if starts_at - o > now]  # fmt: skip
        if due:
            # A reminder cancelled by an earlier edit comes back; one already sent for that instant does not.
            await self.db.executemany(
                "INSERT INTO event_reminders (occurrence_id, kind, offset_s, due_at, state) VALUES (?, ?, ?, ?, ?)"
                " ON CONFLICT (occurrence_id, kind, offset_s, due_at) DO UPDATE SET state = excluded.state,"
                " finished_at = NULL, retry_at = NULL WHERE event_reminders.state = 'cancelled'",
                due,
            )
        return [row[3] for row in due]

    async def cancel_pending(self, occurrence_id: int, now: int, kind: NoticeKind = NoticeKind.REMINDER) -> int:
        """Pending reminders of an occurrence will not be sent (it moved or was cancelled)."""
        cancelled = await self.db.execute(
            "UPDATE event_reminders SET state = ?, finished_at = ? WHERE occurrence_id = ? AND kind = ? AND state = ?",
            (ReminderState.CANCELLED, now, occurrence_id, kind, ReminderState.PENDING),
        )
        return cancelled.rowcount

    async def add_notice(self, occurrence_id: int, kind: NoticeKind, due_at: int, detail: str) -> int | None:
        """A cancelled or moved notice for those going; None when the same one is already queued."""
        added = await self.db.execute(
            "INSERT INTO event_reminders (occurrence_id, kind, offset_s, due_at, state, detail)"
            " VALUES (?, ?, 0, ?, ?, ?)"
            " ON CONFLICT (occurrence_id, kind, offset_s, due_at) DO NOTHING RETURNING id",
            (occurrence_id, kind, due_at, ReminderState.PENDING, detail),
        )
        return int(added.rows[0][0]) if added.rows else None

    async def reminders_of(self, occurrence_id: int) -> list[Reminder]:
        rows = await self.db.fetch(
            "SELECT * FROM event_reminders WHERE occurrence_id = ? ORDER BY due_at, id", (occurrence_id,)
        )
        return [Reminder.from_row(r) for r in rows]

    # ------------------------------------------------------------ what is due next

    async def next_due(self, now: int) -> int | None:
        """The earliest instant the reminder pass has something to do; None when nothing is stored."""
        # The parts: a reminder or notice falling due or its retry; a claimed one (few rows: those in flight) when
        # this process may resume it (its own, or when another's lease runs out) or its retry; an occurrence
        # ending (a series advances); an announcement owed (`now`, or its retry or claim time). Each part reads an
        # index in order and stops at its first row, so this stays cheap however many reminders are pending.
        dialect = self.db.dialect
        resume = dialect.greatest("COALESCE(retry_at, due_at)", "claimed_at + ?")
        when = await self.db.fetchval(
            "SELECT MIN(t) FROM ("
            " SELECT (SELECT due_at FROM event_reminders WHERE state = ? AND retry_at IS NULL"
            "  ORDER BY due_at LIMIT 1) AS t"
            " UNION ALL SELECT MIN(retry_at) FROM event_reminders WHERE state = ? AND retry_at IS NOT NULL"
            " UNION ALL SELECT MIN(CASE WHEN claimed_by = ? OR claimed_at <= ? THEN COALESCE(retry_at, due_at)"
            f"  ELSE {resume} END) FROM event_reminders WHERE state = ?"
            " UNION ALL SELECT (SELECT o.ends_at FROM event_occurrences o JOIN events e ON e.id = o.event_id"
            "  WHERE o.state = ? AND e.state = ? ORDER BY o.ends_at LIMIT 1)"
            " UNION ALL SELECT MIN(COALESCE(o.announce_after, ?)) FROM event_occurrences o"
            "  JOIN events e ON e.id = o.event_id WHERE o.state = ? AND o.message_id IS NULL AND e.state = ?"
            ") AS due",
            (ReminderState.PENDING, ReminderState.PENDING, self.worker, now - self.lease_s, self.lease_s,
             ReminderState.SENDING, OccurrenceState.UPCOMING, EventState.ACTIVE, now, OccurrenceState.UPCOMING,
             EventState.ACTIVE),
        )  # fmt: skip
        return None if when is None else int(when)

    async def defer(self, reminder_ids: list[int], until: int) -> None:
        """This process's claimed reminders with messages left to retry: the next pass for them is at `until`."""
        for start in range(0, len(reminder_ids), 500):
            chunk = reminder_ids[start : start + 500]
            await self.db.execute(
                f"UPDATE event_reminders SET retry_at = ? WHERE id IN ({_marks(chunk)})"
                " AND state = ? AND claimed_by = ?",
                (until, *chunk, ReminderState.SENDING, self.worker),
            )

    async def defer_guild(self, guild_id: int, now: int, until: int) -> int:
        """What is due in a server the bot cannot see right now waits until `until` (or its grace runs out)."""
        deferred = await self.db.execute(
            f"UPDATE event_reminders AS r SET retry_at = ? WHERE {_DUE} AND {_CLAIMABLE} AND r.occurrence_id IN"
            " (SELECT o.id FROM event_occurrences o JOIN events e ON e.id = o.event_id WHERE e.guild_id = ?)",
            (until, *self._due(now), guild_id),
        )
        return deferred.rowcount

    # ------------------------------------------------------------ a pass

    async def due_guilds(self, now: int) -> list[int]:
        """Guilds with reminders due now that this process may take (pending, or claimed and not finished)."""
        rows = await self.db.fetch(
            "SELECT DISTINCT e.guild_id FROM event_reminders r JOIN event_occurrences o ON o.id = r.occurrence_id"
            f" JOIN events e ON e.id = o.event_id WHERE r.state IN (?, ?) AND r.due_at <= ? AND {_CLAIMABLE}",
            (ReminderState.PENDING, ReminderState.SENDING, now, *self._claimable(now)),
        )
        return [r[0] for r in rows]

    async def expire(self, guild_id: int, now: int, grace_s: int) -> int:
        """Record as missed what can no longer usefully go out; returns how many."""
        # Reminders later than the grace period, and notices about an occurrence that has already ended; not those
        # another live process holds. One conditional UPDATE: a reminder claimed meanwhile is not touched.
        async with self.db.transaction(exclusive=False) as tx:
            missed = await tx.execute(
                "UPDATE event_reminders AS r SET state = ?, finished_at = ? WHERE r.state IN (?, ?) AND r.due_at <= ?"
                f" AND {_CLAIMABLE} AND r.id IN (SELECT x.id FROM event_reminders x"
                " JOIN event_occurrences o ON o.id = x.occurrence_id JOIN events e ON e.id = o.event_id"
                " WHERE e.guild_id = ? AND x.state IN (?, ?) AND x.due_at <= ?"
                " AND ((x.kind = ? AND x.due_at < ?) OR (x.kind != ? AND o.ends_at <= ?))) RETURNING id",
                (ReminderState.MISSED, now, ReminderState.PENDING, ReminderState.SENDING, now, *self._claimable(now),
                 guild_id, ReminderState.PENDING, ReminderState.SENDING, now, NoticeKind.REMINDER, now - grace_s,
                 NoticeKind.REMINDER, now),
            )  # fmt: skip
            ids = [int(row[0]) for row in missed.rows]
            for start in range(0, len(ids), 500):
                chunk = ids[start : start + 500]
                await tx.execute(
                    f"UPDATE event_deliveries SET state = ? WHERE state = ? AND reminder_id IN ({_marks(chunk)})",
                    (DeliveryState.MISSED, DeliveryState.PENDING, *chunk),
                )
        return len(ids)

    async def due_batch(self, guild_id: int, now: int, limit: int, after: tuple[int, int] = (0, 0)) -> list[Reminder]:
        """A server's due reminders this process may take (see _DUE), oldest first, after a (due_at, id) position."""
        rows = await self.db.fetch(
            "SELECT r.* FROM event_reminders r JOIN event_occurrences o ON o.id = r.occurrence_id"
            f" JOIN events e ON e.id = o.event_id WHERE e.guild_id = ? AND {_DUE} AND {_CLAIMABLE}"
            " AND (r.due_at, r.id) > (?, ?) ORDER BY r.due_at, r.id LIMIT ?",
            (guild_id, *self._due(now), *after, limit),
        )
        return [Reminder.from_row(r) for r in rows]

    async def claim(self, reminder: Reminder, now: int, *, dm_reminders: bool = True) -> bool:
        """Claim one reminder (see claim_many)."""
        return reminder.id in await self.claim_many([reminder], now, dm_reminders=dm_reminders)

    async def claim_many(self, reminders: list[Reminder], now: int, *, dm_reminders: bool) -> set[int]:
        """Claim reminders for this process, with a delivery row per message; returns the ids to send.

        A pending reminder goes to 'sending' with its deliveries written now; a claimed one this process may
        resume (its own, or another's past the lease) is taken over and keeps its deliveries. Rows another
        process is claiming at this moment are skipped (they are its), as are those it holds.
        """
        # Who gets a message is fixed at the first claim: the channel post (reminders only) and a DM to each member
        # going at the time it fell due (for reminders, unless DM reminders are off here or the member opted out;
        # for notices, always), never to a member whose DMs are known closed.
        by_id = {r.id: r for r in reminders}
        taken: dict[int, str] = {}
        async with self.db.transaction(exclusive=False) as tx:
            for start in range(0, len(reminders), 500):
                part = reminders[start : start + 500]
                # each in the state the caller saw it in: a pending one claimed since is not "resumed" here
                pending = [r.id for r in part if r.state is ReminderState.PENDING] or [0]
                sending = [r.id for r in part if r.state is ReminderState.SENDING] or [0]
                rows = await tx.fetch(
                    f"SELECT r.id, r.state FROM event_reminders r WHERE (r.state = ? AND r.id IN ({_marks(pending)}))"
                    f" OR (r.state = ? AND r.id IN ({_marks(sending)}) AND {_CLAIMABLE})"
                    f" ORDER BY r.id{self.db.dialect.skip_locked}",
                    (ReminderState.PENDING, *pending, ReminderState.SENDING, *sending, *self._claimable(now)),
                )
                taken |= {int(row[0]): row[1] for row in rows}
            if not taken:
                return set()
            ids = sorted(taken)
            for start in range(0, len(ids), 500):
                chunk = ids[start : start + 500]
                await tx.execute(
                    f"UPDATE event_reminders SET state = ?, claimed_at = ?, claimed_by = ?"
                    f" WHERE id IN ({_marks(chunk)})",
                    (ReminderState.SENDING, now, self.worker, *chunk),
                )
            fresh = [by_id[rid] for rid in ids if taken[rid] == ReminderState.PENDING]
            await self._add_deliveries(tx, fresh, dm_reminders=dm_reminders)
        return set(ids)

    @staticmethod
    async def _add_deliveries(tx: Transaction, fresh: list[Reminder], *, dm_reminders: bool) -> None:
        """The delivery rows of newly claimed reminders: the channel post, and a DM to each member going."""
        channel_rows = [(r.id, CHANNEL_TARGET, DeliveryState.PENDING) for r in fresh if r.kind is NoticeKind.REMINDER]
        if channel_rows:
            await tx.executemany(
                "INSERT INTO event_deliveries (reminder_id, user_id, state) VALUES (?, ?, ?)"
                " ON CONFLICT (reminder_id, user_id) DO NOTHING",
                channel_rows,
            )
        dm_rows = [(r.id, DeliveryState.PENDING, r.occurrence_id, Rsvp.GOING, int(r.kind is NoticeKind.REMINDER))
                   for r in fresh if dm_reminders or r.kind is not NoticeKind.REMINDER]  # fmt: skip
        if dm_rows:
            await tx.executemany(
                "INSERT INTO event_deliveries (reminder_id, user_id, state)"
                " SELECT CAST(? AS BIGINT), v.user_id, CAST(? AS TEXT) FROM event_rsvps v"
                " JOIN event_occurrences o ON o.id = v.occurrence_id"
                " JOIN events e ON e.id = o.event_id WHERE v.occurrence_id = ? AND v.status = ?"
                " AND (CAST(? AS INTEGER) = 0 OR NOT EXISTS (SELECT 1 FROM event_member_prefs p"
                "   WHERE p.guild_id = e.guild_id AND p.user_id = v.user_id AND p.dm_reminders = 0))"
                " AND NOT EXISTS (SELECT 1 FROM dm_closed c WHERE c.user_id = v.user_id)"
                " ON CONFLICT (reminder_id, user_id) DO NOTHING",
                dm_rows,
            )

    async def renew(self, reminder_id: int, now: int) -> bool:
        """Extend this process's claim while it sends; False when it is no longer ours (taken over, or finished)."""
        renewed = await self.db.execute(
            "UPDATE event_reminders SET claimed_at = ? WHERE id = ? AND state = ? AND claimed_by = ?",
            (now, reminder_id, ReminderState.SENDING, self.worker),
        )
        return renewed.rowcount == 1

    async def pending_deliveries(self, reminder_id: int) -> list[ReminderDelivery]:
        return (await self.pending_deliveries_many([reminder_id])).get(reminder_id, [])

    async def pending_deliveries_many(self, reminder_ids: list[int]) -> dict[int, list[ReminderDelivery]]:
        """Unsent deliveries per reminder, the channel post first, then DMs by user id."""
        found: dict[int, list[ReminderDelivery]] = {}
        for start in range(0, len(reminder_ids), 500):
            chunk = reminder_ids[start : start + 500]
            rows = await self.db.fetch(
                f"SELECT * FROM event_deliveries WHERE state = ? AND reminder_id IN ({_marks(chunk)})"
                " ORDER BY reminder_id, user_id",
                (DeliveryState.PENDING, *chunk),
            )
            for r in rows:
                found.setdefault(r["reminder_id"], []).append(
                    ReminderDelivery(r["id"], r["reminder_id"], r["user_id"], DeliveryState(r["state"]), r["attempts"])
                )
        return found

    async def abandon(self, reminder_id: int, now: int) -> None:
        """A reminder whose event was cancelled (before or after it was claimed): what was not sent will not be."""
        # Not one another live process holds: it finds the event cancelled itself.
        async with self.db.transaction(exclusive=False) as tx:
            abandoned = await tx.execute(
                f"UPDATE event_reminders AS r SET state = ?, finished_at = ? WHERE r.id = ? AND r.state IN (?, ?)"
                f" AND {_CLAIMABLE}",
                (ReminderState.CANCELLED, now, reminder_id, ReminderState.PENDING, ReminderState.SENDING,
                 *self._claimable(now)),
            )  # fmt: skip
            if abandoned.rowcount:
                await tx.execute(
                    "UPDATE event_deliveries SET state = ? WHERE reminder_id = ? AND state = ?",
                    (DeliveryState.MISSED, reminder_id, DeliveryState.PENDING),
                )

    async def delivered(self, delivery_id: int, message_id: int, now: int) -> None:
        """Discord accepted the message: only now is it marked sent."""
        await self.db.execute(
            "UPDATE event_deliveries SET state = ?, message_id = ?, sent_at = ?, attempts = attempts + 1 WHERE id = ?",
            (DeliveryState.SENT, message_id, now, delivery_id),
        )

    async def delivery_failed(self, delivery_id: int, state: DeliveryState, error: str) -> None:
        await self.db.execute(
            "UPDATE event_deliveries SET state = ?, error = ?, attempts = attempts + 1 WHERE id = ?",
            (state, error[:200], delivery_id),
        )

    async def delivery_retry_later(self, delivery_id: int, error: str) -> int:
        """Leave it pending; returns how many attempts it has had."""
        tried = await self.db.execute(
            "UPDATE event_deliveries SET attempts = attempts + 1, error = ? WHERE id = ? RETURNING attempts",
            (error[:200], delivery_id),
        )
        return int(tried.rows[0][0])

    async def finish_if_done(self, reminder_id: int, now: int) -> bool:
        """sending -> sent once no delivery is pending."""
        finished = await self.db.execute(
            "UPDATE event_reminders SET state = ?, finished_at = ? WHERE id = ? AND state = ? AND NOT EXISTS"
            " (SELECT 1 FROM event_deliveries d WHERE d.reminder_id = ? AND d.state = ?)",
            (ReminderState.SENT, now, reminder_id, ReminderState.SENDING, reminder_id, DeliveryState.PENDING),
        )
        return finished.rowcount == 1

    async def purge_deliveries(self, finished_before: int) -> int:
        """Forget the per-message rows of reminders finished long ago (the reminder rows stay)."""
        purged = await self.db.execute(
            "DELETE FROM event_deliveries WHERE reminder_id IN (SELECT id FROM event_reminders"
            " WHERE state IN (?, ?, ?) AND finished_at < ?)",
            (ReminderState.SENT, ReminderState.MISSED, ReminderState.CANCELLED, finished_before),
        )
        return purged.rowcount

    async def delivery_summary(self, reminder_id: int) -> dict[str, int]:
        rows = await self.db.fetch(
            "SELECT state, COUNT(*) FROM event_deliveries WHERE reminder_id = ? GROUP BY state", (reminder_id,)
        )
        return {row[0]: int(row[1]) for row in rows}

    # ------------------------------------------------------------ closed DMs (the bot's shared memory)

    async def remember_dm_closed(self, user_id: int, now: int, guild_id: int | None = None) -> None:
        await self.dm_memory.remember(user_id, guild_id, utc(now))

    async def dm_closed(self, user_id: int) -> bool:
        return await self.dm_memory.is_closed(user_id)

    async def forget_dm_closed(self, user_id: int) -> bool:
        """Every feature tries this member's DMs again (they said their DMs are open)."""
        return await self.dm_memory.forget(user_id)
