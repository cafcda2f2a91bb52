"""Q&A unloads from the running bot leaving nothing registered, and works again when loaded back."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import discord

from bot.clock import ManualClock
from loopback import LoopbackDiscord
from tests.harness import BotHarness, eventually
from tests.qa.test_qa_on_loopback import Cast, bot_messages, direct_post, qa_of

QA_WORK = ["qa:actions", "qa:housekeeping", "qa:search-index"]


def qa_dynamic_items(bot) -> list[type]:
    # discord.py keeps the registered DynamicItem classes only in its view store
    registered = bot._connection._view_store._dynamic_items.values()
    return [item for item in registered if item.__module__.startswith("cogs.qa")]


def qa_commands(bot) -> list[str]:
    menus = bot.tree.get_commands(type=discord.AppCommandType.message)
    return sorted(
        [c.name for c in bot.tree.get_commands() if c.name in ("ask", "qa")]
        + [m.name for m in menus if m.name == "Mark as answer"]
    )


async def test_qa_unloads_cleanly_and_loads_again(loopback: LoopbackDiscord, harness: BotHarness) -> None:
    lb, cast = loopback, Cast(loopback)
    clock = ManualClock(datetime.now(UTC))
    bot = await harness.start(clock=clock)
    assert bot.scheduler.registered("qa") == QA_WORK
    assert len(qa_dynamic_items(bot)) == 2 and qa_commands(bot) == ["Mark as answer", "ask", "qa"]
    thread = await direct_post(lb, bot, cast.asker.id, "Is dbt worth it for a small team?")
    await lb.send_message(thread.id, cast.helper.id, "yes, even for three models")
    await eventually(lambda: qa_of(bot).store.get(thread.id))

    await bot.unload_extension("cogs.qa")
    assert bot.scheduler.registered("qa") == []
    assert bot.scheduler.armed_for("qa:actions") is None
    assert not bot.scheduler.has("qa:actions") and not bot.scheduler.has("qa:housekeeping")
    assert qa_dynamic_items(bot) == [] and qa_commands(bot) == []
    assert all(feature.name != "qa" for feature in bot.loaded_features())

    await bot.load_extension("cogs.qa")
    assert bot.scheduler.registered("qa") == QA_WORK
    assert len(qa_dynamic_items(bot)) == 2 and qa_commands(bot) == ["Mark as answer", "ask", "qa"]
    await eventually(lambda: _armed(bot))  # the stored nudge is armed again from the database
    clock.advance(timedelta(hours=25))
    await bot.scheduler.run_now("qa:actions")
    assert len([m for m in bot_messages(lb, thread.id) if m.content.startswith("🔔")]) == 1
    later = await direct_post(lb, bot, cast.asker.id, "Tracked again after the reload?")  # listeners are back
    assert (await qa_of(bot).store.get(later.id)).asker_id == cast.asker.id


async def _armed(bot) -> bool:
    return bot.scheduler.armed_for("qa:actions") is not None
