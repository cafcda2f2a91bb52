"""A forgotten member's bytes do not linger in the SQLite file's free pages (PRAGMA secure_delete)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.database import Database, SQLiteDatabase

MARK = "zq-forgotten-member-bio-7b1e"


def on_disk(path: Path) -> bytes:
    """The database file and its WAL, as anyone reading the disk would see them."""
    wal = Path(f"{path}-wal")
    return path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")


@pytest.mark.sqlite_only
async def test_deleted_rows_leave_no_bytes_in_the_file(db: Database) -> None:
    assert isinstance(db, SQLiteDatabase)
    await db.execute(
        "INSERT INTO mentors (guild_id, user_id, topics, capacity, bio, status, joined_at, updated_at)"
        " VALUES (1, 2, '[]', 1, ?, 'active', 0, 0)", (MARK * 20,)
    )
    await db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    assert MARK.encode() in await asyncio.to_thread(on_disk, db.path)  # the check below can fail

    await db.execute("DELETE FROM mentors WHERE user_id = 2")
    await db.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    assert MARK.encode() not in await asyncio.to_thread(on_disk, db.path)
