"""APScheduler as a rebuildable index over what the database says is due; never a second job store."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler

log = logging.getLogger(__name__)

Rebuilder = Callable[[], Awaitable[None]]


class Scheduler:
    """Thin wrapper: jobs in memory only, recreated from SQLite by each feature's rebuilder at start."""

    def __init__(self) -> None:
        # misfire handling is the features' business (grace periods live in the database), so APScheduler
        # must always run a late job rather than drop it.
        self._aps = AsyncIOScheduler(
            timezone=UTC, job_defaults={"misfire_grace_time": None, "coalesce": True, "max_instances": 1}
        )
        self._rebuilders: list[tuple[str, Rebuilder]] = []

    @property
    def running(self) -> bool:
        return self._aps.running

    def start(self) -> None:
        self._aps.start()

    def shutdown(self) -> None:
        """Stop firing; jobs already running finish on their own task."""
        if self._aps.running:
            self._aps.shutdown(wait=False)

    def register_rebuilder(self, name: str, rebuilder: Rebuilder) -> None:
        """A feature's coroutine that re-creates its jobs from the database."""
        self._rebuilders.append((name, rebuilder))

    async def rebuild(self) -> None:
        """Run every feature's rebuilder; one failing does not stop the others."""
        for name, rebuilder in self._rebuilders:
            try:
                await rebuilder()
            except Exception:
                log.exception("Rebuilding scheduled jobs for %s failed", name)

    def at(self, job_id: str, when: datetime, func: Callable[..., Awaitable[Any]], *args: Any) -> None:
        """Run `func(*args)` once at `when` (UTC-aware); replaces a job with the same id."""
        if when.tzinfo is None:
            raise ValueError("scheduler times must be timezone-aware")
        self._aps.add_job(func, "date", run_date=when, args=args, id=job_id, replace_existing=True)

    def every(self, job_id: str, interval: timedelta, func: Callable[..., Awaitable[Any]], *args: Any) -> None:
        """Run `func(*args)` every `interval`, first after one interval."""
        self._aps.add_job(
            func, "interval", seconds=interval.total_seconds(), args=args, id=job_id, replace_existing=True
        )

    def cancel(self, job_id: str) -> bool:
        """Remove a job if present; True when something was removed."""
        job = self._aps.get_job(job_id)
        if job is None:
            return False
        job.remove()
        return True

    def has(self, job_id: str) -> bool:
        return self._aps.get_job(job_id) is not None

    def job_count(self) -> int:
        return len(self._aps.get_jobs())
