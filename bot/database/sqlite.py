"""SQLite: one writer connection (a lock keeps a transaction's statements together) and read-only readers beside it.

WAL lets the readers see every commit at once without waiting for the writer, so reads never queue behind a write
or a slow search. Each connection runs on its own aiosqlite thread; every call here is one hand-off to that thread
(the statement, its rows and its row count together), a transaction's BEGIN travels with its first statement, and
`batch()` runs a whole transaction in one hand-off, together with the other batches waiting for the writer then.
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
        _end(conn, "ROLLBACK")  # a full disk has rolled it back already: the error to report is the first one
        raise
    conn.execute("COMMIT")
    return results


Outcome = list[Result] | Exception  # what one batch of a group came to


def _group(conn: sqlite3.Connection, batches: Sequence[Sequence[Statement]]) -> list[Outcome]:
    """Several batches in one transaction, each inside a savepoint, so a failing one is undone alone.

    When the transaction as a whole fails (a full disk, or an error that aborts the transaction so the savepoint
    cannot be rolled back to), each batch is tried again on its own: it comes to what it would have alone.
    """
    if len(batches) > 1:
        outcomes: list[Outcome] = []
        conn.execute("BEGIN IMMEDIATE")
        try:
            for statements in batches:
                conn.execute("SAVEPOINT batch")
                try:
                    outcomes.append([_run(conn, s.sql, s.params) for s in statements])
                except Exception as error:
                    conn.execute("ROLLBACK TO batch")
                    outcomes.append(error)
                conn.execute("RELEASE batch")
            conn.execute("COMMIT")
            return outcomes
        except Exception:
            _end(conn, "ROLLBACK")
    return [_alone(conn, statements) for statements in batches]


def _alone(conn: sqlite3.Connection, statements: Sequence[Statement]) -> Outcome:
    try:
        return _batch(conn, statements)
    except Exception as error:
        return error


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
        self._queued: list[tuple[list[Statement], asyncio.Future[list[Result]]]] = []  # batches for the writer
        self._committing: set[asyncio.Task[None]] = set()

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
        await asyncio.gather(*self._committing, return_exceptions=True)  # the batches already queued
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
        # Group commit: batches that arrive while the writer is busy go to it together, in one hand-off and one
        # transaction (_group): under a burst of RSVP clicks 1.3-2.4 clicks a commit. It spares hand-offs and
        # commits; it did not raise the rate of clicks the bot sustains (the event loop's own work decides that).
        future: asyncio.Future[list[Result]] = asyncio.get_running_loop().create_future()
        self._queued.append((list(statements), future))
        if len(self._queued) == 1:
            task = asyncio.create_task(self._commit_queued(), name="sqlite-group-commit")
            self._committing.add(task)
            task.add_done_callback(self._committing.discard)
        return await future  # a caller cancelled before its turn is left out; once handed over, it runs

    async def _commit_queued(self) -> None:
        async with self._lock:
            taken = [(statements, future) for statements, future in self._queued if not future.cancelled()]
            self._queued = []
            if not taken:
                return
            try:
                # shield: the thread commits or rolls back the group as a whole, whoever stops waiting
                outcomes = await asyncio.shield(_on_thread(self._writer, _group, [s for s, _ in taken]))
            except Exception as error:  # the connection is gone (closed, or its thread failed)
                for _, future in taken:
                    if not future.done():
                        future.set_exception(error)
                return
            except BaseException:  # cancelled (the loop is shutting down): so are its callers
                for _, future in taken:
                    future.cancel()
                raise
        for (_, future), outcome in zip(taken, outcomes, strict=True):
            if future.done():
                continue
            if isinstance(outcome, Exception):
                future.set_exception(outcome)
            else:
                future.set_result(outcome)

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
