"""Fixtures of the events tests: the planner over the shared migrated database, and a clock the test moves."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.clock import ManualClock
from bot.database import Database
from cogs.events.models import EventDefaults
from cogs.events.planner import EventPlanner
from cogs.events.store import EventStore

GUILD = 111
ORGANISER = 222
DEFAULTS = EventDefaults(zone="Europe/Berlin", reminders="1d,1h", duration_minutes=60)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime(2025, 3, 3, 9, 0, tzinfo=UTC))  # a Monday, 10:00 in Berlin


@pytest.fixture
def planner(db: Database, clock: ManualClock) -> EventPlanner:
    return EventPlanner(EventStore(db), clock)
