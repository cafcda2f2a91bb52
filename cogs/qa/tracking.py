"""Gateway events that keep questions in step without the Message Content intent.

THREAD_CREATE gives a direct post's title, tags and owner; MESSAGE_CREATE in a thread gives author and
time even when its content is empty; THREAD_UPDATE and THREAD_DELETE follow renames, tags, archiving and
deletion. Where the intent is on, a direct post's first message also fills in the question's text.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import discord
from discord.ext import commands

from bot.discord_helpers import find_channel
from bot.times import unix
from cogs.qa.models import NewQuestion, Question
from cogs.qa.rules import bare_title

if TYPE_CHECKING:
    from bot.client import CommunityBot
    from cogs.qa.due import QADue
    from cogs.qa.store import QAStore

log = logging.getLogger(__name__)


class TrackingListeners:
    """Mixed into the Q&A cog: its listeners and the code that starts tracking a thread."""

    bot: CommunityBot
    store: QAStore
    due: QADue

    async def questions_channel_id(self, guild: discord.Guild) -> int | None:
        settings = await self.bot.guild_config(guild.id)
        channel = find_channel(guild, settings.channels.questions, kinds=("forum", "text"))
        return channel.id if isinstance(channel, discord.ForumChannel | discord.TextChannel) else None

    async def _tag_names(self, thread: discord.Thread) -> list[str]:
        solved = (await self.due.settings(thread.guild.id)).solved_tag.casefold()
        return [t.name for t in thread.applied_tags if t.name.casefold() != solved]

    def _made_by_a_bot(self, thread: discord.Thread) -> bool:
        if self.bot.user is not None and thread.owner_id == self.bot.user.id:
            return True  # /ask posts are recorded by /ask itself, with the asker as the owner
        owner = thread.guild.get_member(thread.owner_id) if thread.owner_id else None
        return owner is not None and owner.bot

    async def track_thread(self, thread: discord.Thread, *, at: int, late_at: int | None = None) -> Question | None:
        """Start tracking a member's thread in the questions channel (a post made without /ask).

        `late_at`: first seen then, long after it was posted; reminders overdue by then are skipped.
        """
        if thread.parent_id != await self.questions_channel_id(thread.guild) or self._made_by_a_bot(thread):
            return None
        starter = thread.starter_message  # only with Message Content does it carry the text
        body = starter.content if starter is not None and starter.author.id == thread.owner_id else ""
        new = NewQuestion(
            thread_id=thread.id,
            guild_id=thread.guild.id,
            channel_id=thread.parent_id,
            asker_id=thread.owner_id,
            title=bare_title(thread.name),
            body=body,
            tags=await self._tag_names(thread),
            source="direct",
            created_at=at,
        )
        _, question = await self.store.add_question(new, await self.due.timing(thread.guild.id), seen_late_at=late_at)
        self.due.question_changed(question)
        return question

    async def track_late(self, thread: discord.Thread) -> Question | None:
        """A post from before the bot was there (or made while it was down); overdue reminders are skipped."""
        # Installing the bot on a busy forum must not ping helpers and askers about every old post at once;
        # archiving still applies.
        if await self.store.get(thread.id) is not None:
            return None
        created = thread.created_at or discord.utils.snowflake_time(thread.id)
        now = unix(self.bot.clock.now())
        return await self.track_thread(thread, at=min(unix(created), now), late_at=now)

    @commands.Cog.listener("on_guild_available")
    async def track_missed_posts(self, guild: discord.Guild) -> None:
        """At start (and when a guild comes back), track active posts made while the bot was away."""
        channel_id = await self.questions_channel_id(guild)
        if channel_id is None:
            return
        found = 0
        for thread in guild.threads:
            if thread.parent_id == channel_id and not thread.archived:
                found += await self.track_late(thread) is not None
        if found:
            log.info("Guild %s: now tracking %d question(s) posted while the bot was away", guild.id, found)

    @commands.Cog.listener("on_thread_create")
    async def track_new_post(self, thread: discord.Thread) -> None:
        question = await self.track_thread(thread, at=unix(self.bot.clock.now()))
        if question is not None:
            log.info("Tracking question %s in guild %s (posted directly)", thread.id, thread.guild.id)

    @commands.Cog.listener("on_message")
    async def follow_activity(self, message: discord.Message) -> None:
        """Replies and activity in question threads; works with empty content (no Message Content)."""
        channel = message.channel
        if message.guild is None or message.author.bot or not isinstance(channel, discord.Thread):
            return
        if channel.parent_id != await self.questions_channel_id(message.guild):
            return
        if message.id == channel.id:  # a forum post's own first message: the question, tracked with its thread
            if message.content and message.author.id == channel.owner_id:
                await self.store.set_body_if_empty(channel.id, message.content)
            return
        timing = await self.due.timing(message.guild.id)
        at = unix(self.bot.clock.now())
        question = await self.store.record_message(channel.id, message.id, message.author.id, at, timing)
        if question is not None:
            self.due.question_changed(question)

    @commands.Cog.listener("on_raw_thread_update")
    async def follow_thread_changes(self, payload: discord.RawThreadUpdateEvent) -> None:
        """Renames, tag changes, archiving and waking up; the raw event also covers uncached threads."""
        question = await self.store.get(payload.thread_id)
        if question is None:
            return
        data: dict[str, Any] = payload.data  # type: ignore[assignment]
        timing = await self.due.timing(question.guild_id)
        metadata = data.get("thread_metadata") or {}
        title = bare_title(data["name"]) if data.get("name") else None
        tags = None
        guild = self.bot.get_guild(payload.guild_id)
        parent = guild.get_channel(payload.parent_id) if guild else None
        if isinstance(parent, discord.ForumChannel) and "applied_tags" in data:
            solved = (await self.due.settings(question.guild_id)).solved_tag.casefold()
            found = [parent.get_tag(int(tag_id)) for tag_id in data["applied_tags"]]
            tags = [t.name for t in found if t is not None and t.name.casefold() != solved]
        # what the event repeats unchanged (it carries the whole thread) is not written again
        title = None if title == question.title else title
        tags = None if tags == question.tag_names else tags
        if title is not None or tags is not None:
            await self.store.update_thread_facts(payload.thread_id, title=title, tags=tags)
        archived = bool(metadata.get("archived"))
        if "archived" in metadata and archived != (question.archived_at is not None):
            at = unix(self.bot.clock.now())
            self.due.question_changed(await self.store.set_archived(payload.thread_id, archived, at, timing))
        if metadata.get("locked") and question.notice_message_id and payload.thread is not None:
            # a locked post takes no interactions, so its Reopen button goes
            try:
                await payload.thread.get_partial_message(question.notice_message_id).edit(view=None)
            except discord.HTTPException:
                log.debug("Could not remove the Reopen button in locked thread %s", payload.thread_id)

    @commands.Cog.listener("on_raw_thread_delete")
    async def forget_deleted_post(self, payload: discord.RawThreadDeleteEvent) -> None:
        if await self.store.forget(payload.thread_id):
            log.info("Question %s was deleted; no longer tracked", payload.thread_id)
