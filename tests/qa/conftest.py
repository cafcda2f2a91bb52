"""Fixtures for the Q&A rules and store tests, on the shared migrated database (`db` in tests/conftest.py)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.clock import ManualClock
from bot.database import Database
from bot.times import unix
from cogs.qa.models import NewQuestion
from cogs.qa.rules import Timing
from cogs.qa.settings import QASettings
from cogs.qa.store import QAStore

START = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
GUILD = 111111111111111111
FORUM = 222222222222222222
ASKER, HELPER, OTHER = 1001, 1002, 1003


@pytest.fixture
def store(db: Database) -> QAStore:
    return QAStore(db)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def timing() -> Timing:
    return Timing.from_settings(QASettings())


def question(thread_id: int, at: datetime = START, **overrides: object) -> NewQuestion:
    values: dict = {
        "thread_id": thread_id,
        "guild_id": GUILD,
        "channel_id": FORUM,
        "asker_id": ASKER,
        "title": f"Question {thread_id}",
        "body": "",
        "tags": [],
        "source": "direct",
        "created_at": unix(at),
    }
    values.update(overrides)
    return NewQuestion(**values)
