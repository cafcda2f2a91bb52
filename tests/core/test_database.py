"""The SQLite layer on a real file: pragmas, migrations applied once each, atomic transactions."""

from pathlib import Path

import pytest

from bot.client import all_migrations, discover_feature_packages
from bot.database import Database, Migration, split_statements


async def test_pragmas_are_on(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "x.db")
    try:
        assert (await db.fetchval("PRAGMA journal_mode")) == "wal"
        assert (await db.fetchval("PRAGMA foreign_keys")) == 1
        assert (await db.fetchval("PRAGMA busy_timeout")) == 5000
    finally:
        await db.close()


async def test_every_shipped_migration_applies_once_and_is_idempotent(tmp_path: Path) -> None:
    migrations = all_migrations(discover_feature_packages())
    db = await Database.open(tmp_path / "x.db")
    try:
        first = await db.migrate(migrations)
        assert len(first) == len(migrations) > 0
        assert await db.migrate(migrations) == []
        assert await db.fetchval("SELECT COUNT(*) FROM schema_migrations") == len(migrations)
        assert await db.fetchval("PRAGMA integrity_check") == "ok"
    finally:
        await db.close()


async def test_a_failing_migration_leaves_nothing_behind(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "x.db")
    broken = Migration("t", 1, "0001_broken", "CREATE TABLE a (x INTEGER);\nINSERT INTO nowhere VALUES (1);\n")
    try:
        with pytest.raises(Exception, match="nowhere"):
            await db.migrate([broken])
        assert await db.fetchval("SELECT COUNT(*) FROM sqlite_master WHERE name = 'a'") == 0
        assert await db.fetchval("SELECT COUNT(*) FROM schema_migrations") == 0
    finally:
        await db.close()


async def test_transaction_rolls_back_on_error(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "x.db")
    try:
        await db.execute("CREATE TABLE t (x INTEGER)")
        with pytest.raises(RuntimeError):
            async with db.transaction() as tx:
                await tx.execute("INSERT INTO t VALUES (1)")
                raise RuntimeError("boom")
        assert await db.fetchval("SELECT COUNT(*) FROM t") == 0
    finally:
        await db.close()


def test_triggers_stay_one_statement() -> None:
    script = (
        "CREATE TABLE a (x);\n-- comment\nCREATE TRIGGER t AFTER INSERT ON a BEGIN\n"
        "  INSERT INTO a VALUES (1);\n  SELECT 1;\nEND;\n"
    )
    assert len(split_statements(script)) == 2
