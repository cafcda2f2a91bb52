"""The SQLite layer on a real file: pragmas, migrations applied once each, atomic transactions."""

import asyncio
import sqlite3
import threading
from pathlib import Path

import pytest

from bot.client import all_migrations
from bot.database import Database, Migration, Result, Statement, split_statements
from bot.database.sqlite import READERS, _on_thread
from bot.discovery import feature_packages


async def test_pragmas_are_on(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "x.db")

    async def on_writer(pragma: str) -> object:
        return (await db.execute(f"PRAGMA {pragma}")).rows[0][0]

    try:
        assert (await on_writer("journal_mode")) == "wal"
        assert (await on_writer("foreign_keys")) == 1
        assert (await on_writer("busy_timeout")) == 5000
        assert (await on_writer("mmap_size")) > 0
        # reads go to read-only connections with the same busy timeout and memory map
        pool = await db._open_readers()
        reader = await pool.get()
        try:
            pragmas = {p: (await reader.execute_fetchall(f"PRAGMA {p}"))[0][0] for p in ("query_only", "busy_timeout")}
        finally:
            pool.put_nowait(reader)
        assert pragmas == {"query_only": 1, "busy_timeout": 5000}
    finally:
        await db.close()


async def test_every_shipped_migration_applies_once_and_is_idempotent(tmp_path: Path) -> None:
    migrations = all_migrations(feature_packages())
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


async def test_a_transaction_cancelled_while_it_begins_leaves_none_open(tmp_path: Path) -> None:
    """A task cancelled while BEGIN is on aiosqlite's thread (a stop, a timeout) must not leave the
    connection inside a transaction: the next one would fail with "cannot start a transaction within a
    transaction" and every later write would be lost."""
    db = await Database.open(tmp_path / "x.db")
    try:
        await db.execute("CREATE TABLE t (x INTEGER)")

        async def write() -> None:
            async with db.transaction() as tx:
                await tx.execute("INSERT INTO t VALUES (1)")

        for _ in range(20):  # cancel at the first await, which is BEGIN, and at later ones
            for steps in range(3):
                task = asyncio.create_task(write())
                for _ in range(steps + 1):
                    await asyncio.sleep(0)
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)
                async with db.transaction() as tx:  # raised before the fix
                    await tx.execute("INSERT INTO t VALUES (2)")
        assert await db.fetchval("SELECT COUNT(*) FROM t WHERE x = 2") == 60
        assert not db._writer._conn.in_transaction
    finally:
        await db.close()


def test_triggers_stay_one_statement() -> None:
    script = (
        "CREATE TABLE a (x);\n-- comment\nCREATE TRIGGER t AFTER INSERT ON a BEGIN\n"
        "  INSERT INTO a VALUES (1);\n  SELECT 1;\nEND;\n"
    )
    assert len(split_statements(script)) == 2


async def test_read_all_sees_what_is_committed_and_nothing_in_progress(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "x.db")
    try:
        await db.execute("CREATE TABLE t (v INTEGER)")
        await db.execute("INSERT INTO t VALUES (1)")
        assert [row[0] for row in await db.fetch("SELECT v FROM t")] == [1]
        async with db.transaction() as tx:
            await tx.execute("INSERT INTO t VALUES (2)")
            # The main connection is held by this transaction; a read on a reader neither waits nor sees it.
            rows = await asyncio.wait_for(db.fetch("SELECT v FROM t ORDER BY v"), timeout=5)
            assert [row["v"] for row in rows] == [1]
        assert [row[0] for row in await db.fetch("SELECT v FROM t ORDER BY v")] == [1, 2]
    finally:
        await db.close()


async def test_readers_cannot_write_and_close_with_the_database(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "x.db")
    await db.execute("CREATE TABLE t (v INTEGER)")
    reader = await (await db._open_readers()).get()
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        await reader.execute("INSERT INTO t VALUES (1)")
    (await db._open_readers()).put_nowait(reader)
    # a write that returns rows, asked for with fetch, goes to the writer and is not refused
    assert [tuple(r) for r in await db.fetch("INSERT INTO t VALUES (7) RETURNING v")] == [(7,)]
    assert await db.fetchval("SELECT COUNT(*) FROM t") == 1
    # Several reads at once share the few readers; close waits for them and stops every reader's thread.
    results = await asyncio.gather(*(db.fetch("SELECT COUNT(*) FROM t") for _ in range(10)))
    assert [rows[0][0] for rows in results] == [1] * 10
    threads = threading.active_count()
    await db.close()
    for _ in range(500):  # each connection's worker thread ends once it has closed its connection
        if threading.active_count() <= threads - 1 - READERS:
            break
        await asyncio.sleep(0.01)
    assert threading.active_count() <= threads - 1 - READERS
    with pytest.raises(ValueError, match="closed"):
        await db.fetch("SELECT 1")


