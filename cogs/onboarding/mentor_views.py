"""What mentoring shows: the Accept / Decline buttons (persistent) and the texts built from members' input."""

from __future__ import annotations

import re

import discord

from bot.discord_helpers import clip, escape
from bot.errors import guarded
from bot.settings import Settings
from cogs.onboarding.mentor_types import Mentor, MentorStatus
from cogs.onboarding.topics import quoted, topic_label


class OfferButton(
    discord.ui.DynamicItem[discord.ui.Button], template=r"mentor:(?P<offer>\d+):(?P<answer>accept|decline)"
):
    """Accept / Decline on the DM to a mentor; the offer id is the state, the database the truth."""

    def __init__(self, offer_id: int, accept: bool) -> None:
        self.offer_id, self.accept = offer_id, accept
        super().__init__(
            discord.ui.Button(
                custom_id=f"mentor:{offer_id}:{'accept' if accept else 'decline'}",
                label="Accept" if accept else "Decline",
                style=discord.ButtonStyle.success if accept else discord.ButtonStyle.secondary,
            )
        )

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button, match: re.Match[str]
    ) -> OfferButton:
        return cls(int(match["offer"]), match["answer"] == "accept")

    @guarded
    async def callback(self, interaction: discord.Interaction) -> None:
        cog = interaction.client.get_cog("Mentors")
        await cog.answer_offer(interaction, self.offer_id, self.accept)


def mentor_list_text(mentors: list[Mentor], config: Settings, shown: int = 20) -> str:
    """The /mentor list body: who, which topics, free places, and their bio (users' text: escaped, clipped)."""
    lines = []
    for m in mentors[:shown]:
        topics = ", ".join(topic_label(config.onboarding, k) for k in m.topics)
        state = "paused" if m.status is MentorStatus.PAUSED else f"{m.free} of {m.capacity} place(s) free"
        line = f"<@{m.user_id}>: {topics} ({state})"
        if m.bio:
            line += f"\n> {escape(clip(' '.join(m.bio.split()), 200))}"
        lines.append(line)
    if len(mentors) > shown:
        lines.append(f"…and {len(mentors) - shown} more; narrow it down with `topic`.")
    return clip("\n".join(lines), 4096)


def unknown_topics_text(unknown: list[str], config: Settings) -> str:
    """Why /mentor join refused the topics, listing what is offered."""
    shown = ", ".join(quoted(u) for u in unknown[:10]) or "(none)"
    known = ", ".join(o.label for o in config.onboarding.topics)
    return clip(f"Not a topic here: {shown}. Pick from: {known}.", 2000)
