"""What every store sees of the database, whichever engine is behind it (SQLite by default, PostgreSQL to scale out).

Stores write one dialect of SQL: `?` placeholders, `INSERT ... ON CONFLICT`, `RETURNING`, unix-second INTEGER
instants. What must differ between the engines (placeholders, full-text search, row locks, a few functions) lives
in one place per backend: the backend classes here and `Dialect`.

- Reads (`fetch`, `fetchrow`, `fetchval`) see everything committed and never wait for a write in progress.
- Writes outside a transaction (`execute`, `executemany`) are each atomic.
- `transaction()` groups statements; inside it every statement, reads included, goes through the transaction.
- `batch()` runs a list of statements as one transaction in one round trip to the database.
"""

from __future__ import annotations

import abc
import logging
import time
from collections.abc import AsyncIterator, Callable, Iterable, Iterator, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, Protocol
from urllib.parse import urlsplit, urlunsplit

from bot.database.migrations import Migration

log = logging.getLogger(__name__)

Params = Sequence[Any]
ChangeCallback = Callable[[str], None]
ALL = "*"  # the key of a change notice that means "anything of this topic may have changed"
SCHEMA_MIGRATIONS_TABLE = (  # written for SQLite, as migrations are
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " namespace TEXT NOT NULL, version INTEGER NOT NULL, name TEXT NOT NULL,"
    " applied_at INTEGER NOT NULL, PRIMARY KEY (namespace, version))"
)


class Row(Protocol):
    """A result row: by column name or position (sqlite3.Row and asyncpg.Record both are)."""

    def __getitem__(self, key: int | str, /) -> Any: ...

    def keys(self) -> Any: ...

    def __len__(self) -> int: ...

    def __iter__(self) -> Iterator[Any]: ...


