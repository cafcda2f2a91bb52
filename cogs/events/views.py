"""Persistent buttons: RSVP on announcements, Confirm/Discard on previews. State lives in the custom_id."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import discord

from bot import i18n
from bot.errors import guarded
from bot.feature import feature_of
from bot.i18n import N_, _
from cogs.events.models import Rsvp, RsvpCounts

if TYPE_CHECKING:
    from cogs.events.cog import EventsCog

_STYLES = {Rsvp.GOING: discord.ButtonStyle.success, Rsvp.MAYBE: discord.ButtonStyle.secondary,
           Rsvp.DECLINED: discord.ButtonStyle.danger}  # fmt: skip
_EMOJI = {Rsvp.GOING: "✅", Rsvp.MAYBE: "🤔", Rsvp.DECLINED: "❌"}

Button = discord.ui.Button[discord.ui.View]


def _cog(interaction: discord.Interaction) -> EventsCog:
    from cogs.events.cog import EventsCog  # the cog module imports this one

    return feature_of(interaction, EventsCog)


class RsvpButton(discord.ui.DynamicItem[Button], template=r"ev:rsvp:(?P<event>\d+):(?P<seq>\d+):(?P<c>[gmn])"):
    """Going / Maybe / Can't go on an announcement; the label carries the current count."""

    def __init__(
        self, event_id: int, seq: int, choice: Rsvp, count: int | None = None, *, clicked: Button | None = None
    ) -> None:
        if clicked is None:
            label = choice.label if count is None else f"{choice.label} ({i18n.number(count)})"
            custom_id = f"ev:rsvp:{event_id}:{seq}:{choice.code}"
            clicked = discord.ui.Button(label=label, emoji=_EMOJI[choice], style=_STYLES[choice], custom_id=custom_id)
        super().__init__(clicked)
        self.event_id, self.seq, self.choice = event_id, seq, choice

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> RsvpButton:
        # The clicked button as the message shows it (the busiest click builds no new one).
        clicked = item if isinstance(item, discord.ui.Button) else None
        return cls(int(match["event"]), int(match["seq"]), Rsvp.from_code(match["c"]), clicked=clicked)

    @guarded
    async def callback(self, interaction: discord.Interaction) -> Any:
        await _cog(interaction).on_rsvp_click(interaction, self.event_id, self.seq, self.choice)


_DRAFT_ACTIONS = {"confirm": (N_("Confirm"), discord.ButtonStyle.success),
                  "discard": (N_("Discard"), discord.ButtonStyle.secondary)}  # fmt: skip


class EventDraftButton(discord.ui.DynamicItem[Button], template=r"ev:(?P<action>confirm|discard):(?P<event>\d+)"):
    """Confirm (post a previewed draft) or Discard (drop it); works after a restart too, while the draft lasts."""

    def __init__(self, action: str, event_id: int) -> None:
        label, style = _DRAFT_ACTIONS[action]
        super().__init__(discord.ui.Button(label=_(label), style=style, custom_id=f"ev:{action}:{event_id}"))
        self.action, self.event_id = action, event_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> EventDraftButton:
        return cls(match["action"], int(match["event"]))

    @guarded
    async def callback(self, interaction: discord.Interaction) -> Any:
        cog = _cog(interaction)
        if self.action == "confirm":
            await cog.on_confirm_click(interaction, self.event_id)
        else:
            await cog.on_discard_click(interaction, self.event_id)


def rsvp_view(event_id: int, seq: int, counts: RsvpCounts) -> discord.ui.View:
    """The three RSVP buttons of an announcement (no timeout: they work for as long as the event does)."""
    view = discord.ui.View(timeout=None)
    for choice in Rsvp:
        view.add_item(RsvpButton(event_id, seq, choice, counts.of(choice)))
    return view


def preview_view(event_id: int) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(EventDraftButton("confirm", event_id))
    view.add_item(EventDraftButton("discard", event_id))
    return view
