"""Database round trips of Q&A's busiest interactions, counted on the real bot (tests/qa/round_trips.py)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.clock import ManualClock
from cogs.qa.store import QAStore
from loopback import LoopbackDiscord
from tests.harness import BotHarness, eventually
from tests.qa.round_trips import CountingDatabase, count_qa
from tests.qa.test_qa_on_loopback import Cast, _with, bot_messages, mark, qa_of

# The most each interaction may cost (before this budget: see docs/qa.md, "Round trips").
BUDGET = {
    "new post": 1,
    "member message": 3,
    "mark as answer": 7,
    "thread renamed": 2,
    "tag autocomplete": 0,
    "/qa unanswered": 2,
    "due nudge": 5,
}


async def _settle(counter: CountingDatabase) -> None:
    """Wait until the listeners' database work is over (no new calls for a while)."""
    seen = -1
    while seen != counter.round_trips:
        seen = counter.round_trips
        await asyncio.sleep(0.15)


async def test_round_trips_of_the_busiest_interactions(loopback: LoopbackDiscord, harness: BotHarness) -> None:
    lb, cast = loopback, Cast(loopback)
    guild, general = lb.guild, lb.guild.channel("general").id
    clock = ManualClock(datetime.now(UTC))
    bot = await harness.start(clock=clock)
    cog = qa_of(bot)
    probe = QAStore(bot.db)  # the test's own polling is not counted
    counter = count_qa(cog)
    spent: dict[str, int] = {}

    async def measure(name: str) -> None:
        await _settle(counter)
        spent[name] = counter.round_trips
        print(name, counter.round_trips, counter.transactions, counter.exclusive, counter.statements)
        counter.reset()

    async def post(title: str) -> Any:
        thread = await lb.create_forum_post(lb.guild.channel("questions").id, cast.asker.id, title, "?", ["sql"])
        await eventually(lambda: probe.get(thread.id))
        return thread

    lonely = await post("Is Airflow overkill?")
    await lb.send_message(lonely.id, cast.helper.id, "depends")
    await eventually(lambda: _with(probe, lonely.id, lambda q: q.reply_count == 1))
    clock.advance(timedelta(hours=24, minutes=1))
    await _settle(counter)
    counter.reset()
    await bot.scheduler.run_now("qa:actions")
    assert [m for m in bot_messages(lb, lonely.id) if m.content.startswith("🔔")]
    await measure("due nudge")  # the only question due: one action
    warm = await lb.autocomplete(guild.id, general, cast.helper.id, "qa", {"tag": "s"}, "tag", subcommand="unanswered")
    await warm.wait_response()
    await _settle(counter)
    counter.reset()

    thread = await post("Which warehouse for a small team?")
    await measure("new post")
    await lb.send_message(thread.id, cast.helper.id, "DuckDB")
    await eventually(lambda: _with(probe, thread.id, lambda q: q.reply_count == 1))
    await measure("member message")
    answer = await lb.send_message(thread.id, cast.other_helper.id, "Postgres")
    await eventually(lambda: _with(probe, thread.id, lambda q: q.reply_count == 2))
    await _settle(counter)
    counter.reset()
    await (await mark(lb, thread.id, cast.asker.id, answer.id)).wait_followup()
    await measure("mark as answer")
    await lb.update_thread(thread.id, name="[Solved] Which warehouse for a small team, really?")
    await eventually(lambda: _with(probe, thread.id, lambda q: q.title.endswith("really?")))
    await measure("thread renamed")
    choices = await lb.autocomplete(guild.id, general, cast.helper.id, "qa", {"tag": "s"}, "tag",
                                    subcommand="unanswered")
    await choices.wait_response()
    assert [c["value"] for c in choices.choices] == ["sql"]
    await measure("tag autocomplete")
    listed = await lb.invoke_slash(guild.id, general, cast.helper.id, "qa", {}, "unanswered")
    await listed.wait_response()
    await measure("/qa unanswered")

    for name, most in BUDGET.items():
        assert spent[name] <= most, (name, spent[name], most)
