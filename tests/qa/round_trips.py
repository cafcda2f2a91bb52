"""Counting the database round trips of Q&A's interactions: a real Database, wrapped, not mocked.

A round trip is one call that goes to the database and waits for its answer: a statement (`fetch`, `fetchrow`,
`fetchval`, `execute`, `executemany`), a whole `batch()`, a change notice (`publish`), and the COMMIT that ends a
transaction (each statement inside a transaction counts on its own). BEGIN travels with the first statement on
SQLite; on PostgreSQL it is one more, and an exclusive transaction takes its advisory lock in one more: those are
counted apart (`transactions`, `exclusive`), so one figure compares the engines.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from typing import Any

from bot.database import Database, Params, Result, Row, Statement, Transaction


class _CountingTransaction:
    def __init__(self, tx: Transaction, counter: CountingDatabase) -> None:
        self._tx = tx
        self._counter = counter

    async def fetch(self, sql: str, params: Params = ()) -> list[Row]:
        self._counter.count(sql)
        return await self._tx.fetch(sql, params)

    async def fetchrow(self, sql: str, params: Params = ()) -> Row | None:
        self._counter.count(sql)
        return await self._tx.fetchrow(sql, params)

    async def fetchval(self, sql: str, params: Params = ()) -> Any:
        self._counter.count(sql)
        return await self._tx.fetchval(sql, params)

    async def execute(self, sql: str, params: Params = ()) -> Result:
        self._counter.count(sql)
        return await self._tx.execute(sql, params)

    async def executemany(self, sql: str, rows: Iterable[Params]) -> None:
        self._counter.count(sql)
        await self._tx.executemany(sql, rows)


class CountingDatabase:
    """Stands in for a Database where a store keeps one (`store.db = CountingDatabase(db)`), counting its calls."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self.backend = db.backend
        self.dialect = db.dialect
        self.round_trips = 0
        self.transactions = 0
        self.exclusive = 0
        self.statements: list[str] = []

    def count(self, what: str) -> None:
        self.round_trips += 1
        self.statements.append(" ".join(what.split())[:70])

    def reset(self) -> None:
        self.round_trips = self.transactions = self.exclusive = 0
        self.statements = []

    async def fetch(self, sql: str, params: Params = ()) -> list[Row]:
        self.count(sql)
        return await self._db.fetch(sql, params)

    async def fetchrow(self, sql: str, params: Params = ()) -> Row | None:
        self.count(sql)
        return await self._db.fetchrow(sql, params)

    async def fetchval(self, sql: str, params: Params = ()) -> Any:
        self.count(sql)
        return await self._db.fetchval(sql, params)

    async def execute(self, sql: str, params: Params = ()) -> Result:
        self.count(sql)
        return await self._db.execute(sql, params)

    async def executemany(self, sql: str, rows: Iterable[Params]) -> None:
        self.count(sql)
        await self._db.executemany(sql, rows)

    async def batch(self, statements: Sequence[Statement]) -> list[Result]:
        self.count("batch: " + "; ".join(s.sql[:20] for s in statements))
        return await self._db.batch(statements)

    async def publish(self, topic: str, key: str) -> None:
        self.count(f"publish {topic}")
        await self._db.publish(topic, key)

    async def subscribe(self, topic: str, callback: Any) -> None:
        await self._db.subscribe(topic, callback)

    def unsubscribe(self, topic: str, callback: Any) -> None:
        self._db.unsubscribe(topic, callback)

    @asynccontextmanager
    async def transaction(self, *, exclusive: bool = True) -> AsyncIterator[_CountingTransaction]:
        self.transactions += 1
        self.exclusive += exclusive
        async with self._db.transaction(exclusive=exclusive) as tx:
            yield _CountingTransaction(tx, self)
        self.count("COMMIT")


def count_qa(cog: Any) -> CountingDatabase:
    """Route every query of a running Q&A cog (store, reports, search) through one counter."""
    counter = CountingDatabase(cog.store.db)
    cog.store.db = counter
    cog.reports.db = counter
    cog.search_index.db = counter
    return counter
