"""An announcement's RSVP counts, kept up to date by the bot's own edits, at most one a second per announcement."""

# A click is answered with its ephemeral confirmation only: one request on its critical path, whatever the
# traffic (the click's response used to edit the announcement too, then confirm in a follow-up: two). The counts
# follow in an edit the bot makes from the database. Leading edge: when the announcement was not edited in the
# last SETTLE_AFTER seconds, the edit starts at once, so a lone click shows within a round trip. Otherwise one
# more edit is made when the window ends, with the counts of then: a burst after an @everyone announcement costs
# about one edit a second, well inside Discord's per-channel edit limit, and the last edit shows the final counts.

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)

Key = tuple[int, int]  # (event id, occurrence seq): what a button's custom_id names

SETTLE_AFTER = 1.0  # seconds between the starts of two edits of one announcement; the longest a stale count shows


class CountSettler:
    """Edits each occurrence's announcement after clicks: at once, then at most once per SETTLE_AFTER seconds."""

    def __init__(self, refresh: Callable[[Key], Awaitable[object]], settle_after: float = SETTLE_AFTER) -> None:
        self._refresh = refresh  # re-renders one occurrence's announcement from the database
        self._settle_after = settle_after
        # One task per occurrence edited in the last SETTLE_AFTER seconds: it edits, then lives out the window,
        # so "no task" means a click may edit at once.
        self._editing: dict[Key, asyncio.Task[None]] = {}
        # Occurrences clicked after their task's latest edit began: that edit may have read older counts.
        self._again: set[Key] = set()

    def settle(self, key: Key) -> None:
        """Call after a click's answer is stored: the announcement will show it (at once, or when the window ends)."""
        if key in self._editing:
            self._again.add(key)
            return
        self._editing[key] = asyncio.create_task(self._edits(key), name=f"rsvp-counts-{key[0]}-{key[1]}")

    async def _edits(self, key: Key) -> None:
        loop = asyncio.get_running_loop()
        try:
            while True:
                self._again.discard(key)  # this edit reads the counts after every click so far
                started = loop.time()
                try:
                    await self._refresh(key)
                except Exception:  # logged and forgotten: the next click edits again
                    log.exception("Could not settle the RSVP counts of event %s, occurrence %s", *key)
                await asyncio.sleep(max(0.0, started + self._settle_after - loop.time()))
                if key not in self._again:
                    return
        finally:
            # Here, not in a done callback: a click between the task's end and its callback would be lost.
            self._editing.pop(key, None)
            self._again.discard(key)

    async def close(self) -> None:
        """Cancel the edits (at unload); the counts in the database are already right."""
        tasks = list(self._editing.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._editing.clear()  # a task cancelled before it started never ran its `finally`
        self._again.clear()
