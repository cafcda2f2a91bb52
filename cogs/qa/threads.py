"""What the bot does to question threads in Discord: create posts, show solved or open, post notices."""

from __future__ import annotations

import contextlib
import logging
from typing import Any, Final

import discord

from bot.discord_helpers import NO_PINGS
from bot.i18n import N_
from cogs.qa.models import MAX_APPLIED_TAGS, Outcome, problem
from cogs.qa.render import post_header, split_message, text_post_starter
from cogs.qa.rules import bare_title, solved_title

log = logging.getLogger(__name__)

FORUM_TAG_LIMIT = 20
# Posts made by /ask stay visible for a week of quiet; the bot's own archive rule usually comes first.
AUTO_ARCHIVE_MINUTES: Final = 10080
SOLVED_EMOJI = discord.PartialEmoji(name="✅")
BODY_PART = 1900  # leaves room for the header in the first message


QuestionChannel = discord.ForumChannel | discord.TextChannel


async def open_post(
    channel: QuestionChannel, asker_id: int, title: str, body: str, tags: list[discord.ForumTag]
) -> tuple[discord.Thread, list[str]]:
    """Create the question's thread with its first message; returns it and the parts still to post."""
    header = post_header(asker_id)
    parts = split_message(body, BODY_PART) or [""]
    if isinstance(channel, discord.ForumChannel):
        first = f"{header}\n{parts[0]}".strip()
        created = await channel.create_thread(
            name=title,
            content=first,
            applied_tags=tags[:MAX_APPLIED_TAGS],
            auto_archive_duration=AUTO_ARCHIVE_MINUTES,
            allowed_mentions=NO_PINGS,
        )
        return created.thread, parts[1:]
    starter = await channel.send(text_post_starter(title, asker_id), allowed_mentions=NO_PINGS)
    thread = await starter.create_thread(name=title, auto_archive_duration=AUTO_ARCHIVE_MINUTES)
    return thread, parts


async def post_rest(thread: discord.Thread, parts: list[str]) -> None:
    for part in parts:
        await thread.send(part, allowed_mentions=NO_PINGS)


async def add_asker(thread: discord.Thread, asker_id: int) -> None:
    """Add the asker to the bot-made thread so they are notified of replies (no ping needed)."""
    try:
        await thread.add_user(discord.Object(asker_id))
    except discord.HTTPException:
        log.warning("Could not add %s to question thread %s", asker_id, thread.id, exc_info=True)


def _can_edit(thread: discord.Thread) -> bool:
    me = thread.guild.me
    return thread.owner_id == me.id or thread.permissions_for(me).manage_threads


async def _solved_tag(forum: discord.ForumChannel, name: str, outcome: Outcome) -> discord.ForumTag | None:
    """The forum's solved tag, created when missing and the bot may (Manage Channels, under 20 tags)."""
    existing = discord.utils.find(lambda t: t.name.casefold() == name.casefold(), forum.available_tags)
    if existing is not None:
        return existing
    if not forum.permissions_for(forum.guild.me).manage_channels:
        outcome.problems.append(
            problem(N_("{forum} has no `{tag}` tag and I lack Manage Channels to create it."), forum=forum.mention,
                    tag=name)
        )
        return None
    if len(forum.available_tags) >= FORUM_TAG_LIMIT:
        outcome.problems.append(
            problem(N_("{forum} has {count} tags already, so I cannot add `{tag}`."), forum=forum.mention,
                    count=FORUM_TAG_LIMIT, tag=name)
        )
        return None
    try:
        tag = await forum.create_tag(name=name, emoji=SOLVED_EMOJI, reason="Q&A: tag for solved posts")
    except discord.HTTPException as error:
        outcome.problems.append(
            problem(N_("Creating the `{tag}` tag in {forum} failed ({status})."), tag=name, forum=forum.mention,
                    status=error.status)
        )
        return None
    outcome.notes.append(f"created the `{name}` tag")
    return tag


