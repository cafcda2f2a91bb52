"""What happens when a member answers: save the answer, show the next question, or finish with the summary."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import discord

from bot.errors import UserFacingError
from bot.settings import Settings
from cogs.onboarding.delivery import Delivery, given_roles
from cogs.onboarding.flow import (
    Answers,
    FlowContext,
    StaleAnswer,
    Step,
    apply_answer,
    merged,
    next_step,
    resolve_zone,
    skip_answer,
    steps_for,
)
from cogs.onboarding.store import OnboardingStore
from cogs.onboarding.summary import recommend_communities, start_channels, summary_embed
from cogs.onboarding.views import Action, Surface, TimezoneModal, again_view, step_embed, step_view

if TYPE_CHECKING:
    from bot.client import CommunityBot

log = logging.getLogger(__name__)


class FlowController:
    """Turns clicks into saved answers and the next message; the same for DMs and ephemeral messages."""

    def __init__(self, bot: CommunityBot, store: OnboardingStore, delivery: Delivery) -> None:
        self.bot, self.store, self.delivery = bot, store, delivery

    async def _member(self, interaction: discord.Interaction, guild_id: int) -> tuple[discord.Member, Settings]:
        guild = self.bot.get_guild(guild_id)
        if guild is None:
            raise UserFacingError("I am no longer in that server, so these questions are closed.")
        member = guild.get_member(interaction.user.id)
        if member is None:
            try:
                member = await guild.fetch_member(interaction.user.id)
            except discord.NotFound:
                raise UserFacingError(f"You are no longer a member of {guild.name}.") from None
        return member, await self.bot.guild_config(guild_id)

    async def start_ephemeral(self, interaction: discord.Interaction, guild_id: int) -> None:
        """/onboarding start and the welcome-channel button: the questions as messages only the member sees."""
        member, config = await self._member(interaction, guild_id)
        profile = await self.store.ensure_profile(guild_id, member.id, self.bot.clock.now())
        answers = Answers.from_row(profile)
        ctx = await self.delivery.context(guild_id, member.id, config)
        steps = steps_for(ctx, answers)
        # An unfinished run continues where it stopped; a finished one starts over with the answers preselected.
        step = Step(profile["step"]) if profile["status"] != "finished" and profile["step"] in steps else steps[0]
        if step is steps[0]:
            await self.store.set_step(guild_id, member.id, step, self.bot.clock.now())
        embed = step_embed(member.guild, step, ctx, answers, greeting=profile["status"] == "new")
        view = step_view(
            guild_id, step, Surface.EPHEMERAL, config.onboarding, answers, self.bot.clock.now(), first=step is steps[0]
        )
        await interaction.response.send_message(embed=embed, view=view, ephemeral=True)

    async def answer(
        self, interaction: discord.Interaction, guild_id: int, step: Step, surface: Surface, values: list[str]
    ) -> None:
        """A pick in a question's menu."""
        member, config = await self._member(interaction, guild_id)
        profile = await self.store.ensure_profile(guild_id, member.id, self.bot.clock.now())
        answers = Answers.from_row(profile)
        try:
            updates = apply_answer(step, list(values), config.onboarding, answers)
        except StaleAnswer:
            ctx = await self.delivery.context(guild_id, member.id, config)
            await self._show(
                interaction,
                member,
                config,
                ctx,
                answers,
                step,
                surface,
                note="That choice is no longer offered; here are the current ones.",
            )
            return
        await self._advance(interaction, member, config, answers, step, updates, surface)

    async def act(
        self, interaction: discord.Interaction, guild_id: int, step: Step, action: Action, surface: Surface
    ) -> None:
        """Skip, Back, Yes/No, type a time zone, change my answers."""
        member, config = await self._member(interaction, guild_id)
        now = self.bot.clock.now()
        profile = await self.store.ensure_profile(guild_id, member.id, now)
        answers = Answers.from_row(profile)
        if action is Action.TYPE:
            await interaction.response.send_modal(TimezoneModal(guild_id, surface))
            return
        ctx = await self.delivery.context(guild_id, member.id, config)
        if action in (Action.BACK, Action.AGAIN):
            steps = steps_for(ctx, answers)
            target = steps[0]
            if action is Action.BACK and step in steps and steps.index(step) > 0:
                target = steps[steps.index(step) - 1]
            await self.store.set_step(guild_id, member.id, target, now)
            await self._show(interaction, member, config, ctx, answers, target, surface)
            return
        if action in (Action.YES, Action.NO):
            updates: dict[str, Any] = {"wants_mentor": 1 if action is Action.YES else 0}
        else:
            try:
                updates = skip_answer(step)
            except StaleAnswer:
                raise UserFacingError("That question cannot be skipped.") from None
        await self._advance(interaction, member, config, answers, step, updates, surface)

    async def typed_zone(self, interaction: discord.Interaction, guild_id: int, surface: Surface, text: str) -> None:
        """The time zone a member typed (any IANA zone, or a city that names exactly one)."""
        zone = resolve_zone(text)
        if zone is None:
            raise UserFacingError(
                "I don't know that time zone. Type a city such as `Nairobi` or a name such as `Europe/Berlin` "
                "(the list is at https://en.wikipedia.org/wiki/List_of_tz_database_time_zones)."
            )
        member, config = await self._member(interaction, guild_id)
        profile = await self.store.ensure_profile(guild_id, member.id, self.bot.clock.now())
        await self._advance(
            interaction, member, config, Answers.from_row(profile), Step.TIMEZONE, {"timezone": zone}, surface
        )

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
        after = merged(answers, updates)
        ctx = await self.delivery.context(member.guild.id, member.id, config)
        following = next_step(step, ctx, after)
        await self.store.save_answer(
            member.guild.id, member.id, updates, following, now, timedelta(days=config.onboarding.reminder_days)
        )
        if following is Step.DONE:
            await self.finish(interaction, member, config, after, ctx, surface)
        else:
            await self._show(interaction, member, config, ctx, after, following, surface)

    async def _show(
        self,
        interaction: discord.Interaction,
        member: discord.Member,
        config: Settings,
        ctx: FlowContext,
        answers: Answers,
        step: Step,
        surface: Surface,
        note: str | None = None,
    ) -> None:
        steps = steps_for(ctx, answers)
        embed = step_embed(member.guild, step, ctx, answers, greeting=False, note=note)
        view = step_view(
            member.guild.id,
            step,
            surface,
            config.onboarding,
            answers,
            self.bot.clock.now(),
            first=bool(steps) and step is steps[0],
        )
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
        guild, now = member.guild, self.bot.clock.now()
        await self.store.finish(guild.id, member.id, now)
        mentors = self.bot.get_cog("Mentors")
        note, offer = None, None
        if mentors is not None:
            if Step.MENTOR in steps_for(ctx, answers) and answers.wants_mentor:
                note, offer = await mentors.request_for(
                    member, config, list(answers.interests), answers.role, "onboarding"
                )
            else:
                note = await mentors.current_note(guild.id, member.id, config)
        channels = start_channels(guild, config.onboarding, answers)
        if channels.missing:
            names = ", ".join(f"`{ref}`" for ref in channels.missing)
            await self.delivery.report(
                guild,
                config,
                f"Onboarding points newcomers to channels this server does not have: {names}. Create "
                "them or change the `channels` lists under `onboarding` in the settings file.",
                "channels-missing:" + ",".join(sorted(channels.missing)),
            )
        profile = await self.store.profile(guild.id, member.id)
        roles = await self.delivery.sync_roles(member, config, answers, given_roles(profile))
        picks = await recommend_communities(self.bot.db, guild.id, answers)
        embed = summary_embed(guild, config, answers, channels, [r.name for r in roles], note, picks)
        await interaction.edit_original_response(embed=embed, view=again_view(guild.id, surface))
        if offer is not None:
            await mentors.send_offer(offer)
