"""The question flow on Discord: a click becomes a saved answer and the next question, or the summary at the end."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import discord

from bot import i18n, languages
from bot.errors import UserFacingError
from bot.i18n import _
from bot.settings import Settings
from cogs.communities.api import CommunitiesApi, CommunityPick
from cogs.onboarding import render
from cogs.onboarding.due import REMINDERS_DUE
from cogs.onboarding.mentors.models import MentorNote
from cogs.onboarding.models import Answers, FlowContext, Step
from cogs.onboarding.rules import (
    StaleAnswer,
    apply_answer,
    first_step,
    member_profile,
    merged,
    next_step,
    resolve_zone,
    skip_answer,
    start_channels,
    steps_for,
)
from cogs.onboarding.settings import OnboardingSettings
from cogs.onboarding.store import OnboardingStore
from cogs.onboarding.views import FlowAction, Surface, TimezoneModal, again_view, step_view
from cogs.onboarding.welcome import WelcomeSender

if TYPE_CHECKING:
    from bot.client import CommunityBot
    from cogs.onboarding.mentors.cog import MentorsCog

log = logging.getLogger(__name__)

COMMUNITIES_SHOWN = 3


class QuestionFlow:
    """Turns clicks into saved answers and the next message; the same for DMs and ephemeral messages."""

    def __init__(self, bot: CommunityBot, store: OnboardingStore, sender: WelcomeSender, mentors: MentorsCog) -> None:
        self.bot, self.store, self.sender, self.mentors = bot, store, sender, mentors

    async def _member(self, interaction: discord.Interaction, guild_id: int) -> tuple[discord.Member, Settings]:
        guild = self.bot.get_guild(guild_id)
        if guild is None:
            raise UserFacingError(_("I am no longer in that server, so these questions are closed."))
        member = guild.get_member(interaction.user.id)
        if member is None:
            try:
                member = await guild.fetch_member(interaction.user.id)
            except discord.NotFound:
                raise UserFacingError(_("You are no longer a member of {server}.").format(server=guild.name)) from None
        return member, await self.bot.guild_config(guild_id)

    async def start_ephemeral(self, interaction: discord.Interaction, guild_id: int) -> None:
        """/onboarding start and the welcome-channel button: the questions as messages only the member sees."""
        member, config = await self._member(interaction, guild_id)
        settings = config.section(OnboardingSettings)
        now = self.bot.clock.now()
        profile = await self.store.ensure_profile(guild_id, member.id, now)
        ctx = await self.sender.context(guild_id, member.id, settings)
        steps = steps_for(ctx, profile.answers)
        # An unfinished run continues where it stopped; a finished one starts over with the answers preselected.
        step = first_step(profile, steps, resume_finished=False)
        if step is steps[0]:
            await self.store.set_step(guild_id, member.id, step, now)
        embed = render.step_embed(member.guild, step, ctx, profile.answers, greeting=profile.status == "new")
        view = step_view(guild_id, step, Surface.EPHEMERAL, settings, profile.answers, now, first=step is steps[0])
        await interaction.response.send_message(embed=embed, view=view, ephemeral=True)

    async def _language(self, interaction: discord.Interaction, surface: Surface) -> str:
        """The language of a click in the onboarding DMs: the member's stored choice (the language menu beside the
        first question), else their Discord app's. Ephemeral messages follow the app."""
        if surface.in_dm:
            chosen = await languages.chosen(self.bot.db, interaction.user.id)
            if chosen is not None:
                return chosen
        return i18n.current()

    async def choose_language(
        self, interaction: discord.Interaction, guild_id: int, surface: Surface, values: list[str]
    ) -> None:
        """A pick in the language menu: stored, and the same question shown again in that language."""
        language = i18n.supported(values[0]) if values else None
        if language is None or language not in i18n.LANGUAGES:
            raise UserFacingError(_("That language is not offered."))
        now = self.bot.clock.now()
        await languages.choose(self.bot.db, interaction.user.id, language, now)
        with i18n.using(language):
            member, config = await self._member(interaction, guild_id)
            settings = config.section(OnboardingSettings)
            profile = await self.store.ensure_profile(guild_id, member.id, now)
            ctx = await self.sender.context(guild_id, member.id, settings)
            steps = steps_for(ctx, profile.answers)
            step = first_step(profile, steps, resume_finished=surface.in_dm)
            note = None
            if surface is Surface.REMINDER:
                note = _(render.REMINDER_NOTE).format(server=member.guild.name)
            greeting = surface is Surface.WELCOME and profile.status == "new"
            embed = render.step_embed(member.guild, step, ctx, profile.answers, greeting=greeting, note=note)
            first = step is steps[0]
            view = step_view(guild_id, step, surface, settings, profile.answers, now, first=first)
            await interaction.response.edit_message(embed=embed, view=view)

    async def answer(
        self, interaction: discord.Interaction, guild_id: int, step: Step, surface: Surface, values: list[str]
    ) -> None:
        """A pick in a question's menu."""
        with i18n.using(await self._language(interaction, surface)):
            await self._answer(interaction, guild_id, step, surface, values)

    async def _answer(
        self, interaction: discord.Interaction, guild_id: int, step: Step, surface: Surface, values: list[str]
    ) -> None:
        member, config = await self._member(interaction, guild_id)
        settings = config.section(OnboardingSettings)
        answers = (await self.store.ensure_profile(guild_id, member.id, self.bot.clock.now())).answers
        try:
            updates = apply_answer(step, list(values), settings, answers)
        except StaleAnswer:
            ctx = await self.sender.context(guild_id, member.id, settings)
            note = _("That choice is no longer offered; here are the current ones.")
            await self._show(interaction, member, ctx, answers, step, surface, note=note)
            return
        await self._advance(interaction, member, config, answers, step, updates, surface)

    async def act(
        self, interaction: discord.Interaction, guild_id: int, step: Step, action: FlowAction, surface: Surface
    ) -> None:
        """Skip, Back, Yes/No, type a time zone, change my answers."""
        with i18n.using(await self._language(interaction, surface)):
            await self._act(interaction, guild_id, step, action, surface)

    async def _act(
        self, interaction: discord.Interaction, guild_id: int, step: Step, action: FlowAction, surface: Surface
    ) -> None:
        member, config = await self._member(interaction, guild_id)
        now = self.bot.clock.now()
        answers = (await self.store.ensure_profile(guild_id, member.id, now)).answers
        if action is FlowAction.TYPE:
            await interaction.response.send_modal(TimezoneModal(guild_id, surface))
            return
        ctx = await self.sender.context(guild_id, member.id, config.section(OnboardingSettings))
        if action in (FlowAction.BACK, FlowAction.AGAIN):
            steps = steps_for(ctx, answers)
            target = steps[0]
            if action is FlowAction.BACK and step in steps and steps.index(step) > 0:
                target = steps[steps.index(step) - 1]
            await self.store.set_step(guild_id, member.id, target, now)
            await self._show(interaction, member, ctx, answers, target, surface)
            return
        if action in (FlowAction.YES, FlowAction.NO):
            updates: dict[str, Any] = {"wants_mentor": 1 if action is FlowAction.YES else 0}
        else:
            try:
                updates = skip_answer(step)
            except StaleAnswer:
                raise UserFacingError(_("That question cannot be skipped.")) from None
        await self._advance(interaction, member, config, answers, step, updates, surface)

    async def typed_zone(self, interaction: discord.Interaction, guild_id: int, surface: Surface, text: str) -> None:
        """The time zone a member typed (any IANA zone, or a city that names exactly one)."""
        with i18n.using(await self._language(interaction, surface)):
            await self._typed_zone(interaction, guild_id, surface, text)

    async def _typed_zone(self, interaction: discord.Interaction, guild_id: int, surface: Surface, text: str) -> None:
        zone = resolve_zone(text)
        if zone is None:
            raise UserFacingError(
                _(
                    "I don't know that time zone. Type a city such as `Nairobi` or a name such as `Europe/Berlin` "
                    "(the list is at https://en.wikipedia.org/wiki/List_of_tz_database_time_zones)."
                )
            )
        member, config = await self._member(interaction, guild_id)
        profile = await self.store.ensure_profile(guild_id, member.id, self.bot.clock.now())
        await self._advance(interaction, member, config, profile.answers, Step.TIMEZONE, {"timezone": zone}, surface)

    async def _advance(
        self,
        interaction: discord.Interaction,
        member: discord.Member,
        config: Settings,
        answers: Answers,
        step: Step,
        updates: dict[str, Any],
        surface: Surface,
    ) -> None:
        now = self.bot.clock.now()
        settings = config.section(OnboardingSettings)
        after = merged(answers, updates)
        ctx = await self.sender.context(member.guild.id, member.id, settings)
        following = next_step(step, ctx, after)
        reminder_after = timedelta(days=settings.reminder_days)
        if await self.store.save_answer(member.guild.id, member.id, updates, following, now, reminder_after):
            self.bot.scheduler.due_at(REMINDERS_DUE, now + reminder_after)  # the first answer: one reminder
        if following is Step.DONE:
            await self.finish(interaction, member, config, after, ctx, surface)
        else:
            await self._show(interaction, member, ctx, after, following, surface)

    async def _show(
        self,
        interaction: discord.Interaction,
        member: discord.Member,
        ctx: FlowContext,
        answers: Answers,
        step: Step,
        surface: Surface,
        note: str | None = None,
    ) -> None:
        steps = steps_for(ctx, answers)
        embed = render.step_embed(member.guild, step, ctx, answers, greeting=False, note=note)
        first = bool(steps) and step is steps[0]
        view = step_view(member.guild.id, step, surface, ctx.settings, answers, self.bot.clock.now(), first=first)
        if interaction.message is not None:
            await interaction.response.edit_message(embed=embed, view=view)
        else:
            await interaction.response.send_message(embed=embed, view=view, ephemeral=True)

    async def finish(
        self,
        interaction: discord.Interaction,
        member: discord.Member,
        config: Settings,
        answers: Answers,
        ctx: FlowContext,
        surface: Surface,
    ) -> None:
        """Every question answered: roles, the summary, and a mentor request if the member wants one."""
        if interaction.message is not None:
            await interaction.response.defer()  # roles and the directory may take longer than 3 s under load
        else:
            await interaction.response.defer(ephemeral=True, thinking=True)
        guild, now, settings = member.guild, self.bot.clock.now(), ctx.settings
        await self.store.finish(guild.id, member.id, now)
        note: MentorNote | None
        offer = None
        if Step.MENTOR in steps_for(ctx, answers) and answers.wants_mentor:
            interests = list(answers.interests)
            note, offer = await self.mentors.request_for(member, settings, interests, answers.role, "onboarding")
        else:
            note = await self.mentors.current_note(guild.id, member.id, settings)
        channels = start_channels(guild, settings, answers)
        if channels.missing:
            missing = channels.missing
            await self.sender.report(
                guild,
                config,
                lambda: _(
                    "Onboarding points newcomers to channels this server does not have: {names}. Create "
                    "them or change the `channels` lists under `onboarding` in the settings file."
                ).format(names=i18n.join([f"`{ref}`" for ref in missing])),
                "channels-missing:" + ",".join(sorted(channels.missing)),
            )
        profile = await self.store.profile(guild.id, member.id)
        previously = profile.given_roles if profile is not None else ()
        roles = await self.sender.sync_roles(member, config, answers, previously)
        picks = await self._communities(guild.id, answers)
        embed = render.summary_embed(guild, config, answers, channels, [r.name for r in roles], note, picks)
        await interaction.edit_original_response(embed=embed, view=again_view(guild.id, surface))
        if offer is not None:
            await self.mentors.send_offer(offer)

    async def _communities(self, guild_id: int, answers: Answers) -> list[CommunityPick]:
        """Outside communities from the community directory; none when that feature is not running."""
        directory = self.bot.optional_feature(CommunitiesApi)
        if directory is None:
            return []
        return await directory.recommend_for(guild_id, member_profile(answers), COMMUNITIES_SHOWN)
