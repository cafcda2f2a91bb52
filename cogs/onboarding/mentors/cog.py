"""`/mentor ...`: mentors offer places; members ask; the bot matches, asks the mentor, and moves on when needed."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot import i18n, languages, mod_log
from bot.discord_helpers import clip, escape, guild_of, member_of
from bot.errors import UserFacingError
from bot.feature import Feature
from bot.i18n import N_, _, ngettext
from bot.scheduler import DueWork, Periodic
from bot.settings import Settings
from cogs.onboarding.dms import DmOutcome, nonce, send_dm
from cogs.onboarding.mentors import render
from cogs.onboarding.mentors.models import AnswerOutcome, Ended, MentorNote, MentorStatus, Offer
from cogs.onboarding.mentors.rules import answer_window, note_for_open, note_for_request
from cogs.onboarding.mentors.store import MentorStore
from cogs.onboarding.mentors.store_member import MentoringMemberData
from cogs.onboarding.mentors.views import OFFER_TEMPLATE, OfferButton, offer_view
from cogs.onboarding.settings import OnboardingSettings
from cogs.onboarding.store import OnboardingStore
from cogs.onboarding.topics import MAX_TOPICS, parse_topics, quoted, topic_choices

if TYPE_CHECKING:
    from bot.client import CommunityBot

log = logging.getLogger(__name__)

OFFERS_DUE = "mentors:offers"


class MentorsCog(Feature):
    """Mentors, requests and the answer window."""

    name = "mentors"
    title = N_("Mentoring")
    settings_section = OnboardingSettings
    dynamic_items = (OfferButton,)

    mentor = app_commands.Group(name="mentor", description="Mentoring: offer help or ask for a mentor", guild_only=True)

    def __init__(self, bot: CommunityBot, onboarding: OnboardingStore) -> None:
        super().__init__(bot)
        self.store = MentorStore(bot.db)
        self.member_data = MentoringMemberData(bot.db)
        self.onboarding = onboarding  # the profiles mentoring reads, and the closed-DM memory with its stats event
        self._resend: asyncio.Task[None] | None = None

    def due_work(self) -> list[DueWork | Periodic]:
        return [DueWork(OFFERS_DUE, self.store.next_offer_due, self.expire_due_offers)]

    async def on_load(self) -> None:
        self._resend = asyncio.create_task(self._resend_undelivered(), name="mentors-resend")

    async def on_unload(self) -> None:
        if self._resend is not None:
            self._resend.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._resend

    async def about_counts(self) -> dict[str, int]:
        return await self.store.counts()

    async def export_member(self, guild_id: int, user_id: int) -> dict[str, Any]:
        return await self.member_data.export(guild_id, user_id)

    async def forget_member(self, guild_id: int, user_id: int) -> int:
        """Forget a mentor or mentee; the other side of their mentorships is told, without naming them."""
        done = await self.member_data.forget(guild_id, user_id, self.bot.clock.now())
        for request_id, mentee_id in done.mentees_left:
            await self.notify(guild_id, mentee_id, render.mentor_gone_text, ("ended", request_id))
        for request_id, mentor_id in done.mentors_freed:
            await self.notify(guild_id, mentor_id, render.mentee_gone_text, ("ended", request_id))
        for mentor_id, message_id in done.offers_withdrawn:
            await self._edit_offer_message(guild_id, mentor_id, message_id, render.OFFER_WITHDRAWN_TEXT)
        if done.rows:
            await self._requeue(guild_id, done.requeued)  # places were freed, requests wait for a mentor
        return done.rows

    async def _settings(self, guild_id: int) -> OnboardingSettings:
        return (await self.guild_config(guild_id)).section(OnboardingSettings)

    async def _resend_undelivered(self) -> None:
        """At start: offers whose DM Discord never confirmed (the bot stopped in between) are sent again."""
        await self.bot.wait_until_ready()
        try:
            for offer in await self.store.undelivered_offers():
                await self.send_offer(offer)
        except Exception:  # a task of its own: nobody else would see it fail
            log.exception("Re-sending undelivered mentor offers failed; they are sent again at the next start")

    # --- sending --------------------------------------------------------------------------------------------------

    async def notify(self, guild_id: int, user_id: int, text: Callable[[], str], key: tuple[object, ...]) -> bool:
        """A short DM about mentoring; members with closed DMs are not tried (their status is in /mentor request).
        `text` writes it, in the member's language (nobody asked for this DM)."""
        # `key` names the event (say ("accepted", offer id)) and makes the nonce: a retry never doubles a note, and
        # two different events with the same words are both delivered.
        if await self.onboarding.dm_closed(guild_id, user_id):
            return False
        guild = self.bot.get_guild(guild_id)
        user = self.bot.get_user(user_id)
        if user is None and guild is not None:
            # a server of another shard, fetched for a mentor's click in a DM (guild_of_component): its members
            # are not in this process's cache
            with contextlib.suppress(discord.NotFound):
                user = await self.bot.fetch_user(user_id)
        if user is None or guild is None:
            return False
        with i18n.using(await languages.of_member(self.bot, guild_id, user_id)):
            content = clip(f"**{escape(guild.name)}**: {text()}", 2000)
        result = await send_dm(user, nonce_value=nonce("note", guild_id, user_id, *key), content=content)
        if result.outcome is DmOutcome.CLOSED:
            await self.onboarding.record_dm_closed(guild_id, user_id, self.bot.clock.now())
        elif result.outcome is DmOutcome.FAILED:
            log.warning("Mentoring note to %s in guild %s failed: %s", user_id, guild_id, result.error)
        return result.outcome is DmOutcome.SENT

    async def send_offer(self, offer: Offer) -> None:
        """Ask the mentor; if they cannot be reached, pause them (reported once) and ask the next one."""
        self.bot.scheduler.due_at(OFFERS_DUE, offer.due_at)
        guild = self.bot.get_guild(offer.guild_id)
        mentor = guild.get_member(offer.mentor_id) if guild else None
        config = await self.guild_config(offer.guild_id)
        if guild is None or mentor is None or await self.onboarding.dm_closed(offer.guild_id, offer.mentor_id):
            await self._skip_unreachable(offer, config, closed=False)
            return
        settings = config.section(OnboardingSettings)
        mentee = guild.get_member(offer.mentee_id)
        profile = await self.onboarding.profile(offer.guild_id, offer.mentee_id)
        about = None
        mention = mentee.mention if mentee else f"<@{offer.mentee_id}>"
        with i18n.using(await languages.of_member(self.bot, offer.guild_id, offer.mentor_id)):  # the mentor's
            if profile is not None:
                answers = profile.answers
                about = render.mentee_about(settings, answers.role, answers.level, answers.timezone)
            embed, view = render.offer_embed(guild.name, offer, mention, about, settings), offer_view(offer.id)
        result = await send_dm(mentor, nonce_value=nonce("offer", offer.id), embed=embed, view=view)
        if result.outcome is DmOutcome.SENT and result.message is not None:
            await self.store.offer_delivered(offer.id, result.message.id)
        elif result.outcome is DmOutcome.CLOSED:
            await self.onboarding.record_dm_closed(offer.guild_id, offer.mentor_id, self.bot.clock.now())
            await self._skip_unreachable(offer, config, closed=True)
        else:
            # Still open: it is sent again at the next start, and the answer window moves it on regardless.
            log.warning("Offer %s to mentor %s failed: %s", offer.id, offer.mentor_id, result.error)

    async def _skip_unreachable(self, offer: Offer, config: Settings, *, closed: bool) -> None:
        guild = self.bot.get_guild(offer.guild_id)
        window = answer_window(config.section(OnboardingSettings))
        next_offer = await self.store.undeliverable(offer.id, self.bot.clock.now(), window)
        if guild is not None:
            with i18n.using(await languages.of_server(self.bot, guild.id)):  # the moderators' log
                mentor = f"<@{offer.mentor_id}>"
                if closed:
                    text = _("Mentor {mentor} has closed DMs, so I paused them (they can `/mentor resume`).")
                else:
                    text = _("Mentor {mentor} is not reachable, so I paused them (they can `/mentor resume`).")
                text = text.format(mentor=mentor)
            await mod_log.report(
                self.bot.db,
                guild,
                config.channels.mod_log,
                text,
                once_key=f"onboarding:mentor-unreachable:{offer.mentor_id}",
            )
        await self._moved_on(offer, next_offer, render.UNREACHABLE)

    async def _moved_on(self, offer: Offer, next_offer: Offer | None, why: str) -> None:
        """Tell the mentee that the mentor asked will not mentor them, and what happens now."""
        next_mentor = next_offer.mentor_id if next_offer is not None else None
        await self.notify(
            offer.guild_id, offer.mentee_id, lambda: render.moved_on_text(why, next_mentor), ("moved", offer.id)
        )
        if next_offer is not None:
            await self.send_offer(next_offer)

    # --- used by onboarding ---------------------------------------------------------------------------------------

    async def request_for(
        self, member: discord.Member, settings: OnboardingSettings, topics: list[str], role: str | None, source: str
    ) -> tuple[MentorNote, Offer | None]:
        """Ask for a mentor for a member; the offer (if a mentor was asked) is for `send_offer` after replying."""
        result = await self.store.request(
            member.guild.id, member.id, topics, role, source, self.bot.clock.now(), answer_window(settings)
        )
        return note_for_request(result, settings.mentor_answer_hours)

    async def current_note(self, guild_id: int, user_id: int, settings: OnboardingSettings) -> MentorNote | None:
        request = await self.store.open_request(guild_id, user_id)
        return None if request is None else note_for_open(request, settings.mentor_answer_hours)

    async def can_offer(self, guild_id: int, user_id: int) -> tuple[bool, bool]:
        """(some mentor has a free place, this member already has a mentor or an open request)."""
        available = await self.store.has_available_mentor(guild_id)
        return available, await self.store.open_request(guild_id, user_id) is not None

    # --- answers and time-outs ------------------------------------------------------------------------------------

    async def guild_of_component(self, custom_id: str) -> int | None:
        # Accept / Decline sit in the mentor's DM and name the offer, not its server; with several shards the click
        # reaches shard 0's process, which must fetch that server first (bot/remote_guilds.py) to notify the mentee.
        found = re.fullmatch(OFFER_TEMPLATE, custom_id)
        if found is None:
            return None
        offer = await self.store.offer(int(found["offer"]))
        return None if offer is None else offer.guild_id

    async def answer_offer(self, interaction: discord.Interaction, offer_id: int, accept: bool) -> None:
        offer = await self.store.offer(offer_id)
        if offer is None:
            raise UserFacingError(_("This request no longer exists."))
        window = answer_window(await self._settings(offer.guild_id))
        result = await self.store.answer(offer_id, interaction.user.id, accept, self.bot.clock.now(), window)
        if result.outcome is AnswerOutcome.NOT_YOURS:
            raise UserFacingError(_("This request was sent to another mentor."))
        if result.outcome is AnswerOutcome.NOT_OPEN:
            raise UserFacingError(
                _("This request was already answered, withdrawn, or it expired and went to another mentor.")
            )
        await interaction.response.edit_message(content=render.answer_reply(result.outcome, offer.mentee_id), view=None)
        if result.outcome is AnswerOutcome.ACCEPTED:
            await self.notify(
                offer.guild_id,
                offer.mentee_id,
                functools.partial(render.accepted_text, offer.mentor_id),
                ("accepted", offer.id),
            )
        else:
            await self._moved_on(offer, result.next_offer, render.DECLINED)

    async def expire_due_offers(self) -> None:
        """Offers past the answer window count as declined; the request moves to the next mentor."""
        now = self.bot.clock.now()
        for offer in await self.store.expire_due(now):
            window = answer_window(await self._settings(offer.guild_id))
            next_offer = await self.store.offer_next(offer.request_id, now, window)
            await self._close_offer_message(offer, render.OFFER_EXPIRED_TEXT)
            await self._moved_on(offer, next_offer, render.TIMED_OUT)

    async def _close_offer_message(self, offer: Offer, text: str) -> None:
        """Take the buttons off a mentor's DM that can no longer be answered."""
        message_id = await self.store.offer_message(offer.id)
        if message_id is not None:
            await self._edit_offer_message(offer.guild_id, offer.mentor_id, message_id, text)

    async def _edit_offer_message(self, guild_id: int, mentor_id: int, message_id: int, message: str) -> None:
        """Replace an offer DM (its buttons go too) with `message` (an N_() string, written in the mentor's
        language); a DM that cannot be edited any more is left as it is."""
        user = self.bot.get_user(mentor_id)
        if user is None:
            return
        with i18n.using(await languages.of_member(self.bot, guild_id, mentor_id)):
            text = _(message)
        try:
            channel = user.dm_channel or await user.create_dm()
            await channel.get_partial_message(message_id).edit(content=text, embed=None, view=None)
        except discord.HTTPException:
            log.info("Could not close the offer message %s in the DM of %s", message_id, mentor_id)

    async def _rematch(self, guild_id: int) -> None:
        """A place may have opened: offer waiting requests."""
        window = answer_window(await self._settings(guild_id))
        for offer in await self.store.rematch_waiting(guild_id, self.bot.clock.now(), window):
            await self.notify(
                guild_id, offer.mentee_id, functools.partial(render.asked_text, offer.mentor_id), ("asked", offer.id)
            )
            await self.send_offer(offer)

    async def _tell_ended(self, ended: list[Ended], by_mentor: bool) -> None:
        for item in ended:
            if item.mentor_id is None:
                continue
            to = item.mentee_id if by_mentor else item.mentor_id
            text = functools.partial(render.ended_text, by_mentor, item.mentor_id, item.mentee_id)
            await self.notify(item.guild_id, to, text, ("ended", item.request_id))

    async def _requeue(self, guild_id: int, request_ids: list[int]) -> None:
        window = answer_window(await self._settings(guild_id))
        for request_id in request_ids:
            offer = await self.store.offer_next(request_id, self.bot.clock.now(), window)
            if offer is not None:
                await self.send_offer(offer)
        await self._rematch(guild_id)

    # --- commands -------------------------------------------------------------------------------------------------

    @mentor.command(name="join", description="Offer to mentor members in some topics")
    @app_commands.describe(
        topics="Topics you can help with, separated by commas",
        capacity="How many mentees at once (default from the settings)",
        bio="A line about you that members see in /mentor list",
    )
    async def mentor_join(
        self,
        interaction: discord.Interaction,
        topics: app_commands.Range[str, 1, 300],
        capacity: app_commands.Range[int, 1, 10] | None = None,
        bio: app_commands.Range[str, 1, 300] | None = None,
    ) -> None:
        guild = guild_of(interaction)
        settings = await self._settings(guild.id)
        keys, unknown = parse_topics(settings, topics)
        if unknown or not keys:
            raise UserFacingError(render.unknown_topics_text(unknown, settings))
        if len(keys) > MAX_TOPICS:
            raise UserFacingError(
                ngettext("Pick at most {count} topic.", "Pick at most {count} topics.", MAX_TOPICS).format(
                    count=i18n.number(MAX_TOPICS)
                )
            )
        places = capacity or settings.mentor_default_capacity
        bio_text = " ".join(bio.split()) if bio else None
        mentor = await self.store.join(guild.id, interaction.user.id, keys, places, bio_text, self.bot.clock.now())
        await interaction.response.send_message(render.joined_text(mentor, settings), ephemeral=True)
        await self._rematch(guild.id)

    @mentor_join.autocomplete("topics")
    async def _join_topics(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        return topic_choices(await self._settings(guild_of(interaction).id), current, multi=True)

    @mentor.command(name="pause", description="Take no new mentees for now (current ones continue)")
    async def mentor_pause(self, interaction: discord.Interaction) -> None:
        await self._set_status(interaction, MentorStatus.PAUSED, _("Paused: no new requests until `/mentor resume`."))

    @mentor.command(name="resume", description="Take new mentees again")
    async def mentor_resume(self, interaction: discord.Interaction) -> None:
        await self._set_status(interaction, MentorStatus.ACTIVE, _("Welcome back: you can get requests again."))
        await self._rematch(guild_of(interaction).id)

    async def _set_status(self, interaction: discord.Interaction, status: MentorStatus, done: str) -> None:
        guild = guild_of(interaction)
        if not await self.store.set_status(guild.id, interaction.user.id, status, self.bot.clock.now()):
            raise UserFacingError(_("You are not a mentor here. Offer help with `/mentor join`."))
        await interaction.response.send_message(done, ephemeral=True)

    @mentor.command(name="leave", description="Stop being a mentor (ends your mentorships)")
    async def mentor_leave(self, interaction: discord.Interaction) -> None:
        guild_id = guild_of(interaction).id
        was, ended, requeued = await self.store.leave(guild_id, interaction.user.id, self.bot.clock.now())
        if not was:
            raise UserFacingError(_("You are not a mentor here."))
        await interaction.response.send_message(
            _("You are no longer a mentor. Thank you for your help!"), ephemeral=True
        )
        await self._tell_ended(ended, by_mentor=True)
        await self._requeue(guild_id, requeued)

    @mentor.command(name="list", description="Mentors and their free places")
    @app_commands.describe(topic="Only mentors for this topic")
    async def mentor_list(self, interaction: discord.Interaction, topic: str | None = None) -> None:
        guild_id = guild_of(interaction).id
        settings = await self._settings(guild_id)
        key = None
        if topic:
            keys, _unknown = parse_topics(settings, topic)
            if not keys:
                raise UserFacingError(_("{topic} is not a topic here.").format(topic=quoted(topic)))
            key = keys[0]
        mentors = await self.store.list_mentors(guild_id, key)
        if not mentors:
            raise UserFacingError(render.no_mentors_text(settings, key))
        await interaction.response.send_message(embed=render.mentor_list_embed(mentors, settings, key), ephemeral=True)

    @mentor.command(name="request", description="Ask for a mentor")
    @app_commands.describe(topic="What you want help with (default: your onboarding interests)")
    async def mentor_request(self, interaction: discord.Interaction, topic: str | None = None) -> None:
        member = member_of(interaction)
        settings = await self._settings(member.guild.id)
        profile = await self.onboarding.profile(member.guild.id, member.id)
        if topic:
            keys, _unknown = parse_topics(settings, topic)
            if not keys:
                raise UserFacingError(
                    _("{topic} is not a topic here. Start typing to see the list.").format(topic=quoted(topic))
                )
        else:
            keys = list(profile.answers.interests) if profile is not None else []
            if not keys:
                raise UserFacingError(
                    _(
                        "Tell me what you want help with: `/mentor request topic:...`, or answer the "
                        "onboarding questions first with `/onboarding start`."
                    )
                )
        role = profile.answers.role if profile is not None else None
        note, offer = await self.request_for(member, settings, keys, role, "command")
        await interaction.response.send_message(render.request_reply(note, offer), ephemeral=True)
        if offer is not None:
            await self.send_offer(offer)

    @mentor_request.autocomplete("topic")
    @mentor_list.autocomplete("topic")
    async def _one_topic(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        return topic_choices(await self._settings(guild_of(interaction).id), current, multi=False)

    @mentor.command(name="end", description="End your mentorship or cancel your request (mentors: name the mentee)")
    @app_commands.describe(mentee="Mentors: the mentee whose mentorship ends")
    async def mentor_end(self, interaction: discord.Interaction, mentee: discord.Member | None = None) -> None:
        guild_id, now = guild_of(interaction).id, self.bot.clock.now()
        if mentee is not None:
            ended = await self.store.end_for_mentor(guild_id, interaction.user.id, mentee.id, now)
            if ended is None:
                raise UserFacingError(_("You are not mentoring {mentee}.").format(mentee=mentee.mention))
            await interaction.response.send_message(
                _("Your mentorship with {mentee} has ended. Thank you!").format(mentee=mentee.mention), ephemeral=True
            )
            await self._tell_ended([ended], by_mentor=True)
        else:
            ended = await self.store.end_for_mentee(guild_id, interaction.user.id, now)
            if ended is None:
                raise UserFacingError(_("You have no mentor and no open request. Mentors: name the mentee."))
            text = _("Your mentorship has ended.") if ended.mentor_id else _("Your request is cancelled.")
            await interaction.response.send_message(text, ephemeral=True)
            await self._tell_ended([ended], by_mentor=False)
        await self._rematch(guild_id)

    @commands.Cog.listener("on_member_remove")
    async def end_for_departed(self, member: discord.Member) -> None:
        """A mentor or mentee who leaves the server frees their places."""
        now = self.bot.clock.now()
        was, ended, requeued = await self.store.leave(member.guild.id, member.id, now)
        await self._tell_ended(ended, by_mentor=True)
        ended_mentee = await self.store.end_for_mentee(member.guild.id, member.id, now)
        if ended_mentee is not None:
            await self._tell_ended([ended_mentee], by_mentor=False)
        if was or ended_mentee is not None:
            await self._requeue(member.guild.id, requeued)
