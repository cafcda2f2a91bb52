"""The one scheduler for due work: features say when their next item is due and how to run what is due.

The database is the truth; this is an index over it that is rebuilt at start. A feature registers `DueWork`
(an indexed "next due" query and a "run what is due now" coroutine) or `Periodic` upkeep; core owns the rest:

- the clock: due instants are on the bot's injectable `Clock`, turned into wall-clock delays for APScheduler, so a
  test's ManualClock or the playground's clock moves them (`rearm_all()` after the clock jumps);
- arming one APScheduler job per registered work for its earliest due instant, and re-arming after each run;
- waiting until the bot is ready before running anything (guilds arrive after start-up);
- one run at a time per work; a request during a run makes one more run after it, not one each;
- logging failures and trying again after `RETRY_AFTER`, never spinning on an item that keeps failing;
- unregistering everything a feature registered when it unloads;
- at a stop, giving runs in progress `STOP_GRACE` to finish before the database closes.

Features claim and mark their items in the database themselves (exactly once across restarts and processes).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.clock import Clock

log = logging.getLogger(__name__)

RETRY_AFTER = timedelta(minutes=1)
MAX_OVERDUE_PASSES = 20
# A stop (a deploy's restart) waits this long for runs in progress, so one that has just posted a digest or a
# reminder also records it as sent; a longer run (DMs to thousands) keeps its claim, which another start takes over.
STOP_GRACE = 5.0


@dataclass(frozen=True)
class DueWork:
    """Items stored with a due instant: `next_due` is the earliest one (None: nothing), `run_due` does all due now."""

    name: str  # unique across features: "<feature>:<what>", e.g. "qa:actions"
    next_due: Callable[[], Awaitable[datetime | None]]
    run_due: Callable[[], Awaitable[object]]


@dataclass(frozen=True)
class Periodic:
    """Upkeep that runs every `every` on the bot's clock (first one interval after start), whatever is stored."""

    name: str
    every: timedelta
    run: Callable[[], Awaitable[object]]


@dataclass(eq=False)
class _Slot:
    owner: str
    name: str
    next_due: Callable[[], Awaitable[datetime | None]]
    run_due: Callable[[], Awaitable[object]]
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    wanted: bool = False  # asked to run while a run was going on
    armed_for: datetime | None = None
    overdue_passes: int = 0  # passes in a row after which the work was still due at once
    periodic: bool = False  # upkeep on an interval, not an item a feature stored


