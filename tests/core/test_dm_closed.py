"""The shared memory of closed DMs (bot/dm_closed.py) on a real SQLite file, and its migration from the features'
own tables of before."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.client import all_migrations
from bot.database import Database
from bot.dm_closed import DmClosedStore

T0 = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)


async def test_remember_is_closed_forget_and_count(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "bot.db")
    try:
        await db.migrate(all_migrations([]))
        store = DmClosedStore(db)
        assert not await store.is_closed(7) and await store.count() == 0
        assert await store.remember(7, 100, T0)  # first refusal
        assert not await store.remember(7, None, T0 + timedelta(hours=1))  # known; the guild noticed is kept
        assert await store.remember(8, 200, T0)
        assert await store.is_closed(7) and await store.is_closed(8) and not await store.is_closed(9)
        assert await store.count() == 2
        row = await db.fetchrow("SELECT guild_id, noted_at, failures FROM dm_closed WHERE user_id = 7")
        assert tuple(row) == (100, int(T0.timestamp()) + 3600, 2)  # unix seconds, bot/times.py
        assert not await store.remember(7, 300, T0 + timedelta(hours=2))
        assert await db.fetchval("SELECT guild_id FROM dm_closed WHERE user_id = 7") == 300  # the latest server
        assert await store.forget(7) and not await store.forget(7)
        assert not await store.is_closed(7) and await store.count() == 1
        assert await store.remember(7, 100, T0)  # after forgetting, a refusal is a first one again
        with pytest.raises(ValueError):
            await store.remember(9, 100, T0.replace(tzinfo=None))  # naive datetimes are refused, not guessed
    finally:
        await db.close()


async def test_features_old_tables_are_merged_into_the_shared_one(tmp_path: Path) -> None:
    """An existing database upgrades: both features' rows land in dm_closed, one per member, old tables gone."""
    db = await Database.open(tmp_path / "bot.db")
    try:
        migrations = all_migrations(["events", "onboarding"])
        before = [m for m in migrations if (m.namespace, m.version) in
                  {("core", 1), ("events", 1), ("onboarding", 1), ("onboarding", 2)}]  # fmt: skip
        await db.migrate(before)
        noted = int(T0.timestamp())
        await db.executemany(
            "INSERT INTO events_dm_closed (user_id, noted_at, failures) VALUES (?, ?, ?)",
            [(1, noted, 3), (2, noted, 1)],
        )
        await db.executemany(
            "INSERT INTO onboarding_dm_closed (guild_id, user_id, recorded_at) VALUES (?, ?, ?)",
            [(10, 2, "2025-03-04T09:00:00.000000+00:00"), (11, 3, "2025-03-01T09:00:00.000000+00:00"),
             (12, 3, "2025-03-02T09:00:00.000000+00:00")],
        )  # fmt: skip
        applied = await db.migrate(migrations)
        applied_names = [(m.namespace, m.version) for m in applied]
        # the merges into the shared table, whatever later migrations come with them
        assert {("core", 2), ("events", 2), ("onboarding", 3)} <= set(applied_names)
        rows = await db.fetch("SELECT user_id, guild_id, noted_at, failures FROM dm_closed ORDER BY user_id")
        assert [tuple(r) for r in rows] == [
            (1, None, noted, 3),
            (2, 10, noted + 86400, 2),  # closed for both features: one row, the later server
            (3, 12, noted - 86400, 2),  # closed in two servers: one row, the later server
        ]
        tables = {r[0] for r in await db.fetch("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert "events_dm_closed" not in tables and "onboarding_dm_closed" not in tables
    finally:
        await db.close()
