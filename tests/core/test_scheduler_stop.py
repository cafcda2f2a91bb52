"""A stop waits a moment for due work in progress: a pass that has just posted also records it before the database
closes (a deploy's restart must not leave a sent digest looking unsent), and a pass that takes longer does not
hold the stop."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime

import pytest

from bot.clock import ManualClock
from bot.scheduler import DueWork, Scheduler
from tests.harness import BotHarness


async def test_a_stop_lets_the_pass_in_progress_record_what_it_did(harness: BotHarness) -> None:
    bot = await harness.start()
    db = bot.db
    started = asyncio.Event()
    recorded: list[object] = []

    async def next_due() -> datetime:
        return bot.clock.now()

    async def run_due() -> None:
        started.set()
        await asyncio.sleep(0.3)  # Discord has the message; the stop comes before it is marked as sent
        recorded.append(await db.fetchval("SELECT 1"))

    bot.scheduler.register("test", DueWork("test:post", next_due, run_due))
    await asyncio.wait_for(started.wait(), timeout=10)
    await harness.stop()
    assert recorded == [1]


async def test_a_pass_that_runs_on_does_not_hold_the_stop(caplog: pytest.LogCaptureFixture) -> None:
    clock = ManualClock(datetime(2026, 12, 1, tzinfo=UTC))

    async def ready() -> None:
        return None

    scheduler = Scheduler(clock, ready)
    started, release = asyncio.Event(), asyncio.Event()

    async def next_due() -> datetime:
        return clock.now()

    async def run_due() -> None:
        started.set()
        await release.wait()  # DMs to thousands of members at Discord's pace

    scheduler.register("test", DueWork("test:long", next_due, run_due))
    await scheduler.start()
    await asyncio.wait_for(started.wait(), timeout=10)
    loop = asyncio.get_running_loop()
    began = loop.time()
    with caplog.at_level(logging.WARNING, logger="bot.scheduler"):
        await scheduler.stop(grace=0.2)
    assert loop.time() - began < 5
    assert "Stopping with due work still running after 0.2 s: scheduler: run test:long" in caplog.text
    release.set()  # the run ends on its own task; nothing fires any more
    await asyncio.sleep(0.05)
    assert not scheduler.running
