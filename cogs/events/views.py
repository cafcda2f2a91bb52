"""Persistent buttons: RSVP on announcements, Confirm/Discard on previews. State lives in the custom_id."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import discord

from bot.errors import guarded
from cogs.events.models import Rsvp, RsvpCounts

if TYPE_CHECKING:
    from cogs.events.cog import EventsCog

COG_NAME = "Events"

_STYLES = {Rsvp.GOING: discord.ButtonStyle.success, Rsvp.MAYBE: discord.ButtonStyle.secondary,
           Rsvp.DECLINED: discord.ButtonStyle.danger}  # fmt: skip
_EMOJI = {Rsvp.GOING: "✅", Rsvp.MAYBE: "🤔", Rsvp.DECLINED: "❌"}


def _cog(interaction: discord.Interaction) -> EventsCog:
    cog = interaction.client.get_cog(COG_NAME)  # type: ignore[union-attr]
    if cog is None:
        raise RuntimeError("the events feature is not loaded")
    return cog  # type: ignore[return-value]


_RSVP_TEMPLATE = r"ev:rsvp:(?P<event>\d+):(?P<seq>\d+):(?P<c>[gmn])"


class RsvpButton(discord.ui.DynamicItem[discord.ui.Button], template=_RSVP_TEMPLATE):
    """Going / Maybe / Can't go on an announcement; the label carries the current count."""

    def __init__(self, event_id: int, seq: int, choice: Rsvp, count: int | None = None) -> None:
        label = choice.label if count is None else f"{choice.label} ({count})"
        super().__init__(
            discord.ui.Button(
                label=label,
                emoji=_EMOJI[choice],
                style=_STYLES[choice],
                custom_id=f"ev:rsvp:{event_id}:{seq}:{choice.code}",
            )
        )
        self.event_id, self.seq, self.choice = event_id, seq, choice

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button, match: re.Match[str]
    ) -> RsvpButton:
        return cls(int(match["event"]), int(match["seq"]), Rsvp.from_code(match["c"]))

    @guarded
    async def callback(self, interaction: discord.Interaction) -> Any:
        await _cog(interaction).on_rsvp_click(interaction, self.event_id, self.seq, self.choice)


class ConfirmButton(discord.ui.DynamicItem[discord.ui.Button], template=r"ev:confirm:(?P<event>\d+)"):
    """Posts a previewed draft (works after a restart too, while the draft lasts)."""

    def __init__(self, event_id: int) -> None:
        super().__init__(
            discord.ui.Button(label="Confirm", style=discord.ButtonStyle.success, custom_id=f"ev:confirm:{event_id}")
        )
        self.event_id = event_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button, match: re.Match[str]
    ) -> ConfirmButton:
        return cls(int(match["event"]))

    @guarded
    async def callback(self, interaction: discord.Interaction) -> Any:
        await _cog(interaction).on_confirm_click(interaction, self.event_id)


class DiscardButton(discord.ui.DynamicItem[discord.ui.Button], template=r"ev:discard:(?P<event>\d+)"):
    """Drops a draft."""

    def __init__(self, event_id: int) -> None:
        super().__init__(
            discord.ui.Button(label="Discard", style=discord.ButtonStyle.secondary, custom_id=f"ev:discard:{event_id}")
        )
        self.event_id = event_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button, match: re.Match[str]
    ) -> DiscardButton:
        return cls(int(match["event"]))

    @guarded
    async def callback(self, interaction: discord.Interaction) -> Any:
        await _cog(interaction).on_discard_click(interaction, self.event_id)


DYNAMIC_ITEMS = (RsvpButton, ConfirmButton, DiscardButton)


def rsvp_view(event_id: int, seq: int, counts: RsvpCounts) -> discord.ui.View:
    """The three RSVP buttons of an announcement (no timeout: they work for as long as the event does)."""
    view = discord.ui.View(timeout=None)
    for choice in Rsvp:
        view.add_item(RsvpButton(event_id, seq, choice, counts.of(choice)))
    return view


def preview_view(event_id: int) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(ConfirmButton(event_id))
    view.add_item(DiscardButton(event_id))
    return view
