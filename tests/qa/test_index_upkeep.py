"""The search index's upkeep in the running bot (`qa:search-index`): merged into one segment on the first pass after
a start, then at most once a day unless it is in many segments (SQLite; PostgreSQL keeps its own index in shape)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.clock import ManualClock
from cogs.qa.due import MERGE_AT_SEGMENTS, SEARCH_INDEX
from cogs.qa.rules import Timing
from cogs.qa.settings import QASettings
from tests.harness import BotHarness
from tests.qa.conftest import GUILD, question
from tests.qa.test_qa_on_loopback import qa_of


async def test_the_index_is_merged_after_a_start_then_daily_or_when_in_many_segments(harness: BotHarness) -> None:
    clock = ManualClock(datetime.now(UTC))
    bot = await harness.start(clock=clock)
    qa, timing = qa_of(bot), Timing.from_settings(QASettings())
    search = qa.search_index

    async def add(first: int, count: int) -> None:
        for n in range(first, first + count):  # one transaction each, as questions arrive
            await qa.store.add_question(question(n, title=f"spark join question {n}"), timing)

    await add(1, 10)
    if bot.db.backend != "sqlite":
        await bot.scheduler.run_now(SEARCH_INDEX)
        assert await search.index_segments() == 0
        return
    assert await search.index_segments() > 1
    await bot.scheduler.run_now(SEARCH_INDEX)  # the first pass since the start merges
    assert await search.index_segments() == 1

    await add(11, 3)
    assert 1 < await search.index_segments() < MERGE_AT_SEGMENTS
    clock.advance(timedelta(hours=23))
    await bot.scheduler.run_now(SEARCH_INDEX)  # merged less than a day ago, and in few segments: left
    assert await search.index_segments() > 1
    clock.advance(timedelta(hours=1))
    await bot.scheduler.run_now(SEARCH_INDEX)  # a day later
    assert await search.index_segments() == 1

    n = 14  # a burst of questions (or an import) within the day
    while await search.index_segments() < MERGE_AT_SEGMENTS and n < 3000:
        await add(n, 1)
        n += 1
    await bot.scheduler.run_now(SEARCH_INDEX)
    assert await search.index_segments() == 1
    hits, _ = await search.search(GUILD, "spark join")
    assert len(hits) == 8  # every question still found (the newest eight shown)
