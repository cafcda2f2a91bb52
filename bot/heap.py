"""Keeps Python's full garbage collections short, so they never stall the bot for a fifth of a second.

A full (generation 2) collection walks every tracked object in the process, and this bot holds many that live as
long as it does: the directory, translation catalogs, discord.py's member cache (240,000 objects in the benchmark's
bot with 10,000 communities and 2,000 members). Measured under load (bench/interactions.py, 2026-12-04): full
collections every 5 to 30 s, each 170-400 ms, during which no interaction is answered; at 600 interactions a second
that alone puts hundreds of answers past a quarter of a second.

After a slow full collection that left many survivors, those are live and long-lived, so they are moved out of the
collector's sight with `gc.freeze()`: later full collections walk only what was made since (16-59 ms under load
instead of 170-400 ms). Frozen objects are still freed by reference counting when dropped (start-up's parse of the
directory file freezes and then frees a million temporary objects); only a frozen object that later becomes part of
an unreachable cycle stays, which is rare for these structures and bounded by what one freeze holds. A freeze
happens again only when the heap has grown by that much again (a directory reloaded, caches filled).

Known limit: in an overload the survivors are mostly interactions in flight, and they are frozen too. After a
10-second burst of 2,500 RSVP clicks a second (more than the bot sustains) the frozen heap had grown from 216,000
to 1,250,000 objects and the process kept 360 MiB more (2026-12-04). Not freezing while the loop was busy made it
worse (the bot paid the slow collections and fell behind for good at 2,000 clicks/s, which it otherwise sustains),
and handing everything back after the burst cost a 1.4 s collection for little memory; see the closing note of
issue 17.
"""

from __future__ import annotations

import gc
import logging
import time
from typing import Any

log = logging.getLogger(__name__)

SLOW_FULL_COLLECTION_S = 0.02
# Survivors of a slow full collection worth freezing: a structure built to stay (start-up made 90,000-130,000 at a
# time). Under load the survivors are a few thousand to 45,000, many of them interactions in flight that become
# cyclic garbage once answered; those are left to the collector, or each freeze would keep some of them for good.
FREEZE_FROM_OBJECTS = 60_000


class HeapSettler:
    """Freezes the heap after a full collection that was slow and left at least `freeze_from` objects."""

    def __init__(self, *, slow_s: float = SLOW_FULL_COLLECTION_S, freeze_from: int = FREEZE_FROM_OBJECTS) -> None:
        self.slow_s, self.freeze_from = slow_s, freeze_from
        self._started = 0.0
        self.freezes = 0

    def install(self) -> None:
        if self._callback not in gc.callbacks:
            gc.callbacks.append(self._callback)

    def uninstall(self) -> None:
        """Stop, and hand what was frozen back to the collector (the process may go on, as a test's does)."""
        if self._callback in gc.callbacks:
            gc.callbacks.remove(self._callback)
        if self.freezes:
            gc.unfreeze()

    def _callback(self, phase: str, info: dict[str, Any]) -> None:
        # Runs on whichever thread allocated, holding the GIL, right after the collection: the survivors are exactly
        # what is frozen. Here and not on the event loop, because start-up builds the big structures in long
        # stretches that give the loop no turn.
        if info["generation"] != 2:
            return
        if phase == "start":
            self._started = time.perf_counter()
            return
        took = time.perf_counter() - self._started
        if took >= self.slow_s and len(gc.get_objects(generation=2)) >= self.freeze_from:
            gc.freeze()
            self.freezes += 1
            if log.isEnabledFor(logging.DEBUG):  # counting the frozen objects walks them all
                log.debug("A full collection took %.0f ms; %d long-lived objects frozen", took * 1000,
                          gc.get_freeze_count())  # fmt: skip
