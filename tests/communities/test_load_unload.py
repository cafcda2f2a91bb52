"""The feature unloads without leaving anything registered, and works again once loaded again."""

from __future__ import annotations

from cogs.communities.store import TOPIC
from loopback import LoopbackDiscord
from tests.communities.helpers import member, running_directory, slash


def directory_dynamic_items(bot) -> list[type]:
    """The persistent components registered with discord.py that come from this feature."""
    registered = bot._connection._view_store._dynamic_items.values()  # no public accessor in discord.py 2.7
    return [item for item in registered if item.__module__.startswith("cogs.communities.")]


def directory_listeners(bot) -> list[object]:
    """What listens for the directory's change notices (the running store)."""
    return list(bot.db._subscribers.get(TOPIC, []))  # no public accessor: Database only offers (un)subscribe


def directory_commands(bot) -> list[str]:
    return sorted(c.name for c in bot.tree.get_commands() if c.name == "communities")


async def test_unload_removes_everything_and_a_reload_works_again(loopback: LoopbackDiscord, bot) -> None:
    alice = member(loopback, "alice")
    mod = member(loopback, "mod", roles=["Moderators"])
    assert [i.__name__ for i in directory_dynamic_items(bot)] == ["SuggestionDecision"]
    assert directory_commands(bot) == ["communities"]
    assert bot.scheduler.registered("communities") == []  # nothing of the directory is due at a time
    assert len(directory_listeners(bot)) == 1
    suggested = await slash(
        loopback, alice.id, "suggest", name="Lagos Data Folk", join_url="https://discord.gg/lagosdata",
        platform="discord", description="Monthly meetups for data people in Lagos.", topics="analytics",
    )
    assert "went to the moderators" in suggested.content_text()
    card = next(m for m in reversed(loopback.channel_messages(loopback.guild.channel("mod-log").id)) if m.components)

    await bot.unload_extension("cogs.communities")
    assert directory_dynamic_items(bot) == []
    assert directory_commands(bot) == []
    assert bot.scheduler.registered("communities") == []
    assert directory_listeners(bot) == []
    assert "communities" not in [feature.name for feature in bot.loaded_features()]

    await bot.load_extension("cogs.communities")
    assert len(directory_dynamic_items(bot)) == 1 and directory_commands(bot) == ["communities"]
    assert running_directory(bot).name == "communities"
    assert len(directory_listeners(bot)) == 1
    # The suggestion made before the reload is decided with the card's button, and the commands answer again.
    approve = next(c["custom_id"] for row in card.components for c in row["components"] if c["label"] == "Approve")
    click = await loopback.click_button(card.id, approve, mod.id)
    await click.wait_response()
    assert f"approved by <@{mod.id}>" in loopback.message(card.id).text()
    info = await slash(loopback, alice.id, "info", name="Lagos Data Folk")
    assert "Added by this server's moderators" in info.content_text()
