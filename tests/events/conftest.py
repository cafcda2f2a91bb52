"""Fixtures of the events tests: a real SQLite file with the events migrations, and a clock the test moves."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.client import all_migrations
from bot.clock import ManualClock
from bot.database import Database
from cogs.events.service import Defaults, EventService
from cogs.events.store import EventStore

GUILD = 111
ORGANISER = 222
DEFAULTS = Defaults(zone="Europe/Berlin", reminders="1d,1h", duration_minutes=60)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime(2025, 3, 3, 9, 0, tzinfo=UTC))  # a Monday, 10:00 in Berlin


@pytest.fixture
async def events_db(tmp_path: Path) -> AsyncIterator[Database]:
    db = await Database.open(tmp_path / "events.db")
    await db.migrate(all_migrations(["events"]))
    yield db
    await db.close()


@pytest.fixture
def service(events_db: Database, clock: ManualClock) -> EventService:
    return EventService(EventStore(events_db), clock)
