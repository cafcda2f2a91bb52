"""`/onboarding ...` and the join listeners: every newcomer gets one welcome, even in a wave or across a restart."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.discord_helpers import guild_of, is_moderator, member_of
from bot.errors import UserFacingError
from bot.feature import Feature
from bot.i18n import N_, _
from bot.scheduler import DueWork, Periodic
from bot.times import unix
from cogs.onboarding import render
from cogs.onboarding.api import MemberProfile, OnboardingApi
from cogs.onboarding.due import REMINDERS_DUE, OnboardingReminders
from cogs.onboarding.flow import QuestionFlow
from cogs.onboarding.models import WelcomeState
from cogs.onboarding.settings import OnboardingSettings
from cogs.onboarding.store import OnboardingStore
from cogs.onboarding.store_member import OnboardingMemberData
from cogs.onboarding.views import DYNAMIC_ITEMS
from cogs.onboarding.welcome import WelcomeSender
from cogs.onboarding.welcome_queue import FallbackBatcher, WelcomeKey, WelcomeQueue

if TYPE_CHECKING:
    from bot.client import CommunityBot
    from cogs.onboarding.mentors.cog import MentorsCog

log = logging.getLogger(__name__)

PRESENCE_EVERY = timedelta(minutes=5)
TAKEOVER_EVERY = timedelta(seconds=30)  # with several processes: welcomes left by a dead one
# Members who joined while the bot was offline are welcomed at the next start, if they joined this recently.
CATCH_UP_LIMIT = timedelta(days=2)


class OnboardingCog(Feature, OnboardingApi):
    """Welcome DMs, the questions, roles, the summary, reminders and stats."""

    name = "onboarding"
    title = N_("Onboarding")
    settings_section = OnboardingSettings
    dynamic_items = DYNAMIC_ITEMS

    onboarding = app_commands.Group(name="onboarding", description="Your start in this server", guild_only=True)

    def __init__(self, bot: CommunityBot, store: OnboardingStore, mentors: MentorsCog) -> None:
        super().__init__(bot)
        self.store = store
        self.mentors = mentors
        self.sender = WelcomeSender(bot, store, mentors)
        self.flow = QuestionFlow(bot, store, self.sender, mentors)
        self.reminders = OnboardingReminders(bot, store, self.sender)
        settings = bot.settings.section(OnboardingSettings)
        self.queue = WelcomeQueue(
            self.sender.deliver_welcome,
            self._due_welcomes,
            workers=settings.dm_workers,
            per_second=settings.welcome_dms_per_second,
            ready=bot.wait_until_ready,
        )
        self.fallback = FallbackBatcher(self.sender.post_fallback)
        self.sender.queue, self.sender.fallback = self.queue, self.fallback
        self._resume: asyncio.Task[None] | None = None
        self.member_data = OnboardingMemberData(bot.db)

    # --- the feature contract -------------------------------------------------------------------------------------

    def due_work(self) -> list[DueWork | Periodic]:
        work: list[DueWork | Periodic] = [
            DueWork(REMINDERS_DUE, self.store.next_reminder_due, self.reminders.run_due),
            Periodic("onboarding:presence", PRESENCE_EVERY, self._mark_seen),
        ]
        if not self.bot.runs_every_shard:
            # With several processes, welcomes another process queued and did not send (it died) are read from the
            # database now and then; any process sends them (docs/scaling.md, "When a process dies").
            work.append(Periodic("onboarding:takeover", TAKEOVER_EVERY, self.queue.refill_now))
        return work

    async def on_load(self) -> None:
        """Start the welcome queue on the welcomes the database says are still due, and resume the greetings."""
        self.queue.start()
        await self.queue.refill_now()
        self._resume = asyncio.create_task(self._resume_fallbacks(), name="onboarding-resume")

    async def on_unload(self) -> None:
        if self._resume is not None:
            self._resume.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._resume
        await self.queue.stop()
        await self.fallback.stop()
        await self.store.close()
        if self.bot.is_ready():
            await self._mark_seen()  # members added after this were added while the bot was away

    async def about_counts(self) -> dict[str, int]:
        return await self.store.counts()

    async def export_member(self, guild_id: int, user_id: int) -> dict[str, Any]:
        return await self.member_data.export(guild_id, user_id)

    async def forget_member(self, guild_id: int, user_id: int) -> int:
        """Delete their profile, welcome, reminder and history; the catch-up never welcomes them again for this
        join (store_member.py says how, with no trace of them left). The roles the answers gave stay in Discord."""
        # Real time, like _mark_seen: the mark is compared with Discord's joined_at.
        return await self.member_data.forget(guild_id, user_id, datetime.now(UTC))

    async def profile_of(self, guild_id: int, user_id: int) -> MemberProfile | None:
        """The member's answers in this server (known vocabulary keys only), or None before any answer."""
        return await self.store.member_profile(guild_id, user_id)

    # --- start-up: the database says what is still due ------------------------------------------------------------

    async def _due_welcomes(self, limit: int) -> list[WelcomeKey]:
        welcomes = await self.store.open_welcomes((WelcomeState.PENDING, WelcomeState.SENDING), limit)
        return [(w.guild_id, w.user_id) for w in welcomes]

    async def _resume_fallbacks(self) -> None:
        await self.bot.wait_until_ready()
        try:
            await self.sender.resume_fallbacks(await self.store.open_welcomes((WelcomeState.FALLBACK,), 10_000))
        except Exception:  # a task of its own: nobody else would see it fail
            log.exception("Resuming the welcome-channel greetings failed; they resume at the next start")

    async def _mark_seen(self) -> None:
        """Note that the joins up to now were seen (or recorded): the catch-up at the next start begins here."""
        # Real time, not the bot's clock: the mark is compared with Discord's joined_at.
        await self.store.mark_seen([guild.id for guild in self.bot.guilds], datetime.now(UTC))

    @commands.Cog.listener("on_ready")
    async def catch_up_joins(self) -> None:
        """Welcome members who joined while the bot was offline (the gateway does not replay those joins)."""
        for guild in self.bot.guilds:
            seen = await self.store.last_seen(guild.id)
            if seen is None:
                continue  # first start in this server: nobody was promised a welcome
            config = await self.bot.guild_config(guild.id)
            if not config.section(OnboardingSettings).enabled:
                continue
            # `seen` is the clean stop, or after a crash the last periodic mark (members who joined since then
            # and were welcomed have a welcome row for that join and are skipped below).
            since = max(seen, datetime.now(UTC) - CATCH_UP_LIMIT)
            known = await self.store.welcomed_joins(guild.id)
            for member in guild.members:
                if member.bot or member.joined_at is None or member.joined_at <= since:
                    continue
                if known.get(member.id, -1) >= unix(member.joined_at):  # joins are recorded in whole seconds
                    continue
                await self._record_join(member)
        await self._mark_seen()

    # --- joins ----------------------------------------------------------------------------------------------------

    @commands.Cog.listener("on_member_join")
    async def welcome_newcomer(self, member: discord.Member) -> None:
        """Write the welcome as due, then queue it (the DM itself goes out paced, from the queue)."""
        if member.bot:
            return
        config = await self.bot.guild_config(member.guild.id)
        if config.section(OnboardingSettings).enabled:
            await self._record_join(member)

    async def _record_join(self, member: discord.Member) -> None:
        joined = member.joined_at or datetime.now(UTC)
        welcome = await self.store.record_join(
            member.guild.id, member.id, joined, screening=bool(member.pending), now=self.bot.clock.now()
        )
        if welcome is not None and welcome.state is WelcomeState.PENDING:
            self.queue.offer((member.guild.id, member.id))

    @commands.Cog.listener("on_member_update")
    async def welcome_after_screening(self, before: discord.Member, after: discord.Member) -> None:
        """Servers with membership screening: welcome once the member accepted the rules."""
        if (
            before.pending
            and not after.pending
            and await self.store.screening_passed(after.guild.id, after.id, self.bot.clock.now())
        ):
            self.queue.offer((after.guild.id, after.id))

    @commands.Cog.listener("on_member_remove")
    async def forget_unsent_welcome(self, member: discord.Member) -> None:
        await self.store.record_leave(member.guild.id, member.id, self.bot.clock.now())

    # --- commands -------------------------------------------------------------------------------------------------

    @onboarding.command(name="start", description="Answer the welcome questions (again): role, level, interests")
    async def onboarding_start(self, interaction: discord.Interaction) -> None:
        await self.flow.start_ephemeral(interaction, guild_of(interaction).id)

    @onboarding.command(name="profile", description="Show your onboarding answers")
    @app_commands.describe(member="Moderators: whose profile to show")
    async def onboarding_profile(self, interaction: discord.Interaction, member: discord.Member | None = None) -> None:
        guild, user = guild_of(interaction), member_of(interaction)
        config = await self.bot.guild_config(guild.id)
        target = member or user
        if target.id != user.id and not is_moderator(user, config.roles.moderator):
            raise UserFacingError(_("Only moderators can see someone else's profile."))
        profile = await self.store.profile(guild.id, target.id)
        if profile is None or profile.status == "new":
            raise UserFacingError(
                _("You have not answered the welcome questions yet: `/onboarding start`.")
                if target.id == user.id
                else _("{member} has not answered the welcome questions.").format(member=target.mention)
            )
        settings = config.section(OnboardingSettings)
        note = await self.mentors.current_note(guild.id, target.id, settings)
        embed = render.profile_embed(target, settings, profile, note)
        await interaction.response.send_message(embed=embed, ephemeral=True)

    @onboarding.command(name="stats", description="Moderators: how newcomers fare (joined, finished, mentors)")
    @app_commands.describe(days="The period (default: the last 30 days)")
    @app_commands.choices(
        days=[
            app_commands.Choice(name=n, value=v)
            for n, v in (
                ("last 7 days", 7),
                ("last 30 days", 30),
                ("last 90 days", 90),
                ("last year", 365),
                ("all time", 0),
            )
        ]
    )
    @app_commands.default_permissions(manage_guild=True)
    async def onboarding_stats(self, interaction: discord.Interaction, days: int = 30) -> None:
        guild = guild_of(interaction)
        config = await self.bot.guild_config(guild.id)
        if not is_moderator(interaction.user, config.roles.moderator):
            raise UserFacingError(_("Only moderators can see onboarding stats."))
        since = self.bot.clock.now() - timedelta(days=days) if days else None
        stats = await self.store.stats(guild.id, since)
        mentoring = await self.mentors.store.stats(guild.id)
        embed = render.stats_embed(
            stats,
            days,
            config.section(OnboardingSettings),
            active_mentors=mentoring.active_mentors,
            requests_waiting=mentoring.requests_waiting,
            queued=self.queue.pending,
        )
        await interaction.response.send_message(embed=embed, ephemeral=True)
