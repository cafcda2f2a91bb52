"""SQLite: one writer connection (a lock keeps a transaction's statements together) and read-only readers beside it.

WAL lets the readers see every commit at once without waiting for the writer, so reads never queue behind a write
or a slow search. Each connection runs on its own aiosqlite thread; every call here is one hand-off to that thread
(the statement, its rows and its row count together), a transaction's BEGIN travels with its first statement, and
`batch()` runs a whole transaction in one hand-off.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import re
import sqlite3
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, ClassVar, TypeVar

import aiosqlite

from bot.database.base import SQLITE, Database, Dialect, Params, Result, Row, Statement, Transaction
from bot.database.migrations import Migration, split_statements

log = logging.getLogger(__name__)

T = TypeVar("T")

# Pages are read in place from a memory map instead of copied in by read() calls: about 30% off a search over a
# million questions (bench/). Only as much as the file holds is mapped; SQLite caps it at its build's maximum.
MMAP_BYTES = 2**31
READERS = min(4, max(2, os.cpu_count() or 2))
BUSY_TIMEOUT_MS = 5000


async def _on_thread(conn: aiosqlite.Connection, fn: Callable[..., T], *args: Any) -> T:
    """Run `fn(sqlite3_connection, *args)` on the connection's own thread: one hand-off.

    aiosqlite (pinned in pyproject.toml) offers only per-statement calls publicly; its `_execute` is the queue
    every one of them goes through, used here so a statement and its rows cost one trip, not two.
    """
    raw = conn._conn  # the sqlite3.Connection, touched only on its thread (inside fn)
    result: T = await conn._execute(fn, raw, *args)  # type: ignore[no-untyped-call]  # private, untyped in aiosqlite
    return result


# A statement a read-only connection can run: a SELECT (or WITH ... SELECT) that writes nothing.
_READ_ONLY = re.compile(r"^\s*(SELECT|VALUES|WITH\b(?!.*\b(INSERT|UPDATE|DELETE|REPLACE)\b))", re.I | re.S)


def _run(conn: sqlite3.Connection, sql: str, params: Params) -> Result:
    cursor = conn.execute(sql, params)
    rows = cursor.fetchall() if cursor.description else []  # RETURNING rows must be read before the count is final
    return Result(rows, cursor.rowcount)


def _run_first(conn: sqlite3.Connection, sql: str, params: Params) -> Result:
    conn.execute("BEGIN IMMEDIATE")
    return _run(conn, sql, params)


def _fetch(conn: sqlite3.Connection, sql: str, params: Params) -> list[Row]:
    return conn.execute(sql, params).fetchall()


def _many(conn: sqlite3.Connection, sql: str, rows: list[Params], begin: bool) -> None:
    if begin:
        conn.execute("BEGIN IMMEDIATE")
    conn.executemany(sql, rows)


def _batch(conn: sqlite3.Connection, statements: Sequence[Statement]) -> list[Result]:
    conn.execute("BEGIN IMMEDIATE")
    try:
        results = [_run(conn, s.sql, s.params) for s in statements]
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
    return results


def _end(conn: sqlite3.Connection, verb: str) -> None:
    with contextlib.suppress(sqlite3.OperationalError):  # "no transaction is active": BEGIN itself failed
        conn.execute(verb)


async def _connect(path: Path, pragmas: Sequence[str]) -> aiosqlite.Connection:
    conn = await aiosqlite.connect(path, isolation_level=None)
    conn.row_factory = sqlite3.Row
    for pragma in pragmas:
        await conn.execute(f"PRAGMA {pragma}")
    return conn


def file_size(path: Path) -> int:
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return 0


class SQLiteTransaction(Transaction):
    """The writer connection between BEGIN IMMEDIATE and COMMIT; BEGIN goes with the first statement."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn
        self.begun = False  # BEGIN was handed to the thread (it runs even if the awaiting task is cancelled)

    async def _statement(self, sql: str, params: Params) -> Result:
        if self.begun:
            return await _on_thread(self._conn, _run, sql, params)
        self.begun = True
        return await _on_thread(self._conn, _run_first, sql, params)

    async def fetch(self, sql: str, params: Params = ()) -> list[Row]:
        return (await self._statement(sql, params)).rows

    async def execute(self, sql: str, params: Params = ()) -> Result:
        return await self._statement(sql, params)

    async def executemany(self, sql: str, rows: Iterable[Params]) -> None:
        begin, self.begun = not self.begun, True
        await _on_thread(self._conn, _many, sql, list(rows), begin)


