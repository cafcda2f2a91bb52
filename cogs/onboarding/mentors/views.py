"""Mentoring's persistent component: the Accept / Decline buttons on the DM to a mentor."""

from __future__ import annotations

import re
from typing import Any

import discord

from bot.errors import guarded
from bot.feature import feature_of
from bot.i18n import _

OFFER_TEMPLATE = r"mentor:(?P<offer>\d+):(?P<answer>accept|decline)"


class OfferButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=OFFER_TEMPLATE):
    """Accept / Decline on the DM to a mentor; the offer id is the state, the database the truth."""

    def __init__(self, offer_id: int, accept: bool) -> None:
        self.offer_id, self.accept = offer_id, accept
        super().__init__(
            discord.ui.Button(
                custom_id=f"mentor:{offer_id}:{'accept' if accept else 'decline'}",
                label=_("Accept") if accept else _("Decline"),
                style=discord.ButtonStyle.success if accept else discord.ButtonStyle.secondary,
            )
        )

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str]
    ) -> OfferButton:
        return cls(int(match["offer"]), match["answer"] == "accept")

    @guarded
    async def callback(self, interaction: discord.Interaction) -> None:
        from cogs.onboarding.mentors.cog import MentorsCog  # the cog imports this module

        await feature_of(interaction, MentorsCog).answer_offer(interaction, self.offer_id, self.accept)


def offer_view(offer_id: int) -> discord.ui.View:
    """Accept and Decline for one offer."""
    view = discord.ui.View(timeout=None)
    view.add_item(OfferButton(offer_id, True))
    view.add_item(OfferButton(offer_id, False))
    return view
