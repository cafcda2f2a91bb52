"""Mark as answer, moving the mark, and reopening: the database first, then what Discord shows."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import discord

from bot.discord_helpers import find_role
from bot.errors import UserFacingError
from bot.mod_log import report
from cogs.qa.service import Actor, accepted_notice, answer_text, mark_refusal, reopen_refusal, reopened_notice
from cogs.qa.store import Question, unix
from cogs.qa.threads import Outcome, delete_message, post_notice, show_open, show_solved
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
        settings = await self.bot.guild_config(interaction.guild.id)
        perms = interaction.permissions
        role = find_role(interaction.guild, settings.roles.moderator)
        has_role = role is not None and isinstance(interaction.user, discord.Member) and role in interaction.user.roles
        return Actor(interaction.user.id, perms.manage_threads or perms.manage_guild or has_role)

    async def _question_here(self, interaction: discord.Interaction) -> tuple[discord.Thread, Question]:
        thread = interaction.channel
        if not isinstance(thread, discord.Thread):
            raise UserFacingError("Use this inside a question's thread (a post in the questions channel).")
        question = await self.store.get(thread.id)
        if question is None:
            question = await self.cog.track_late(thread)
        if question is None:
            raise UserFacingError("This thread is not a question: only posts in the questions channel are tracked.")
        return thread, question

    async def mark(self, interaction: discord.Interaction, message: discord.Message) -> None:
        """The "Mark as answer" message command."""
        thread, question = await self._question_here(interaction)
        actor = await self.actor(interaction)
        refusal = mark_refusal(
            question, actor, message_id=message.id, author_id=message.author.id, author_is_bot=message.author.bot
        )
        if refusal:
            raise UserFacingError(refusal)
        await interaction.response.defer(ephemeral=True, thinking=True)
        settings = await self.bot.guild_config(interaction.guild.id)
        timing = await self.cog.runner.timing(interaction.guild.id)
        result = await self.store.mark_answer(
            thread.id,
            message_id=message.id,
            author_id=message.author.id,
            text=answer_text(message.content),
            by_id=actor.user_id,
            at=unix(self.bot.clock.now()),
            timing=timing,
        )
        if result is None:  # the thread was deleted meanwhile
            raise UserFacingError("This question is no longer tracked.")
        before, after = result
        self.cog.runner.consider(after)
        outcome = await show_solved(thread, settings.qa.solved_tag)
        if before.solved:
            await delete_message(thread, before.notice_message_id)
        view = None if thread.locked else reopen_view(thread.id)
        try:
            notice = await post_notice(
                thread, accepted_notice(after, actor.user_id, moved=before.solved), reply_to=message.id, view=view
            )
            await self.store.set_notice(thread.id, notice.id)
        except discord.HTTPException as error:
            outcome.problems.append(f"Posting the notice in {thread.mention} failed ({error.status}).")
        await self._report(interaction.guild, settings.channels.mod_log, outcome)
        await interaction.followup.send(self._mark_reply(before, after, outcome), ephemeral=True)

    def _mark_reply(self, before: Question, after: Question, outcome: Outcome) -> str:
        author = f"<@{after.answer_author_id}>"
        if not before.solved:
            text = f"Marked the reply by {author} as the accepted answer."
        elif before.answer_author_id != after.answer_author_id:
            previous = f"<@{before.answer_author_id}>"
            text = f"Moved the accepted answer to the reply by {author}; the credit moved from {previous}."
        else:
            text = f"Moved the accepted answer to another reply by {author}."
        if after.answer_author_id == after.asker_id:
            text += " (Answering your own question earns no leaderboard credit.)"
        if outcome.problems:
            text += "\n-# " + " ".join(outcome.problems)
        return text

    async def reopen(self, interaction: discord.Interaction, thread_id: int | None = None) -> None:
        """`/qa reopen` in the thread, or the Reopen button on the notice."""
        if thread_id is None:
            thread, question = await self._question_here(interaction)
        else:
            here = interaction.channel
            thread = here if isinstance(here, discord.Thread) and here.id == thread_id else None
            question = await self.store.get(thread_id)
            if thread is None or question is None:
                raise UserFacingError("This question is no longer tracked, or its post is archived.")
        actor = await self.actor(interaction)
        refusal = reopen_refusal(question, actor)
        if refusal:
            raise UserFacingError(refusal)
        await interaction.response.defer(ephemeral=True, thinking=True)
        settings = await self.bot.guild_config(interaction.guild.id)
        timing = await self.cog.runner.timing(interaction.guild.id)
        result = await self.store.reopen(thread.id, by_id=actor.user_id, at=unix(self.bot.clock.now()), timing=timing)
        if result is None:
            await interaction.followup.send("This question is open already.", ephemeral=True)
            return
        before, after = result
        self.cog.runner.consider(after)
        await delete_message(thread, before.notice_message_id)
        outcome = await show_open(thread, settings.qa.solved_tag)
        try:
            await post_notice(thread, reopened_notice(actor.user_id), reply_to=None, view=None)
        except discord.HTTPException as error:
            outcome.problems.append(f"Posting the notice in {thread.mention} failed ({error.status}).")
        await self._report(interaction.guild, settings.channels.mod_log, outcome)
        text = f"Reopened. The accepted answer by <@{before.answer_author_id}> is no longer marked (nor credited)."
        if outcome.problems:
            text += "\n-# " + " ".join(outcome.problems)
        await interaction.followup.send(text, ephemeral=True)

    async def _report(self, guild: discord.Guild, mod_log: str, outcome: Outcome) -> None:
        """Tell moderators, once per problem, what keeps solved posts from looking solved."""
        for problem in outcome.problems:
            await report(self.bot.db, guild, mod_log, f"Q&A: {problem}", once_key=f"qa:{problem[:80]}")
