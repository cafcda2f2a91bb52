"""Buttons and selects: routing by (message, custom_id), persistence across restarts, DMs."""

from __future__ import annotations

import discord
import pytest
from discord.ext import commands

from loopback import LoopbackDiscord

from .conftest import BotRunner, World


class RsvpView(discord.ui.View):
    """A persistent view: no timeout, stable custom_ids."""

    def __init__(self) -> None:
        super().__init__(timeout=None)

    @discord.ui.button(label="Going", custom_id="rsvp:yes", style=discord.ButtonStyle.success)
    async def going(self, ix: discord.Interaction, button: discord.ui.Button) -> None:
        await ix.response.send_message(f"{ix.user.name} is going", ephemeral=True)

    @discord.ui.button(label="Closed", custom_id="rsvp:closed", disabled=True)
    async def closed(self, ix: discord.Interaction, button: discord.ui.Button) -> None:
        await ix.response.send_message("never")

    @discord.ui.select(custom_id="rsvp:level", options=[discord.SelectOption(label=v, value=v) for v in "abc"])
    async def level(self, ix: discord.Interaction, select: discord.ui.Select) -> None:
        await ix.response.edit_message(content=f"picked {select.values[0]}")


def persistent(bot: commands.Bot) -> None:
    """Register the persistent view at start, as the product does."""
    bot.add_view(RsvpView())


async def test_button_routes_to_persistent_view_after_restart(
    lb: LoopbackDiscord, world: World, runner: BotRunner
) -> None:
    bot = await runner.start(persistent)
    events = bot.get_channel(world.guild.channel("events").id)
    posted = await events.send("Meetup on Friday", view=RsvpView())
    await runner.stop()
    await runner.start(persistent)  # a new Bot instance against the same world
    ix = await lb.click_button(posted.id, "rsvp:yes", world.alice.id)
    await ix.wait_response()
    assert ix.content_text() == "alice is going" and ix.ephemeral
    assert ix.payload["message"]["id"] == str(posted.id)


async def test_select_updates_the_message(lb: LoopbackDiscord, world: World, runner: BotRunner) -> None:
    bot = await runner.start(persistent)
    posted = await bot.get_channel(world.guild.channel("events").id).send("Pick", view=RsvpView())
    ix = await lb.select(posted.id, "rsvp:level", world.bob.id, ["b"])
    assert (await ix.wait_response())["type"] == 7
    assert lb.message(posted.id).content == "picked b"
    assert ix.content_text() == "picked b"
    cached = await lb.wait_until(lambda: bot.get_channel(posted.channel.id).get_partial_message(posted.id))
    assert cached is not None
    with pytest.raises(ValueError, match="not among"):
        await lb.select(posted.id, "rsvp:level", world.bob.id, ["z"])


async def test_disabled_or_missing_component_cannot_be_used(
    lb: LoopbackDiscord, world: World, runner: BotRunner
) -> None:
    bot = await runner.start(persistent)
    posted = await bot.get_channel(world.guild.channel("events").id).send("Meetup", view=RsvpView())
    with pytest.raises(ValueError, match="disabled"):
        await lb.click_button(posted.id, "rsvp:closed", world.alice.id)
    with pytest.raises(ValueError, match="no component"):
        await lb.click_button(posted.id, "rsvp:nope", world.alice.id)


async def test_button_in_a_dm_has_user_and_no_guild(lb: LoopbackDiscord, world: World, runner: BotRunner) -> None:
    seen: list[discord.Interaction] = []

    class Welcome(discord.ui.View):
        def __init__(self) -> None:
            super().__init__(timeout=None)

        @discord.ui.button(label="Data engineer", custom_id="onboard:role:de")
        async def pick(self, ix: discord.Interaction, button: discord.ui.Button) -> None:
            seen.append(ix)
            await ix.response.send_message("noted")

    bot = await runner.start(lambda b: b.add_view(Welcome()))
    user = await bot.fetch_user(world.alice.id)
    dm = await user.send("Welcome! What do you do?", view=Welcome())
    assert [m.id for m in lb.dm_messages(world.alice.id)] == [dm.id]
    ix = await lb.click_button(dm.id, "onboard:role:de", world.alice.id)
    await ix.wait_response()
    assert "guild_id" not in ix.payload and ix.payload["user"]["id"] == str(world.alice.id)
    assert seen[0].guild is None and isinstance(seen[0].channel, discord.DMChannel)
    assert ix.content_text() == "noted"
