"""Store-level fixtures (the migrated database is the shared `db` of tests/conftest.py): a clock that moves only
when told."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.clock import ManualClock


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
