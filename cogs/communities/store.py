"""The directory and suggestions in the database; parsed entries are cached per process until a change notice."""

from __future__ import annotations

import asyncio
import logging
import re
import unicodedata
from collections import OrderedDict
from collections.abc import Sequence
from datetime import datetime

from pydantic import ValidationError

from bot.database import ALL, Database, DatabaseUnavailable, Row, Transaction
from bot.times import unix, utc, utc_or_none
from cogs.communities.models import (
    CommunityEntry,
    CommunitySuggestion,
    SuggestionOutcome,
    SuggestionStatus,
    SyncReport,
)

log = logging.getLogger(__name__)

SHIPPED = 0  # guild_id of the entries that come from data/communities.yaml
# Change notices (Database.publish/subscribe): the key is the guild_id of the directory that changed ("0" for the
# shipped one); every process's store drops what it cached of that directory.
TOPIC = "communities"
# Servers whose merged directory (shipped + their own) is kept ready; the others build theirs again when asked.
MERGED_KEPT = 256
_MAX_KEY = 40
# Every key _unique_key can make for a name starts with the first 30 characters of its slug (a suffix takes at
# most 5 of the 40, and slugs hold no doubled dashes), so only keys with that prefix need reading.
_KEY_PREFIX = 30
_PARSE_INLINE = 200  # a directory of more entries is parsed on a thread


