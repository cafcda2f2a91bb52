"""Counting the statements a Database runs (each one a round trip to the database), without mocking anything."""

from __future__ import annotations

import contextvars
from collections.abc import AsyncIterator, Iterable, Iterator, Sequence
from contextlib import asynccontextmanager, contextmanager
from typing import Any

from bot.database import Database, Params, Result, Row, Transaction


class _CountedTransaction(Transaction):
    """A transaction's statements, each counted, then run by the real transaction."""

    def __init__(self, inner: Transaction, counter: RoundTrips) -> None:
        self._inner = inner
        self._counter = counter

    async def fetch(self, sql: str, params: Params = ()) -> list[Row]:
        self._counter.statements.append(sql)
        return await self._inner.fetch(sql, params)

    async def execute(self, sql: str, params: Params = ()) -> Result:
        self._counter.statements.append(sql)
        return await self._inner.execute(sql, params)

    async def executemany(self, sql: str, rows: Iterable[Params]) -> None:
        self._counter.statements.append(sql)
        await self._inner.executemany(sql, rows)


class RoundTrips:
    """Wraps one open Database's methods (on the instance) to record every statement it runs.

    Counted: each `fetch/fetchrow/fetchval`, `execute`, `executemany`, each statement inside a `transaction()`,
    and a `batch()` as one (it is one round trip). A transaction's BEGIN/COMMIT are counted in `transactions`.
    """

    def __init__(self, db: Database) -> None:
        self.db = db
        self.statements: list[str] = []
        self.transactions = 0
        # A call made by another counted call of the same task (SQLite's fetch of a write) is not counted again;
        # per task, since statements of other tasks (the scheduler's, say) may be in flight meanwhile.
        self._depth: contextvars.ContextVar[int] = contextvars.ContextVar("round_trips_depth", default=0)
        self._saved: dict[str, Any] = {}

    def _wrap(self, name: str) -> None:
        real = getattr(self.db, name)
        self._saved[name] = real

        async def counted(sql: Any, *args: Any) -> Any:
            depth = self._depth.get()
            if depth == 0:
                self.statements.append(sql if isinstance(sql, str) else f"batch of {len(sql)}")
            token = self._depth.set(depth + 1)
            try:
                return await real(sql, *args)
            finally:
                self._depth.reset(token)

        setattr(self.db, name, counted)

    def start(self) -> None:
        for name in ("fetch", "execute", "executemany", "batch"):
            self._wrap(name)
        real_transaction = self.db.transaction
        self._saved["transaction"] = real_transaction

        @asynccontextmanager
        async def transaction(*, exclusive: bool = True) -> AsyncIterator[Transaction]:
            self.transactions += 1
            async with real_transaction(exclusive=exclusive) as tx:
                yield _CountedTransaction(tx, self)

        self.db.transaction = transaction  # type: ignore[method-assign]

    def stop(self) -> None:
        for name in self._saved:
            delattr(self.db, name)  # the class's method shows through again
        self._saved = {}

    def reset(self) -> None:
        self.statements, self.transactions = [], 0

    def touching(self, *tables: str) -> Sequence[str]:
        """The statements that name any of these tables (or table name prefixes)."""
        return [sql for sql in self.statements if any(table in sql for table in tables)]


@contextmanager
def counting(db: Database) -> Iterator[RoundTrips]:
    """`with counting(bot.db) as trips: ...`: every statement the block runs is in `trips.statements`."""
    trips = RoundTrips(db)
    trips.start()
    try:
        yield trips
    finally:
        trips.stop()

