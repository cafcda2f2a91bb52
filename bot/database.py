"""The SQLite connections: WAL, foreign keys, a busy timeout, one serialized writer, read-only readers for long
reads, and numbered migrations."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import re
import sqlite3
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiosqlite

log = logging.getLogger(__name__)

_MIGRATION_FILE = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")
# Pages are read in place from a memory map instead of copied in by read() calls: about 30% off a search over a
# million questions (bench/). Only as much as the file holds is mapped; SQLite caps it at its build's maximum.
MMAP_BYTES = 2**31
# Read-only connections for long reads (full-text search), beside the main one: WAL lets them read at once.
READERS = min(4, max(2, os.cpu_count() or 2))


@dataclass(frozen=True)
class Migration:
    """One numbered SQL file of one namespace (core, or a feature package)."""

    namespace: str
    version: int
    name: str
    sql: str


def discover_migrations(namespace: str, directory: Path) -> list[Migration]:
    """Read `NNNN_name.sql` files of a directory in version order; a misnamed file is an error."""
    if not directory.is_dir():
        return []
    found = []
    for path in sorted(directory.glob("*.sql")):
        match = _MIGRATION_FILE.match(path.name)
        if not match:
            raise RuntimeError(f"{path}: migration files are named NNNN_snake_case.sql")
        found.append(Migration(namespace, int(match.group(1)), path.stem, path.read_text(encoding="utf-8")))
    versions = [m.version for m in found]
    if len(set(versions)) != len(versions):
        raise RuntimeError(f"{directory}: two migrations share a version number")
    return found


def split_statements(script: str) -> list[str]:
    """Split a script into statements (triggers included) so it can run inside one transaction."""
    statements, current = [], ""
    for line in script.splitlines(keepends=True):
        current += line
        if sqlite3.complete_statement(current):
            if current.strip():
                statements.append(current.strip())
            current = ""
    if current.strip() and not all(ln.strip().startswith("--") for ln in current.strip().splitlines()):
        raise RuntimeError(f"incomplete SQL statement at end of migration: {current.strip()[:80]!r}")
    return statements


class Database:
    """One aiosqlite connection for everything that writes; a lock keeps a transaction's statements together.

    `read_all` runs a query on one of a few read-only connections instead, opened on first use.
    """

    def __init__(self, connection: aiosqlite.Connection, path: Path) -> None:
        self._conn = connection
        self._lock = asyncio.Lock()
        self.path = path
        self._readers: asyncio.Queue[aiosqlite.Connection] | None = None
        self._reader_connections: list[aiosqlite.Connection] = []
        self._readers_opening = asyncio.Lock()
        self._closed = False

    @classmethod
    async def open(cls, path: Path) -> Database:
        """Open (creating the folder and file) with the pragmas the bot relies on."""
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = await aiosqlite.connect(path, isolation_level=None)
        conn.row_factory = sqlite3.Row
        await conn.execute("PRAGMA journal_mode=WAL")
        await conn.execute("PRAGMA foreign_keys=ON")
        await conn.execute("PRAGMA busy_timeout=5000")
        await conn.execute("PRAGMA synchronous=NORMAL")
        await conn.execute(f"PRAGMA mmap_size={MMAP_BYTES}")
        return cls(conn, path)

    async def close(self) -> None:
        """Wait for the statements in flight, then close."""
        self._closed = True
        async with self._readers_opening:
            pool, self._readers = self._readers, None
            for _ in range(len(self._reader_connections) if pool is not None else 0):
                assert pool is not None
                await (await pool.get()).close()  # each once its query is done
            self._reader_connections = []
        async with self._lock:
            await self._conn.close()

    async def read_all(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> list[sqlite3.Row]:
        """A read on a read-only connection of its own, for slow queries such as full-text search.

        Such reads run beside each other and beside the main connection (WAL), so one member's search neither
        waits for another's nor holds up the bot's writes. They see what is committed, never a transaction in
        progress.
        """
        pool = self._readers if self._readers is not None else await self._open_readers()
        reader = await pool.get()
        try:
            return list(await reader.execute_fetchall(sql, params))
        finally:
            pool.put_nowait(reader)

    async def _open_readers(self) -> asyncio.Queue[aiosqlite.Connection]:
        async with self._readers_opening:
            if self._closed:
                raise ValueError("the database is closed")
            if self._readers is None:
                pool: asyncio.Queue[aiosqlite.Connection] = asyncio.Queue()
                for _ in range(READERS):
                    reader = await aiosqlite.connect(self.path, isolation_level=None)
                    reader.row_factory = sqlite3.Row
                    for pragma in ("query_only=ON", "busy_timeout=5000", f"mmap_size={MMAP_BYTES}"):
                        await reader.execute(f"PRAGMA {pragma}")
                    self._reader_connections.append(reader)
                    pool.put_nowait(reader)
                self._readers = pool
            return self._readers

    async def execute(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> aiosqlite.Cursor:
        """Run one write statement in its own transaction; returns the cursor (rowcount, lastrowid)."""
        async with self._lock:
            return await self._conn.execute(sql, params)

    async def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        """Run one statement for many rows, atomically."""
        async with self.transaction() as tx:
            await tx.executemany(sql, rows)

    async def fetchone(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> sqlite3.Row | None:
        async with self._lock:
            cursor = await self._conn.execute(sql, params)
            return await cursor.fetchone()

    async def fetchall(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> list[sqlite3.Row]:
        async with self._lock:
            return list(await self._conn.execute_fetchall(sql, params))

    async def fetchval(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> Any:
        row = await self.fetchone(sql, params)
        return None if row is None else row[0]

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """BEGIN IMMEDIATE ... COMMIT, rolled back on any exception; nothing else runs in between."""
        async with self._lock:
            try:
                # BEGIN sits inside the try: a task cancelled while awaiting it has still queued it on
                # aiosqlite's thread, and the ROLLBACK queued after it must close it before the lock is released.
                await self._conn.execute("BEGIN IMMEDIATE")
                yield self._conn
            except BaseException:
                with contextlib.suppress(sqlite3.OperationalError):  # BEGIN itself failed: nothing to roll back
                    await asyncio.shield(self._conn.execute("ROLLBACK"))
                raise
            else:
                await asyncio.shield(self._conn.execute("COMMIT"))

    async def migrate(self, migrations: Iterable[Migration]) -> list[Migration]:
        """Apply what is not applied yet, each file in one transaction; returns what was applied."""
        await self.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            " namespace TEXT NOT NULL, version INTEGER NOT NULL, name TEXT NOT NULL,"
            " applied_at INTEGER NOT NULL, PRIMARY KEY (namespace, version))"
        )
        applied_rows = await self.fetchall("SELECT namespace, version FROM schema_migrations")
        applied = {(row["namespace"], row["version"]) for row in applied_rows}
        done = []
        for migration in migrations:
            if (migration.namespace, migration.version) in applied:
                continue
            async with self.transaction() as tx:
                for statement in split_statements(migration.sql):
                    await tx.execute(statement)
                await tx.execute(
                    "INSERT INTO schema_migrations (namespace, version, name, applied_at) VALUES (?, ?, ?, ?)",
                    (migration.namespace, migration.version, migration.name, int(datetime.now(UTC).timestamp())),
                )
            log.info("Applied migration %s/%s", migration.namespace, migration.name)
            done.append(migration)
        return done

    def size_bytes(self) -> int:
        """Database file plus its WAL, as a community manager would count disk use."""
        total = 0
        for suffix in ("", "-wal"):
            file = Path(str(self.path) + suffix)
            if file.exists():
                total += file.stat().st_size
        return total
