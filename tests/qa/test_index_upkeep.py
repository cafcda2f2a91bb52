"""The search index's upkeep in the running bot (`qa:search-index`): merged into one segment when it is in several and
was not merged in the last day (the time is stored, so a restart does not merge again), or at once when it is in many
(SQLite; PostgreSQL keeps its own index in shape)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.clock import ManualClock
from cogs.qa.due import MERGE_AT_SEGMENTS, SEARCH_INDEX
from cogs.qa.rules import Timing
from cogs.qa.settings import QASettings
from tests.harness import BotHarness
from tests.qa.conftest import GUILD, question
from tests.qa.test_qa_on_loopback import qa_of


async def test_the_index_is_merged_daily_across_restarts_or_when_in_many_segments(harness: BotHarness) -> None:
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
    await bot.scheduler.run_now(SEARCH_INDEX)  # never merged before: merged at the first pass
    assert await search.index_segments() == 1

    await add(5000, 3)
    bot = await harness.restart(clock=clock)  # a restart within the day: the stored merge time says it is recent
    qa = qa_of(bot)
    search = qa.search_index
    segments = await search.index_segments()
    assert 1 < segments < MERGE_AT_SEGMENTS
    await bot.scheduler.run_now(SEARCH_INDEX)
    assert await search.index_segments() == segments

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