async def _traced(db: Database) -> list[str]:
    """The statements the writer runs from now on, as SQLite reports them (on the writer's own thread)."""
    seen: list[str] = []
    await _on_thread(db._writer, lambda conn: conn.set_trace_callback(seen.append))
    return seen


async def test_batches_waiting_together_share_one_transaction(tmp_path: Path) -> None:
    """Group commit: clicks that arrive while the writer is busy cost it one hand-off and one commit, not one each."""
    db = await Database.open(tmp_path / "x.db")
    try:
        await db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, n INTEGER)")
        seen = await _traced(db)
        results = await asyncio.gather(*(
            db.batch([Statement("INSERT INTO t (id, n) VALUES (?, ?)", (i, i)), Statement("SELECT COUNT(*) FROM t")])
            for i in range(20)
        ))
        assert [r[0].rowcount for r in results] == [1] * 20
        assert sorted(r[1].rows[0][0] for r in results) == list(range(1, 21))  # each saw the ones before it
        assert sum(s.startswith("BEGIN") for s in seen) == 1 and sum(s == "COMMIT" for s in seen) == 1
        assert await db.fetchval("SELECT COUNT(*) FROM t") == 20
        # a lone batch is a plain transaction, no savepoint
        seen.clear()
        await db.batch([Statement("INSERT INTO t (id, n) VALUES (100, 0)")])
        assert not any("SAVEPOINT" in s for s in seen)
    finally:
        await db.close()


async def test_a_failing_batch_in_a_group_is_undone_alone(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "x.db")
    try:
        await db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT)")
        await db.execute("INSERT INTO t VALUES (1, 'first')")
        outcomes = await asyncio.gather(
            db.batch([Statement("INSERT INTO t VALUES (2, 'before')")]),
            db.batch([Statement("INSERT INTO t VALUES (3, 'undone')"), Statement("INSERT INTO t VALUES (1, 'dup')")]),
            db.batch([Statement("INSERT INTO t VALUES (4, 'after')")]),
            return_exceptions=True,
        )
        assert isinstance(outcomes[1], sqlite3.IntegrityError)
        assert not isinstance(outcomes[0], BaseException) and not isinstance(outcomes[2], BaseException)
        assert [r[0] for r in await db.fetch("SELECT name FROM t ORDER BY id")] == ["first", "before", "after"]
    finally:
        await db.close()


async def test_a_group_the_disk_refuses_comes_to_what_each_batch_would_alone(tmp_path: Path) -> None:
    """A full database aborts more than a statement; every batch that fits is still stored, the one that does not
    gets the error."""
    db = await Database.open(tmp_path / "x.db")
    try:
        await db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v BLOB)")
        await db.execute("INSERT INTO t VALUES (1, zeroblob(10))")
        pages = await db.fetchval("PRAGMA page_count")
        await db.execute(f"PRAGMA max_page_count = {pages + 1}")
        outcomes = await asyncio.gather(
            db.batch([Statement("INSERT INTO t VALUES (2, zeroblob(10))")]),
            db.batch([Statement("INSERT INTO t VALUES (3, zeroblob(1000000))")]),
            db.batch([Statement("INSERT INTO t VALUES (4, zeroblob(10))")]),
            return_exceptions=True,
        )
        assert isinstance(outcomes[1], sqlite3.OperationalError) and "full" in str(outcomes[1])
        assert [r[0] for r in await db.fetch("SELECT id FROM t ORDER BY id")] == [1, 2, 4]
        assert not db._writer._conn.in_transaction
    finally:
        await db.close()


async def test_a_batch_cancelled_before_its_turn_is_left_out(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "x.db")
    try:
        await db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY)")
        async with db.transaction() as tx:  # the writer is busy
            await tx.execute("INSERT INTO t VALUES (1)")
            waiting = asyncio.create_task(db.batch([Statement("INSERT INTO t VALUES (2)")]))
            kept = asyncio.create_task(db.batch([Statement("INSERT INTO t VALUES (3)")]))
            await asyncio.sleep(0.01)
            waiting.cancel()
        assert await kept == [Result([], 1)]
        assert waiting.cancelled()
        assert [r[0] for r in await db.fetch("SELECT id FROM t ORDER BY id")] == [1, 3]
    finally:
        await db.close()
