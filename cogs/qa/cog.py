"""Q&A commands: /ask, the "Mark as answer" message command, /qa search|unanswered|leaderboard|stats|reopen."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import discord
from discord import app_commands

from bot import i18n, languages
from bot.answer_in_time import in_time, reply
from bot.client import CommunityBot
from bot.discord_helpers import guild_of
from bot.errors import UserFacingError
from bot.feature import Feature
from bot.i18n import N_, _
from bot.scheduler import DueWork, Periodic
from bot.times import unix
from cogs.qa.answers import AnswerFlow
from cogs.qa.asking import AskFlow
from cogs.qa.due import QADue
from cogs.qa.render import (
    accepted_notice,
    forgotten_post_header,
    leaderboard_embed,
    no_match_text,
    no_open_text,
    post_header,
    search_embed,
    stats_embed,
    unanswered_embed,
)
from cogs.qa.rules import period_start
from cogs.qa.search import QuestionSearch
from cogs.qa.settings import QASettings
from cogs.qa.store import QAStore
from cogs.qa.store_member import QAMemberData
from cogs.qa.store_reports import QAReports
from cogs.qa.tracking import TrackingListeners
from cogs.qa.views import DraftButton, ReopenButton

log = logging.getLogger(__name__)

# The bot's posts naming a forgotten asker are edited, newest first, up to this many (each costs two requests).
EDIT_POSTS_AT_MOST = 50

PERIOD_CHOICES = [
    app_commands.Choice(name="last 7 days", value="week"),
    app_commands.Choice(name="last 30 days", value="month"),
    app_commands.Choice(name="last 365 days", value="year"),
    app_commands.Choice(name="all time", value="all"),
]
# /qa leaderboard with nobody credited in the period
NO_ANSWERS = {
    "week": N_("No accepted answers in the last 7 days yet."),
    "month": N_("No accepted answers in the last 30 days yet."),
    "year": N_("No accepted answers in the last 365 days yet."),
    "all": N_("No accepted answers in the all time yet."),
}


class QACog(TrackingListeners, Feature):
    """Questions in threads, accepted answers, search, reminders."""

    name = "qa"
    title = N_("Q&A")
    settings_section = QASettings
    dynamic_items = (DraftButton, ReopenButton)

    qa = app_commands.Group(name="qa", description="Search, browse and manage questions", guild_only=True)

    def __init__(self, bot: CommunityBot) -> None:
        super().__init__(bot)
        self.store = QAStore(bot.db)
        self.search_index = QuestionSearch(bot.db)
        self.reports = QAReports(bot.db)
        self.member_data = QAMemberData(bot.db)
        self.due = QADue(bot, self.store, self.search_index)
        self.asking = AskFlow(self)
        self.answers = AnswerFlow(self)
        mark_menu = app_commands.ContextMenu(name="Mark as answer", callback=self.mark_as_answer)
        mark_menu.guild_only = True
        self.context_menus.append(mark_menu)

    def due_work(self) -> Sequence[DueWork | Periodic]:
        return self.due.work()

    async def on_load(self) -> None:
        await self.reports.start()
        try:
            await self.due.rebuild()
        except Exception:  # the stored due times still hold; housekeeping follows settings changes later
            log.exception("Recomputing Q&A due times at load failed")

    async def on_unload(self) -> None:
        self.reports.stop()
        try:
            await self.due.let_go()
        except Exception:  # the claims run out after their lease anyway
            log.exception("Giving back the Q&A questions taken by this process failed")

    async def about_counts(self) -> dict[str, int]:
        """What this feature stores, for /about."""
        return await self.store.counts()

    async def export_member(self, guild_id: int, user_id: int) -> dict[str, Any]:
        return await self.member_data.export(guild_id, user_id)

    async def forget_member(self, guild_id: int, user_id: int) -> int:
        """Their questions lose the asker (the bot's "Asked by" line goes too), their credits and marks their name."""
        asked = await self.member_data.asked_with_ask(guild_id, user_id, EDIT_POSTS_AT_MOST)
        notices = await self.member_data.solved_notices_naming(guild_id, user_id, EDIT_POSTS_AT_MOST)
        touched = await self.member_data.forget(guild_id, user_id, unix(self.bot.clock.now()))
        for thread_id, channel_id in asked:
            await self._drop_asker_line(thread_id, channel_id, user_id)
        for thread_id in notices:
            await self._rewrite_solved_notice(thread_id)
        return touched

    async def _rewrite_solved_notice(self, thread_id: int) -> None:
        """The "Solved" reply again from the forgotten row: "a former member" where it named them."""
        question = await self.store.get(thread_id)
        if question is None or question.notice_message_id is None or not question.solved:
            return
        notice = self.bot.get_partial_messageable(thread_id).get_partial_message(question.notice_message_id)
        with i18n.using(await languages.of_server(self.bot, question.guild_id)):
            text = accepted_notice(question, question.answer_marked_by, moved=False)
        try:
            await notice.edit(content=text)
        except discord.HTTPException:
            log.info("Could not drop a forgotten member from the solved notice of %s", thread_id, exc_info=True)

    async def _drop_asker_line(self, thread_id: int, channel_id: int, user_id: int) -> None:
        """The first post of an /ask question (its ID is the thread's, in the forum post or the text channel)."""
        for where in (thread_id, channel_id):
            message = self.bot.get_partial_messageable(where).get_partial_message(thread_id)
            try:
                found = await message.fetch()
            except discord.HTTPException:
                continue
            mine = self.bot.user is not None and found.author.id == self.bot.user.id
            # the header is in the server's language of the day the question was posted: any of them
            for language in i18n.LANGUAGES:
                with i18n.using(language):
                    header, forgotten = post_header(user_id), forgotten_post_header()
                if mine and header in found.content:
                    try:
                        await found.edit(content=found.content.replace(header, forgotten))
                    except discord.HTTPException:
                        log.info("Could not drop the asker from question %s", thread_id, exc_info=True)
                    break
            return

    # --- asking and answering --------------------------------------------------------------------

    @app_commands.command(name="ask", description="Ask the community a question (opens a short form)")
    @app_commands.guild_only()
    @app_commands.checks.cooldown(5, 600, key=lambda i: (i.guild_id, i.user.id))
    async def ask(self, interaction: discord.Interaction) -> None:
        await self.asking.open_modal(interaction)

    async def mark_as_answer(self, interaction: discord.Interaction, message: discord.Message) -> None:
        """Accept this reply as the answer to the thread's question."""
        await self.answers.mark(interaction, message)

    @qa.command(name="reopen", description="Undo the accepted answer of this question (asker or moderators)")
    async def qa_reopen(self, interaction: discord.Interaction) -> None:
        await self.answers.reopen(interaction)

    # --- finding ---------------------------------------------------------------------------------

    @qa.command(name="search", description="Search past questions and their accepted answers")
    @app_commands.describe(query="Words to look for", share="Post the results in the channel for everyone")
    async def qa_search(
        self, interaction: discord.Interaction, query: app_commands.Range[str, 1, 200], share: bool = False
    ) -> None:
        guild = guild_of(interaction)
        # Over a million questions a search can queue behind others at busy times: defer rather than let
        # Discord drop the interaction.
        hits, loose = await in_time(interaction, self.search_index.search(guild.id, query), ephemeral=not share)
        if not hits:
            raise UserFacingError(no_match_text(query))
        embed = search_embed(query, hits, loose, guild.id, unix(self.bot.clock.now()))
        await reply(interaction, embed=embed, ephemeral=not share)

    @qa.command(name="unanswered", description="Open questions, oldest first")
    @app_commands.describe(tag="Only questions with this tag")
    async def qa_unanswered(
        self, interaction: discord.Interaction, tag: app_commands.Range[str, 1, 40] | None = None
    ) -> None:
        guild = guild_of(interaction)
        questions, total = await in_time(interaction, self.reports.unanswered(guild.id, tag), ephemeral=True)
        if not questions:
            await reply(interaction, no_open_text(tag), ephemeral=True)
            return
        embed = unanswered_embed(questions, total, tag, guild.id, unix(self.bot.clock.now()))
        await reply(interaction, embed=embed, ephemeral=True)

    @qa_unanswered.autocomplete("tag")
    async def _tag_choices(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        names = await self.reports.known_tags(guild_of(interaction).id, current.strip())
        return [app_commands.Choice(name=name[:100], value=name[:40]) for name in names][:25]

    @qa.command(name="leaderboard", description="Members with the most accepted answers")
    @app_commands.choices(period=PERIOD_CHOICES)
    async def qa_leaderboard(self, interaction: discord.Interaction, period: str = "month") -> None:
        guild = guild_of(interaction)
        if not (await self.due.settings(guild.id)).leaderboard:
            raise UserFacingError(_("The leaderboard is turned off on this server."))
        since = self._since(period)
        rows = await in_time(interaction, self.reports.leaderboard(guild.id, since), ephemeral=True)
        name = _period_name(period)
        if not rows:
            await reply(interaction, _(NO_ANSWERS.get(period, NO_ANSWERS["month"])), ephemeral=True)
            return
        mine = None
        if interaction.user.id not in {user_id for user_id, _count in rows}:
            mine = await self.reports.credit(guild.id, interaction.user.id, since)
        await reply(interaction, embed=leaderboard_embed(name, rows, mine), ephemeral=True)

    @qa.command(name="stats", description="Q&A figures per tag (moderators)")
    @app_commands.choices(period=PERIOD_CHOICES)
    async def qa_stats(self, interaction: discord.Interaction, period: str = "month") -> None:
        guild = guild_of(interaction)
        # Discord hides only whole commands by permission, not one subcommand of /qa: checked here.
        if not (await self.answers.actor(interaction)).can_manage_threads:
            raise UserFacingError(
                _("Only moderators (Manage Threads, Manage Server or the moderator role) see stats.")
            )
        # Over a million questions the whole history takes seconds: defer rather than let Discord drop it.
        stats = self.reports.stats(guild.id, self._since(period))
        overall, tags = await in_time(interaction, stats, ephemeral=True)
        await reply(interaction, embed=stats_embed(_period_name(period), overall, tags), ephemeral=True)

    def _since(self, period: str) -> int | None:
        return period_start(period, unix(self.bot.clock.now()))


def _period_name(period: str) -> str:
    """The choice's name, as the member's Discord shows it (the same catalog entry)."""
    return _(next(c.name for c in PERIOD_CHOICES if c.value == period))
