"""SQL of the events feature; every query parameterised, every state change guarded by the state it expects."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from bot.database import Database
from cogs.events.models import (
    CHANNEL_TARGET,
    Delivery,
    DeliveryState,
    Event,
    EventState,
    NoticeKind,
    Occurrence,
    OccurrenceState,
    Reminder,
    ReminderState,
    Rsvp,
    RsvpCounts,
)


@dataclass(frozen=True)
class NewEvent:
    """Everything needed to store a draft."""

    guild_id: int
    creator_id: int
    title: str
    description: str
    location: str
    tz: str
    local_time: str
    duration_s: int
    recurrence: str
    monthly_nth: int
    reminder_offsets: tuple[int, ...]
    ping_role_id: int | None
    starts_at: int
    note: str = ""


def _offsets_text(offsets: Iterable[int]) -> str:
    return ",".join(str(int(o)) for o in offsets)


class EventStore:
    """Reads and writes the events tables."""

    def __init__(self, db: Database) -> None:
        self.db = db

    # ------------------------------------------------------------ events and occurrences

    async def insert_draft(self, new: NewEvent, now: int) -> tuple[int, int]:
        """Store a draft event with its first occurrence; returns (event id, occurrence id)."""
        async with self.db.transaction() as tx:
            cursor = await tx.execute(
                "INSERT INTO events (guild_id, creator_id, title, description, location, tz, local_time, duration_s,"
                " recurrence, monthly_nth, reminder_offsets, ping_role_id, state, created_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (new.guild_id, new.creator_id, new.title, new.description, new.location, new.tz, new.local_time,
                 new.duration_s, new.recurrence, new.monthly_nth, _offsets_text(new.reminder_offsets),
                 new.ping_role_id, EventState.DRAFT, now, now),
            )  # fmt: skip
            event_id = cursor.lastrowid
            cursor = await tx.execute(
                "INSERT INTO event_occurrences (event_id, seq, starts_at, ends_at, state, note)"
                " VALUES (?, 1, ?, ?, ?, ?)",
                (event_id, new.starts_at, new.starts_at + new.duration_s, OccurrenceState.UPCOMING, new.note),
            )
            return event_id, cursor.lastrowid

    async def event(self, event_id: int) -> Event | None:
        row = await self.db.fetchone("SELECT * FROM events WHERE id = ?", (event_id,))
        return None if row is None else Event.from_row(row)

    async def occurrence(self, occurrence_id: int) -> Occurrence | None:
        row = await self.db.fetchone("SELECT * FROM event_occurrences WHERE id = ?", (occurrence_id,))
        return None if row is None else Occurrence.from_row(row)

    async def occurrence_by_seq(self, event_id: int, seq: int) -> Occurrence | None:
        row = await self.db.fetchone("SELECT * FROM event_occurrences WHERE event_id = ? AND seq = ?", (event_id, seq))
        return None if row is None else Occurrence.from_row(row)

    async def latest_occurrence(self, event_id: int) -> Occurrence | None:
        """The newest occurrence of an event (the current one of a series)."""
        row = await self.db.fetchone(
            "SELECT * FROM event_occurrences WHERE event_id = ? ORDER BY seq DESC LIMIT 1", (event_id,)
        )
        return None if row is None else Occurrence.from_row(row)

    async def occurrences(self, event_id: int) -> list[Occurrence]:
        rows = await self.db.fetchall("SELECT * FROM event_occurrences WHERE event_id = ? ORDER BY seq", (event_id,))
        return [Occurrence.from_row(r) for r in rows]

    async def activate(self, event_id: int, channel_id: int, now: int) -> bool:
        """Draft -> active (only once: a second Confirm click finds no draft)."""
        cursor = await self.db.execute(
            "UPDATE events SET state = ?, channel_id = ?, updated_at = ? WHERE id = ? AND state = ?",
            (EventState.ACTIVE, channel_id, now, event_id, EventState.DRAFT),
        )
        return cursor.rowcount == 1

    async def back_to_draft(self, event_id: int, now: int) -> None:
        """Undo an activation whose announcement Discord refused; its reminders go too."""
        async with self.db.transaction() as tx:
            await tx.execute(
                "UPDATE events SET state = ?, updated_at = ? WHERE id = ? AND state = ?",
                (EventState.DRAFT, now, event_id, EventState.ACTIVE),
            )
            await tx.execute(
                "DELETE FROM event_reminders WHERE occurrence_id IN"
                " (SELECT id FROM event_occurrences WHERE event_id = ?) AND state = ?",
                (event_id, ReminderState.PENDING),
            )

    async def delete_draft(self, event_id: int) -> bool:
        cursor = await self.db.execute("DELETE FROM events WHERE id = ? AND state = ?", (event_id, EventState.DRAFT))
        return cursor.rowcount == 1

    async def purge_drafts(self, older_than: int) -> int:
        cursor = await self.db.execute(
            "DELETE FROM events WHERE state = ? AND created_at < ?", (EventState.DRAFT, older_than)
        )
        return cursor.rowcount

    async def update_event(self, event_id: int, now: int, **fields: object) -> None:
        """Change some columns of an event and bump its revision."""
        allowed = {"title", "description", "location", "tz", "local_time", "duration_s", "recurrence",
                   "monthly_nth", "reminder_offsets", "ping_role_id"}  # fmt: skip
        unknown = set(fields) - allowed
        if unknown:
            raise ValueError(f"not event columns: {unknown}")
        if "reminder_offsets" in fields:
            fields["reminder_offsets"] = _offsets_text(fields["reminder_offsets"])  # type: ignore[arg-type]
        assignments = ", ".join(f"{name} = ?" for name in fields)
        await self.db.execute(
            f"UPDATE events SET {assignments}, revision = revision + 1, updated_at = ? WHERE id = ?",
            (*fields.values(), now, event_id),
        )

    async def set_event_state(self, event_id: int, state: EventState, now: int) -> None:
        await self.db.execute("UPDATE events SET state = ?, updated_at = ? WHERE id = ?", (state, now, event_id))

    async def move_occurrence(self, occurrence_id: int, starts_at: int, ends_at: int, note: str) -> None:
        await self.db.execute(
            "UPDATE event_occurrences SET starts_at = ?, ends_at = ?, note = ? WHERE id = ?",
            (starts_at, ends_at, note, occurrence_id),
        )

    async def set_occurrence_state(self, occurrence_id: int, state: OccurrenceState) -> None:
        await self.db.execute("UPDATE event_occurrences SET state = ? WHERE id = ?", (state, occurrence_id))

    async def set_message(self, occurrence_id: int, message_id: int) -> None:
        await self.db.execute("UPDATE event_occurrences SET message_id = ? WHERE id = ?", (message_id, occurrence_id))

    async def set_scheduled_event(self, occurrence_id: int, scheduled_event_id: int | None) -> None:
        await self.db.execute(
            "UPDATE event_occurrences SET scheduled_event_id = ? WHERE id = ?", (scheduled_event_id, occurrence_id)
        )

    async def add_occurrence(self, event_id: int, seq: int, starts_at: int, ends_at: int, note: str) -> int | None:
        """The next occurrence of a series; None when it already exists (a second pass found it done)."""
        cursor = await self.db.execute(
            "INSERT OR IGNORE INTO event_occurrences (event_id, seq, starts_at, ends_at, state, note)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (event_id, seq, starts_at, ends_at, OccurrenceState.UPCOMING, note),
        )
        return cursor.lastrowid if cursor.rowcount == 1 else None

    async def upcoming(self, guild_id: int, now: int, limit: int = 25) -> list[tuple[Event, Occurrence]]:
        """Active events of a guild whose current occurrence has not ended, soonest first."""
        rows = await self.db.fetchall(
            f"SELECT e.*, {_OCCURRENCE_COLUMNS} FROM events e JOIN event_occurrences o ON o.event_id = e.id"
            " WHERE e.guild_id = ? AND e.state = ? AND o.state = ? AND o.ends_at > ?"
            " ORDER BY o.starts_at LIMIT ?",
            (guild_id, EventState.ACTIVE, OccurrenceState.UPCOMING, now, limit),
        )
        return [(Event.from_row(r), _occurrence_from_joined(r)) for r in rows]

    async def count_upcoming(self, guild_id: int, now: int) -> int:
        return int(await self.db.fetchval(
            "SELECT COUNT(*) FROM events e JOIN event_occurrences o ON o.event_id = e.id"
            " WHERE e.guild_id = ? AND e.state = ? AND o.state = ? AND o.ends_at > ?",
            (guild_id, EventState.ACTIVE, OccurrenceState.UPCOMING, now),
        ))  # fmt: skip

    async def search(self, guild_id: int, text: str, limit: int = 25, *, active_only: bool = True) -> list[Event]:
        """Events of a guild whose title contains `text`, newest first (for autocomplete)."""
        states = (EventState.ACTIVE,) if active_only else (EventState.ACTIVE, EventState.CANCELLED, EventState.ENDED)
        marks = ",".join("?" * len(states))
        pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        rows = await self.db.fetchall(
            f"SELECT * FROM events WHERE guild_id = ? AND state IN ({marks}) AND title LIKE ? ESCAPE '\\'"
            " ORDER BY id DESC LIMIT ?",
            (guild_id, *states, pattern, limit),
        )
        return [Event.from_row(r) for r in rows]

    async def find_by_title(self, guild_id: int, title: str) -> list[Event]:
        rows = await self.db.fetchall(
            "SELECT * FROM events WHERE guild_id = ? AND state != ? AND title = ? COLLATE NOCASE ORDER BY id DESC",
            (guild_id, EventState.DRAFT, title),
        )
        return [Event.from_row(r) for r in rows]

    async def ended_occurrences(self, now: int, limit: int = 200) -> list[tuple[Event, Occurrence]]:
        """Upcoming occurrences of active events whose end has passed (to close or advance)."""
        rows = await self.db.fetchall(
            f"SELECT e.*, {_OCCURRENCE_COLUMNS} FROM event_occurrences o JOIN events e ON e.id = o.event_id"
            " WHERE o.state = ? AND o.ends_at <= ? AND e.state = ? ORDER BY o.ends_at LIMIT ?",
            (OccurrenceState.UPCOMING, now, EventState.ACTIVE, limit),
        )
        return [(Event.from_row(r), _occurrence_from_joined(r)) for r in rows]

    async def unannounced(self, limit: int = 100) -> list[tuple[Event, Occurrence]]:
        """Upcoming occurrences of active events with no announcement yet (a new one of a series, or a crash)."""
        rows = await self.db.fetchall(
            f"SELECT e.*, {_OCCURRENCE_COLUMNS} FROM event_occurrences o JOIN events e ON e.id = o.event_id"
            " WHERE o.state = ? AND o.message_id IS NULL AND e.state = ? ORDER BY o.starts_at LIMIT ?",
            (OccurrenceState.UPCOMING, EventState.ACTIVE, limit),
        )
        return [(Event.from_row(r), _occurrence_from_joined(r)) for r in rows]

    async def next_ends(self, until: int, limit: int) -> list[int]:
        """Distinct end times of upcoming occurrences before `until` (scheduler wake-ups)."""
        rows = await self.db.fetchall(
            "SELECT DISTINCT ends_at FROM event_occurrences WHERE state = ? AND ends_at <= ? ORDER BY ends_at LIMIT ?",
            (OccurrenceState.UPCOMING, until, limit),
        )
        return [r[0] for r in rows]

    # ------------------------------------------------------------ RSVPs

    async def set_rsvp(self, occurrence_id: int, user_id: int, choice: Rsvp, now: int) -> Rsvp | None:
        """Record a member's answer; returns their previous one."""
        async with self.db.transaction() as tx:
            cursor = await tx.execute(
                "SELECT status FROM event_rsvps WHERE occurrence_id = ? AND user_id = ?", (occurrence_id, user_id)
            )
            previous = await cursor.fetchone()
            await tx.execute(
                "INSERT INTO event_rsvps (occurrence_id, user_id, status, updated_at) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (occurrence_id, user_id) DO UPDATE SET status = excluded.status,"
                " updated_at = excluded.updated_at",
                (occurrence_id, user_id, choice, now),
            )
        return None if previous is None else Rsvp(previous[0])

    async def rsvp_of(self, occurrence_id: int, user_id: int) -> Rsvp | None:
        value = await self.db.fetchval(
            "SELECT status FROM event_rsvps WHERE occurrence_id = ? AND user_id = ?", (occurrence_id, user_id)
        )
        return None if value is None else Rsvp(value)

    async def counts(self, occurrence_id: int) -> RsvpCounts:
        rows = await self.db.fetchall(
            "SELECT status, COUNT(*) FROM event_rsvps WHERE occurrence_id = ? GROUP BY status", (occurrence_id,)
        )
        found = {row[0]: row[1] for row in rows}
        return RsvpCounts(found.get(Rsvp.GOING, 0), found.get(Rsvp.MAYBE, 0), found.get(Rsvp.DECLINED, 0))

    async def members(self, occurrence_id: int, choice: Rsvp, limit: int = 1000) -> list[int]:
        rows = await self.db.fetchall(
            "SELECT user_id FROM event_rsvps WHERE occurrence_id = ? AND status = ? ORDER BY updated_at LIMIT ?",
            (occurrence_id, choice, limit),
        )
        return [r[0] for r in rows]

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
                " finished_at = NULL WHERE event_reminders.state = 'cancelled'",
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
        cursor = await self.db.execute(
            "INSERT OR IGNORE INTO event_reminders (occurrence_id, kind, offset_s, due_at, state, detail)"
            " VALUES (?, ?, 0, ?, ?, ?)",
            (occurrence_id, kind, due_at, ReminderState.PENDING, detail),
        )
        return cursor.lastrowid if cursor.rowcount == 1 else None

    async def reminders_of(self, occurrence_id: int) -> list[Reminder]:
        rows = await self.db.fetchall(
            "SELECT * FROM event_reminders WHERE occurrence_id = ? ORDER BY due_at, id", (occurrence_id,)
        )
        return [Reminder.from_row(r) for r in rows]

    async def reminder(self, reminder_id: int) -> Reminder | None:
        row = await self.db.fetchone("SELECT * FROM event_reminders WHERE id = ?", (reminder_id,))
        return None if row is None else Reminder.from_row(row)

    async def next_due_times(self, until: int, limit: int) -> list[int]:
        """Distinct due times of pending reminders up to `until`, soonest first (the scheduler's window)."""
        rows = await self.db.fetchall(
            "SELECT DISTINCT due_at FROM event_reminders WHERE state = ? AND due_at <= ? ORDER BY due_at LIMIT ?",
            (ReminderState.PENDING, until, limit),
        )
        return [r[0] for r in rows]

    async def due_guilds(self, now: int) -> list[int]:
        """Guilds with reminders due now (pending, or claimed and not finished)."""
        rows = await self.db.fetchall(
            "SELECT DISTINCT e.guild_id FROM event_reminders r JOIN event_occurrences o ON o.id = r.occurrence_id"
            " JOIN events e ON e.id = o.event_id WHERE r.state IN (?, ?) AND r.due_at <= ?",
            (ReminderState.PENDING, ReminderState.SENDING, now),
        )
        return [r[0] for r in rows]

    async def expire(self, guild_id: int, now: int, grace_s: int) -> int:
        """Record as missed what can no longer usefully go out: reminders later than the grace period, and
        notices about an occurrence that has already ended. Returns how many reminders were missed."""
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
        """Reminders of a guild that are due and not finished, oldest first, after a (due_at, id) position."""
        rows = await self.db.fetchall(
            "SELECT r.* FROM event_reminders r JOIN event_occurrences o ON o.id = r.occurrence_id"
            " JOIN events e ON e.id = o.event_id WHERE e.guild_id = ? AND r.state IN (?, ?) AND r.due_at <= ?"
            " AND (r.due_at, r.id) > (?, ?) ORDER BY r.due_at, r.id LIMIT ?",
            (guild_id, ReminderState.PENDING, ReminderState.SENDING, now, *after, limit),
        )
        return [Reminder.from_row(r) for r in rows]

    async def claim(self, reminder: Reminder, now: int, *, dm_reminders: bool = True) -> bool:
        """Claim one reminder (see claim_many)."""
        return reminder.id in await self.claim_many([reminder], now, dm_reminders=dm_reminders)

    async def claim_many(self, reminders: list[Reminder], now: int, *, dm_reminders: bool) -> set[int]:
        """pending -> sending in one transaction, with one delivery row per message to send, fixed now: the
        channel post (reminders only) and a DM to each member going at the time it fell due (for reminders,
        unless DM reminders are off here or the member opted out; for notices, always), never to a member
        whose DMs are known closed. Returns the ids to send: those claimed now, plus those already in
        'sending' (resumed after a restart), which keep their rows."""
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
                "INSERT OR IGNORE INTO event_deliveries (reminder_id, user_id, state) VALUES (?, ?, ?)",
                [(rid, CHANNEL_TARGET, DeliveryState.PENDING) for rid in claimed
                 if by_id[rid].kind is NoticeKind.REMINDER],
            )  # fmt: skip
            dm_rows = [
                (rid, DeliveryState.PENDING, by_id[rid].occurrence_id, Rsvp.GOING,
                 int(by_id[rid].kind is NoticeKind.REMINDER))
                for rid in claimed if dm_reminders or by_id[rid].kind is not NoticeKind.REMINDER
            ]  # fmt: skip
            await tx.executemany(
                "INSERT OR IGNORE INTO event_deliveries (reminder_id, user_id, state)"
                " SELECT ?, v.user_id, ? FROM event_rsvps v JOIN event_occurrences o ON o.id = v.occurrence_id"
                " JOIN events e ON e.id = o.event_id WHERE v.occurrence_id = ? AND v.status = ?"
                " AND (? = 0 OR NOT EXISTS (SELECT 1 FROM event_member_prefs p WHERE p.guild_id = e.guild_id"
                "   AND p.user_id = v.user_id AND p.dm_reminders = 0))"
                " AND NOT EXISTS (SELECT 1 FROM events_dm_closed c WHERE c.user_id = v.user_id)",
                dm_rows,
            )
        return chosen | claimed

    async def pending_deliveries(self, reminder_id: int) -> list[Delivery]:
        return (await self.pending_deliveries_many([reminder_id])).get(reminder_id, [])

    async def pending_deliveries_many(self, reminder_ids: list[int]) -> dict[int, list[Delivery]]:
        """Unsent deliveries per reminder, the channel post first, then DMs by user id."""
        found: dict[int, list[Delivery]] = {}
        for start in range(0, len(reminder_ids), 500):
            chunk = reminder_ids[start : start + 500]
            rows = await self.db.fetchall(
                f"SELECT * FROM event_deliveries WHERE state = ? AND reminder_id IN ({','.join('?' * len(chunk))})"
                " ORDER BY reminder_id, user_id",
                (DeliveryState.PENDING, *chunk),
            )
            for r in rows:
                found.setdefault(r["reminder_id"], []).append(
                    Delivery(r["id"], r["reminder_id"], r["user_id"], DeliveryState(r["state"]), r["attempts"])
                )
        return found

    async def contexts(self, occurrence_ids: set[int]) -> dict[int, tuple[Event, Occurrence]]:
        """Event and occurrence for each occurrence id, in one query per 500."""
        ids = sorted(occurrence_ids)
        found: dict[int, tuple[Event, Occurrence]] = {}
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            rows = await self.db.fetchall(
                f"SELECT e.*, {_OCCURRENCE_COLUMNS} FROM event_occurrences o JOIN events e ON e.id = o.event_id"
                f" WHERE o.id IN ({','.join('?' * len(chunk))})",
                chunk,
            )
            for row in rows:
                found[row["o_id"]] = (Event.from_row(row), _occurrence_from_joined(row))
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

    async def delivery_summary(self, reminder_id: int) -> dict[str, int]:
        rows = await self.db.fetchall(
            "SELECT state, COUNT(*) FROM event_deliveries WHERE reminder_id = ? GROUP BY state", (reminder_id,)
        )
        return {row[0]: row[1] for row in rows}

    # ------------------------------------------------------------ members' DM preferences

    async def set_dm_reminders(self, guild_id: int, user_id: int, enabled: bool, now: int) -> None:
        await self.db.execute(
            "INSERT INTO event_member_prefs (guild_id, user_id, dm_reminders, updated_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (guild_id, user_id) DO UPDATE SET dm_reminders = excluded.dm_reminders,"
            " updated_at = excluded.updated_at",
            (guild_id, user_id, int(enabled), now),
        )

    async def dm_reminders_enabled(self, guild_id: int, user_id: int) -> bool:
        value = await self.db.fetchval(
            "SELECT dm_reminders FROM event_member_prefs WHERE guild_id = ? AND user_id = ?", (guild_id, user_id)
        )
        return value is None or bool(value)

    async def remember_dm_closed(self, user_id: int, now: int) -> None:
        await self.db.execute(
            "INSERT INTO events_dm_closed (user_id, noted_at) VALUES (?, ?)"
            " ON CONFLICT (user_id) DO UPDATE SET noted_at = excluded.noted_at, failures = failures + 1",
            (user_id, now),
        )

    async def dm_closed(self, user_id: int) -> bool:
        return await self.db.fetchval("SELECT 1 FROM events_dm_closed WHERE user_id = ?", (user_id,)) is not None

    async def forget_dm_closed(self, user_id: int) -> bool:
        cursor = await self.db.execute("DELETE FROM events_dm_closed WHERE user_id = ?", (user_id,))
        return cursor.rowcount == 1

    # ------------------------------------------------------------ counts

    async def stats(self) -> dict[str, int]:
        row = await self.db.fetchone(
            "SELECT (SELECT COUNT(*) FROM events WHERE state = ?),"
            " (SELECT COUNT(*) FROM event_reminders WHERE state = ?),"
            " (SELECT COUNT(*) FROM event_reminders WHERE state = ?),"
            " (SELECT COUNT(*) FROM events_dm_closed)",
            (EventState.ACTIVE, ReminderState.PENDING, ReminderState.SENT),
        )
        return {"events active": row[0], "reminders pending": row[1], "reminders sent": row[2],
                "members with closed DMs (events)": row[3]}  # fmt: skip


_OCCURRENCE_COLUMNS = (
    "o.id AS o_id, o.seq, o.starts_at, o.ends_at, o.state AS o_state, o.message_id, o.scheduled_event_id, o.note,"
    " o.event_id"
)


def _occurrence_from_joined(row: object) -> Occurrence:
    return Occurrence(
        id=row["o_id"], event_id=row["event_id"], seq=row["seq"], starts_at=row["starts_at"], ends_at=row["ends_at"],
        state=OccurrenceState(row["o_state"]), message_id=row["message_id"],
        scheduled_event_id=row["scheduled_event_id"], note=row["note"],
    )  # fmt: skip