def slugify(name: str) -> str:
    """A key from a name: 'DataTalks.Club (Berlin)' -> 'datatalks-club-berlin', accents dropped."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.casefold()).strip("-")
    return slug[:_MAX_KEY].rstrip("-") or "community"


def _unique_key(base: str, taken: set[str]) -> str:
    if base not in taken:
        return base
    for number in range(2, 10_000):
        suffix = f"-{number}"
        candidate = base[: _MAX_KEY - len(suffix)].rstrip("-") + suffix
        if candidate not in taken:
            return candidate
    raise RuntimeError("no free key")  # 10,000 entries with the same name: not a real directory


def _entry_from_json(data: str, where: str) -> CommunityEntry | None:
    try:
        return CommunityEntry.model_validate_json(data)
    except ValidationError as error:
        # A stored entry that no longer validates (say, a topic was dropped from the vocabulary) is left out,
        # not allowed to break the directory.
        log.warning("Skipping stored community entry %s: %s", where, error)
        return None


def _parse(guild_id: int, rows: list[tuple[str, str]]) -> list[CommunityEntry]:
    return [e for key, data in rows if (e := _entry_from_json(data, f"{guild_id}/{key}"))]


class DirectoryStore:
    """SQL for the directory and its suggestions, and this process's cache of the parsed directory.

    The cache holds the active entries of each directory (the shipped one and each server's own) once read, and
    serves them without asking the database again. Every write publishes a change notice for its directory after
    it committed; each process's store (this one included) drops that directory when told, so the next request
    reads it afresh. A notice that arrives while a read is in flight keeps that read out of the cache.
    """

    def __init__(self, db: Database) -> None:
        self.db = db
        self._cache: dict[int, list[CommunityEntry]] = {}  # guild_id (SHIPPED for the file's) -> active entries
        self._merged: OrderedDict[int, list[CommunityEntry]] = OrderedDict()  # shipped + own, servers with own
        self._changes: dict[int, int] = {}  # notices seen per directory
        self._all_changes = 0  # notices that meant every directory
        self._loading: dict[int, asyncio.Future[list[CommunityEntry]]] = {}  # reads in flight, shared by callers
        self._listening = False
        self._listen_lock = asyncio.Lock()

    # -- change notices ------------------------------------------------------------------------------------

    async def listen(self) -> None:
        """Subscribe to change notices (once); done before anything is cached, so no change goes unnoticed."""
        async with self._listen_lock:
            if not self._listening:
                await self.db.subscribe(TOPIC, self._changed)
                self._listening = True

    def close(self) -> None:
        """Stop listening (the feature is unloaded) and forget everything cached."""
        if self._listening:
            self.db.unsubscribe(TOPIC, self._changed)
            self._listening = False
        self._changed(ALL)

    def _changed(self, key: str) -> None:
        if key == ALL or not key.lstrip("-").isdigit():
            self._all_changes += 1
            self._cache.clear()
            self._merged.clear()
            self._loading.clear()
            return
        guild_id = int(key)
        self._changes[guild_id] = self._changes.get(guild_id, 0) + 1
        self._cache.pop(guild_id, None)
        self._loading.pop(guild_id, None)  # who asks from now on reads afresh, not what is being read
        if guild_id == SHIPPED:
            self._merged.clear()
        else:
            self._merged.pop(guild_id, None)

    def _mark(self, guild_id: int) -> tuple[int, int]:
        return self._all_changes, self._changes.get(guild_id, 0)

    async def _publish(self, guild_id: int) -> None:
        """After a committed write to one directory: every process (this one at once) drops its cached copy."""
        try:
            await self.db.publish(TOPIC, str(guild_id))
        except DatabaseUnavailable:
            # The write is committed; the member is not told otherwise. The server being unreachable also cut
            # the other processes' listening connections, and when those come back every cache starts afresh.
            log.warning("Could not announce the change of directory %s to other processes", guild_id, exc_info=True)

    # -- reading -------------------------------------------------------------------------------------------

    async def _entries(self, guild_id: int) -> list[CommunityEntry]:
        """The active entries of one directory: from the cache, else read and parsed once for all who ask."""
        cached = self._cache.get(guild_id)
        if cached is not None:
            return cached
        loading = self._loading.get(guild_id)
        if loading is None:
            # One read however many ask at once (after a change, every command of a busy server would otherwise
            # read and parse the same 10,000 rows); shielded, so one caller's cancellation does not fail the rest.
            loading = self._loading[guild_id] = asyncio.ensure_future(self._read(guild_id))
            loading.add_done_callback(lambda done: self._read_done(guild_id, done))
        return await asyncio.shield(loading)

    def _read_done(self, guild_id: int, done: asyncio.Future[list[CommunityEntry]]) -> None:
        if self._loading.get(guild_id) is done:
            del self._loading[guild_id]

    async def _read(self, guild_id: int) -> list[CommunityEntry]:
        if not self._listening:
            await self.listen()
        mark = self._mark(guild_id)
        rows = await self.db.fetch(
            "SELECT key, data FROM community_entries WHERE guild_id = ? AND status = 'active'", (guild_id,)
        )
        # By key, sorted here: the engines' collations order keys with dashes differently.
        pairs = sorted((row["key"], row["data"]) for row in rows)
        # Parsing thousands of entries takes a while: on a thread, so other commands are answered meanwhile.
        if len(pairs) > _PARSE_INLINE:
            entries = await asyncio.to_thread(_parse, guild_id, pairs)
        else:
            entries = _parse(guild_id, pairs)
        if self._mark(guild_id) == mark:  # no notice came while reading: what was read is still current
            self._cache[guild_id] = entries
        return entries

    async def shipped_directory(self) -> Sequence[CommunityEntry]:
        """The active entries of the shipped file."""
        return await self._entries(SHIPPED)

    async def guild_additions(self, guild_id: int) -> Sequence[CommunityEntry]:
        """The active entries a server added itself."""
        return await self._entries(guild_id)

    async def active_directory(self, guild_id: int) -> Sequence[CommunityEntry]:
        """What members of this server see: the shipped entries plus the server's own (which win on a key clash).

        Read-only: the same list is handed to every caller until the directory changes.
        """
        merged = self._merged.get(guild_id)
        if merged is not None:
            self._merged.move_to_end(guild_id)
            return merged
        mark = self._mark(guild_id), self._mark(SHIPPED)
        own = await self._entries(guild_id)
        shipped = await self._entries(SHIPPED)
        if not own:
            return shipped
        own_keys = {e.key for e in own}
        merged = [e for e in shipped if e.key not in own_keys] + own
        if (self._mark(guild_id), self._mark(SHIPPED)) == mark:
            self._merged[guild_id] = merged
            while len(self._merged) > MERGED_KEPT:
                self._merged.popitem(last=False)
        return merged

    # -- the shipped file ----------------------------------------------------------------------------------

    async def sync_shipped(self, entries: Sequence[CommunityEntry], now: datetime) -> SyncReport:
        """Make the shipped rows match the validated file in one transaction: add, update, restore, retire.

        Processes starting together each run it; the exclusive transaction makes the later ones find nothing to do.
        """
        stamp = unix(now)
        added: list[str] = []
        updated: list[str] = []
        restored: list[str] = []
        retired: list[str] = []
        inserts: list[tuple[object, ...]] = []
        updates: list[tuple[object, ...]] = []
        unchanged = 0
        async with self.db.transaction() as tx:
            rows = await tx.fetch("SELECT key, data, status FROM community_entries WHERE guild_id = ?", (SHIPPED,))
            stored = {row["key"]: row for row in rows}
            for entry in entries:
                data = entry.model_dump_json()
                row = stored.get(entry.key)
                if row is None:
                    added.append(entry.key)
                    inserts.append((SHIPPED, entry.key, entry.name, data, stamp, stamp))
                elif row["data"] == data and row["status"] == "active":
                    unchanged += 1
                else:
                    (restored if row["status"] == "retired" else updated).append(entry.key)
                    updates.append((entry.name, data, stamp, SHIPPED, entry.key))
            keep = {entry.key for entry in entries}
            retired = [key for key, row in stored.items() if key not in keep and row["status"] == "active"]
            if inserts:
                await tx.executemany(
                    "INSERT INTO community_entries (guild_id, key, name, data, created_at, updated_at)"
                    " VALUES (?, ?, ?, ?, ?, ?)",
                    inserts,
                )
            if updates:
                await tx.executemany(
                    "UPDATE community_entries SET name = ?, data = ?, status = 'active', updated_at = ?,"
                    " retired_at = NULL WHERE guild_id = ? AND key = ?",
                    updates,
                )
            if retired:
                await tx.executemany(
                    "UPDATE community_entries SET status = 'retired', retired_at = ?, updated_at = ?"
                    " WHERE guild_id = ? AND key = ?",
                    [(stamp, stamp, SHIPPED, key) for key in retired],
                )
        if added or updated or restored or retired:
            await self._publish(SHIPPED)
        return SyncReport(tuple(added), tuple(updated), tuple(restored), tuple(retired), unchanged)

    # -- a server's own entries ----------------------------------------------------------------------------

    async def _insert_addition(
        self,
        tx: Transaction,
        guild_id: int,
        entry: CommunityEntry,
        by: int,
        stamp: int,
        suggestion_id: int | None,
    ) -> CommunityEntry:
        """Insert under a free key derived from the name; returns the entry with that key.

        No lock is needed: a key another writer took meanwhile makes the INSERT do nothing (on PostgreSQL it waits
        for that writer's commit first), and the next free key is tried.
        """
        base = slugify(entry.name)
        # Retired keys of this server count as taken too: re-adding a community gets a fresh row, history stays.
        rows = await tx.fetch(
            "SELECT key FROM community_entries WHERE ((guild_id = ? AND status = 'active') OR guild_id = ?)"
            " AND key LIKE ?",
            (SHIPPED, guild_id, base[:_KEY_PREFIX] + "%"),
        )
        taken = {row["key"] for row in rows}
        while True:
            key = _unique_key(base, taken)
            keyed = entry.model_copy(update={"key": key})
            inserted = await tx.execute(
                "INSERT INTO community_entries (guild_id, key, name, data, added_by, suggestion_id, created_at,"
                " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (guild_id, key) DO NOTHING RETURNING key",
                (guild_id, key, keyed.name, keyed.model_dump_json(), by, suggestion_id, stamp, stamp),
            )
            if inserted.rows:
                return keyed
            taken.add(key)

    async def add_entry(self, guild_id: int, entry: CommunityEntry, *, by: int, now: datetime) -> CommunityEntry:
        """Add a server's own entry under a free key derived from its name; returns it with that key."""
        async with self.db.transaction(exclusive=False) as tx:
            added = await self._insert_addition(tx, guild_id, entry, by, unix(now), None)
        await self._publish(guild_id)
        return added

    async def retire_entry(self, guild_id: int, key: str, now: datetime) -> bool:
        """Take a server's own entry out of its directory (the row stays); False when there is none."""
        result = await self.db.execute(
            "UPDATE community_entries SET status = 'retired', retired_at = ?, updated_at = ?"
            " WHERE guild_id = ? AND key = ? AND status = 'active'",
            (unix(now), unix(now), guild_id, key),
        )
        if result.rowcount:
            await self._publish(guild_id)
        return result.rowcount > 0

    # -- suggestions ---------------------------------------------------------------------------------------

    async def create_suggestion(
        self, guild_id: int, entry: CommunityEntry, *, by: int, now: datetime
    ) -> CommunitySuggestion:
        result = await self.db.execute(
            "INSERT INTO community_suggestions (guild_id, name, data, suggested_by, suggested_at)"
            " VALUES (?, ?, ?, ?, ?) RETURNING *",
            (guild_id, entry.name, entry.model_dump_json(), by, unix(now)),
        )
        return _suggestion(result.rows[0])

    async def set_suggestion_message(self, suggestion_id: int, channel_id: int, message_id: int) -> None:
        await self.db.execute(
            "UPDATE community_suggestions SET channel_id = ?, message_id = ? WHERE id = ?",
            (channel_id, message_id, suggestion_id),
        )

    async def delete_suggestion(self, suggestion_id: int) -> None:
        """Forget a suggestion that never reached the moderators (its log message could not be posted)."""
        await self.db.execute(
            "DELETE FROM community_suggestions WHERE id = ? AND status = ?",
            (suggestion_id, SuggestionStatus.PENDING.value),
        )

    async def pending(self, guild_id: int) -> list[tuple[str, int]]:
        """The server's suggestions waiting for the moderators: (name, who suggested it), in one read."""
        rows = await self.db.fetch(
            "SELECT name, suggested_by FROM community_suggestions WHERE guild_id = ? AND status = ? ORDER BY id",
            (guild_id, SuggestionStatus.PENDING.value),
        )
        return [(row["name"], row["suggested_by"]) for row in rows]

    async def pending_count(self, guild_id: int, user_id: int) -> int:
        return sum(1 for _, by in await self.pending(guild_id) if by == user_id)

    async def get_suggestion(self, suggestion_id: int) -> CommunitySuggestion | None:
        row = await self.db.fetchrow("SELECT * FROM community_suggestions WHERE id = ?", (suggestion_id,))
        return None if row is None else _suggestion(row)

    async def decide_suggestion(
        self, guild_id: int, suggestion_id: int, *, approve: bool, by: int, now: datetime
    ) -> SuggestionOutcome | None:
        """Approve (adding the entry) or reject, once; a later click gets the earlier decision back; None: no such.

        The decision is one conditional UPDATE (`... AND status = 'pending'`): of two moderators clicking at once,
        in one process or two, exactly one changes the row; the other's UPDATE matches nothing (on PostgreSQL it
        waits for the first's row lock, then sees the decided row) and gets the first decision back.
        """
        # Looked up with the server too: a custom_id is only trusted for the server it came from.
        stamp = unix(now)
        status = SuggestionStatus.APPROVED if approve else SuggestionStatus.REJECTED
        # Not exclusive: the row lock of the conditional UPDATE is all two deciders of one suggestion need.
        async with self.db.transaction(exclusive=False) as tx:
            decided = await tx.execute(
                "UPDATE community_suggestions SET status = ?, decided_by = ?, decided_at = ?"
                " WHERE id = ? AND guild_id = ? AND status = ? RETURNING *",
                (status.value, by, stamp, suggestion_id, guild_id, SuggestionStatus.PENDING.value),
            )
            if not decided.rows:
                row = await tx.fetchrow(
                    "SELECT * FROM community_suggestions WHERE id = ? AND guild_id = ?", (suggestion_id, guild_id)
                )
                return None if row is None else SuggestionOutcome(_suggestion(row), decided_now=False)
            [row] = decided.rows
            if approve:
                entry = CommunityEntry.model_validate_json(row["data"])
                added = await self._insert_addition(tx, guild_id, entry, by, stamp, suggestion_id)
                [row] = (
                    await tx.execute(
                        "UPDATE community_suggestions SET entry_key = ? WHERE id = ? RETURNING *",
                        (added.key, suggestion_id),
                    )
                ).rows
        if approve:
            await self._publish(guild_id)
        return SuggestionOutcome(_suggestion(row), decided_now=True)

    # -- bookkeeping ---------------------------------------------------------------------------------------

    async def counts(self) -> dict[str, int]:
        """For /about, in one read."""
        row = await self.db.fetchrow(
            "SELECT"
            " (SELECT COUNT(*) FROM community_entries WHERE guild_id = ? AND status = 'active'),"
            " (SELECT COUNT(*) FROM community_entries WHERE guild_id <> ? AND status = 'active'),"
            " (SELECT COUNT(*) FROM community_suggestions WHERE status = ?)",
            (SHIPPED, SHIPPED, SuggestionStatus.PENDING.value),
        )
        assert row is not None  # a SELECT without FROM always has its one row
        return {
            "directory communities": int(row[0]),
            "communities added by servers": int(row[1]),
            "pending community suggestions": int(row[2]),
        }


def _suggestion(row: Row) -> CommunitySuggestion:
    return CommunitySuggestion(
        id=row["id"],
        guild_id=row["guild_id"],
        entry=CommunityEntry.model_validate_json(row["data"]),
        suggested_by=row["suggested_by"],
        suggested_at=utc(row["suggested_at"]),
        status=SuggestionStatus(row["status"]),
        decided_by=row["decided_by"],
        decided_at=utc_or_none(row["decided_at"]),
        entry_key=row["entry_key"],
        channel_id=row["channel_id"],
        message_id=row["message_id"],
    )
