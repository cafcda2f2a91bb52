"""Backups of a live database and restoring them (bot/backup.py), on real files and a real PostgreSQL."""

from __future__ import annotations

import asyncio
import shutil
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from bot.backup import BackupError, backup, check_backup, restore
from bot.client import all_migrations
from bot.database import Database, DatabaseTarget, Migration
from bot.discovery import feature_packages

WRITES_PER_SECOND = 200


async def migrated(target: DatabaseTarget, features: list[str] | None = None) -> Database:
    db = await Database.open(target)
    load = Migration("test", 1, "0001_load", "CREATE TABLE load (id INTEGER PRIMARY KEY, at REAL NOT NULL);\n")
    await db.migrate([*all_migrations(feature_packages() if features is None else features), load])
    return db


async def test_a_backup_taken_under_write_load_restores_everything_committed_before_it(tmp_path: Path) -> None:
    live = tmp_path / "live.db"
    db = await migrated(live)
    committed: list[int] = []
    stop = asyncio.Event()

    async def writer() -> None:
        while not stop.is_set():  # 200 separate transactions a second, as a busy bot writes
            result = await db.execute("INSERT INTO load (at) VALUES (?) RETURNING id", (time.time(),))
            committed.append(result.rows[0][0])
            await asyncio.sleep(1 / WRITES_PER_SECOND)

    task = asyncio.create_task(writer())
    try:
        await asyncio.sleep(1.0)
        before = max(committed)
        result = await asyncio.to_thread(backup, live, tmp_path / "copy.db")
        await asyncio.sleep(0.5)  # the bot went on writing during and after the copy
    finally:
        stop.set()
        await task
        await db.close()
    assert result.path == tmp_path / "copy.db" and result.size_bytes > 0
    assert len(committed) > WRITES_PER_SECOND  # the load really ran (more than a second of it)
    assert not await asyncio.to_thread(Path(f"{result.path}-wal").exists)
    check_backup(result.path)  # integrity_check ok, and the bot's tables are there

    restored = tmp_path / "restored" / "community.db"
    restore(result.path, restored)
    again = await Database.open(restored)
    try:
        ids = {row[0] for row in await again.fetch("SELECT id FROM load")}
        assert set(range(1, before + 1)) <= ids  # every write committed before the backup began
        assert max(ids) < max(committed)  # and not what came after it
        assert await again.migrate(all_migrations(feature_packages())) == []  # the bot starts on it as it is
    finally:
        await again.close()


def test_a_backup_into_a_folder_that_cannot_be_written_says_so(tmp_path: Path) -> None:
    live = tmp_path / "live.db"
    sqlite3.connect(live).close()
    with pytest.raises(BackupError, match="no such folder"):
        backup(live, tmp_path / "missing" / "copy.db")
    with pytest.raises(BackupError, match="is a folder"):
        backup(live, tmp_path)
    with pytest.raises(BackupError, match="cannot write there"):
        backup(live, Path("/proc/copy.db"))  # not writable even for root
    with pytest.raises(BackupError, match="no database file"):
        backup(tmp_path / "nothing.db", tmp_path / "copy.db")


def test_a_backup_that_runs_out_of_space_leaves_no_file_named_like_a_good_one(tmp_path: Path) -> None:
    """A full disk, as a file-size limit in a child process: the copy fails half-way and nothing is left."""
    live = tmp_path / "live.db"
    with sqlite3.connect(live) as conn:
        conn.execute("CREATE TABLE schema_migrations (x)")
        conn.execute("CREATE TABLE load (id INTEGER PRIMARY KEY, at REAL NOT NULL)")
        conn.executemany("INSERT INTO load (at) VALUES (?)", [(float(i),) for i in range(20_000)])
    script = textwrap.dedent(f"""
        import resource, signal, sys
        from pathlib import Path
        from bot.backup import BackupError, backup
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails like a full disk
        resource.setrlimit(resource.RLIMIT_FSIZE, (64 * 1024, 64 * 1024))
        try:
            backup(Path({str(live)!r}), Path({str(tmp_path / 'copy.db')!r}))
        except BackupError as error:
            print(error)
            sys.exit(2)
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=Path.cwd())
    assert done.returncode == 2, done.stderr
    assert "copy.db" in done.stdout and "Traceback" not in done.stdout + done.stderr
    left = sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith("live.db"))
    assert left == []  # no copy, and no partial file left behind


def test_restoring_a_file_that_is_not_a_backup_changes_nothing(tmp_path: Path) -> None:
    target = tmp_path / "community.db"
    with sqlite3.connect(target) as conn:
        conn.execute("CREATE TABLE schema_migrations (x)")
        conn.execute("INSERT INTO schema_migrations VALUES (1)")
    before = target.read_bytes()
    junk = tmp_path / "notes.txt"
    junk.write_text("this is not a database\n" * 100)
    with pytest.raises(BackupError, match="not a SQLite database"):
        restore(junk, target)
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.commit()
    with pytest.raises(BackupError, match="not the bot's"):
        restore(other, target)
    with pytest.raises(BackupError, match="no such file"):
        restore(tmp_path / "missing.db", target)
    assert target.read_bytes() == before


async def test_restoring_over_a_database_in_use_is_refused(tmp_path: Path) -> None:
    live = tmp_path / "live.db"
    db = await migrated(live)
    try:
        copy = backup(live, tmp_path / "copy.db").path
        async with db.transaction() as tx:  # the running bot in the middle of a write
            await tx.execute("INSERT INTO load (at) VALUES (1)")
            with pytest.raises(BackupError, match="in use"):
                await asyncio.to_thread(restore, copy, live)
    finally:
        await db.close()


async def test_postgresql_backups_use_pg_dump(database_target: DatabaseTarget, tmp_path: Path) -> None:
    if not isinstance(database_target, str):
        pytest.skip("PostgreSQL only")
    db = await migrated(database_target, [])
    await db.execute("INSERT INTO load (at) VALUES (1.5)")
    await db.close()
    if shutil.which("pg_dump") is None:
        with pytest.raises(BackupError, match="pg_dump was not found"):
            await asyncio.to_thread(backup, database_target, tmp_path / "dump.pgc")
        return
    result = await asyncio.to_thread(backup, database_target, tmp_path / "dump.pgc")
    assert result.size_bytes > 0 and result.path.read_bytes()[:5] == b"PGDMP"
    with pytest.raises(BackupError, match="pg_restore"):
        restore(result.path, database_target)
