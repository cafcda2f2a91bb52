"""The confirm button of /privacy forget (persistent: a confirm shown before a restart still works)."""

from __future__ import annotations

import re
from typing import Any

import discord

from bot.errors import guarded
from bot.feature import feature_of
from bot.i18n import _

Button = discord.ui.Button[discord.ui.View]


class ForgetMeButton(discord.ui.DynamicItem[Button], template=r"privacy:forget:(?P<user>\d+)"):
    """Only the member it was shown to may press it (the message is ephemeral, but custom_ids can be replayed)."""

    def __init__(self, user_id: int) -> None:
        super().__init__(
            discord.ui.Button(
                label=_("Yes, forget me"), style=discord.ButtonStyle.danger, custom_id=f"privacy:forget:{user_id}"
            )
        )
        self.user_id = user_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str]
    ) -> ForgetMeButton:
        return cls(int(match["user"]))

    @guarded
    async def callback(self, interaction: discord.Interaction) -> None:
        from cogs.privacy.cog import PrivacyCog  # the cog imports this module

        await feature_of(interaction, PrivacyCog).confirm_forget(interaction, self.user_id)


def forget_view(user_id: int) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(ForgetMeButton(user_id))
    return view
