"""Fixtures for the Q&A service and store tests: a real SQLite file with the Q&A migrations."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.client import all_migrations
from bot.clock import ManualClock
from bot.database import Database
from cogs.qa.rules import Timing
from cogs.qa.settings import QASettings as QA
from cogs.qa.store import NewQuestion, QAStore, unix

START = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
GUILD = 111111111111111111
FORUM = 222222222222222222
ASKER, HELPER, OTHER = 1001, 1002, 1003


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await Database.open(tmp_path / "qa.db")
    await database.migrate(all_migrations(["qa"]))
    yield database
    await database.close()


@pytest.fixture
def store(db: Database) -> QAStore:
    return QAStore(db)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def timing() -> Timing:
    return Timing.from_settings(QA())


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