class Scheduler:
    """Arms one APScheduler job per registered work for its earliest due instant; see the module docstring."""

    def __init__(self, clock: Clock, ready: Callable[[], Awaitable[object]]) -> None:
        # Grace periods live in the database (features decide what is too late), so APScheduler must run a late
        # job rather than drop it.
        self._aps = AsyncIOScheduler(
            timezone=UTC, job_defaults={"misfire_grace_time": None, "coalesce": True, "max_instances": 1}
        )
        self._clock = clock
        self._ready = ready
        self._slots: dict[str, _Slot] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._started = False

    # --- registration ------------------------------------------------------------------------------------------------

    def register(self, owner: str, work: DueWork | Periodic) -> None:
        """Add a feature's work; armed at `start()`, or at once when the scheduler already runs."""
        if work.name in self._slots:
            raise ValueError(f"due work {work.name!r} is registered twice")
        if isinstance(work, Periodic):
            slot = _periodic_slot(owner, work, self._clock)
        else:
            slot = _Slot(owner, work.name, work.next_due, work.run_due)
        self._slots[work.name] = slot
        if self._started:
            self._spawn(self._arm(slot), f"arm {work.name}")

    def unregister(self, owner: str) -> list[str]:
        """Remove everything `owner` registered, and its jobs; returns the names removed."""
        names = [name for name, slot in self._slots.items() if slot.owner == owner]
        for name in names:
            del self._slots[name]
            self._cancel_job(name)
        return names

    def registered(self, owner: str | None = None) -> list[str]:
        return sorted(name for name, slot in self._slots.items() if owner is None or slot.owner == owner)

    # --- life cycle --------------------------------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self._started

    async def start(self) -> None:
        """Start firing and arm every registered work from what the database says is due."""
        self._aps.start()
        self._started = True
        await self.rearm_all()

    def shutdown(self) -> None:
        """Stop firing; runs in progress finish on their own tasks."""
        self._started = False
        if self._aps.running:
            self._aps.shutdown(wait=False)

    async def stop(self, grace: float = STOP_GRACE) -> None:
        """Stop firing, then wait up to `grace` seconds for runs in progress (before the database is closed)."""
        self.shutdown()
        running = [task for task in self._tasks if task is not asyncio.current_task()]
        if not running:
            return
        _, late = await asyncio.wait(running, timeout=grace)
        if late:
            log.warning("Stopping with due work still running after %.1f s: %s", grace,
                        ", ".join(sorted(task.get_name() for task in late)))

    async def rearm_all(self) -> None:
        """Arm every work again, e.g. after the clock jumped (tests, the playground) or at start."""
        for slot in list(self._slots.values()):
            try:
                await self._arm(slot)
            except Exception:
                log.exception("Arming due work %s failed; trying again in %s", slot.name, RETRY_AFTER)
                self._set_job(slot, self._clock.now() + RETRY_AFTER)

    # --- what features call ------------------------------------------------------------------------------------------

    def due_at(self, name: str, when: datetime | None = None) -> None:
        """A feature stored an item due at `when` (None: now): run now, or arm earlier than planned."""
        slot = self._slots.get(name)
        if slot is None or not self._started:
            return  # not registered (unloaded), or start() will arm it from the database
        if when is None or when <= self._clock.now():
            self._spawn(self._run(slot, wait=False), f"run {name}")
        elif slot.armed_for is None or when < slot.armed_for or not self.has(name):
            self._set_job(slot, when)

    async def run_now(self, name: str) -> None:
        """Run one work now and wait for it (after any run in progress); for tests and the playground."""
        await self._run(self._slots[name], wait=True)

    def has(self, name: str) -> bool:
        """Whether a job is armed for this work."""
        return self._aps.get_job(_job_id(name)) is not None

    def armed_for(self, name: str) -> datetime | None:
        slot = self._slots.get(name)
        return slot.armed_for if slot is not None and self.has(name) else None

    def is_periodic(self, name: str) -> bool:
        """Whether this work is interval upkeep (a `Periodic`); the playground steps time only to stored items."""
        slot = self._slots.get(name)
        return slot is not None and slot.periodic

    def job_count(self) -> int:
        return len(self._aps.get_jobs())

    # --- internals ---------------------------------------------------------------------------------------------------

    async def _arm(self, slot: _Slot, not_before: datetime | None = None, *, after_run: bool = False) -> None:
        when = await slot.next_due()
        if self._slots.get(slot.name) is not slot:
            return  # unregistered meanwhile
        if when is None:
            self._cancel_job(slot.name)
            return
        if not_before is not None:
            when = max(when, not_before)
        if after_run:
            # Still due right after a pass: more came in, or the pass left an item it cannot do. A few passes in a
            # row are fine; more means the feature's next_due points at something it never finishes, so it must
            # not turn into a busy loop.
            slot.overdue_passes = slot.overdue_passes + 1 if when <= self._clock.now() else 0
            if slot.overdue_passes > MAX_OVERDUE_PASSES:
                log.warning("Due work %s stays due after %d passes; trying again in %s",
                            slot.name, slot.overdue_passes, RETRY_AFTER)
                slot.overdue_passes = 0
                when = self._clock.now() + RETRY_AFTER
        self._set_job(slot, when)

    def _set_job(self, slot: _Slot, when: datetime) -> None:
        if when.tzinfo is None:
            raise ValueError("due instants must be timezone-aware")
        slot.armed_for = when
        if not self._started:
            return
        # The delay is measured on the bot's clock, so a test's ManualClock never makes a job spin.
        wall = datetime.now(UTC) + max(timedelta(0), when - self._clock.now())
        self._aps.add_job(self._fire, "date", run_date=wall, args=(slot.name,), id=_job_id(slot.name),
                          replace_existing=True)

    def _cancel_job(self, name: str) -> None:
        job = self._aps.get_job(_job_id(name))
        if job is not None:
            job.remove()
        slot = self._slots.get(name)
        if slot is not None:
            slot.armed_for = None

    async def _fire(self, name: str) -> None:
        slot = self._slots.get(name)
        if slot is not None:
            slot.armed_for = None
            # A task of its own, so a long run never makes APScheduler skip or delay another job.
            self._spawn(self._run(slot, wait=False), f"run {name}")

    async def _run(self, slot: _Slot, *, wait: bool) -> None:
        slot.wanted = True
        if slot.lock.locked() and not wait:
            return  # the run in progress goes once more
        async with slot.lock:
            await self._ready()
            failed = False
            while slot.wanted and self._slots.get(slot.name) is slot:
                slot.wanted = False
                try:
                    await slot.run_due()
                except Exception:
                    failed = True
                    log.exception("Due work %s failed; trying again in %s", slot.name, RETRY_AFTER)
            try:
                await self._arm(slot, self._clock.now() + RETRY_AFTER if failed else None, after_run=True)
            except Exception:
                log.exception("Re-arming due work %s failed; trying again in %s", slot.name, RETRY_AFTER)
                self._set_job(slot, self._clock.now() + RETRY_AFTER)

    def _spawn(self, work: Coroutine[Any, Any, None], name: str) -> None:
        task = asyncio.get_running_loop().create_task(work, name=f"scheduler: {name}")
        self._tasks.add(task)  # a reference, so the task is not collected before it ends
        task.add_done_callback(self._tasks.discard)


def _job_id(name: str) -> str:
    return f"due:{name}"


def _periodic_slot(owner: str, work: Periodic, clock: Clock) -> _Slot:
    """Periodic upkeep as due work whose next instant is one interval after the last run (or the registration)."""
    last = [clock.now()]

    async def next_due() -> datetime:
        return last[0] + work.every

    async def run_due() -> None:
        last[0] = clock.now()
        await work.run()

    return _Slot(owner, work.name, next_due, run_due, periodic=True)
