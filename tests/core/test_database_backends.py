"""The database contract (bot/database/base.py) on both engines: the same statements, the same answers."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest

from bot.client import all_migrations
from bot.database import Database, DatabaseTarget, Migration, Statement, parse_target
from bot.database.postgres import placeholders
from bot.discovery import feature_packages

TABLE = "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL, n INTEGER NOT NULL DEFAULT 0)"


@pytest.fixture
async def any_db(database_target: DatabaseTarget):
    db = await Database.open(database_target)
    await db.migrate([Migration("test", 1, "0001_t", TABLE + ";\n")])
    try:
        yield db
    finally:
        await db.close()


async def test_writes_return_rows_and_counts_reads_see_commits(any_db: Database) -> None:
    first = await any_db.execute("INSERT INTO t (name) VALUES (?) RETURNING id", ("a",))
    assert first.rowcount == 1 and first.rows[0]["id"] == 1
    await any_db.executemany("INSERT INTO t (name, n) VALUES (?, ?)", [("b", 2), ("c", 3)])
    updated = await any_db.execute("UPDATE t SET n = n + 1 WHERE n >= ?", (2,))
    assert updated.rowcount == 2
    assert [tuple(r) for r in await any_db.fetch("SELECT name, n FROM t ORDER BY id")] == [
        ("a", 0), ("b", 3), ("c", 4)
    ]
    assert await any_db.fetchval("SELECT COUNT(*) FROM t WHERE name = ?", ("zz",)) == 0
    assert await any_db.fetchrow("SELECT name FROM t WHERE id = ?", (99,)) is None
    upsert = "INSERT INTO t (id, name) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET n = t.n + 10 RETURNING n"
    assert (await any_db.execute(upsert, (1, "a"))).rows[0][0] == 10


async def test_a_transaction_commits_together_or_not_at_all(any_db: Database) -> None:
    with pytest.raises(RuntimeError):
        async with any_db.transaction() as tx:
            await tx.execute("INSERT INTO t (name) VALUES (?)", ("lost",))
            assert await tx.fetchval("SELECT COUNT(*) FROM t") == 1  # the transaction sees its own write
            raise RuntimeError("boom")
    assert await any_db.fetchval("SELECT COUNT(*) FROM t") == 0
    async with any_db.transaction() as tx:
        await tx.execute("INSERT INTO t (name) VALUES (?)", ("kept",))
        # a read outside the transaction does not wait for it and does not see it
        assert await asyncio.wait_for(any_db.fetchval("SELECT COUNT(*) FROM t"), timeout=5) == 0
    assert await any_db.fetchval("SELECT name FROM t") == "kept"


async def test_a_batch_is_one_transaction(any_db: Database) -> None:
    results = await any_db.batch([
        Statement("INSERT INTO t (name, n) VALUES (?, ?)", ("x", 1)),
        Statement("SELECT COUNT(*) AS c FROM t"),
    ])
    assert results[0].rowcount == 1 and results[1].rows[0]["c"] == 1
    with pytest.raises(Exception):  # noqa: B017 - each engine raises its own integrity error
        await any_db.batch([
            Statement("INSERT INTO t (name, n) VALUES (?, ?)", ("y", 1)),
            Statement("INSERT INTO t (id, name) VALUES (?, ?)", (1, "duplicate id")),
        ])
    assert await any_db.fetchval("SELECT COUNT(*) FROM t") == 1  # "y" was rolled back with the failure


async def test_exclusive_transactions_run_one_at_a_time(any_db: Database) -> None:
    """What SQLite's BEGIN IMMEDIATE gives the stores: read, decide, write without another writer between."""
    await any_db.execute("INSERT INTO t (id, name, n) VALUES (1, 'counter', 0)")

    async def increment() -> None:
        async with any_db.transaction() as tx:
            n = await tx.fetchval("SELECT n FROM t WHERE id = 1")
            await asyncio.sleep(0.001)
            await tx.execute("UPDATE t SET n = ? WHERE id = 1", (n + 1,))

    await asyncio.gather(*(increment() for _ in range(20)))
    assert await any_db.fetchval("SELECT n FROM t WHERE id = 1") == 20


