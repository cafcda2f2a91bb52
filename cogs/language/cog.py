"""`/language [choice]`: show or change the language of what the bot sends a member unasked.

Commands, buttons and forms already answer in the language of the member's Discord app; a welcome DM, a reminder
or a mentor's offer has no app language to follow, so it uses the member's choice made here (or in onboarding),
else the server's language. The choice is per member, across servers, like Discord's own language setting.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands

from bot import i18n, languages
from bot.database import Statement
from bot.feature import Feature
from bot.i18n import N_, _
from bot.member_data import export_rows, forget_rows

if TYPE_CHECKING:
    from bot.client import CommunityBot

FOLLOW_SERVER = "server"  # the choice that forgets a stored language


def language_choices() -> list[app_commands.Choice[str]]:
    """Each language in its own words (the same in every language), then "the server's language"."""
    return [app_commands.Choice(name=name, value=code) for code, name in i18n.LANGUAGES.items()] + [
        app_commands.Choice(name="Follow the server's language", value=FOLLOW_SERVER)
    ]


class LanguageCog(Feature):
    """A member's language for messages nobody asked for."""

    name = "language"
    title = N_("Language")

    def __init__(self, bot: CommunityBot) -> None:
        super().__init__(bot)

    # The choice is the member's across servers (like Discord's own language), so every server's export shows it and
    # a forget in any server erases it.
    async def export_member(self, guild_id: int, user_id: int) -> dict[str, Any]:
        return {"language": await export_rows(
            self.bot.db, "SELECT language, chosen_at FROM member_languages WHERE user_id = ?", (user_id,)
        )}

    async def forget_member(self, guild_id: int, user_id: int) -> int:
        return await forget_rows(self.bot.db, [Statement("DELETE FROM member_languages WHERE user_id = ?", (user_id,))])

    @app_commands.command(name="language", description="Choose the language of reminders and DMs the bot sends you")
    @app_commands.describe(choice="Your language, or the server's (leave empty to see the current one)")
    @app_commands.choices(choice=language_choices())
    async def language(self, interaction: discord.Interaction, choice: app_commands.Choice[str] | None = None) -> None:
        guild_id = interaction.guild_id
        if choice is not None:
            picked = None if choice.value == FOLLOW_SERVER else choice.value
            await languages.choose(self.bot.db, interaction.user.id, picked, self.bot.clock.now())
        mine = await languages.chosen(self.bot.db, interaction.user.id)
        server = await languages.of_server(self.bot, guild_id) if guild_id else i18n.DEFAULT
        with i18n.using(mine or i18n.current()):  # a new choice answers in itself at once
            if mine:
                text = _("Reminders, DMs and posts meant for you come in **{language}**.").format(
                    language=i18n.LANGUAGES[mine]
                )
            else:
                text = _(
                    "You have not chosen a language: reminders and DMs come in the server's language, **{language}**."
                ).format(language=i18n.LANGUAGES.get(server, server))
            text += "\n" + _("Commands and buttons follow the language of your Discord app.")
        await interaction.response.send_message(text, ephemeral=True)
