"""Moving the playground's clock forward so that due work happens as it would have, in order and on time.

The bot's ManualClock jumps, but a reminder due in the middle of the jump must go out at its own instant, not
late (a late reminder says "the bot was offline"). So time moves in steps: to the next instant a feature stored
an item for (a reminder, a nudge, an archive), runs what is due there, and on; interval upkeep (a Periodic) runs
at those steps and at the end rather than every few minutes of a week.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from bot.clock import ManualClock
from bot.scheduler import Scheduler

MAX_STEPS = 500  # a week of hourly items is far less; past this the rest is jumped over at once
LARGEST_JUMP = timedelta(weeks=4)


class TimeTravel:
    def __init__(self, clock: ManualClock, scheduler: Scheduler) -> None:
        self.clock = clock
        self.scheduler = scheduler
        self._lock = asyncio.Lock()

    def _next_item(self, until: datetime) -> datetime | None:
        armed = [self.scheduler.armed_for(n) for n in self.scheduler.registered() if not self.scheduler.is_periodic(n)]
        due = [when for when in armed if when is not None and when <= until]
        return min(due, default=None)

    async def _run_due(self) -> None:
        now = self.clock.now()
        for name in self.scheduler.registered():
            when = self.scheduler.armed_for(name)
            if when is not None and when <= now:
                await self.scheduler.run_now(name)

    async def advance(self, delta: timedelta) -> datetime:
        """Move forward by `delta` (positive, at most four weeks), running everything due on the way."""
        if not timedelta(0) < delta <= LARGEST_JUMP:
            raise ValueError("time moves forward by more than 0 and at most 4 weeks")
        async with self._lock:
            target = self.clock.now() + delta
            await self.scheduler.rearm_all()
            for _ in range(MAX_STEPS):
                step = self._next_item(target)
                if step is None:
                    break
                if step > self.clock.now():
                    self.clock.set(step)
                await self._run_due()
            self.clock.set(target)
            await self.scheduler.rearm_all()
            await self._run_due()
            return target
