"""The /ask modal and the persistent buttons (draft actions, reopen); their work is done by the cog."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import discord

from bot.discord_helpers import clip
from bot.errors import BaseModal, guarded
from bot.feature import feature_of
from bot.i18n import N_, _

if TYPE_CHECKING:
    from cogs.qa.cog import QACog

TITLE_MIN = 5
DETAILS_MIN = 10


def qa_cog(interaction: discord.Interaction) -> QACog:
    """The running Q&A feature; the member is told when it is off."""
    from cogs.qa.cog import QACog  # imported here: the cog imports this module

    return feature_of(interaction, QACog)


class AskModal(BaseModal):
    """Title, details and optional tags; a draft ID when the asker is editing a kept draft."""

    def __init__(
        self, *, tag_hint: str, draft_id: int | None = None, title: str = "", details: str = "", tags: str = ""
    ) -> None:
        super().__init__(title=_("Ask a question"), timeout=900)
        self.draft_id = draft_id
        self.question_title: discord.ui.TextInput[AskModal] = discord.ui.TextInput(
            label=_("Title"),
            placeholder=_("One line: what do you want to know?"),
            min_length=TITLE_MIN,
            max_length=100,
            default=title or None,
        )
        self.details: discord.ui.TextInput[AskModal] = discord.ui.TextInput(
            label=_("Details"),
            style=discord.TextStyle.paragraph,
            placeholder=_("What are you trying to do, what did you try, what happened? Put code in ``` blocks."),
            min_length=DETAILS_MIN,
            max_length=4000,
            default=details or None,
        )
        self.tags: discord.ui.TextInput[AskModal] = discord.ui.TextInput(
            label=_("Tags (optional, comma separated)"),
            placeholder=clip(tag_hint, 100) if tag_hint else _("for example: python, sql"),
            required=False,
            max_length=100,
            default=tags or None,
        )
        for item in (self.question_title, self.details, self.tags):
            self.add_item(item)

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await qa_cog(interaction).asking.submitted(
            interaction,
            title=self.question_title.value,
            details=self.details.value,
            tags=self.tags.value or "",
            draft_id=self.draft_id,
        )


Button = discord.ui.Button[discord.ui.View]

_DRAFT_LABELS = {
    "post": (N_("Post my question"), discord.ButtonStyle.primary),
    "edit": (N_("Edit"), discord.ButtonStyle.secondary),
    "drop": (N_("That answered it, drop mine"), discord.ButtonStyle.secondary),
}


class DraftButton(discord.ui.DynamicItem[Button], template=r"qa:draft:(?P<verb>post|edit|drop):(?P<id>\d+)"):
    """Post, edit or drop a kept /ask draft; works after a restart (the draft lives in SQLite)."""

    def __init__(self, verb: str, draft_id: int) -> None:
        label, style = _DRAFT_LABELS[verb]
        button: Button = discord.ui.Button(label=_(label), style=style, custom_id=f"qa:draft:{verb}:{draft_id}")
        super().__init__(button)
        self.verb = verb
        self.draft_id = draft_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str]
    ) -> DraftButton:
        return cls(match["verb"], int(match["id"]))

    @guarded
    async def callback(self, interaction: discord.Interaction) -> None:
        await qa_cog(interaction).asking.draft_action(interaction, self.verb, self.draft_id)


def draft_view(draft_id: int, *, can_post: bool = True) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    verbs = ("post", "edit", "drop") if can_post else ("edit", "drop")
    for verb in verbs:
        view.add_item(DraftButton(verb, draft_id))
    return view


class ReopenButton(discord.ui.DynamicItem[Button], template=r"qa:reopen:(?P<thread>\d+)"):
    """On the accepted-answer notice (never on a locked post): the asker or a moderator reopens."""

    def __init__(self, thread_id: int) -> None:
        super().__init__(
            discord.ui.Button(
                label=_("Reopen"), emoji="🔓", style=discord.ButtonStyle.secondary, custom_id=f"qa:reopen:{thread_id}"
            )
        )
        self.thread_id = thread_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str]
    ) -> ReopenButton:
        return cls(int(match["thread"]))

    @guarded
    async def callback(self, interaction: discord.Interaction) -> None:
        await qa_cog(interaction).answers.reopen(interaction, self.thread_id)


def reopen_view(thread_id: int) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(ReopenButton(thread_id))
    return view
