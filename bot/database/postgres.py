"""PostgreSQL through asyncpg, for several bot processes sharing one database (docs/scaling.md).

The stores' SQL is the same as on SQLite; what differs is handled here: `?` placeholders become `$1..$n`, write
transactions are serialised by one advisory lock (SQLite's BEGIN IMMEDIATE gives the stores that guarantee, and
their check-then-write steps rely on it), and a connection that went away (a restarted server, a terminated
backend) is replaced and the statement tried again when nothing of it can have happened yet.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import re
import uuid
from collections.abc import AsyncIterator, Iterable, Iterator, Sequence
from contextlib import asynccontextmanager, contextmanager
from typing import Any, ClassVar
from urllib.parse import urlsplit

import asyncpg

from bot.database.base import (
    ALL,
    POSTGRESQL,
    ChangeCallback,
    Database,
    DatabaseRefused,
    DatabaseUnavailable,
    Dialect,
    Params,
    Result,
    Row,
    Statement,
    Transaction,
    redact,
)
from bot.database.migrations import Migration

log = logging.getLogger(__name__)

POOL_SIZE = 8
CONNECT_TIMEOUT_S = 10
# pg_advisory_xact_lock keys: one for every write transaction, one for migrations at start
WRITE_LOCK = 0x636F6D6D_756E6974  # "communit"
MIGRATION_LOCK = WRITE_LOCK + 1
RETRIES = 3

# Errors that mean the connection (or the server) went away, not that the statement was wrong. A pooled connection
# whose backend was terminated while idle fails its next operation with InternalClientError ("cannot switch to
# state ...; another operation is in progress") before anything is sent, so trying again elsewhere is safe.
_GONE = (
    asyncpg.exceptions.InternalClientError,
    asyncpg.exceptions.ConnectionDoesNotExistError,
    asyncpg.exceptions.InterfaceError,
    asyncpg.exceptions.AdminShutdownError,
    asyncpg.exceptions.CannotConnectNowError,
    asyncpg.exceptions.ConnectionFailureError,
    ConnectionError,
    OSError,
    TimeoutError,
)
_ROW_COUNT = re.compile(r"(\d+)$")
_RETURNS_ROWS = re.compile(r"\bRETURNING\b|^\s*(SELECT|WITH|VALUES)\b", re.I | re.S)


_CHANNEL_PREFIX = "bot_changes_"


def _channel(topic: str) -> str:
    return f"{_CHANNEL_PREFIX}{topic}"


@functools.lru_cache(maxsize=4096)
def placeholders(sql: str) -> str:
    """`?` parameters as PostgreSQL's `$1, $2, ...`, leaving quoted text and comments alone."""
    out: list[str] = []
    number = 0
    i, n = 0, len(sql)
    while i < n:
        c = sql[i]
        if c in ("'", '"'):
            end = sql.find(c, i + 1)
            while end != -1 and end + 1 < n and sql[end + 1] == c:  # doubled quote inside the literal
                end = sql.find(c, end + 2)
            end = n - 1 if end == -1 else end
            out.append(sql[i : end + 1])
            i = end + 1
        elif c == "-" and sql.startswith("--", i):
            end = sql.find("\n", i)
            end = n if end == -1 else end
            out.append(sql[i:end])
            i = end
        elif c == "?":
            number += 1
            out.append(f"${number}")
            i += 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


def _rowcount(status: str) -> int:
    match = _ROW_COUNT.search(status or "")
    return int(match.group(1)) if match else 0


async def _run(conn: asyncpg.Connection, sql: str, params: Params) -> Result:
    text = placeholders(sql)
    if _RETURNS_ROWS.search(sql):
        rows = await conn.fetch(text, *params)
        return Result(list(rows), len(rows))
    return Result([], _rowcount(await conn.execute(text, *params)))


async def apply_migration(conn: asyncpg.Connection, migration: Migration, applied_at: int) -> None:
    """Run one migration's PostgreSQL text and record it (the caller holds the transaction)."""
    # the whole file at once: PostgreSQL-only files may hold function bodies with semicolons in them
    await conn.execute(migration.sql_for(PostgresDatabase.backend))
    await conn.execute(
        "INSERT INTO schema_migrations (namespace, version, name, applied_at) VALUES ($1, $2, $3, $4)",
        migration.namespace, migration.version, migration.name, applied_at,
    )