class SQLiteDatabase(Database):
    """See the module docstring."""

    backend: ClassVar[str] = "sqlite"

    def __init__(self, writer: aiosqlite.Connection, path: Path) -> None:
        super().__init__()
        self._writer = writer
        self._lock = asyncio.Lock()
        self.path = path
        self._readers: asyncio.Queue[aiosqlite.Connection] | None = None
        self._reader_connections: list[aiosqlite.Connection] = []
        self._readers_opening = asyncio.Lock()
        self._closed = False

    @classmethod
    async def connect(cls, path: Path) -> SQLiteDatabase:
        """Open (creating the folder and file) with the pragmas the bot relies on."""
        path.parent.mkdir(parents=True, exist_ok=True)
        writer = await _connect(
            path,
            # secure_delete: a forgotten member's rows are overwritten with zeros, not left in free pages
            # (/privacy forget, docs/privacy.md)
            ("journal_mode=WAL", "foreign_keys=ON", f"busy_timeout={BUSY_TIMEOUT_MS}", "synchronous=NORMAL",
             f"mmap_size={MMAP_BYTES}", "secure_delete=ON"),
        )
        return cls(writer, path)

    @property
    def dialect(self) -> Dialect:
        return SQLITE

    def describe(self) -> str:
        return f"SQLite {self.path}"

    async def close(self) -> None:
        self._closed = True
        async with self._readers_opening:
            pool, self._readers = self._readers, None
            for _ in range(len(self._reader_connections) if pool is not None else 0):
                assert pool is not None
                await (await pool.get()).close()  # each once its query is done
            self._reader_connections = []
        async with self._lock:
            await self._writer.close()

    # --- reads: on a reader, never behind the writer ------------------------------------------------------------------

    async def fetch(self, sql: str, params: Params = ()) -> list[Row]:
        if not _READ_ONLY.match(sql):  # INSERT ... RETURNING and the like are writes, whatever method runs them
            return (await self.execute(sql, params)).rows
        pool = self._readers if self._readers is not None else await self._open_readers()
        reader = await pool.get()
        try:
            return await _on_thread(reader, _fetch, sql, params)
        finally:
            pool.put_nowait(reader)

    async def _open_readers(self) -> asyncio.Queue[aiosqlite.Connection]:
        async with self._readers_opening:
            if self._closed:
                raise ValueError("the database is closed")
            if self._readers is None:
                pool: asyncio.Queue[aiosqlite.Connection] = asyncio.Queue()
                for _ in range(READERS):
                    reader = await _connect(
                        self.path, ("query_only=ON", f"busy_timeout={BUSY_TIMEOUT_MS}", f"mmap_size={MMAP_BYTES}")
                    )
                    self._reader_connections.append(reader)
                    pool.put_nowait(reader)
                self._readers = pool
            return self._readers

    # --- writes: the writer, one at a time -------------------------------------------------------------------------

    async def execute(self, sql: str, params: Params = ()) -> Result:
        async with self._lock:
            return await _on_thread(self._writer, _run, sql, params)

    async def executemany(self, sql: str, rows: Iterable[Params]) -> None:
        async with self.transaction() as tx:
            await tx.executemany(sql, rows)

    async def batch(self, statements: Sequence[Statement]) -> list[Result]:
        async with self._lock:
            # asyncio.shield: once handed over, the thread commits or rolls back as a whole; a cancelled caller
            # must not release the lock before that is done.
            return await asyncio.shield(_on_thread(self._writer, _batch, list(statements)))

    @asynccontextmanager
    async def transaction(self, *, exclusive: bool = True) -> AsyncIterator[Transaction]:
        async with self._lock:
            tx = SQLiteTransaction(self._writer)
            try:
                yield tx
            except BaseException:
                if tx.begun:
                    # A task cancelled while its first statement was on the thread still began the transaction;
                    # the ROLLBACK queued after it closes it before the lock is released.
                    await asyncio.shield(_on_thread(self._writer, _end, "ROLLBACK"))
                raise
            else:
                if tx.begun:
                    await asyncio.shield(_on_thread(self._writer, lambda conn: conn.execute("COMMIT")))

    @asynccontextmanager
    async def _migrating(self) -> AsyncIterator[object]:
        # BEGIN IMMEDIATE already serialises writers across processes; a second process re-reads what is applied
        # inside its own transaction below, so nothing more is needed here.
        yield None

    def _ddl(self, sql: str) -> str:
        return sql

    async def _apply(self, migration: Migration, now: int) -> bool:
        async with self.transaction() as tx:
            if await tx.fetchval(
                "SELECT 1 FROM schema_migrations WHERE namespace = ? AND version = ?",
                (migration.namespace, migration.version),
            ):
                return False  # another process applied it meanwhile
            for statement in split_statements(migration.sql_for(self.backend)):
                await tx.execute(statement)
            await tx.execute(
                "INSERT INTO schema_migrations (namespace, version, name, applied_at) VALUES (?, ?, ?, ?)",
                (migration.namespace, migration.version, migration.name, now),
            )
        return True

    async def size_bytes(self) -> int:
        """Database file plus its WAL, as a community manager would count disk use."""
        return file_size(self.path) + file_size(Path(f"{self.path}-wal"))
