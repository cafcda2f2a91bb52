"""`/mentor ...`: mentors offer places; members ask; the bot matches, asks the mentor, and moves on when needed."""

from __future__ import annotations

import json
import logging
from datetime import timedelta

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import CommunityBot
from bot.discord_helpers import clip, escape
from bot.errors import UserFacingError
from bot.settings import Settings
from cogs.onboarding.delivery import DmOutcome, nonce, send_dm
from cogs.onboarding.due import DueJob
from cogs.onboarding.mentor_views import OfferButton, mentor_list_text
from cogs.onboarding.mentoring import (
    AnswerOutcome,
    Ended,
    MentorService,
    MentorStatus,
    Offer,
    RequestOutcome,
)
from cogs.onboarding.store import OnboardingStore
from cogs.onboarding.summary import MentorNote
from cogs.onboarding.topics import MAX_TOPICS, parse_topics, quoted, topic_choices, topic_label

log = logging.getLogger(__name__)


def _window(config: Settings) -> timedelta:
    return timedelta(hours=config.onboarding.mentor_answer_hours)


class MentorCog(commands.Cog, name="Mentors"):
    """Mentors, requests and the answer window."""

    mentor = app_commands.Group(name="mentor", description="Mentoring: offer help or ask for a mentor", guild_only=True)

    def __init__(self, bot: CommunityBot) -> None:
        self.bot = bot
        self.service = MentorService(bot.db)
        self.store = OnboardingStore(bot.db, bot.dm_closed)
        self.due = DueJob(
            bot.scheduler,
            "mentors:offers-due",
            bot.clock,
            self.service.next_offer_due,
            self.run_due,
            bot.wait_until_ready,
        )

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(OfferButton)
        self.bot.scheduler.register_rebuilder("mentors", self.rebuild)

    async def rebuild(self) -> None:
        """Arm the answer-window job and re-send offers whose DM Discord never confirmed."""
        await self.due.arm()
        self.bot.loop.create_task(self._resend_undelivered(), name="mentors-resend")

    async def _resend_undelivered(self) -> None:
        await self.bot.wait_until_ready()
        for offer in await self.service.undelivered_offers():
            await self.send_offer(offer)

    async def about_counts(self) -> dict[str, int]:
        return await self.service.counts()

    # --- sending --------------------------------------------------------------------------------------------------

    async def notify(self, guild_id: int, user_id: int, text: str, key: tuple[object, ...]) -> bool:
        """A short DM about mentoring; members with closed DMs are not tried (their status is in /mentor request).

        `key` names the event (say ("accepted", offer id)): it makes the nonce, so a retry never doubles a note and
        two different events with the same words are both delivered.
        """
        if await self.store.dm_closed(guild_id, user_id):
            return False
        user = self.bot.get_user(user_id)
        guild = self.bot.get_guild(guild_id)
        if user is None or guild is None:
            return False
        result = await send_dm(
            user,
            nonce_value=nonce("note", guild_id, user_id, *key),
            content=clip(f"**{escape(guild.name)}**: {text}", 2000),
        )
        if result.outcome is DmOutcome.CLOSED:
            await self.store.record_dm_closed(guild_id, user_id, self.bot.clock.now())
        elif result.outcome is DmOutcome.FAILED:
            log.warning("Mentoring note to %s in guild %s failed: %s", user_id, guild_id, result.error)
        return result.outcome is DmOutcome.SENT

    async def send_offer(self, offer: Offer) -> None:
        """Ask the mentor; if they cannot be reached, pause them (reported once) and ask the next one."""
        guild = self.bot.get_guild(offer.guild_id)
        mentor = guild.get_member(offer.mentor_id) if guild else None
        config = await self.bot.guild_config(offer.guild_id)
        now = self.bot.clock.now()
        if mentor is None or await self.store.dm_closed(offer.guild_id, offer.mentor_id):
            await self._skip_unreachable(offer, config, "is not reachable")
            return
        mentee = guild.get_member(offer.mentee_id)
        profile = await self.store.profile(offer.guild_id, offer.mentee_id)
        topics = ", ".join(topic_label(config.onboarding, key) for key in offer.topics)
        lines = [f"{mentee.mention if mentee else f'<@{offer.mentee_id}>'} would like a mentor for **{topics}**."]
        if profile is not None and profile["role"]:
            labels = {o.key: o.label for o in (*config.onboarding.roles, *config.onboarding.levels)}
            about = " · ".join(labels.get(k, k) for k in (profile["role"], profile["level"]) if k)
            lines.append(f"They are: {about}" + (f" ({profile['timezone']})" if profile["timezone"] else ""))
        lines.append(f"Please answer <t:{int(offer.due_at.timestamp())}:R>; after that I ask the next mentor.")
        embed = discord.Embed(
            title=f"Mentoring request in {clip(guild.name, 200)}",
            description="\n".join(lines),
            colour=discord.Colour.gold(),
        )
        view = discord.ui.View(timeout=None)
        view.add_item(OfferButton(offer.id, True))
        view.add_item(OfferButton(offer.id, False))
        result = await send_dm(mentor, nonce_value=nonce("offer", offer.id), embed=embed, view=view)
        if result.outcome is DmOutcome.SENT:
            await self.service.offer_delivered(offer.id, result.message.id)
        elif result.outcome is DmOutcome.CLOSED:
            await self.store.record_dm_closed(offer.guild_id, offer.mentor_id, now)
            await self._skip_unreachable(offer, config, "has closed DMs")
        else:
            # Still open: it is sent again at the next start, and the answer window moves it on regardless.
            log.warning("Offer %s to mentor %s failed: %s", offer.id, offer.mentor_id, result.error)
        await self.due.arm()

    async def _skip_unreachable(self, offer: Offer, config: Settings, why: str) -> None:
        guild = self.bot.get_guild(offer.guild_id)
        next_offer = await self.service.undeliverable(offer.id, self.bot.clock.now(), _window(config))
        if guild is not None:
            await self.bot.get_cog("Onboarding").delivery.report(
                guild,
                config,
                f"Mentor <@{offer.mentor_id}> {why}, so I paused them (they can `/mentor resume`).",
                f"mentor-unreachable:{offer.mentor_id}",
            )
        await self._moved_on(offer, next_offer, config, "couldn't be reached")

    async def _moved_on(self, offer: Offer, next_offer: Offer | None, config: Settings, what: str) -> None:
        """Tell the mentee that the mentor asked will not mentor them, and what happens now."""
        if next_offer is not None:
            await self.notify(
                offer.guild_id,
                offer.mentee_id,
                f"The mentor I asked {what}, so I asked another one: <@{next_offer.mentor_id}>.",
                ("moved", offer.id),
            )
            await self.send_offer(next_offer)
        else:
            await self.notify(
                offer.guild_id,
                offer.mentee_id,
                f"The mentor I asked {what}, and no other mentor has a free place for your topics "
                "right now. Your request stays open; I'll message you when one does.",
                ("moved", offer.id),
            )

    # --- used by onboarding ---------------------------------------------------------------------------------------

    async def request_for(
        self, member: discord.Member, config: Settings, topics: list[str], role: str | None, source: str
    ) -> tuple[MentorNote, Offer | None]:
        result = await self.service.request(
            member.guild.id, member.id, topics, role, source, self.bot.clock.now(), _window(config)
        )
        hours = config.onboarding.mentor_answer_hours
        if result.outcome is RequestOutcome.ALREADY_MATCHED:
            return MentorNote("matched", result.mentor_id, hours), None
        if result.outcome is RequestOutcome.OFFERED:
            return MentorNote("asked", result.offer.mentor_id, hours), result.offer
        if result.outcome is RequestOutcome.ALREADY_OPEN and result.mentor_id is not None:
            return MentorNote("asked", result.mentor_id, hours), None
        return MentorNote("waiting", None, hours), None

    async def current_note(self, guild_id: int, user_id: int, config: Settings) -> MentorNote | None:
        request = await self.service.open_request(guild_id, user_id)
        if request is None:
            return None
        hours = config.onboarding.mentor_answer_hours
        if request["status"] == "matched":
            return MentorNote("matched", request["mentor_id"], hours)
        if request["asked"] is not None:
            return MentorNote("asked", request["asked"], hours)
        return MentorNote("waiting", None, hours)

    # --- answers and time-outs ------------------------------------------------------------------------------------

    async def answer_offer(self, interaction: discord.Interaction, offer_id: int, accept: bool) -> None:
        offer = await self.service.offer(offer_id)
        if offer is None:
            raise UserFacingError("This request no longer exists.")
        config = await self.bot.guild_config(offer.guild_id)
        result = await self.service.answer(offer_id, interaction.user.id, accept, self.bot.clock.now(), _window(config))
        if result.outcome is AnswerOutcome.NOT_YOURS:
            raise UserFacingError("This request was sent to another mentor.")
        if result.outcome is AnswerOutcome.NOT_OPEN:
            raise UserFacingError(
                "This request was already answered, withdrawn, or it expired and went to another mentor."
            )
        if result.outcome is AnswerOutcome.ACCEPTED:
            text = f"You're now mentoring <@{offer.mentee_id}>. Send them a DM to say hi!"
        elif result.outcome is AnswerOutcome.FULL:
            text = "You have no free place left, so I'll ask another mentor. Raise it with `/mentor join`."
        else:
            text = "Declined. Thanks for answering; I'll ask another mentor."
        await interaction.response.edit_message(content=text, view=None)
        if result.outcome is AnswerOutcome.ACCEPTED:
            await self.notify(
                offer.guild_id,
                offer.mentee_id,
                f"<@{offer.mentor_id}> accepted to be your mentor! Send them a DM to say hi.",
                ("accepted", offer.id),
            )
        else:
            await self._moved_on(offer, result.next_offer, config, "can't take a mentee right now")
        await self.due.arm()

    async def run_due(self) -> None:
        """Offers past the answer window count as declined; the request moves to the next mentor."""
        now = self.bot.clock.now()
        for offer in await self.service.expire_due(now):
            config = await self.bot.guild_config(offer.guild_id)
            next_offer = await self.service.offer_next(offer.request_id, now, _window(config))
            await self._close_offer_message(offer, "This request expired, so I asked another mentor. No problem!")
            await self._moved_on(offer, next_offer, config, "didn't answer in time")

    async def _close_offer_message(self, offer: Offer, text: str) -> None:
        """Take the buttons off a mentor's DM that can no longer be answered."""
        message_id = await self.service.offer_message(offer.id)
        user = self.bot.get_user(offer.mentor_id)
        if message_id is None or user is None:
            return
        try:
            channel = user.dm_channel or await user.create_dm()
            await channel.get_partial_message(message_id).edit(content=text, embed=None, view=None)
        except discord.HTTPException:
            log.info("Could not close the expired offer %s in the DM of %s", offer.id, offer.mentor_id)

    async def _rematch(self, guild_id: int) -> None:
        """A place may have opened: offer waiting requests."""
        config = await self.bot.guild_config(guild_id)
        for offer in await self.service.rematch_waiting(guild_id, self.bot.clock.now(), _window(config)):
            await self.notify(
                guild_id,
                offer.mentee_id,
                f"I found a mentor with a free place and asked them: <@{offer.mentor_id}>.",
                ("asked", offer.id),
            )
            await self.send_offer(offer)

    async def _tell_ended(self, ended: list[Ended], by_mentor: bool) -> None:
        for item in ended:
            if item.mentor_id is None:
                continue
            if by_mentor:
                await self.notify(
                    item.guild_id,
                    item.mentee_id,
                    f"Your mentorship with <@{item.mentor_id}> has "
                    "ended. Ask for another mentor any time with `/mentor request`.",
                    ("ended", item.request_id),
                )
            else:
                await self.notify(
                    item.guild_id,
                    item.mentor_id,
                    f"<@{item.mentee_id}> ended the mentorship. Thanks for your time!",
                    ("ended", item.request_id),
                )

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
        config = await self.bot.guild_config(interaction.guild.id)
        keys, unknown = parse_topics(config.onboarding, topics)
        if unknown or not keys:
            known = ", ".join(o.label for o in config.onboarding.topics)
            raise UserFacingError(
                f"Not a topic here: {', '.join(f'`{escape(u)}`' for u in unknown) or '(none)'}. Pick from: {known}."
            )
        if len(keys) > MAX_TOPICS:
            raise UserFacingError(f"Pick at most {MAX_TOPICS} topics.")
        places = capacity or config.onboarding.mentor_default_capacity
        bio_text = " ".join(bio.split()) if bio else None
        mentor = await self.service.join(
            interaction.guild.id, interaction.user.id, keys, places, bio_text, self.bot.clock.now()
        )
        labels = ", ".join(topic_label(config.onboarding, k) for k in mentor.topics)
        await interaction.response.send_message(
            f"Thank you! You mentor **{labels}**, up to {mentor.capacity} mentee(s) at once. I'll DM you with "
            f"Accept / Decline when someone asks; you have {config.onboarding.mentor_answer_hours} hours to answer.",
            ephemeral=True,
        )
        await self._rematch(interaction.guild.id)

    @mentor_join.autocomplete("topics")
    async def _join_topics(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        config = await self.bot.guild_config(interaction.guild.id)
        return topic_choices(config.onboarding, current, multi=True)

    @mentor.command(name="pause", description="Take no new mentees for now (current ones continue)")
    async def mentor_pause(self, interaction: discord.Interaction) -> None:
        if not await self.service.set_status(
            interaction.guild.id, interaction.user.id, MentorStatus.PAUSED, self.bot.clock.now()
        ):
            raise UserFacingError("You are not a mentor here. Offer help with `/mentor join`.")
        await interaction.response.send_message("Paused: no new requests until `/mentor resume`.", ephemeral=True)

    @mentor.command(name="resume", description="Take new mentees again")
    async def mentor_resume(self, interaction: discord.Interaction) -> None:
        if not await self.service.set_status(
            interaction.guild.id, interaction.user.id, MentorStatus.ACTIVE, self.bot.clock.now()
        ):
            raise UserFacingError("You are not a mentor here. Offer help with `/mentor join`.")
        await interaction.response.send_message("Welcome back: you can get requests again.", ephemeral=True)
        await self._rematch(interaction.guild.id)

    @mentor.command(name="leave", description="Stop being a mentor (ends your mentorships)")
    async def mentor_leave(self, interaction: discord.Interaction) -> None:
        guild_id = interaction.guild.id
        was, ended, requeued = await self.service.leave(guild_id, interaction.user.id, self.bot.clock.now())
        if not was:
            raise UserFacingError("You are not a mentor here.")
        await interaction.response.send_message("You are no longer a mentor. Thank you for your help!", ephemeral=True)
        await self._tell_ended(ended, by_mentor=True)
        await self._requeue(guild_id, requeued)

    async def _requeue(self, guild_id: int, request_ids: list[int]) -> None:
        config = await self.bot.guild_config(guild_id)
        for request_id in request_ids:
            offer = await self.service.offer_next(request_id, self.bot.clock.now(), _window(config))
            if offer is not None:
                await self.send_offer(offer)
        await self._rematch(guild_id)

    @mentor.command(name="list", description="Mentors and their free places")
    @app_commands.describe(topic="Only mentors for this topic")
    async def mentor_list(self, interaction: discord.Interaction, topic: str | None = None) -> None:
        config = await self.bot.guild_config(interaction.guild.id)
        key = None
        if topic:
            keys, _ = parse_topics(config.onboarding, topic)
            if not keys:
                raise UserFacingError(f"{quoted(topic)} is not a topic here.")
            key = keys[0]
        mentors = await self.service.list_mentors(interaction.guild.id, key)
        if not mentors:
            raise UserFacingError(
                "No mentors yet"
                + (f" for {topic_label(config.onboarding, key)}" if key else "")
                + ". Experienced members can offer help with `/mentor join`."
            )
        title = "Mentors" + (f" for {topic_label(config.onboarding, key)}" if key else "")
        embed = discord.Embed(title=title, description=mentor_list_text(mentors, config), colour=discord.Colour.gold())
        embed.set_footer(text="Ask for one with /mentor request")
        await interaction.response.send_message(embed=embed, ephemeral=True)

    @mentor.command(name="request", description="Ask for a mentor")
    @app_commands.describe(topic="What you want help with (default: your onboarding interests)")
    async def mentor_request(self, interaction: discord.Interaction, topic: str | None = None) -> None:
        guild_id, user_id = interaction.guild.id, interaction.user.id
        config = await self.bot.guild_config(guild_id)
        profile = await self.store.profile(guild_id, user_id)
        if topic:
            keys, _ = parse_topics(config.onboarding, topic)
            if not keys:
                raise UserFacingError(f"{quoted(topic)} is not a topic here. Start typing to see the list.")
        else:
            keys = json.loads(profile["interests"]) if profile is not None else []
            if not keys:
                raise UserFacingError(
                    "Tell me what you want help with: `/mentor request topic:...`, or answer the "
                    "onboarding questions first with `/onboarding start`."
                )
        note, offer = await self.request_for(
            interaction.user, config, keys, profile["role"] if profile else None, "command"
        )
        if note.state == "matched":
            text = f"You already have a mentor: <@{note.mentor_id}>. End it with `/mentor end` to ask for another."
        elif note.state == "asked" and offer is None:
            text = f"Your request is open: I asked <@{note.mentor_id}> and I'm waiting for their answer."
        elif note.state == "asked":
            text = (
                f"I asked <@{note.mentor_id}> to mentor you. You'll get a DM when they answer (within "
                f"{note.hours} hours, or I ask the next mentor)."
            )
        else:
            text = (
                "No mentor has a free place for that right now. Your request is saved and I'll DM you as soon "
                "as one does. See who mentors what with `/mentor list`."
            )
        await interaction.response.send_message(text, ephemeral=True)
        if offer is not None:
            await self.send_offer(offer)

    @mentor_request.autocomplete("topic")
    @mentor_list.autocomplete("topic")
    async def _one_topic(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        config = await self.bot.guild_config(interaction.guild.id)
        return topic_choices(config.onboarding, current, multi=False)

    @mentor.command(name="end", description="End your mentorship or cancel your request (mentors: name the mentee)")
    @app_commands.describe(mentee="Mentors: the mentee whose mentorship ends")
    async def mentor_end(self, interaction: discord.Interaction, mentee: discord.Member | None = None) -> None:
        guild_id, now = interaction.guild.id, self.bot.clock.now()
        if mentee is not None:
            ended = await self.service.end_for_mentor(guild_id, interaction.user.id, mentee.id, now)
            if ended is None:
                raise UserFacingError(f"You are not mentoring {mentee.mention}.")
            await interaction.response.send_message(
                f"Your mentorship with {mentee.mention} has ended. Thank you!", ephemeral=True
            )
            await self._tell_ended([ended], by_mentor=True)
        else:
            ended = await self.service.end_for_mentee(guild_id, interaction.user.id, now)
            if ended is None:
                raise UserFacingError("You have no mentor and no open request. Mentors: name the mentee.")
            text = "Your mentorship has ended." if ended.mentor_id else "Your request is cancelled."
            await interaction.response.send_message(text, ephemeral=True)
            await self._tell_ended([ended], by_mentor=False)
        await self._rematch(guild_id)

    @commands.Cog.listener("on_member_remove")
    async def end_for_departed(self, member: discord.Member) -> None:
        """A mentor or mentee who leaves the server frees their places."""
        now = self.bot.clock.now()
        was, ended, requeued = await self.service.leave(member.guild.id, member.id, now)
        await self._tell_ended(ended, by_mentor=True)
        ended_mentee = await self.service.end_for_mentee(member.guild.id, member.id, now)
        if ended_mentee is not None:
            await self._tell_ended([ended_mentee], by_mentor=False)
        if was or ended_mentee is not None:
            await self._requeue(member.guild.id, requeued)
