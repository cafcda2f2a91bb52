"""An announcement's RSVP counts that end up right when many members click at once."""

# A click's response edits the announcement with the counts stored with that click, without waiting for
# other clicks: a lock per event held across the round trip to Discord capped a popular meetup at one click
# per round trip (225 clicks/s in bench/interactions.py). Responses of overlapping clicks can land out of
# order, so an older count could be left showing; a click that overlapped another therefore asks for one
# more edit with the latest counts from the database. During a burst (`busy`), clicks skip their own edit
# and just ask for that one. Those edits are coalesced to one per announcement per SETTLE_AFTER seconds, so
# a burst of clicks costs a handful of message edits, well inside the channel's rate limit.

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)

Key = tuple[int, int]  # (event id, occurrence seq): what a button's custom_id names

SETTLE_AFTER = 1.0  # seconds; also the longest a stale count can show after a burst


class CountSettler:
    """Tracks the renders of each occurrence's counts in flight and re-renders after an overlap."""

    def __init__(self, refresh: Callable[[Key], Awaitable[object]], settle_after: float = SETTLE_AFTER) -> None:
        self._refresh = refresh  # re-renders one occurrence's announcement from the database
        self._settle_after = settle_after
        self._stored: dict[Key, int] = {}  # renders begun (a ticket per render)
        self._open: dict[Key, int] = {}  # renders begun and not yet landed
        self._waiting: set[Key] = set()  # occurrences with a settling edit scheduled
        self._tasks: set[asyncio.Task[None]] = set()

    def busy(self, key: Key) -> bool:
        """Whether a click now is part of a burst (a render in flight or a settling edit scheduled)."""
        # Then the settling edit can show its answer, and the click need not render itself.
        return key in self._open or key in self._waiting

    def begin(self, key: Key) -> int:
        """Call before reading the counts a render will show; returns its ticket for `end`."""
        self._stored[key] = ticket = self._stored.get(key, 0) + 1
        self._open[key] = self._open.get(key, 0) + 1
        return ticket

    def end(self, key: Key, ticket: int) -> None:
        """Call once the render landed (or failed); settles when another render began since ours."""
        # Either may have landed last. (One begun before ours that lands after it settles at its own end.)
        overlapped = self._stored[key] != ticket
        self._open[key] -= 1
        if not self._open[key]:
            del self._open[key], self._stored[key]
        if overlapped:
            self.settle(key)

    def settle(self, key: Key) -> None:
        """Schedule one edit with the latest counts, unless one is scheduled already."""
        if key in self._waiting:
            return
        self._waiting.add(key)
        task = asyncio.create_task(self._settle(key), name=f"rsvp-settle-{key[0]}-{key[1]}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _settle(self, key: Key) -> None:
        await asyncio.sleep(self._settle_after)
        self._waiting.discard(key)
        ticket = self.begin(key)  # the settling edit is a render too: a click during it settles again
        try:
            await self._refresh(key)
        except Exception:
            log.exception("Could not settle the RSVP counts of event %s, occurrence %s", *key)
        finally:
            self.end(key, ticket)

    async def close(self) -> None:
        """Cancel the scheduled edits (at unload); the counts in the database are already right."""
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