@contextmanager
def explained_connect_errors(setting: str, url: str) -> Iterator[None]:
    """asyncpg's connection failures as the two kinds start-up reports: DatabaseRefused (exit 2: a missing database,
    a refused login) and DatabaseUnavailable (exit 3: the server cannot be reached). `setting` names where the URL
    came from, for the message."""
    where = redact(url)
    try:
        yield
    except asyncpg.exceptions.InvalidCatalogNameError:
        raise DatabaseRefused(f"{setting}: {where}: no such database (create it first: createdb ...)") from None
    except (asyncpg.exceptions.InvalidPasswordError,
            asyncpg.exceptions.InvalidAuthorizationSpecificationError) as error:
        raise DatabaseRefused(f"{setting}: {where}: the server refused the login ({error})") from None
    except (OSError, TimeoutError, asyncpg.exceptions.CannotConnectNowError) as error:
        reason = "connection refused" if isinstance(error, ConnectionRefusedError) else (
            str(error) or type(error).__name__)
        raise DatabaseUnavailable(f"PostgreSQL could not be reached at {where}: {reason}") from None


class PostgresTransaction(Transaction):
    """One pooled connection between BEGIN and COMMIT."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def fetch(self, sql: str, params: Params = ()) -> list[Row]:
        return list(await self._conn.fetch(placeholders(sql), *params))

    async def execute(self, sql: str, params: Params = ()) -> Result:
        return await _run(self._conn, sql, params)

    async def executemany(self, sql: str, rows: Iterable[Params]) -> None:
        await self._conn.executemany(placeholders(sql), [tuple(r) for r in rows])


class PostgresDatabase(Database):
    """See the module docstring."""

    backend: ClassVar[str] = "postgresql"

    def __init__(self, pool: asyncpg.Pool, url: str) -> None:
        super().__init__()
        self._pool = pool
        self.url = url
        self._listener: asyncpg.Connection | None = None  # LISTENs for the change notices of other processes
        self._listening: set[str] = set()
        self._listener_lock = asyncio.Lock()
        self._closed = False
        self._relistening: asyncio.Task[None] | None = None
        self._origin = uuid.uuid4().hex[:12]  # tells this process's notices from the others'

    @classmethod
    async def connect(cls, url: str, *, pool_size: int = POOL_SIZE) -> PostgresDatabase:
        """Connect; DatabaseUnavailable when the server cannot be reached, DatabaseRefused when it says no."""
        with explained_connect_errors("BOT_DATABASE", url):
            pool = await asyncpg.create_pool(
                url, min_size=1, max_size=pool_size, timeout=CONNECT_TIMEOUT_S, command_timeout=60
            )
        return cls(pool, url)

    @property
    def dialect(self) -> Dialect:
        return POSTGRESQL

    def describe(self) -> str:
        parts = urlsplit(self.url)
        return f"PostgreSQL {parts.hostname or 'localhost'}:{parts.port or 5432}{parts.path}"

    async def close(self) -> None:
        self._closed = True
        if self._listener is not None:
            await self._listener.close()
        await self._pool.close()

    # --- change notices between processes: NOTIFY on publish, one LISTEN connection per process ---------------------

    async def subscribe(self, topic: str, callback: ChangeCallback) -> None:
        await super().subscribe(topic, callback)
        async with self._listener_lock:
            await self._listen(topic)

    async def publish(self, topic: str, key: str) -> None:
        self._deliver(topic, key)  # this process at once; the others through the server
        await self.execute("SELECT pg_notify(?, ?)", (_channel(topic), f"{self._origin}|{key}"))

    async def _listen(self, topic: str) -> None:
        if self._listener is None or self._listener.is_closed():
            self._listener = await asyncpg.connect(self.url)
            self._listener.add_termination_listener(self._listener_lost)
        if topic not in self._listening:
            await self._listener.add_listener(_channel(topic), self._notified)
            self._listening.add(topic)

    def _notified(self, conn: object, pid: int, channel: str, payload: str) -> None:
        origin, _, key = payload.partition("|")
        if origin != self._origin:  # this process's own notices were delivered when published
            self._deliver(channel.removeprefix(_CHANNEL_PREFIX), key)

    def _listener_lost(self, conn: object) -> None:
        if self._closed:
            return
        log.warning("PostgreSQL change notices lost; listening again (cached data is dropped meanwhile)")
        self._relistening = asyncio.get_running_loop().create_task(self._relisten(), name="postgresql-relisten")

    async def _relisten(self) -> None:
        topics = set(self._listening)
        for attempt in range(1, 60):
            try:
                async with self._listener_lock:
                    self._listening, self._listener = set(), None
                    for topic in topics:
                        await self._listen(topic)
            except _GONE:
                await asyncio.sleep(min(30.0, 0.5 * attempt))
                continue
            # notices sent while nobody listened are gone: every cache starts afresh
            for topic in list(self._subscribers):
                self._deliver(topic, ALL)
            return

    async def _retrying(self, sql: str, params: Params, *, returning: bool) -> Any:
        """One statement on a pooled connection, tried again on a fresh one when the connection was gone."""
        for attempt in range(1, RETRIES + 1):
            try:
                async with self._pool.acquire() as conn:
                    if returning:
                        return list(await conn.fetch(placeholders(sql), *params))
                    return await _run(conn, sql, params)
            except _GONE as error:
                if attempt == RETRIES:
                    raise DatabaseUnavailable(f"{self.describe()}: {error or type(error).__name__}") from error
                log.warning("PostgreSQL connection lost (%s); trying again", type(error).__name__)
                await asyncio.sleep(0.2 * attempt)
        raise AssertionError("unreachable")

    async def fetch(self, sql: str, params: Params = ()) -> list[Row]:
        rows: list[Row] = await self._retrying(sql, params, returning=True)
        return rows

    async def execute(self, sql: str, params: Params = ()) -> Result:
        result: Result = await self._retrying(sql, params, returning=False)
        return result

    async def executemany(self, sql: str, rows: Iterable[Params]) -> None:
        async with self.transaction() as tx:
            await tx.executemany(sql, rows)

    async def batch(self, statements: Sequence[Statement]) -> list[Result]:
        async with self.transaction() as tx:
            return [await tx.execute(s.sql, s.params) for s in statements]

    @asynccontextmanager
    async def transaction(self, *, exclusive: bool = True) -> AsyncIterator[Transaction]:
        conn, tr = await self._begin()
        try:
            if exclusive:  # as SQLite's BEGIN IMMEDIATE: one write transaction at a time, across processes
                await conn.execute("SELECT pg_advisory_xact_lock($1)", WRITE_LOCK)
            yield PostgresTransaction(conn)
        except BaseException:
            if not conn.is_closed():
                await asyncio.shield(tr.rollback())
            raise
        else:
            await asyncio.shield(tr.commit())
        finally:
            await self._pool.release(conn)

    async def _begin(self) -> tuple[asyncpg.Connection, Any]:
        """BEGIN on a pooled connection; one whose backend went away while idle is replaced (nothing ran on it)."""
        for attempt in range(1, RETRIES + 1):
            conn = await self._pool.acquire()
            tr = conn.transaction()
            try:
                await tr.start()
                return conn, tr
            except _GONE as error:
                await self._pool.release(conn)
                if attempt == RETRIES:
                    raise DatabaseUnavailable(f"{self.describe()}: {error or type(error).__name__}") from error
                log.warning("PostgreSQL connection lost before BEGIN (%s); trying again", type(error).__name__)
                await asyncio.sleep(0.2 * attempt)
        raise AssertionError("unreachable")

    @asynccontextmanager
    async def _migrating(self) -> AsyncIterator[object]:
        async with self._pool.acquire() as conn:
            await conn.execute("SELECT pg_advisory_lock($1)", MIGRATION_LOCK)
            try:
                yield None
            finally:
                await conn.execute("SELECT pg_advisory_unlock($1)", MIGRATION_LOCK)

    def _ddl(self, sql: str) -> str:
        from bot.database.migrations import to_postgresql

        return to_postgresql(sql)

    async def _apply(self, migration: Migration, now: int) -> bool:
        async with self._pool.acquire() as conn, conn.transaction():
            await apply_migration(conn, migration, now)
        return True  # the migration lock is held across the check in migrate(): nobody else applied it

    async def size_bytes(self) -> int:
        return int(await self.fetchval("SELECT pg_database_size(current_database())"))