async def test_every_shipped_migration_applies_once_on_either_engine(any_db: Database, backend: str) -> None:
    migrations = all_migrations(feature_packages())
    applied = await any_db.migrate(migrations)
    assert len(applied) == len(migrations)
    assert await any_db.migrate(migrations) == []


async def test_migrations_started_together_are_applied_once(database_target: DatabaseTarget) -> None:
    """Several processes starting at once: each file runs once, the others wait and find it done."""
    dbs = [await Database.open(database_target) for _ in range(3)]
    try:
        migration = Migration("test", 1, "0001_t", TABLE + ";\nINSERT INTO t (name) VALUES ('once');\n")
        results = await asyncio.gather(*(db.migrate([migration]) for db in dbs))
        assert sorted(len(r) for r in results) == [0, 0, 1]
        assert await dbs[0].fetchval("SELECT COUNT(*) FROM t") == 1
    finally:
        for db in dbs:
            await db.close()


def test_placeholders_become_numbered_outside_quotes_and_comments() -> None:
    sql = "SELECT '?', \"a?\" FROM t -- why?\nWHERE a = ? AND b IN (?, ?) AND c = 'it''s ?'"
    assert placeholders(sql) == "SELECT '?', \"a?\" FROM t -- why?\nWHERE a = $1 AND b IN ($2, $3) AND c = 'it''s ?'"


def test_database_targets() -> None:
    assert str(parse_target("data/community.db")) == "data/community.db"
    assert parse_target("postgresql://bot@db:5432/community") == "postgresql://bot@db:5432/community"
    with pytest.raises(ValueError, match="mysql:// databases are not supported"):
        parse_target("mysql://root@localhost/x")


async def test_a_terminated_connection_is_replaced_and_nothing_is_lost(database_target: DatabaseTarget) -> None:
    if not isinstance(database_target, str):
        pytest.skip("PostgreSQL only: SQLite has no server connection to lose")
    db = await Database.open(database_target)
    try:
        await db.migrate([Migration("test", 1, "0001_t", TABLE + ";\n")])
        for round_ in range(3):
            await db.execute("INSERT INTO t (name) VALUES (?)", (f"before {round_}",))
            killer = await asyncpg.connect(database_target)
            try:  # every connection of the bot's pool, as an operator or a failover would
                await killer.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            finally:
                await killer.close()
            await db.execute("INSERT INTO t (name) VALUES (?)", (f"after {round_}",))
            async with db.transaction() as tx:
                await tx.execute("INSERT INTO t (name) VALUES (?)", (f"in a transaction {round_}",))
        assert await db.fetchval("SELECT COUNT(*) FROM t") == 9
    finally:
        await db.close()


async def test_a_change_published_by_one_process_reaches_every_process(database_target: DatabaseTarget) -> None:
    """Per-process caches stay right with several processes: each hears the others' change notices."""
    first, second = await Database.open(database_target), await Database.open(database_target)
    heard: dict[str, list[str]] = {"first": [], "second": []}
    try:
        await first.subscribe("directory", heard["first"].append)
        await second.subscribe("directory", heard["second"].append)
        await first.publish("directory", "guild:42")
        for _ in range(200):
            if heard["second"] or first.backend == "sqlite":
                break
            await asyncio.sleep(0.01)
        assert heard["first"] == ["guild:42"]  # the publisher's own process at once
        if first.backend == "postgresql":
            assert heard["second"] == ["guild:42"]  # another process through the server
            killer = await asyncpg.connect(database_target)
            try:  # the listening connection is cut: it comes back, and caches are told to start afresh
                await killer.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND query LIKE 'LISTEN%'"
                )
            finally:
                await killer.close()
            for _ in range(300):
                if "*" in heard["second"]:
                    break
                await asyncio.sleep(0.01)
            assert "*" in heard["second"]
            await first.publish("directory", "guild:7")
            for _ in range(300):
                if "guild:7" in heard["second"]:
                    break
                await asyncio.sleep(0.01)
            assert "guild:7" in heard["second"]
    finally:
        await first.close()
        await second.close()
