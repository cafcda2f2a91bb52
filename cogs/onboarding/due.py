"""One scheduler job per kind of due thing, armed at the earliest due time the database knows."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

from bot.clock import Clock
from bot.scheduler import Scheduler

log = logging.getLogger(__name__)


class DueJob:
    """RoboDanny-style dispatcher: never a job per row, never polling; the index is rebuilt from SQLite at start."""

    def __init__(
        self,
        scheduler: Scheduler,
        job_id: str,
        clock: Clock,
        next_due: Callable[[], Awaitable[datetime | None]],
        run_due: Callable[[], Awaitable[None]],
        ready: Callable[[], Awaitable[object]],
    ) -> None:
        self.scheduler, self.job_id, self.clock = scheduler, job_id, clock
        self._next_due, self._run_due, self._ready = next_due, run_due, ready

    async def arm(self) -> datetime | None:
        """(Re)schedule the job for the earliest due row; returns that time (None: nothing due)."""
        when = await self._next_due()
        if when is None:
            self.scheduler.cancel(self.job_id)
            return None
        # The delay is measured on the bot's clock, so a test's ManualClock never makes the job spin.
        delay = max(timedelta(0), when - self.clock.now())
        if self.scheduler.running:
            self.scheduler.at(self.job_id, datetime.now(UTC) + delay, self.fire)
        return when

    async def fire(self) -> None:
        await self._ready()
        try:
            await self._run_due()
        except Exception:
            log.exception("Due job %s failed", self.job_id)
        await self.arm()
