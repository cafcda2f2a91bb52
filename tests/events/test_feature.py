"""The events feature unloads without leaving anything behind, and works again once loaded again."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.client import CommunityBot
from bot.clock import ManualClock
from loopback import LoopbackDiscord
from tests.events.test_on_the_wire import create_and_confirm, events_of
from tests.harness import BotHarness

WORK = ["events:housekeeping", "events:reminders"]


def registered_items(bot: CommunityBot) -> set[str]:
    """The templates of the persistent components the bot routes (events' start with `ev:`)."""
    store = bot._connection._view_store  # discord.py keeps no public list of dynamic items
    return {pattern.pattern for pattern in store._dynamic_items if pattern.pattern.startswith("ev:")}


async def test_events_unload_and_load_again_cleanly(loopback: LoopbackDiscord, harness: BotHarness) -> None:
    lb = loopback
    clock = ManualClock(datetime.now(UTC).replace(microsecond=0))
    bot = await harness.start(clock=clock)
    await create_and_confirm(lb, title="Before", when="in 3 hours", reminders="1h")
    assert bot.scheduler.registered("events") == WORK
    assert bot.scheduler.armed_for("events:reminders") is not None
    assert len(registered_items(bot)) == 2 and bot.tree.get_command("event") is not None

    await bot.unload_extension("cogs.events")
    assert bot.scheduler.registered("events") == [] and bot.scheduler.armed_for("events:reminders") is None
    assert registered_items(bot) == set() and bot.tree.get_command("event") is None
    assert "events" not in {feature.name for feature in bot.loaded_features()}

    await bot.load_extension("cogs.events")
    assert bot.scheduler.registered("events") == WORK
    assert len(registered_items(bot)) == 2 and bot.tree.get_command("event") is not None
    events_channel = lb.guild.channel("events").id
    await create_and_confirm(lb, title="After", when="in 3 hours", reminders="1h")
    clock.advance(timedelta(hours=2, minutes=1))
    await bot.scheduler.run_now("events:reminders")
    reminders = sorted(m.content.split("**")[1] for m in lb.channel_messages(events_channel) if "⏰" in m.content)
    assert reminders == ["After", "Before"]  # the event from before the unload is reminded too
    assert (await events_of(bot).store.stats())["reminders sent"] == 2
