"""The directory and suggestions in SQLite; parsed entries are cached until their directory's version changes."""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import aiosqlite
from pydantic import ValidationError

from bot.database import Database, Row
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
_MAX_KEY = 40


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


@dataclass
class _Cached:
    version: int
    entries: list[CommunityEntry]


class DirectoryStore:
    """SQL for the directory. Every write bumps its directory's version, which the cache checks before use."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._cache: dict[int, _Cached] = {}  # guild_id (SHIPPED for the file's entries) -> parsed entries

    # -- reading -------------------------------------------------------------------------------------------

    async def _entries(self, guild_id: int) -> list[CommunityEntry]:
        """The active entries of one directory, parsed once per version."""
        version = await self.db.fetchval(
            "SELECT version FROM community_directory_version WHERE guild_id = ?", (guild_id,)
        )
        cached = self._cache.get(guild_id)
        if cached is None or cached.version != (version or 0):
            rows = await self.db.fetchall(
                "SELECT key, data FROM community_entries WHERE guild_id = ? AND status = 'active'", (guild_id,)
            )
            entries = [e for row in rows if (e := _entry_from_json(row["data"], f"{guild_id}/{row['key']}"))]
            cached = self._cache[guild_id] = _Cached(version or 0, entries)
        return cached.entries

    async def shipped_directory(self) -> list[CommunityEntry]:
        """The active entries of the shipped file."""
        return list(await self._entries(SHIPPED))

    async def guild_additions(self, guild_id: int) -> list[CommunityEntry]:
        """The active entries a server added itself."""
        return list(await self._entries(guild_id))

    async def active_directory(self, guild_id: int) -> list[CommunityEntry]:
        """What members of this server see: the shipped entries plus the server's own (which win on a key clash)."""
        own = await self._entries(guild_id)
        own_keys = {e.key for e in own}
        return [e for e in await self._entries(SHIPPED) if e.key not in own_keys] + own

    # -- the shipped file ----------------------------------------------------------------------------------

    async def sync_shipped(self, entries: Sequence[CommunityEntry], now: datetime) -> SyncReport:
        """Make the shipped rows match the validated file in one transaction: add, update, restore, retire."""
        stamp = unix(now)
        added: list[str] = []
        updated: list[str] = []
        restored: list[str] = []
        retired: list[str] = []
        unchanged = 0
        async with self.db.transaction() as tx:
            cursor = await tx.execute("SELECT key, data, status FROM community_entries WHERE guild_id = ?", (SHIPPED,))
            stored = {row["key"]: row for row in await cursor.fetchall()}
            for entry in entries:
                data = entry.model_dump_json()
                row = stored.get(entry.key)
                if row is None:
                    added.append(entry.key)
                    await tx.execute(
                        "INSERT INTO community_entries (guild_id, key, name, data, created_at, updated_at)"
                        " VALUES (?, ?, ?, ?, ?, ?)",
                        (SHIPPED, entry.key, entry.name, data, stamp, stamp),
                    )
                    continue
                if row["data"] == data and row["status"] == "active":
                    unchanged += 1
                    continue
                (restored if row["status"] == "retired" else updated).append(entry.key)
                await tx.execute(
                    "UPDATE community_entries SET name = ?, data = ?, status = 'active', updated_at = ?,"
                    " retired_at = NULL WHERE guild_id = ? AND key = ?",
                    (entry.name, data, stamp, SHIPPED, entry.key),
                )
            keep = {entry.key for entry in entries}
            for key, row in stored.items():
                if key not in keep and row["status"] == "active":
                    retired.append(key)
                    await tx.execute(
                        "UPDATE community_entries SET status = 'retired', retired_at = ?, updated_at = ?"
                        " WHERE guild_id = ? AND key = ?",
                        (stamp, stamp, SHIPPED, key),
                    )
            if added or updated or restored or retired:
                await self._bump(tx, SHIPPED)
        return SyncReport(tuple(added), tuple(updated), tuple(restored), tuple(retired), unchanged)

    # -- a server's own entries ----------------------------------------------------------------------------

    async def _taken_keys(self, tx: aiosqlite.Connection, guild_id: int) -> set[str]:
        cursor = await tx.execute(
            "SELECT key FROM community_entries WHERE (guild_id = ? AND status = 'active') OR guild_id = ?",
            (SHIPPED, guild_id),
        )
        return {row["key"] for row in await cursor.fetchall()}

    async def _insert_addition(
        self,
        tx: aiosqlite.Connection,
        guild_id: int,
        entry: CommunityEntry,
        by: int,
        stamp: int,
        suggestion_id: int | None,
    ) -> CommunityEntry:
        # Retired keys of this server count as taken too: re-adding a community gets a fresh row, history stays.
        key = _unique_key(slugify(entry.name), await self._taken_keys(tx, guild_id))
        entry = entry.model_copy(update={"key": key})
        await tx.execute(
            "INSERT INTO community_entries (guild_id, key, name, data, added_by, suggestion_id, created_at,"
            " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (guild_id, key, entry.name, entry.model_dump_json(), by, suggestion_id, stamp, stamp),
        )
        await self._bump(tx, guild_id)
        return entry

    async def add_entry(self, guild_id: int, entry: CommunityEntry, *, by: int, now: datetime) -> CommunityEntry:
        """Add a server's own entry under a free key derived from its name; returns it with that key."""
        async with self.db.transaction() as tx:
            return await self._insert_addition(tx, guild_id, entry, by, unix(now), None)

    async def retire_entry(self, guild_id: int, key: str, now: datetime) -> bool:
        """Take a server's own entry out of its directory (the row stays); False when there is none."""
        async with self.db.transaction() as tx:
            cursor = await tx.execute(
                "UPDATE community_entries SET status = 'retired', retired_at = ?, updated_at = ?"
                " WHERE guild_id = ? AND key = ? AND status = 'active'",
                (unix(now), unix(now), guild_id, key),
            )
            if cursor.rowcount:
                await self._bump(tx, guild_id)
            return cursor.rowcount > 0

    # -- suggestions ---------------------------------------------------------------------------------------

    async def create_suggestion(
        self, guild_id: int, entry: CommunityEntry, *, by: int, now: datetime
    ) -> CommunitySuggestion:
        async with self.db.transaction() as tx:
            cursor = await tx.execute(
                "INSERT INTO community_suggestions (guild_id, name, data, suggested_by, suggested_at)"
                " VALUES (?, ?, ?, ?, ?) RETURNING *",
                (guild_id, entry.name, entry.model_dump_json(), by, unix(now)),
            )
            [row] = await cursor.fetchall()  # read to its end, so the statement is done before COMMIT
        return _suggestion(row)

    async def set_suggestion_message(self, suggestion_id: int, channel_id: int, message_id: int) -> None:
        await self.db.execute(
            "UPDATE community_suggestions SET channel_id = ?, message_id = ? WHERE id = ?",
            (channel_id, message_id, suggestion_id),
        )

    async def delete_suggestion(self, suggestion_id: int) -> None:
        """Forget a suggestion that never reached the moderators (its log message could not be posted)."""
        await self.db.execute("DELETE FROM community_suggestions WHERE id = ? AND status = 'pending'", (suggestion_id,))

    async def pending_count(self, guild_id: int, user_id: int) -> int:
        return int(
            await self.db.fetchval(
                "SELECT COUNT(*) FROM community_suggestions WHERE guild_id = ? AND suggested_by = ? AND status = ?",
                (guild_id, user_id, SuggestionStatus.PENDING),
            )
        )

    async def pending_names(self, guild_id: int) -> set[str]:
        rows = await self.db.fetchall(
            "SELECT name FROM community_suggestions WHERE guild_id = ? AND status = ?",
            (guild_id, SuggestionStatus.PENDING),
        )
        return {row["name"].casefold() for row in rows}

    async def get_suggestion(self, suggestion_id: int) -> CommunitySuggestion | None:
        row = await self.db.fetchone("SELECT * FROM community_suggestions WHERE id = ?", (suggestion_id,))
        return None if row is None else _suggestion(row)

    async def decide_suggestion(
        self, guild_id: int, suggestion_id: int, *, approve: bool, by: int, now: datetime
    ) -> SuggestionOutcome | None:
        """Approve (adding the entry) or reject, once; a later click gets the earlier decision back; None: no such."""
        # Looked up with the server too: a custom_id is only trusted for the server it came from.
        stamp = unix(now)
        status = SuggestionStatus.APPROVED if approve else SuggestionStatus.REJECTED
        async with self.db.transaction() as tx:
            cursor = await tx.execute(
                "SELECT * FROM community_suggestions WHERE id = ? AND guild_id = ?", (suggestion_id, guild_id)
            )
            row = await cursor.fetchone()
            if row is None:
                return None
            if row["status"] != SuggestionStatus.PENDING:
                return SuggestionOutcome(_suggestion(row), decided_now=False)
            entry_key = None
            if approve:
                entry = CommunityEntry.model_validate_json(row["data"])
                added = await self._insert_addition(tx, row["guild_id"], entry, by, stamp, suggestion_id)
                entry_key = added.key
            await tx.execute(
                "UPDATE community_suggestions SET status = ?, decided_by = ?, decided_at = ?, entry_key = ?"
                " WHERE id = ?",
                (status, by, stamp, entry_key, suggestion_id),
            )
            cursor = await tx.execute("SELECT * FROM community_suggestions WHERE id = ?", (suggestion_id,))
            decided = await cursor.fetchone()
            assert decided is not None  # updated just above, in this transaction
            return SuggestionOutcome(_suggestion(decided), decided_now=True)

    # -- bookkeeping ---------------------------------------------------------------------------------------

    async def _bump(self, tx: aiosqlite.Connection, guild_id: int) -> None:
        await tx.execute(
            "INSERT INTO community_directory_version (guild_id, version) VALUES (?, 1)"
            " ON CONFLICT (guild_id) DO UPDATE SET version = version + 1",
            (guild_id,),
        )

    async def counts(self) -> dict[str, int]:
        """For /about."""
        shipped = await self.db.fetchval(
            "SELECT COUNT(*) FROM community_entries WHERE guild_id = 0 AND status = 'active'"
        )
        own = await self.db.fetchval(
            "SELECT COUNT(*) FROM community_entries WHERE guild_id != 0 AND status = 'active'"
        )
        pending = await self.db.fetchval(
            "SELECT COUNT(*) FROM community_suggestions WHERE status = ?", (SuggestionStatus.PENDING,)
        )
        return {
            "directory communities": int(shipped),
            "communities added by servers": int(own),
            "pending community suggestions": int(pending),
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
