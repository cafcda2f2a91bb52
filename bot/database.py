"""The SQLite connection: WAL, foreign keys, a busy timeout, serialized access and numbered migrations."""

from __future__ import annotations

import asyncio
import logging
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
    """One aiosqlite connection; a lock keeps a transaction's statements together."""

    def __init__(self, connection: aiosqlite.Connection, path: Path) -> None:
        self._conn = connection
        self._lock = asyncio.Lock()
        self.path = path

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
        return cls(conn, path)

    async def close(self) -> None:
        """Wait for the statement in flight, then close."""
        async with self._lock:
            await self._conn.close()

    async def execute(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> sqlite3.Cursor:
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
            cursor = await self._conn.execute(sql, params)
            return list(await cursor.fetchall())

    async def fetchval(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> Any:
        row = await self.fetchone(sql, params)
        return None if row is None else row[0]

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """BEGIN IMMEDIATE ... COMMIT, rolled back on any exception; nothing else runs in between."""
        async with self._lock:
            await self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                await self._conn.execute("ROLLBACK")
                raise
            else:
                await self._conn.execute("COMMIT")

    async def migrate(self, migrations: Iterable[Migration]) -> list[Migration]:
        """Apply what is not applied yet, each file in one transaction; returns what was applied."""
        await self.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            " namespace TEXT NOT NULL, version INTEGER NOT NULL, name TEXT NOT NULL,"
            " applied_at TEXT NOT NULL, PRIMARY KEY (namespace, version))"
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
                    (migration.namespace, migration.version, migration.name, datetime.now(UTC).isoformat()),
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
