"""SQL of the events feature; every query parameterised, every state change guarded by the state it expects."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from bot.database import ALL, Database, Row, Statement
from bot.dm_closed import DmClosedStore
from cogs.events.cache import TOPIC, EventCache
from cogs.events.models import (
    Event,
    EventState,
    NewEvent,
    Occurrence,
    OccurrenceState,
    ReminderState,
    Rsvp,
    RsvpCounts,
    RsvpWrite,
)
from cogs.events.store_reminders import CLAIM_LEASE_S, ReminderQueries


def _offsets_text(offsets: Iterable[int]) -> str:
    return ",".join(str(int(o)) for o in offsets)


class EventStore(ReminderQueries):
    """Reads and writes the events tables (reminders, deliveries and what is due next: see ReminderQueries)."""

    def __init__(self, db: Database, dm_memory: DmClosedStore | None = None, *, lease_s: int | None = None) -> None:
        self.db = db
        # The bot's one memory of closed DMs (bot.dm_closed); a store of its own over the same file in store tests.
        self.dm_memory = dm_memory or DmClosedStore(db)
        # Claims (store_reminders): who this process is, and how long another process's claim is respected. On
        # SQLite the bot is one process, so a claim not finished at a pass is this process's or a dead one's.
        self.worker = uuid.uuid4().hex[:16]
        self.lease_s = lease_s if lease_s is not None else (CLAIM_LEASE_S if db.backend == "postgresql" else 0)
        self.cache = EventCache()
        self._subscribed = False

    async def close(self) -> None:
        """Stop listening for change notices (the feature unloads)."""
        if self._subscribed:
            self.db.unsubscribe(TOPIC, self.cache.invalidate)
            self._subscribed = False

    async def _changed(self, event_id: int | str) -> None:
        """After a committed write to an event or its occurrences: every process drops what it cached of it."""
        await self.db.publish(TOPIC, str(event_id))

    # ------------------------------------------------------------ events and occurrences

    async def insert_draft(self, new: NewEvent, now: int) -> tuple[int, int]:
        """Store a draft event with its first occurrence; returns (event id, occurrence id)."""
        async with self.db.transaction() as tx:
            inserted = await tx.execute(
                "INSERT INTO events (guild_id, creator_id, title, description, location, tz, local_time, duration_s,"
                " recurrence, monthly_nth, reminder_offsets, ping_role_id, state, created_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                (new.guild_id, new.creator_id, new.title, new.description, new.location, new.tz, new.local_time,
                 new.duration_s, new.recurrence, new.monthly_nth, _offsets_text(new.reminder_offsets),
                 new.ping_role_id, EventState.DRAFT, now, now),
            )  # fmt: skip
            event_id = int(inserted.rows[0][0])
            inserted = await tx.execute(
                "INSERT INTO event_occurrences (event_id, seq, starts_at, ends_at, state, note)"
                " VALUES (?, 1, ?, ?, ?, ?) RETURNING id",
                (event_id, new.starts_at, new.starts_at + new.duration_s, OccurrenceState.UPCOMING, new.note),
            )
            return event_id, int(inserted.rows[0][0])

    async def event(self, event_id: int) -> Event | None:
        row = await self.db.fetchrow("SELECT * FROM events WHERE id = ?", (event_id,))
        return None if row is None else Event.from_row(row)

    async def occurrence(self, occurrence_id: int) -> Occurrence | None:
        row = await self.db.fetchrow("SELECT * FROM event_occurrences WHERE id = ?", (occurrence_id,))
        return None if row is None else Occurrence.from_row(row)

    async def occurrence_by_seq(self, event_id: int, seq: int) -> Occurrence | None:
        row = await self.db.fetchrow("SELECT * FROM event_occurrences WHERE event_id = ? AND seq = ?", (event_id, seq))
        return None if row is None else Occurrence.from_row(row)

    async def clicked(self, event_id: int, seq: int) -> tuple[Event, Occurrence] | None:
        """The event and occurrence an RSVP button names, from the cache (one query when not cached)."""
        if (entry := self.cache.get(event_id, seq)) is not None:
            return entry
        if not self._subscribed:  # first use: from now on every process's changes reach this cache
            await self.db.subscribe(TOPIC, self.cache.invalidate)
            self._subscribed = True
        generation = self.cache.generation
        row = await self.db.fetchrow(
            f"SELECT e.*, {_OCCURRENCE_COLUMNS} FROM events e JOIN event_occurrences o ON o.event_id = e.id"
            " WHERE e.id = ? AND o.seq = ?",
            (event_id, seq),
        )
        if row is None:
            return None
        entry = (Event.from_row(row), _occurrence_from_joined(row))
        self.cache.put(entry, generation)
        return entry

    async def latest_occurrence(self, event_id: int) -> Occurrence | None:
        """The newest occurrence of an event (the current one of a series)."""
        row = await self.db.fetchrow(
            "SELECT * FROM event_occurrences WHERE event_id = ? ORDER BY seq DESC LIMIT 1", (event_id,)
        )
        return None if row is None else Occurrence.from_row(row)

    async def occurrences(self, event_id: int) -> list[Occurrence]:
        rows = await self.db.fetch("SELECT * FROM event_occurrences WHERE event_id = ? ORDER BY seq", (event_id,))
        return [Occurrence.from_row(r) for r in rows]

    async def activate(self, event_id: int, channel_id: int, now: int) -> bool:
        """Draft -> active (only once: a second Confirm click finds no draft).

        The confirming process posts the first announcement itself: it is claimed for the lease (`announce_after`),
        so a pass of another process does not post it too; if this one dies first, a pass posts it after the lease.
        """
        activated, _ = await self.db.batch([
            Statement("UPDATE events SET state = ?, channel_id = ?, updated_at = ? WHERE id = ? AND state = ?",
                      (EventState.ACTIVE, channel_id, now, event_id, EventState.DRAFT)),
            Statement("UPDATE event_occurrences SET announce_after = ? WHERE event_id = ? AND message_id IS NULL",
                      (now + self.lease_s, event_id)),
        ])  # fmt: skip
        await self._changed(event_id)
        return activated.rowcount == 1

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
        await self._changed(event_id)

    async def delete_draft(self, event_id: int) -> bool:
        deleted = await self.db.execute("DELETE FROM events WHERE id = ? AND state = ?", (event_id, EventState.DRAFT))
        await self._changed(event_id)
        return deleted.rowcount == 1

    async def purge_drafts(self, older_than: int) -> int:
        deleted = await self.db.execute(
            "DELETE FROM events WHERE state = ? AND created_at < ?", (EventState.DRAFT, older_than)
        )
        if deleted.rowcount:
            await self._changed(ALL)  # SQLite may give a deleted id to the next event
        return deleted.rowcount

    async def update_event(self, event_id: int, now: int, **fields: object) -> None:
        """Change some columns of an event and bump its revision."""
        allowed = {"title", "description", "location", "tz", "local_time", "duration_s", "recurrence",
                   "monthly_nth", "reminder_offsets", "ping_role_id"}  # fmt: skip
        unknown = set(fields) - allowed
        if unknown:
            raise ValueError(f"not event columns: {unknown}")
        offsets = fields.get("reminder_offsets")
        if isinstance(offsets, tuple):
            fields["reminder_offsets"] = _offsets_text(offsets)
        assignments = ", ".join(f"{name} = ?" for name in fields)
        await self.db.execute(
            f"UPDATE events SET {assignments}, revision = revision + 1, updated_at = ? WHERE id = ?",
            (*fields.values(), now, event_id),
        )
        await self._changed(event_id)

    async def set_event_state(self, event_id: int, state: EventState, now: int) -> None:
        await self.db.execute("UPDATE events SET state = ?, updated_at = ? WHERE id = ?", (state, now, event_id))
        await self._changed(event_id)

    async def _occurrence_changed(self, sql: str, params: tuple[object, ...]) -> bool:
        """An UPDATE of occurrences `... RETURNING event_id`: tells every process; whether a row changed."""
        changed = await self.db.execute(sql, params)
        for event_id in {row[0] for row in changed.rows}:
            await self._changed(event_id)
        return bool(changed.rows)

    async def move_occurrence(self, occurrence_id: int, starts_at: int, ends_at: int, note: str) -> None:
        await self._occurrence_changed(
            "UPDATE event_occurrences SET starts_at = ?, ends_at = ?, note = ? WHERE id = ? RETURNING event_id",
            (starts_at, ends_at, note, occurrence_id),
        )

    async def set_occurrence_state(self, occurrence_id: int, state: OccurrenceState) -> None:
        await self._occurrence_changed(
            "UPDATE event_occurrences SET state = ? WHERE id = ? RETURNING event_id", (state, occurrence_id)
        )

    async def end_occurrence(self, occurrence_id: int) -> bool:
        """upcoming -> ended; False when another pass (of this or another process) ended it first."""
        return await self._occurrence_changed(
            "UPDATE event_occurrences SET state = ? WHERE id = ? AND state = ? RETURNING event_id",
            (OccurrenceState.ENDED, occurrence_id, OccurrenceState.UPCOMING),
        )

    async def set_message(self, occurrence_id: int, message_id: int) -> None:
        await self._occurrence_changed(
            "UPDATE event_occurrences SET message_id = ? WHERE id = ? RETURNING event_id", (message_id, occurrence_id)
        )

    async def set_scheduled_event(self, occurrence_id: int, scheduled_event_id: int | None) -> None:
        await self._occurrence_changed(
            "UPDATE event_occurrences SET scheduled_event_id = ? WHERE id = ? RETURNING event_id",
            (scheduled_event_id, occurrence_id),
        )

    async def add_occurrence(self, event_id: int, seq: int, starts_at: int, ends_at: int, note: str) -> int | None:
        """The next occurrence of a series; None when it already exists (a second pass found it done)."""
        added = await self.db.execute(
            "INSERT INTO event_occurrences (event_id, seq, starts_at, ends_at, state, note)"
            " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (event_id, seq) DO NOTHING RETURNING id",
            (event_id, seq, starts_at, ends_at, OccurrenceState.UPCOMING, note),
        )
        return int(added.rows[0][0]) if added.rows else None

    async def upcoming(self, guild_id: int, now: int, limit: int = 25) -> list[tuple[Event, Occurrence]]:
        """Active events of a guild whose current occurrence has not ended, soonest first."""
        rows = await self.db.fetch(
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
        rows = await self.db.fetch(
            f"SELECT * FROM events WHERE guild_id = ? AND state IN ({marks})"
            f" AND title {self.db.dialect.ilike} ? ESCAPE '\\'"
            " ORDER BY id DESC LIMIT ?",
            (guild_id, *states, pattern, limit),
        )
        return [Event.from_row(r) for r in rows]

    async def find_by_title(self, guild_id: int, title: str) -> list[Event]:
        rows = await self.db.fetch(
            "SELECT * FROM events WHERE guild_id = ? AND state != ? AND lower(title) = lower(?) ORDER BY id DESC",
            (guild_id, EventState.DRAFT, title),
        )
        return [Event.from_row(r) for r in rows]

    async def ended_occurrences(self, now: int, limit: int = 200) -> list[tuple[Event, Occurrence]]:
        """Upcoming occurrences of active events whose end has passed (to close or advance)."""
        rows = await self.db.fetch(
            f"SELECT e.*, {_OCCURRENCE_COLUMNS} FROM event_occurrences o JOIN events e ON e.id = o.event_id"
            " WHERE o.state = ? AND o.ends_at <= ? AND e.state = ? ORDER BY o.ends_at LIMIT ?",
            (OccurrenceState.UPCOMING, now, EventState.ACTIVE, limit),
        )
        return [(Event.from_row(r), _occurrence_from_joined(r)) for r in rows]

    async def claim_unannounced(self, now: int, limit: int = 100) -> list[tuple[Event, Occurrence]]:
        """Claim upcoming occurrences of active events owed an announcement (a series' next one, or after a crash).

        Those whose last try failed wait for their retry time. The claim moves `announce_after` a lease ahead in one
        conditional UPDATE, so two processes never post the same announcement; a process that dies holding one
        leaves it to the next pass after the lease. Posting stores the message id (then it is owed no more), a
        failure sets the retry time (`announce_later`).
        """
        claimed = await self.db.execute(
            "UPDATE event_occurrences SET announce_after = ? WHERE id IN ("
            " SELECT o.id FROM event_occurrences o JOIN events e ON e.id = o.event_id"
            " WHERE o.state = ? AND o.message_id IS NULL AND e.state = ?"
            " AND (o.announce_after IS NULL OR o.announce_after <= ?) ORDER BY o.starts_at, o.id LIMIT ?)"
            " AND message_id IS NULL AND (announce_after IS NULL OR announce_after <= ?) RETURNING id",
            (now + self.lease_s, OccurrenceState.UPCOMING, EventState.ACTIVE, now, limit, now),
        )
        found = await self.contexts({int(row[0]) for row in claimed.rows})
        return sorted(found.values(), key=lambda pair: (pair[1].starts_at, pair[1].id))

    async def announce_later(self, occurrence_id: int, when: int) -> None:
        """Posting the announcement failed (or the server is unavailable): try again at `when`."""
        await self.db.execute("UPDATE event_occurrences SET announce_after = ? WHERE id = ?", (when, occurrence_id))

    async def contexts(self, occurrence_ids: set[int]) -> dict[int, tuple[Event, Occurrence]]:
        """Event and occurrence for each occurrence id, in one query per 500."""
        ids = sorted(occurrence_ids)
        found: dict[int, tuple[Event, Occurrence]] = {}
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            rows = await self.db.fetch(
                f"SELECT e.*, {_OCCURRENCE_COLUMNS} FROM event_occurrences o JOIN events e ON e.id = o.event_id"
                f" WHERE o.id IN ({','.join('?' * len(chunk))})",
                chunk,
            )
            for row in rows:
                found[row["o_id"]] = (Event.from_row(row), _occurrence_from_joined(row))
        return found

    # ------------------------------------------------------------ RSVPs

    async def set_rsvp(
        self, occurrence_id: int, user_id: int, choice: Rsvp, now: int, clicked_id: int, *, prefs_of: int | None = None
    ) -> RsvpWrite:
        """Record a member's answer unless a later click of theirs is already stored, in one round trip.

        Returns their previous answer and, with `prefs_of` (a guild id), what the confirmation says about reminder
        DMs: whether their DMs are known closed, and their DM preference there. No counts: the click does not show
        them (the announcement's edit reads them, off the click's path; rsvp_counts.py).
        """
        statements = [
            Statement(
                "SELECT status FROM event_rsvps WHERE occurrence_id = ? AND user_id = ?", (occurrence_id, user_id)
            ),
            Statement(
                "INSERT INTO event_rsvps (occurrence_id, user_id, status, updated_at, clicked_id)"
                " VALUES (?, ?, ?, ?, ?)"
                " ON CONFLICT (occurrence_id, user_id) DO UPDATE SET status = excluded.status,"
                " updated_at = excluded.updated_at, clicked_id = excluded.clicked_id"
                " WHERE event_rsvps.clicked_id < excluded.clicked_id",
                (occurrence_id, user_id, choice, now, clicked_id),
            ),
        ]
        if prefs_of is not None:
            statements.append(Statement(
                "SELECT (SELECT 1 FROM dm_closed WHERE user_id = ?),"
                " (SELECT dm_reminders FROM event_member_prefs WHERE guild_id = ? AND user_id = ?)",
                (user_id, prefs_of, user_id),
            ))  # fmt: skip
        previous, _, *prefs = await self.db.batch(statements)
        write = RsvpWrite(Rsvp(previous.rows[0][0]) if previous.rows else None)
        if prefs:
            dm_closed, dm_reminders = prefs[0].rows[0]
            write.dm_closed, write.dm_reminders = dm_closed is not None, dm_reminders is None or bool(dm_reminders)
        return write

    async def counts(self, occurrence_id: int) -> RsvpCounts:
        return _counts_of(await self.db.fetch(_COUNTS, (occurrence_id,)))

    async def members(self, occurrence_id: int, choice: Rsvp, limit: int = 1000) -> list[int]:
        rows = await self.db.fetch(
            "SELECT user_id FROM event_rsvps WHERE occurrence_id = ? AND status = ? ORDER BY updated_at LIMIT ?",
            (occurrence_id, choice, limit),
        )
        return [r[0] for r in rows]

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

    # ------------------------------------------------------------ counts

    async def stats(self) -> dict[str, int]:
        row = await self.db.fetchrow(
            "SELECT (SELECT COUNT(*) FROM events WHERE state = ?),"
            " (SELECT COUNT(*) FROM event_reminders WHERE state = ?),"
            " (SELECT COUNT(*) FROM event_reminders WHERE state = ?)",
            (EventState.ACTIVE, ReminderState.PENDING, ReminderState.SENT),
        )
        active, pending, sent = (int(n) for n in row) if row is not None else (0, 0, 0)
        return {"events active": active, "reminders pending": pending, "reminders sent": sent}


_COUNTS = "SELECT status, COUNT(*) FROM event_rsvps WHERE occurrence_id = ? GROUP BY status"


def _counts_of(rows: list[Row]) -> RsvpCounts:
    found = {row[0]: int(row[1]) for row in rows}
    return RsvpCounts(found.get(Rsvp.GOING, 0), found.get(Rsvp.MAYBE, 0), found.get(Rsvp.DECLINED, 0))


_OCCURRENCE_COLUMNS = (
    "o.id AS o_id, o.seq, o.starts_at, o.ends_at, o.state AS o_state, o.message_id, o.scheduled_event_id, o.note,"
    " o.event_id"
)


def _occurrence_from_joined(row: Row) -> Occurrence:
    return Occurrence(
        id=row["o_id"], event_id=row["event_id"], seq=row["seq"], starts_at=row["starts_at"], ends_at=row["ends_at"],
        state=OccurrenceState(row["o_state"]), message_id=row["message_id"],
        scheduled_event_id=row["scheduled_event_id"], note=row["note"],
    )  # fmt: skip
