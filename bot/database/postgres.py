"""PostgreSQL through asyncpg, for several bot processes sharing one database (docs/scaling.md).

The stores' SQL is the same as on SQLite; what differs is handled here: `?` placeholders become `$1..$n`, write
transactions are serialised by one advisory lock (SQLite's BEGIN IMMEDIATE gives the stores that guarantee, and
their check-then-write steps rely on it), and a connection that went away (a restarted server, a terminated
backend) is replaced and the statement tried again when nothing of it can have happened yet.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import re
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator, Sequence
from contextlib import asynccontextmanager, contextmanager
from typing import Any, ClassVar, TypeVar
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
RETRIES = 3  # a lost connection expires the whole pool (the others are seldom alive), so the next try connects afresh
T = TypeVar("T")

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
_BEGIN_EXCLUSIVE = f"BEGIN; SELECT pg_advisory_xact_lock({WRITE_LOCK})"
_LOCK_AND_XID = "SELECT txid_current() FROM (SELECT pg_advisory_xact_lock($1)) AS locked"
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


def _alive(conn: asyncpg.Connection) -> bool:
    """Whether a pooled connection is still open (one whose server went away is detached from its proxy)."""
    try:
        return not conn.is_closed()
    except asyncpg.exceptions.InterfaceError:
        return False


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
            # asyncpg prepares every statement, and after five runs PostgreSQL may switch a prepared statement to one
            # generic plan for all parameters: one plan for a search of a server of 300,000 questions and of one of
            # 100 (measured: the large server's searches 1.5 -> 22 ms p50 once the small one had searched). Planning
            # each run costs ~0.1-2 ms of the server's CPU; a plan for the wrong server costs far more.
            pool = await asyncpg.create_pool(
                url, min_size=1, max_size=pool_size, timeout=CONNECT_TIMEOUT_S, command_timeout=60,
                server_settings={"plan_cache_mode": "force_custom_plan"},
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
        for attempt in range(1, RETRIES + 1):
            try:
                async with self._listener_lock:
                    await self._listen(topic)
                return
            except _GONE as error:
                # The listening connection went away and its loss was not noticed yet (a terminated backend): listen
                # to every topic again on a new one (_listener_lost will follow and do it once more, harmlessly).
                if attempt == RETRIES:
                    raise DatabaseUnavailable(f"{self.describe()}: {error or type(error).__name__}") from error
                async with self._listener_lock:
                    topics = self._listening | {topic}
                    self._listening, self._listener = set(), None
                    with contextlib.suppress(*_GONE):
                        for name in topics:
                            await self._listen(name)
                        return
                await asyncio.sleep(0.2 * attempt)

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
            conn: asyncpg.Connection | None = None
            try:
                conn = await self._pool.acquire()
                if returning:
                    return list(await conn.fetch(placeholders(sql), *params))
                return await _run(conn, sql, params)
            except _GONE as error:
                await self._pool.expire_connections()
                if attempt == RETRIES:
                    raise DatabaseUnavailable(f"{self.describe()}: {error or type(error).__name__}") from error
                log.warning("PostgreSQL connection lost (%s); trying again", type(error).__name__)
            finally:
                if conn is not None:
                    await self._give_back(conn)
            await asyncio.sleep(0.2 * attempt)
        raise AssertionError("unreachable")

    async def _give_back(self, conn: asyncpg.Connection) -> None:
        """Return a connection to the pool. A reset that fails (the connection went away after its statement ran)
        terminates it, and the pool replaces it: never a reason to run that statement again."""
        with contextlib.suppress(*_GONE):
            await self._pool.release(conn)

    async def fetch(self, sql: str, params: Params = ()) -> list[Row]:
        rows: list[Row] = await self._retrying(sql, params, returning=True)
        return rows

    async def execute(self, sql: str, params: Params = ()) -> Result:
        result: Result = await self._retrying(sql, params, returning=False)
        return result

    async def executemany(self, sql: str, rows: Iterable[Params]) -> None:
        listed = [tuple(r) for r in rows]  # read once: the transaction may run again

        async def work(tx: PostgresTransaction) -> None:
            await tx.executemany(sql, listed)

        await self._retried_transaction(work)

    async def batch(self, statements: Sequence[Statement]) -> list[Result]:
        async def work(tx: PostgresTransaction) -> list[Result]:
            return [await tx.execute(s.sql, s.params) for s in statements]

        return await self._retried_transaction(work)

    async def _retried_transaction(self, work: Callable[[PostgresTransaction], Awaitable[T]]) -> T:
        """`work` in one write transaction, run again from BEGIN on a fresh connection when the connection goes away:
        before COMMIT (PostgreSQL keeps nothing of a transaction whose connection was lost uncommitted), or during
        COMMIT when the server says the transaction did not commit (txid_status on a fresh connection): so a write
        is neither lost nor done twice. DatabaseUnavailable when every attempt fails or the outcome stays unknown."""
        for attempt in range(1, RETRIES + 1):
            conn = await self._begin(exclusive=False)
            xid: int | None = None
            try:
                # the write lock (as in transaction()) and this transaction's id, to ask about it if COMMIT is cut off
                xid = await conn.fetchval(_LOCK_AND_XID, WRITE_LOCK)
                result = await work(PostgresTransaction(conn))
            except _GONE as error:
                await self._give_back(conn)
                await self._pool.expire_connections()
                if attempt == RETRIES:
                    raise DatabaseUnavailable(f"{self.describe()}: {error or type(error).__name__}") from error
                log.warning("PostgreSQL connection lost in a transaction (%s); running it again",
                            type(error).__name__)
                await asyncio.sleep(0.2 * attempt)
                continue
            except BaseException:
                await self._end(conn, commit=False)
                raise
            try:
                await self._end(conn, commit=True)
            except DatabaseUnavailable:
                status = await self._outcome(xid)
                if status == "committed":
                    return result
                if status != "aborted" or attempt == RETRIES:
                    raise
                log.warning("PostgreSQL connection lost during COMMIT, which did not happen; running it again")
                continue
            return result
        raise AssertionError("unreachable")

    async def _outcome(self, xid: int | None) -> str | None:
        """'committed' or 'aborted' for a transaction whose COMMIT was cut off (None when it cannot be told): asked on
        a fresh connection, once the server has finished with the old one (a terminated backend aborts what it had
        not committed; 'in progress' lasts only until it exits)."""
        await self._pool.expire_connections()
        for _ in range(20):
            try:
                status = await self._retrying("SELECT txid_status(?)", (xid,), returning=True)
            except DatabaseUnavailable:
                return None
            value = status[0][0] if status else None
            if value != "in progress":
                return str(value) if value is not None else None
            await asyncio.sleep(0.1)
        return None

    async def _end(self, conn: asyncpg.Connection, *, commit: bool) -> None:
        """COMMIT or ROLLBACK and give the connection back; a lost connection during COMMIT is DatabaseUnavailable."""
        try:
            if commit:
                await asyncio.shield(conn.execute("COMMIT"))
            elif _alive(conn):
                await asyncio.shield(conn.execute("ROLLBACK"))
        except _GONE as error:
            if commit:
                raise DatabaseUnavailable(f"{self.describe()}: lost during COMMIT ({type(error).__name__})") from error
        finally:
            await self._give_back(conn)

    @asynccontextmanager
    async def transaction(self, *, exclusive: bool = True) -> AsyncIterator[Transaction]:
        # A block cannot be run again from here: a connection lost inside it rolls it back (nothing of it is kept)
        # and the caller gets DatabaseUnavailable. batch() and executemany() are retried whole (_retried_transaction).
        conn = await self._begin(exclusive=exclusive)
        try:
            yield PostgresTransaction(conn)
        except _GONE as error:
            await self._give_back(conn)
            await self._pool.expire_connections()
            raise DatabaseUnavailable(f"{self.describe()}: lost in a transaction ({type(error).__name__})") from error
        except BaseException:
            await self._end(conn, commit=False)
            raise
        else:
            await self._end(conn, commit=True)

    async def _begin(self, *, exclusive: bool) -> asyncpg.Connection:
        """BEGIN on a pooled connection; one whose backend went away while idle is replaced (nothing ran on it).

        `exclusive` (as SQLite's BEGIN IMMEDIATE: one write transaction at a time, across processes) takes the write
        lock in the same round trip: one simple query, no parameters (the key is ours), so every write transaction
        costs one round trip less (bench/scale.py, "record a question")."""
        for attempt in range(1, RETRIES + 1):
            conn = await self._pool.acquire()
            try:
                await conn.execute(_BEGIN_EXCLUSIVE if exclusive else "BEGIN")
                return conn
            except asyncio.CancelledError:
                # Cancelled (a shutdown) with BEGIN on its way: the server may have begun, so the connection's state
                # is unknown. It is closed and handed back, or closing the pool would wait for it forever.
                conn.terminate()
                await asyncio.shield(self._give_back(conn))
                raise
            except _GONE as error:
                await self._give_back(conn)
                await self._pool.expire_connections()
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
