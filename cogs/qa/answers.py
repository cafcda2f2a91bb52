"""Mark as answer, moving the mark, and reopening: the database first, then what Discord shows."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import discord

from bot import i18n, languages
from bot.discord_helpers import find_role, guild_of
from bot.errors import UserFacingError
from bot.i18n import N_, _
from bot.mod_log import report
from bot.settings import Settings
from bot.times import unix
from cogs.qa.models import Actor, AnswerRefusal, Outcome, Question, problem
from cogs.qa.render import (
    accepted_notice,
    marked_reply,
    problem_report,
    refusal_text,
    reopened_notice,
    reopened_reply,
)
from cogs.qa.rules import Timing, answer_text, mark_refusal, reopen_refusal
from cogs.qa.settings import QASettings
from cogs.qa.threads import delete_message, post_notice, show_open, show_solved
from cogs.qa.views import reopen_view

if TYPE_CHECKING:
    from cogs.qa.cog import QACog

log = logging.getLogger(__name__)


class AnswerFlow:
    """The accepted answer of a question, as members change it."""

    def __init__(self, cog: QACog) -> None:
        self.cog = cog
        self.bot = cog.bot
        self.store = cog.store

    async def actor(self, interaction: discord.Interaction) -> Actor:
        """The invoker: Manage Threads here, Manage Server, or the moderator role count as managing."""
        guild = guild_of(interaction)
        settings = await self.bot.guild_config(guild.id)
        perms = interaction.permissions
        role = find_role(guild, settings.roles.moderator)
        has_role = role is not None and isinstance(interaction.user, discord.Member) and role in interaction.user.roles
        return Actor(interaction.user.id, perms.manage_threads or perms.manage_guild or has_role)

    async def _question_here(self, interaction: discord.Interaction) -> tuple[discord.Thread, Question]:
        thread = interaction.channel
        if not isinstance(thread, discord.Thread):
            raise UserFacingError(_("Use this inside a question's thread (a post in the questions channel)."))
        question = await self.store.get(thread.id)
        if question is None:
            question = await self.cog.track_late(thread)
        if question is None:
            raise UserFacingError(
                _("This thread is not a question: only posts in the questions channel are tracked.")
            )
        return thread, question

    async def _go_ahead(
        self, interaction: discord.Interaction, question: Question, refusal: AnswerRefusal | None
    ) -> tuple[discord.Guild, Settings, Timing]:
        """Refuse in words, or defer (Discord edits follow) and return the server, its settings and timings."""
        if refusal:
            raise UserFacingError(refusal_text(refusal, question))
        await interaction.response.defer(ephemeral=True, thinking=True)
        guild = guild_of(interaction)
        return guild, await self.bot.guild_config(guild.id), await self.cog.due.timing(guild.id)

    async def mark(self, interaction: discord.Interaction, message: discord.Message) -> None:
        """The "Mark as answer" message command."""
        thread, question = await self._question_here(interaction)
        actor = await self.actor(interaction)
        refusal = mark_refusal(question, actor, message_id=message.id, author_is_bot=message.author.bot)
        guild, settings, timing = await self._go_ahead(interaction, question, refusal)
        result = await self.store.mark_answer(
            thread.id,
            message_id=message.id,
            author_id=message.author.id,
            text=answer_text(message.content),
            by_id=actor.user_id,
            at=unix(self.bot.clock.now()),
            timing=timing,
            seen=question,
        )
        if result is None:  # the thread was deleted meanwhile
            raise UserFacingError(_("This question is no longer tracked."))
        before, after = result
        self.cog.due.question_changed(after)
        outcome = await show_solved(thread, settings.section(QASettings).solved_tag)
        if before.solved:
            await delete_message(thread, before.notice_message_id)
        with i18n.using(await languages.of_server(self.bot, guild.id)):  # everyone in the thread reads it
            view = None if thread.locked else reopen_view(thread.id)
            text = accepted_notice(after, actor.user_id, moved=before.solved)
        try:
            notice = await post_notice(thread, text, reply_to=message.id, view=view)
            await self.store.set_notice(thread.id, notice.id)
        except discord.HTTPException as error:
            failed = N_("Posting the notice in {thread} failed ({status}).")
            outcome.problems.append(problem(failed, thread=thread.mention, status=error.status))
        await self._report(guild, settings.channels.mod_log, outcome)
        await interaction.followup.send(marked_reply(before, after, outcome), ephemeral=True)

    async def reopen(self, interaction: discord.Interaction, thread_id: int | None = None) -> None:
        """`/qa reopen` in the thread, or the Reopen button on the notice."""
        if thread_id is None:
            thread, question = await self._question_here(interaction)
        else:
            here = interaction.channel
            stored = await self.store.get(thread_id)
            if not isinstance(here, discord.Thread) or here.id != thread_id or stored is None:
                raise UserFacingError(_("This question is no longer tracked, or its post is archived."))
            thread, question = here, stored
        actor = await self.actor(interaction)
        guild, settings, timing = await self._go_ahead(interaction, question, reopen_refusal(question, actor))
        now = unix(self.bot.clock.now())
        result = await self.store.reopen(thread.id, by_id=actor.user_id, at=now, timing=timing, seen=question)
        if result is None:
            await interaction.followup.send(refusal_text(AnswerRefusal.ALREADY_OPEN, question), ephemeral=True)
            return
        before, after = result
        self.cog.due.question_changed(after)
        await delete_message(thread, before.notice_message_id)
        outcome = await show_open(thread, settings.section(QASettings).solved_tag)
        with i18n.using(await languages.of_server(self.bot, guild.id)):
            text = reopened_notice(actor.user_id)
        try:
            await post_notice(thread, text, reply_to=None, view=None)
        except discord.HTTPException as error:
            failed = N_("Posting the notice in {thread} failed ({status}).")
            outcome.problems.append(problem(failed, thread=thread.mention, status=error.status))
        await self._report(guild, settings.channels.mod_log, outcome)
        await interaction.followup.send(reopened_reply(before, outcome), ephemeral=True)

    async def _report(self, guild: discord.Guild, mod_log: str, outcome: Outcome) -> None:
        """Tell moderators, once per problem, what keeps solved posts from looking solved."""
        if not outcome.problems:
            return
        with i18n.using(await languages.of_server(self.bot, guild.id)):
            texts = [(problem_report(found), found.key) for found in outcome.problems]
        for text, key in texts:
            await report(self.bot.db, guild, mod_log, text, once_key=f"qa:{key[:80]}")
