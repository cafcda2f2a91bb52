"""Clicks on persistent components reach the DynamicItem with only the clicked item built (bot/dynamic_items.py).

The real bot on the loopback; the message is one the bot posted before it started (its components only in the
message, as after a restart), and the items are registered the way a feature registers its own.
"""

from __future__ import annotations

import logging
import re
from typing import Any

import discord
import pytest

from loopback import LoopbackDiscord

Button = discord.ui.Button[discord.ui.View]
Select = discord.ui.Select[discord.ui.View]
seen: list[dict[str, Any]] = []


class Probe(discord.ui.DynamicItem[Button], template=r"probe:(?P<n>\d+)"):
    """Records what it was built from and what its callback sees."""

    def __init__(self, n: int, clicked: discord.ui.Item[Any] | None = None) -> None:
        super().__init__(discord.ui.Button(label="built", custom_id=f"probe:{n}"))
        self.n, self.clicked = n, clicked

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> Probe:
        if match["n"] == "13":
            raise RuntimeError("unlucky button")
        return cls(int(match["n"]), item)

    async def callback(self, interaction: discord.Interaction) -> None:
        seen.append({"n": self.n, "clicked": self.clicked, "view": self.view, "user": interaction.user.id})
        await interaction.response.send_message(f"probe {self.n}", ephemeral=True)


class Pick(discord.ui.DynamicItem[Select], template=r"pick:(?P<n>\d+)"):
    def __init__(self, n: int) -> None:
        super().__init__(discord.ui.Select(custom_id=f"pick:{n}", options=[discord.SelectOption(label="x")]))

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> Pick:
        return cls(int(match["n"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        seen.append({"values": self.item.values})
        await interaction.response.send_message("picked", ephemeral=True)


def button(custom_id: str, label: str) -> dict[str, Any]:
    return {"type": 2, "style": 1, "label": label, "custom_id": custom_id}


@pytest.fixture
async def posted(loopback: LoopbackDiscord, bot: Any) -> Any:
    seen.clear()
    bot.add_dynamic_items(Probe, Pick)
    channel = loopback.guild.channel("general")
    components = [
        {"type": 1, "components": [button("probe:1", "One"), button("probe:2", "Two"), button("probe:13", "Bad")]},
        {"type": 1, "components": [{"type": 3, "custom_id": "pick:5", "min_values": 1, "max_values": 2,
                                    "options": [{"label": v, "value": v} for v in ("a", "b", "c")]}]},
    ]
    return await loopback.post_message(channel, loopback.bot_user, {"content": "buttons", "components": components})


async def test_the_item_is_built_from_the_clicked_component_alone(loopback: LoopbackDiscord, posted: Any) -> None:
    member = loopback.add_user("ana")
    await loopback.join_member(loopback.guild.id, member)
    click = await loopback.click_button(posted.id, "probe:2", member.id)
    await click.wait_response(timeout=5)
    assert click.content_text() == "probe 2"
    [call] = seen
    # from_custom_id got the clicked button as the message shows it, and no view of the message was rebuilt.
    assert isinstance(call["clicked"], discord.ui.Button)
    assert (call["clicked"].label, call["clicked"].custom_id) == ("Two", "probe:2")
    assert call["view"] is None and call["user"] == member.id


async def test_a_select_gets_the_values_chosen(loopback: LoopbackDiscord, posted: Any) -> None:
    member = loopback.add_user("bo")
    await loopback.join_member(loopback.guild.id, member)
    pick = await loopback.select(posted.id, "pick:5", member.id, ["a", "c"])
    await pick.wait_response(timeout=5)
    assert pick.content_text() == "picked"
    assert seen == [{"values": ["a", "c"]}]


async def test_an_item_that_fails_to_build_is_logged_and_the_next_click_works(
    loopback: LoopbackDiscord, posted: Any, caplog: pytest.LogCaptureFixture
) -> None:
    member = loopback.add_user("cy")
    await loopback.join_member(loopback.guild.id, member)
    with caplog.at_level(logging.ERROR, logger="bot.dynamic_items"):
        bad = await loopback.click_button(posted.id, "probe:13", member.id)
        await loopback.wait_until(lambda: any("dynamic item creation" in r.getMessage() for r in caplog.records))
    assert bad.response_latency is None  # unanswered, as discord.py leaves it; the log says why
    good = await loopback.click_button(posted.id, "probe:1", member.id)
    await good.wait_response(timeout=5)
    assert good.content_text() == "probe 1" and [c["n"] for c in seen] == [1]
