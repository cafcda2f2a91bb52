"""Counting the database round trips a piece of work makes, on the real database (nothing is mocked).

A round trip is one hand-off to the database: a statement outside a transaction (`fetch*`, `execute`,
`executemany`, a NOTIFY of `publish` on PostgreSQL), a whole `batch()`, and inside a transaction each statement plus
its COMMIT (BEGIN travels with the first statement on SQLite; PostgreSQL adds BEGIN and the write lock, not counted
here, so the numbers are comparable between the engines).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Iterator, Sequence
from contextlib import asynccontextmanager, contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from bot.database import Database, Params, Result, Row, Statement, Transaction

_inside: ContextVar[bool] = ContextVar("_inside", default=False)


@dataclass
class RoundTrips:
    """What a counted stretch of work sent to the database, in order (one entry per round trip)."""

    log: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.log)

    def add(self, what: str) -> None:
        self.log.append(" ".join(what.split())[:90])


class _CountedTransaction(Transaction):
    def __init__(self, inner: Transaction, trips: RoundTrips) -> None:
        self._inner, self._trips = inner, trips
        self.used = False

    def _add(self, what: str) -> None:
        if not _inside.get():
            self._trips.add(what)

    async def fetch(self, sql: str, params: Params = ()) -> list[Row]:
        self.used = True
        self._add(f"tx {sql}")
        return await self._inner.fetch(sql, params)

    async def execute(self, sql: str, params: Params = ()) -> Result:
        self.used = True
        self._add(f"tx {sql}")
        return await self._inner.execute(sql, params)

    async def executemany(self, sql: str, rows: Iterable[Params]) -> None:
        self.used = True
        self._add(f"tx many {sql}")
        await self._inner.executemany(sql, rows)


@contextmanager
def counting(db: Database) -> Iterator[RoundTrips]:
    """Count `db`'s round trips while the block runs (the methods are wrapped on this one object, then restored)."""
    trips = RoundTrips()
    fetch, execute, batch, transaction = db.fetch, db.execute, db.batch, db.transaction

    async def counted_fetch(sql: str, params: Params = ()) -> list[Row]:
        if _inside.get():  # a backend's fetch that hands a write to its own execute: one trip
            return await fetch(sql, params)
        trips.add(sql)
        token = _inside.set(True)
        try:
            return await fetch(sql, params)
        finally:
            _inside.reset(token)

    async def counted_execute(sql: str, params: Params = ()) -> Result:
        if not _inside.get():
            trips.add(sql)
        return await execute(sql, params)

    async def counted_executemany(sql: str, rows: Iterable[Params]) -> None:
        await transaction_of(lambda tx: tx.executemany(sql, rows))  # the statement and its COMMIT

    async def transaction_of(work: Any) -> None:
        async with counted_transaction() as tx:
            await work(tx)

    async def counted_batch(statements: Sequence[Statement]) -> list[Result]:
        trips.add("batch: " + " | ".join(s.sql[:30] for s in statements))
        token = _inside.set(True)  # PostgreSQL runs a batch as a transaction of its own: still one trip
        try:
            return await batch(statements)
        finally:
            _inside.reset(token)

    @asynccontextmanager
    async def counted_transaction(*, exclusive: bool = True) -> AsyncIterator[Transaction]:
        async with transaction(exclusive=exclusive) as inner:
            tx = _CountedTransaction(inner, trips)
            yield tx
        if tx.used and not _inside.get():
            trips.add("COMMIT")

    wrapped = {"fetch": counted_fetch, "execute": counted_execute, "executemany": counted_executemany,
               "batch": counted_batch, "transaction": counted_transaction}  # fmt: skip
    for name, method in wrapped.items():
        setattr(db, name, method)
    try:
        yield trips
    finally:
        for name in wrapped:
            delattr(db, name)
