"""The Confirm button under a /setup create preview: persistent, and it carries the preview's fingerprint.

A DynamicItem rather than a short-lived view: its state is the custom_id (the server and the plan's digest), so
it works after a restart and needs nothing stored, and a click recomputes the plan and goes ahead only when it is
still the one the manager saw (otherwise the new preview is shown instead). A timed-out view would leave a dead
button on an ephemeral message that cannot be edited once its token has expired.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import discord

from bot.errors import guarded
from bot.feature import feature_of
from bot.i18n import _

if TYPE_CHECKING:
    from cogs.setup.cog import SetupCog

Button = discord.ui.Button[discord.ui.View]


def _cog(interaction: discord.Interaction) -> SetupCog:
    from cogs.setup.cog import SetupCog  # the cog module imports this one

    return feature_of(interaction, SetupCog)


TEMPLATE = r"setup:create:(?P<guild>\d+):(?P<plan>[0-9a-f]{16})"


class ConfirmSetupButton(discord.ui.DynamicItem[Button], template=TEMPLATE):
    """Confirm under the preview: carry out the plan with this digest, if it is still the plan (labelled in the
    language of the interaction that builds it: the preview's, or the click's)."""

    def __init__(self, guild_id: int, plan_digest: str) -> None:
        super().__init__(
            discord.ui.Button(
                label=_("Confirm"), style=discord.ButtonStyle.success,
                custom_id=f"setup:create:{guild_id}:{plan_digest}",
            )
        )
        self.guild_id, self.plan_digest = guild_id, plan_digest

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> ConfirmSetupButton:
        return cls(int(match["guild"]), match["plan"])

    @guarded
    async def callback(self, interaction: discord.Interaction) -> Any:
        await _cog(interaction).on_confirm(interaction, self.guild_id, self.plan_digest)


def confirm_view(guild_id: int, plan_digest: str) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(ConfirmSetupButton(guild_id, plan_digest))
    return view
