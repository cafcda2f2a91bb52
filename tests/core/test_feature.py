"""Every feature's load and unload are symmetric: what loading registers with core, unloading removes, and loading
again brings back exactly the same (the contract in bot/feature.py; each feature also tests its own work after a
reload)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from bot.client import CommunityBot
from bot.discovery import feature_packages
from tests.harness import BotHarness


def registrations(bot: CommunityBot) -> dict[str, Any]:
    """What the features have registered with core and discord.py, in comparable form."""
    view_store = bot._connection._view_store  # discord.py keeps no public list of dynamic items
    return {
        "cogs": sorted(bot.cogs),
        "due work": bot.scheduler.registered(),
        "armed": sorted(name for name in bot.scheduler.registered() if bot.scheduler.armed_for(name) is not None),
        "commands": sorted((command.name, str(type(command).__name__)) for command in bot.tree.get_commands()),
        "dynamic items": sorted(pattern.pattern for pattern in view_store._dynamic_items),
        "listeners": {event: len(listeners) for event, listeners in bot.extra_events.items() if listeners},
    }


@pytest.mark.parametrize("package", feature_packages())
async def test_unload_removes_what_load_registered_and_load_brings_it_back(
    harness: BotHarness, package: str
) -> None:
    bot = await harness.start()
    before = registrations(bot)
    own = [feature for feature in bot.loaded_features() if feature.package() == package]
    assert own, f"cogs.{package} loaded no feature"
    own_work = {name for feature in own for name in bot.scheduler.registered(feature.name)}
    own_commands = {command.name for feature in own for command in feature.get_app_commands()}
    own_commands |= {menu.name for feature in own for menu in feature.context_menus}
    own_items = {item.__name__ for feature in own for item in feature.dynamic_items}

    await bot.unload_extension(f"cogs.{package}")
    after = registrations(bot)
    assert not set(after["cogs"]) & {feature.qualified_name for feature in own}
    assert not set(after["due work"]) & own_work and not set(after["armed"]) & own_work
    assert not {name for name, _ in after["commands"]} & own_commands
    still_routed = {item.__name__ for item in bot._connection._view_store._dynamic_items.values()}
    assert not still_routed & own_items
    # nothing of any other feature was touched
    assert set(after["due work"]) == set(before["due work"]) - own_work
    assert len(after["dynamic items"]) == len(before["dynamic items"]) - len(own_items)

    await bot.load_extension(f"cogs.{package}")
    # due work registered while the scheduler runs is armed by a task of its own (it asks the database when)
    for _ in range(100):
        if registrations(bot) == before:
            break
        await asyncio.sleep(0.05)
    assert registrations(bot) == before