def redact(url: str) -> str:
    """A database URL without its password, for messages and logs."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    return urlunsplit(parts._replace(netloc=parts.netloc.replace(f":{parts.password}@", ":***@")))


class DatabaseRefused(Exception):
    """The database server answered but refused us (a wrong password or user, a missing database): exit code 2."""


class DatabaseUnavailable(Exception):
    """The database server cannot be reached (or went away): worth retrying later, not a configuration problem."""


@dataclass
class Result:
    """What a write returns: the rows of a `RETURNING` clause and how many rows it changed."""

    rows: list[Row] = field(default_factory=list)
    rowcount: int = 0


@dataclass(frozen=True)
class Statement:
    """One statement of a `batch()`."""

    sql: str
    params: Params = ()


class Queries(abc.ABC):
    """The statements a store runs, on the database or inside a transaction."""

    @abc.abstractmethod
    async def fetch(self, sql: str, params: Params = ()) -> list[Row]:
        """All rows of a query."""

    async def fetchrow(self, sql: str, params: Params = ()) -> Row | None:
        rows = await self.fetch(sql, params)
        return rows[0] if rows else None

    async def fetchval(self, sql: str, params: Params = ()) -> Any:
        row = await self.fetchrow(sql, params)
        return None if row is None else row[0]

    @abc.abstractmethod
    async def execute(self, sql: str, params: Params = ()) -> Result:
        """Run one statement (a write, or anything with RETURNING); its rows and row count."""

    @abc.abstractmethod
    async def executemany(self, sql: str, rows: Iterable[Params]) -> None:
        """Run one statement for many parameter rows (atomically)."""


class Transaction(Queries):
    """Statements that commit together or not at all."""


class Database(Queries):
    """The bot's database; see the module docstring."""

    backend: ClassVar[str]  # "sqlite" or "postgresql"
    _subscribers: dict[str, list[ChangeCallback]]

    def __init__(self) -> None:
        self._subscribers = {}

    @staticmethod
    async def open(target: Path | str) -> Database:
        """Open a SQLite file (a path) or connect to PostgreSQL (a postgresql:// URL)."""
        from bot.database import open_database  # the backends import this module

        return await open_database(target)

    @property
    @abc.abstractmethod
    def dialect(self) -> Dialect: ...

    @abc.abstractmethod
    def transaction(self, *, exclusive: bool = True) -> AbstractAsyncContextManager[Transaction]:
        """BEGIN ... COMMIT, rolled back on any exception, also when the task is cancelled.

        Exclusive transactions run one at a time (SQLite always does; PostgreSQL takes one advisory lock), so a
        store may read, decide and write inside one. `exclusive=False` is for transactions that claim rows with
        `FOR UPDATE SKIP LOCKED` (`dialect.skip_locked`) and need no more than row locks on PostgreSQL.
        """

    @abc.abstractmethod
    async def batch(self, statements: Sequence[Statement]) -> list[Result]:
        """Run the statements as one transaction in one round trip; their results in order."""

    @abc.abstractmethod
    async def close(self) -> None:
        """Wait for the statements in flight, then close every connection."""

    @abc.abstractmethod
    async def size_bytes(self) -> int:
        """Space the data takes, as an operator would count it."""

    @abc.abstractmethod
    def describe(self) -> str:
        """Which database this is, without secrets: a file path, or host and database name."""

    async def migrate(self, migrations: Iterable[Migration]) -> list[Migration]:
        """Apply what is not applied yet, each file in one transaction; returns what was applied.

        Several processes starting together apply each file once: the check and the work happen under
        `_migrating()` (the writer lock on SQLite, an advisory lock on PostgreSQL).
        """
        done = []
        async with self._migrating():
            await self.execute(self._ddl(SCHEMA_MIGRATIONS_TABLE))
            applied = {(row[0], row[1]) for row in await self.fetch("SELECT namespace, version FROM schema_migrations")}
            for migration in migrations:
                if (migration.namespace, migration.version) in applied:
                    continue
                if not await self._apply(migration, int(time.time())):
                    continue  # another process applied it meanwhile
                log.info("Applied migration %s/%s", migration.namespace, migration.name)
                done.append(migration)
        return done

    @abc.abstractmethod
    def _migrating(self) -> AbstractAsyncContextManager[object]:
        """Held while migrations are checked and applied, so concurrent starts apply each once."""

    @abc.abstractmethod
    def _ddl(self, sql: str) -> str:
        """A statement written for SQLite, as this backend spells it."""

    @abc.abstractmethod
    async def _apply(self, migration: Migration, now: int) -> bool:
        """Run one migration and record it, in one transaction; False when it was found applied already."""

    # --- changes: keeping per-process caches right when several processes share the database ----------------------

    async def subscribe(self, topic: str, callback: ChangeCallback) -> None:
        """Call `callback(key)` whenever any process publishes a change of `topic` (ALL: anything may have changed)."""
        self._subscribers.setdefault(topic, []).append(callback)

    def unsubscribe(self, topic: str, callback: ChangeCallback) -> None:
        callbacks = self._subscribers.get(topic, [])
        if callback in callbacks:
            callbacks.remove(callback)

    async def publish(self, topic: str, key: str) -> None:
        """After a committed write: every process's subscribers of `topic` drop what they cached for `key`."""
        self._deliver(topic, key)

    def _deliver(self, topic: str, key: str) -> None:
        for callback in list(self._subscribers.get(topic, [])):
            try:
                callback(key)
            except Exception:
                log.exception("A subscriber of %s failed on %r", topic, key)

    async def iterate(self, sql: str, params: Params = (), *, chunk: int = 1000) -> AsyncIterator[list[Row]]:
        """A large query's rows in chunks, ordered by the query; for exports and copies."""
        rows = await self.fetch(sql, params)
        for start in range(0, len(rows), chunk):
            yield rows[start : start + chunk]


@dataclass(frozen=True)
class Dialect:
    """The SQL that differs between the engines, by name; stores ask for it instead of spelling either version."""

    name: str
    # appended to a SELECT that claims rows: other processes skip what one process claimed (PostgreSQL)
    skip_locked: str
    # a case-insensitive LIKE
    ilike: str

    def greatest(self, *expressions: str) -> str:
        """The larger of several values (SQLite's scalar MAX)."""
        return f"{'MAX' if self.name == 'sqlite' else 'GREATEST'}({', '.join(expressions)})"

    def least(self, *expressions: str) -> str:
        return f"{'MIN' if self.name == 'sqlite' else 'LEAST'}({', '.join(expressions)})"

    def json_strings(self, expression: str, alias: str) -> str:
        """A table `alias` of the strings in a JSON list, one per row in column `alias.value`; for FROM."""
        if self.name == "sqlite":
            return f"json_each({expression}) AS {alias}"
        return f"jsonb_array_elements_text(({expression})::jsonb) AS {alias}(value)"


SQLITE = Dialect(name="sqlite", skip_locked="", ilike="LIKE")
POSTGRESQL = Dialect(name="postgresql", skip_locked=" FOR UPDATE SKIP LOCKED", ilike="ILIKE")
