"""/ask: the modal, similar solved questions first, then the post; the asker's text kept as a draft meanwhile."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import discord

from bot import i18n, languages
from bot.discord_helpers import channel_problem, find_channel, guild_of, inert, jump_url
from bot.errors import UserFacingError
from bot.i18n import _
from bot.times import unix
from cogs.qa.models import MAX_APPLIED_TAGS, NewQuestion, split_tags
from cogs.qa.render import similar_text
from cogs.qa.rules import clean_title, match_tags, parse_tags
from cogs.qa.threads import QuestionChannel, add_asker, open_post, post_rest
from cogs.qa.views import TITLE_MIN, AskModal, draft_view

if TYPE_CHECKING:
    from cogs.qa.cog import QACog

log = logging.getLogger(__name__)


@dataclass
class AskReply:
    """What the asker is told (ephemeral), with buttons when the draft is still there."""

    text: str
    view: discord.ui.View | None = None
    notes: list[str] = field(default_factory=list)

    def content(self) -> str:
        return "\n".join([self.text, *(f"-# {note}" for note in self.notes)])


def askable_tags(channel: discord.abc.GuildChannel, solved_tag: str) -> list[str]:
    """The forum tags an asker may pick: not the solved tag, not moderator-only ones."""
    if not isinstance(channel, discord.ForumChannel):
        return []
    return [t.name for t in channel.available_tags if not t.moderated and t.name.casefold() != solved_tag.casefold()]


class AskFlow:
    """The steps of /ask, driven by the modal and the draft buttons."""

    def __init__(self, cog: QACog) -> None:
        self.cog = cog
        self.bot = cog.bot
        self.store = cog.store

    async def _channel(self, guild: discord.Guild) -> QuestionChannel:
        settings = await self.bot.guild_config(guild.id)
        ref = settings.channels.questions
        problem = channel_problem(guild, ref, ("forum", "text"), needs_threads=True)
        channel = find_channel(guild, ref, kinds=("forum", "text"))
        if problem or not isinstance(channel, discord.ForumChannel | discord.TextChannel):
            if problem:
                text = _(
                    "Questions cannot be posted right now: {problem}."
                    " A moderator can fix this with `/config set channels.questions`."
                ).format(problem=problem)
            else:
                text = _(
                    "Questions cannot be posted right now: no questions channel."
                    " A moderator can fix this with `/config set channels.questions`."
                )
            raise UserFacingError(text)
        return channel

    async def open_modal(self, interaction: discord.Interaction, draft_id: int | None = None) -> None:
        guild = guild_of(interaction)
        channel = await self._channel(guild)
        solved_tag = (await self.cog.due.settings(guild.id)).solved_tag
        hint = ", ".join(askable_tags(channel, solved_tag))
        if draft_id is None:
            await interaction.response.send_modal(AskModal(tag_hint=hint))
            return
        draft = await self.store.get_draft(draft_id)
        if draft is None or draft.user_id != interaction.user.id:
            raise UserFacingError(_("That draft was posted or dropped already."))
        modal = AskModal(
            tag_hint=hint,
            draft_id=draft_id,
            title=draft.title,
            details=draft.body,
            tags=", ".join(split_tags(draft.tags)),
        )
        await interaction.response.send_modal(modal)

    async def submitted(
        self, interaction: discord.Interaction, *, title: str, details: str, tags: str, draft_id: int | None
    ) -> None:
        """The modal came back: keep the text, show similar solved questions, or post right away."""
        guild = guild_of(interaction)
        title = clean_title(title)
        body = details.strip()
        requested = parse_tags(tags)
        now = unix(self.bot.clock.now())
        if draft_id is None or not await self.store.update_draft(draft_id, title, body, requested):
            draft_id = await self.store.save_draft(guild.id, interaction.user.id, title, body, requested, now)
        problems = []
        if len(title) < TITLE_MIN:
            problems.append(
                _("the title needs at least {count} characters that are not spaces").format(count=TITLE_MIN)
            )
        if not body:
            problems.append(_("the details are empty"))
        if problems:
            await interaction.response.send_message(
                _("Not posted: {problems}. Your text is kept: press **Edit**.").format(problems="; ".join(problems)),
                view=draft_view(draft_id, can_post=False),
                ephemeral=True,
            )
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        similar = await self.cog.search_index.similar_solved(guild.id, title, body)
        if similar:
            text = similar_text(guild.id, similar, now)
            await interaction.followup.send(text, view=draft_view(draft_id), ephemeral=True)
            return
        reply = await self.publish(guild, interaction.user.id, draft_id)
        await interaction.followup.send(reply.content(), view=reply.view or discord.utils.MISSING, ephemeral=True)

    async def draft_action(self, interaction: discord.Interaction, verb: str, draft_id: int) -> None:
        """A click on Post / Edit / Drop under a kept draft."""
        draft = await self.store.get_draft(draft_id)
        if draft is None:
            raise UserFacingError(_("That draft was posted or dropped already."))
        if draft.user_id != interaction.user.id:
            raise UserFacingError(_("That is someone else's draft."))
        if verb == "edit":
            await self.open_modal(interaction, draft_id)
            return
        if verb == "drop":
            await self.store.drop_draft(draft_id)
            await interaction.response.edit_message(content=_("Glad that helped. Nothing was posted."), view=None)
            return
        await interaction.response.defer()
        reply = await self.publish(guild_of(interaction), interaction.user.id, draft_id)
        await interaction.edit_original_response(content=reply.content(), view=reply.view)

    async def publish(self, guild: discord.Guild, user_id: int, draft_id: int) -> AskReply:
        """Create the post from a draft and start tracking it; the draft stays when Discord refuses."""
        now = unix(self.bot.clock.now())
        draft = await self.store.get_draft(draft_id)
        if draft is None:
            return AskReply(_("That draft was posted or dropped already."))
        if not await self.store.claim_draft(draft_id, now):
            return AskReply(_("That question is being posted already."))
        solved_tag = (await self.cog.due.settings(guild.id)).solved_tag
        try:
            channel = await self._channel(guild)
        except UserFacingError as error:
            await self.store.release_draft(draft_id)
            return AskReply(_("{error} Your text is kept.").format(error=error), draft_view(draft_id))
        reply = AskReply("")
        requested = split_tags(draft.tags)
        if isinstance(channel, discord.ForumChannel):
            names, unknown = match_tags(requested, askable_tags(channel, solved_tag))
            tags = [t for name in names[:MAX_APPLIED_TAGS] for t in channel.available_tags if t.name == name]
            if unknown:
                left_out = inert(", ".join(unknown))
                reply.notes.append(_("Not tags of this forum, left out: {tags}").format(tags=left_out))
            if channel.flags.require_tag and not tags:
                await self.store.release_draft(draft_id)
                hint = inert(", ".join(askable_tags(channel, solved_tag)))
                text = _("This forum needs at least one tag: {tags}. Your text is kept: press **Edit**.").format(
                    tags=hint
                )
                return AskReply(text, draft_view(draft_id))
            names = [t.name for t in tags]
        else:
            names, tags = requested[:MAX_APPLIED_TAGS], []
        try:
            with i18n.using(await languages.of_server(self.bot, guild.id)):  # the post's header: everyone reads it
                thread, rest = await open_post(channel, user_id, draft.title, draft.body, tags)
        except discord.HTTPException as error:
            await self.store.release_draft(draft_id)
            log.warning("Creating a question post in guild %s failed: %s", guild.id, error)
            text = _(
                "I could not create the post (Discord said {status}: {detail}). Your text is kept: try again, or"
                " edit it."
            ).format(status=error.status, detail=error.text or _("no detail"))
            return AskReply(text, draft_view(draft_id))
        timing = await self.cog.due.timing(guild.id)
        new = NewQuestion(thread.id, guild.id, channel.id, user_id, draft.title, draft.body, names, "ask", now)
        _new, question = await self.store.add_question(new, timing)
        await self.store.drop_draft(draft_id)
        self.cog.due.question_changed(question)
        try:
            await post_rest(thread, rest)
        except discord.HTTPException:
            log.warning("Posting the rest of question %s failed", thread.id, exc_info=True)
            reply.notes.append(_("Part of your details could not be posted; add it in the thread."))
        await add_asker(thread, user_id)
        reply.text = _("Posted: {link}. You will be notified of replies.").format(link=jump_url(guild.id, thread.id))
        return reply
