"""Components: the list's page buttons (short-lived) and the suggestion buttons (persistent, survive restarts)."""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from typing import Any

import discord

from bot import i18n
from bot.errors import BaseView, guarded
from bot.feature import feature_of
from bot.i18n import _
from cogs.communities.render import list_embed

log = logging.getLogger(__name__)


class ListPager(BaseView):
    """First / previous / next / last over prepared pages; says so on the message when it stops working.

    The pages were written in the language of the member who ran the command (only they can turn them), so the
    view keeps that language for everything else it writes, including the expiry note from the timeout task.
    """

    def __init__(
        self,
        pages: Sequence[Sequence[tuple[str, str]]],
        *,
        heading: str,
        total: int,
        owner_id: int,
        timeout: float,
    ) -> None:
        super().__init__(timeout=timeout)
        self.pages = pages
        self.heading = heading
        self.total = total
        self.owner_id = owner_id
        self.page = 0
        self.language = i18n.current()
        self.previous.label = _("‹ Previous")
        self.next.label = _("Next ›")
        # The latest interaction on this message: its token is the one still valid when the buttons time out.
        self.last_interaction: discord.Interaction | None = None
        self._sync_buttons()

    def embed(self, *, expired: bool = False) -> discord.Embed:
        with i18n.using(self.language):
            return list_embed(
                self.pages[self.page],
                heading=self.heading,
                page=self.page,
                pages=len(self.pages),
                total=self.total,
                expired=expired,
            )

    def _sync_buttons(self) -> None:
        last = len(self.pages) - 1
        self.first.disabled = self.previous.disabled = self.page == 0
        self.next.disabled = self.last.disabled = self.page == last
        self.position.label = f"{self.page + 1} / {len(self.pages)}"

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        if interaction.user.id != self.owner_id:
            await interaction.response.send_message(
                _("These page buttons belong to someone else's list: run /communities list yourself."), ephemeral=True
            )
            return False
        return True

    async def _show(self, interaction: discord.Interaction, page: int) -> None:
        self.page = max(0, min(page, len(self.pages) - 1))
        self.last_interaction = interaction
        self._sync_buttons()
        await interaction.response.edit_message(embed=self.embed(), view=self)

    @discord.ui.button(label="«", style=discord.ButtonStyle.secondary)
    async def first(self, interaction: discord.Interaction, button: discord.ui.Button[ListPager]) -> None:
        await self._show(interaction, 0)

    @discord.ui.button(label="‹ Previous", style=discord.ButtonStyle.primary)
    async def previous(self, interaction: discord.Interaction, button: discord.ui.Button[ListPager]) -> None:
        await self._show(interaction, self.page - 1)

    @discord.ui.button(label="1 / 1", style=discord.ButtonStyle.secondary, disabled=True)
    async def position(self, interaction: discord.Interaction, button: discord.ui.Button[ListPager]) -> None:
        """A label, never clickable."""

    @discord.ui.button(label="Next ›", style=discord.ButtonStyle.primary)
    async def next(self, interaction: discord.Interaction, button: discord.ui.Button[ListPager]) -> None:
        await self._show(interaction, self.page + 1)

    @discord.ui.button(label="»", style=discord.ButtonStyle.secondary)
    async def last(self, interaction: discord.Interaction, button: discord.ui.Button[ListPager]) -> None:
        await self._show(interaction, len(self.pages) - 1)

    async def on_timeout(self) -> None:
        for item in self.children:
            if isinstance(item, discord.ui.Button):
                item.disabled = True
        if self.last_interaction is None:
            return
        try:
            await self.last_interaction.edit_original_response(embed=self.embed(expired=True), view=self)
        except discord.HTTPException:
            log.info("Could not mark a /communities list as expired", exc_info=True)


SUGGESTION_TEMPLATE = r"communities:suggestion:(?P<id>[0-9]{1,19}):(?P<action>approve|reject)"


class SuggestionDecision(discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]], template=SUGGESTION_TEMPLATE):
    """Approve or Reject on a suggestion in the moderators' log; the custom_id carries the suggestion id.

    Labelled in the language of the moment: the server's when the card is posted (see the cog); a click rebuilds
    the item from its custom_id only to run the callback, and the decided card has no buttons any more.
    """

    def __init__(self, suggestion_id: int, action: str) -> None:
        approve = action == "approve"
        super().__init__(
            discord.ui.Button(
                label=_("Approve") if approve else _("Reject"),
                style=discord.ButtonStyle.success if approve else discord.ButtonStyle.danger,
                custom_id=f"communities:suggestion:{suggestion_id}:{action}",
            )
        )
        self.suggestion_id = suggestion_id
        self.action = action

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> SuggestionDecision:
        return cls(int(match["id"]), match["action"])

    @guarded
    async def callback(self, interaction: discord.Interaction) -> Any:
        from cogs.communities.cog import CommunitiesCog  # here, not at the top: the cog imports this module

        cog = feature_of(interaction, CommunitiesCog)
        await cog.decide_suggestion(interaction, self.suggestion_id, approve=self.action == "approve")


def suggestion_buttons(suggestion_id: int) -> discord.ui.View:
    """The persistent Approve / Reject row for a new suggestion."""
    view = discord.ui.View(timeout=None)
    view.add_item(SuggestionDecision(suggestion_id, "approve"))
    view.add_item(SuggestionDecision(suggestion_id, "reject"))
    return view
