"""SQL of reminders, notices, their deliveries (one row per message) and when the reminder work is due next."""

from __future__ import annotations

from collections.abc import Iterable

from bot.database import Database
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

# Due now: pending or claimed and unfinished, and not waiting for a retry time.
_DUE = "r.state IN (?, ?) AND r.due_at <= ? AND (r.retry_at IS NULL OR r.retry_at <= ?)"


class ReminderQueries:
    """The reminder half of EventStore; every state change is guarded by the state it expects."""

    db: Database
    dm_memory: DmClosedStore

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
        cursor = await self.db.execute(
            "UPDATE event_reminders SET state = ?, finished_at = ? WHERE occurrence_id = ? AND kind = ? AND state = ?",
            (ReminderState.CANCELLED, now, occurrence_id, kind, ReminderState.PENDING),
        )
        return cursor.rowcount

    async def add_notice(self, occurrence_id: int, kind: NoticeKind, due_at: int, detail: str) -> int | None:
        """A cancelled or moved notice for those going; None when the same one is already queued."""
        async with self.db.transaction() as tx:
            cursor = await tx.execute(
                "INSERT INTO event_reminders (occurrence_id, kind, offset_s, due_at, state, detail)"
                " VALUES (?, ?, 0, ?, ?, ?)"
                " ON CONFLICT (occurrence_id, kind, offset_s, due_at) DO NOTHING RETURNING id",
                (occurrence_id, kind, due_at, ReminderState.PENDING, detail),
            )
            rows = list(await cursor.fetchall())
        return int(rows[0][0]) if rows else None

    async def reminders_of(self, occurrence_id: int) -> list[Reminder]:
        rows = await self.db.fetchall(
            "SELECT * FROM event_reminders WHERE occurrence_id = ? ORDER BY due_at, id", (occurrence_id,)
        )
        return [Reminder.from_row(r) for r in rows]

    # ------------------------------------------------------------ what is due next

    async def next_due(self, now: int) -> int | None:
        """The earliest instant the reminder pass has something to do; None when nothing is stored."""
        # The parts: a reminder or notice falling due, a claimed one to resume or its retry, an occurrence ending
        # (a series advances), an announcement owed (`now`, or its retry time). Each part reads one index in
        # order and stops at its first row, so this stays cheap however many reminders are pending.
        when = await self.db.fetchval(
            "SELECT MIN(t) FROM ("
            " SELECT (SELECT due_at FROM event_reminders WHERE state = ? AND retry_at IS NULL"
            "  ORDER BY due_at LIMIT 1) AS t"
            " UNION ALL SELECT (SELECT due_at FROM event_reminders WHERE state = ? AND retry_at IS NULL"
            "  ORDER BY due_at LIMIT 1)"
            " UNION ALL SELECT MIN(retry_at) FROM event_reminders WHERE state = ? AND retry_at IS NOT NULL"
            " UNION ALL SELECT MIN(retry_at) FROM event_reminders WHERE state = ? AND retry_at IS NOT NULL"
            " UNION ALL SELECT (SELECT o.ends_at FROM event_occurrences o JOIN events e ON e.id = o.event_id"
            "  WHERE o.state = ? AND e.state = ? ORDER BY o.ends_at LIMIT 1)"
            " UNION ALL SELECT MIN(COALESCE(o.announce_after, ?)) FROM event_occurrences o"
            "  JOIN events e ON e.id = o.event_id WHERE o.state = ? AND o.message_id IS NULL AND e.state = ?"
            ")",
            (ReminderState.PENDING, ReminderState.SENDING, ReminderState.PENDING, ReminderState.SENDING,
             OccurrenceState.UPCOMING, EventState.ACTIVE, now, OccurrenceState.UPCOMING, EventState.ACTIVE),
        )  # fmt: skip
        return None if when is None else int(when)

    async def defer(self, reminder_ids: list[int], until: int) -> None:
        """Claimed reminders with messages left to retry: the next pass for them is at `until`."""
        for start in range(0, len(reminder_ids), 500):
            chunk = reminder_ids[start : start + 500]
            await self.db.execute(
                f"UPDATE event_reminders SET retry_at = ? WHERE id IN ({','.join('?' * len(chunk))})", (until, *chunk)
            )

    async def defer_guild(self, guild_id: int, now: int, until: int) -> int:
        """What is due in a server the bot cannot see right now waits until `until` (or its grace runs out)."""
        cursor = await self.db.execute(
            f"UPDATE event_reminders AS r SET retry_at = ? WHERE {_DUE} AND r.occurrence_id IN"
            " (SELECT o.id FROM event_occurrences o JOIN events e ON e.id = o.event_id WHERE e.guild_id = ?)",
            (until, ReminderState.PENDING, ReminderState.SENDING, now, now, guild_id),
        )
        return cursor.rowcount

    # ------------------------------------------------------------ a pass

    async def due_guilds(self, now: int) -> list[int]:
        """Guilds with reminders due now (pending, or claimed and not finished)."""
        rows = await self.db.fetchall(
            "SELECT DISTINCT e.guild_id FROM event_reminders r JOIN event_occurrences o ON o.id = r.occurrence_id"
            " JOIN events e ON e.id = o.event_id WHERE r.state IN (?, ?) AND r.due_at <= ?",
            (ReminderState.PENDING, ReminderState.SENDING, now),
        )
        return [r[0] for r in rows]

    async def expire(self, guild_id: int, now: int, grace_s: int) -> int:
        """Record as missed what can no longer usefully go out; returns how many."""
        # Reminders later than the grace period, and notices about an occurrence that has already ended.
        async with self.db.transaction() as tx:
            cursor = await tx.execute(
                "SELECT r.id FROM event_reminders r JOIN event_occurrences o ON o.id = r.occurrence_id"
                " JOIN events e ON e.id = o.event_id WHERE e.guild_id = ? AND r.state IN (?, ?) AND r.due_at <= ?"
                " AND ((r.kind = ? AND r.due_at < ?) OR (r.kind != ? AND o.ends_at <= ?))",
                (guild_id, ReminderState.PENDING, ReminderState.SENDING, now, NoticeKind.REMINDER, now - grace_s,
                 NoticeKind.REMINDER, now),
            )  # fmt: skip
            ids = [row[0] for row in await cursor.fetchall()]
            for start in range(0, len(ids), 500):
                chunk = ids[start : start + 500]
                marks = ",".join("?" * len(chunk))
                await tx.execute(
                    f"UPDATE event_reminders SET state = ?, finished_at = ? WHERE id IN ({marks})",
                    (ReminderState.MISSED, now, *chunk),
                )
                await tx.execute(
                    f"UPDATE event_deliveries SET state = ? WHERE state = ? AND reminder_id IN ({marks})",
                    (DeliveryState.MISSED, DeliveryState.PENDING, *chunk),
                )
        return len(ids)

    async def due_batch(self, guild_id: int, now: int, limit: int, after: tuple[int, int] = (0, 0)) -> list[Reminder]:
        """A server's due reminders (unfinished, no retry pending), oldest first, after a (due_at, id) position."""
        rows = await self.db.fetchall(
            "SELECT r.* FROM event_reminders r JOIN event_occurrences o ON o.id = r.occurrence_id"
            f" JOIN events e ON e.id = o.event_id WHERE e.guild_id = ? AND {_DUE}"
            " AND (r.due_at, r.id) > (?, ?) ORDER BY r.due_at, r.id LIMIT ?",
            (guild_id, ReminderState.PENDING, ReminderState.SENDING, now, now, *after, limit),
        )
        return [Reminder.from_row(r) for r in rows]

    async def claim(self, reminder: Reminder, now: int, *, dm_reminders: bool = True) -> bool:
        """Claim one reminder (see claim_many)."""
        return reminder.id in await self.claim_many([reminder], now, dm_reminders=dm_reminders)

    async def claim_many(self, reminders: list[Reminder], now: int, *, dm_reminders: bool) -> set[int]:
        """pending -> sending in one transaction with a delivery row per message; returns the ids to send."""
        # Who gets a message is fixed now: the channel post (reminders only) and a DM to each member going at
        # the time it fell due (for reminders, unless DM reminders are off here or the member opted out; for
        # notices, always), never to a member whose DMs are known closed. The ids to send are those claimed now
        # plus those already 'sending' (resumed after a restart), which keep their rows.
        by_id = {r.id: r for r in reminders}
        chosen = {r.id for r in reminders if r.state is ReminderState.SENDING}
        pending = [r.id for r in reminders if r.state is ReminderState.PENDING]
        if not pending:
            return chosen
        async with self.db.transaction() as tx:
            claimed: set[int] = set()
            for start in range(0, len(pending), 500):
                chunk = pending[start : start + 500]
                cursor = await tx.execute(
                    f"UPDATE event_reminders SET state = ?, claimed_at = ? WHERE state = ?"
                    f" AND id IN ({','.join('?' * len(chunk))}) RETURNING id",
                    (ReminderState.SENDING, now, ReminderState.PENDING, *chunk),
                )
                claimed |= {row[0] for row in await cursor.fetchall()}
            await tx.executemany(
                "INSERT INTO event_deliveries (reminder_id, user_id, state) VALUES (?, ?, ?)"
                " ON CONFLICT (reminder_id, user_id) DO NOTHING",
                [(rid, CHANNEL_TARGET, DeliveryState.PENDING) for rid in claimed
                 if by_id[rid].kind is NoticeKind.REMINDER],
            )  # fmt: skip
            dm_rows = [
                (rid, DeliveryState.PENDING, by_id[rid].occurrence_id, Rsvp.GOING,
                 int(by_id[rid].kind is NoticeKind.REMINDER))
                for rid in claimed if dm_reminders or by_id[rid].kind is not NoticeKind.REMINDER
            ]  # fmt: skip
            await tx.executemany(
                "INSERT INTO event_deliveries (reminder_id, user_id, state)"
                " SELECT ?, v.user_id, ? FROM event_rsvps v JOIN event_occurrences o ON o.id = v.occurrence_id"
                " JOIN events e ON e.id = o.event_id WHERE v.occurrence_id = ? AND v.status = ?"
                " AND (? = 0 OR NOT EXISTS (SELECT 1 FROM event_member_prefs p WHERE p.guild_id = e.guild_id"
                "   AND p.user_id = v.user_id AND p.dm_reminders = 0))"
                " AND NOT EXISTS (SELECT 1 FROM dm_closed c WHERE c.user_id = v.user_id)"
                " ON CONFLICT (reminder_id, user_id) DO NOTHING",
                dm_rows,
            )
        return chosen | claimed

    async def pending_deliveries(self, reminder_id: int) -> list[ReminderDelivery]:
        return (await self.pending_deliveries_many([reminder_id])).get(reminder_id, [])

    async def pending_deliveries_many(self, reminder_ids: list[int]) -> dict[int, list[ReminderDelivery]]:
        """Unsent deliveries per reminder, the channel post first, then DMs by user id."""
        found: dict[int, list[ReminderDelivery]] = {}
        for start in range(0, len(reminder_ids), 500):
            chunk = reminder_ids[start : start + 500]
            rows = await self.db.fetchall(
                f"SELECT * FROM event_deliveries WHERE state = ? AND reminder_id IN ({','.join('?' * len(chunk))})"
                " ORDER BY reminder_id, user_id",
                (DeliveryState.PENDING, *chunk),
            )
            for r in rows:
                found.setdefault(r["reminder_id"], []).append(
                    ReminderDelivery(r["id"], r["reminder_id"], r["user_id"], DeliveryState(r["state"]), r["attempts"])
                )
        return found

    async def abandon(self, reminder_id: int, now: int) -> None:
        """A reminder whose event was cancelled after it was claimed: what was not sent will not be."""
        async with self.db.transaction() as tx:
            await tx.execute(
                "UPDATE event_deliveries SET state = ? WHERE reminder_id = ? AND state = ?",
                (DeliveryState.MISSED, reminder_id, DeliveryState.PENDING),
            )
            await tx.execute(
                "UPDATE event_reminders SET state = ?, finished_at = ? WHERE id = ? AND state IN (?, ?)",
                (ReminderState.CANCELLED, now, reminder_id, ReminderState.PENDING, ReminderState.SENDING),
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
        await self.db.execute(
            "UPDATE event_deliveries SET attempts = attempts + 1, error = ? WHERE id = ?", (error[:200], delivery_id)
        )
        return int(await self.db.fetchval("SELECT attempts FROM event_deliveries WHERE id = ?", (delivery_id,)))

    async def finish_if_done(self, reminder_id: int, now: int) -> bool:
        """sending -> sent once no delivery is pending."""
        cursor = await self.db.execute(
            "UPDATE event_reminders SET state = ?, finished_at = ? WHERE id = ? AND state = ? AND NOT EXISTS"
            " (SELECT 1 FROM event_deliveries d WHERE d.reminder_id = ? AND d.state = ?)",
            (ReminderState.SENT, now, reminder_id, ReminderState.SENDING, reminder_id, DeliveryState.PENDING),
        )
        return cursor.rowcount == 1

    async def purge_deliveries(self, finished_before: int) -> int:
        """Forget the per-message rows of reminders finished long ago (the reminder rows stay)."""
        cursor = await self.db.execute(
            "DELETE FROM event_deliveries WHERE reminder_id IN (SELECT id FROM event_reminders"
            " WHERE state IN (?, ?, ?) AND finished_at < ?)",
            (ReminderState.SENT, ReminderState.MISSED, ReminderState.CANCELLED, finished_before),
        )
        return cursor.rowcount

    async def delivery_summary(self, reminder_id: int) -> dict[str, int]:
        rows = await self.db.fetchall(
            "SELECT state, COUNT(*) FROM event_deliveries WHERE reminder_id = ? GROUP BY state", (reminder_id,)
        )
        return {row[0]: row[1] for row in rows}

    # ------------------------------------------------------------ closed DMs (the bot's shared memory)

    async def remember_dm_closed(self, user_id: int, now: int, guild_id: int | None = None) -> None:
        await self.dm_memory.remember(user_id, guild_id, utc(now))

    async def dm_closed(self, user_id: int) -> bool:
        return await self.dm_memory.is_closed(user_id)

    async def forget_dm_closed(self, user_id: int) -> bool:
        """Every feature tries this member's DMs again (they said their DMs are open)."""
        return await self.dm_memory.forget(user_id)
