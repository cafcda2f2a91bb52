"""Futures woken when the loopback's state changes, so tests wait without polling."""

from __future__ import annotations

# ASYNC109 is silenced where `timeout=` is part of the harness's public API.
import asyncio
from collections.abc import Callable
from typing import Any


class Waiters:
    """Predicates re-checked on every `notify()`; each resolves a future once truthy."""

    def __init__(self) -> None:
        self._items: list[tuple[Callable[[], Any], asyncio.Future[Any]]] = []

    def notify(self) -> None:
        """Re-check every pending predicate."""
        for item in list(self._items):
            predicate, future = item
            if future.done():
                self._items.remove(item)
                continue
            try:
                value = predicate()
            except Exception as exc:  # a broken predicate should fail the waiting test, not the server
                future.set_exception(exc)
                self._items.remove(item)
                continue
            if value:
                future.set_result(value)
                self._items.remove(item)

    async def wait(self, predicate: Callable[[], Any], timeout: float, what: str) -> Any:  # noqa: ASYNC109
        """Return the predicate's first truthy value; TimeoutError naming `what` otherwise."""
        value = predicate()
        if value:
            return value
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        item = (predicate, future)
        self._items.append(item)
        try:
            return await asyncio.wait_for(future, timeout)
        except TimeoutError:
            raise TimeoutError(f"loopback: timed out after {timeout}s waiting for {what}") from None
        finally:
            if item in self._items:
                self._items.remove(item)