async def show_solved(thread: discord.Thread, tag_name: str) -> Outcome:
    """Apply the solved tag (forums) and the `[Solved] ` title prefix, in one edit."""
    outcome = Outcome()
    if not _can_edit(thread):
        if thread.parent is None:
            text = N_("I need Manage Threads in the questions channel to tag and retitle solved posts.")
            outcome.problems.append(problem(text))
        else:
            text = N_("I need Manage Threads in {channel} to tag and retitle solved posts.")
            outcome.problems.append(problem(text, channel=thread.parent.mention))
        return outcome
    tags = None
    if isinstance(thread.parent, discord.ForumChannel):
        tag = await _solved_tag(thread.parent, tag_name, outcome)
        current = list(thread.applied_tags)
        if tag is not None and tag.id not in {t.id for t in current}:
            # a post carries at most 5 tags: the solved tag takes the last slot when all are used
            tags = [*[t for t in current if t.id != tag.id][: MAX_APPLIED_TAGS - 1], tag]
    await _edit(thread, outcome, solved_title(thread.name), tags)
    return outcome


async def show_open(thread: discord.Thread, tag_name: str) -> Outcome:
    """Take the solved tag and title prefix off again."""
    outcome = Outcome()
    if not _can_edit(thread):
        text = N_("I need Manage Threads in the questions channel to retitle reopened posts.")
        outcome.problems.append(problem(text))
        return outcome
    tags = None
    if isinstance(thread.parent, discord.ForumChannel):
        kept = [t for t in thread.applied_tags if t.name.casefold() != tag_name.casefold()]
        if len(kept) != len(thread.applied_tags):
            tags = kept
    await _edit(thread, outcome, bare_title(thread.name), tags)
    return outcome


async def _edit(thread: discord.Thread, outcome: Outcome, name: str, tags: list[discord.ForumTag] | None) -> None:
    """Retitle and retag in one edit when either changes; an archived post is woken up by the same edit."""
    if name == thread.name and tags is None:
        return
    missing: Any = discord.utils.MISSING  # discord.py's "leave unchanged"
    try:
        await thread.edit(
            name=name if name != thread.name else missing,
            applied_tags=tags if tags is not None else missing,
            archived=False if thread.archived else missing,
            reason="Q&A: accepted answer changed",
        )
    except discord.HTTPException as error:
        if error.text:
            text = N_("Editing the post {thread} failed ({status}: {detail}).")
            outcome.problems.append(problem(text, thread=thread.mention, status=error.status, detail=error.text))
        else:
            text = N_("Editing the post {thread} failed ({status}).")
            outcome.problems.append(problem(text, thread=thread.mention, status=error.status))


async def post_notice(
    thread: discord.Thread, text: str, *, reply_to: int | None, view: discord.ui.View | None
) -> discord.Message:
    """A message of the bot in the thread, replying to `reply_to` when given, never pinging."""
    reference = None
    if reply_to is not None:
        reference = discord.MessageReference(message_id=reply_to, channel_id=thread.id, fail_if_not_exists=False)
    kwargs: dict[str, Any] = {"allowed_mentions": NO_PINGS}
    if reference is not None:
        kwargs["reference"] = reference
    if view is not None:
        kwargs["view"] = view
    return await thread.send(text, **kwargs)


async def delete_message(thread: discord.Thread, message_id: int | None) -> None:
    """Remove an earlier notice of the bot; gone already is fine."""
    if message_id is None:
        return
    with contextlib.suppress(discord.NotFound, discord.Forbidden):
        await thread.get_partial_message(message_id).delete()


async def fetch_thread(client: discord.Client, guild: discord.Guild, thread_id: int) -> discord.Thread | None:
    """A thread from the cache or the API; None when it is gone (deleted), HTTPException for other failures."""
    # archived threads are not in the cache
    thread = guild.get_thread(thread_id)
    if thread is not None:
        return thread
    try:
        channel = await client.fetch_channel(thread_id)
    except discord.NotFound:
        return None
    return channel if isinstance(channel, discord.Thread) else None
