"""`/onboarding ...` and the join listeners: every newcomer gets one welcome, even in a wave or across a restart."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import CommunityBot
from bot.discord_helpers import clip, escape, is_moderator
from bot.errors import UserFacingError
from cogs.onboarding.controller import FlowController
from cogs.onboarding.delivery import Delivery
from cogs.onboarding.due import DueJob
from cogs.onboarding.flow import Answers
from cogs.onboarding.stats import compute_stats, format_duration
from cogs.onboarding.store import OnboardingStore, WelcomeState, parse
from cogs.onboarding.summary import role_labels
from cogs.onboarding.views import DYNAMIC_ITEMS
from cogs.onboarding.welcome_queue import FallbackBatcher, WelcomeKey, WelcomeQueue

log = logging.getLogger(__name__)

PRESENCE_EVERY = timedelta(minutes=5)
# Members who joined while the bot was offline are welcomed at the next start, if they joined this recently.
CATCH_UP_LIMIT = timedelta(days=2)


class OnboardingCog(commands.Cog, name="Onboarding"):
    """Welcome DMs, the questions, roles, the summary, reminders and stats."""

    onboarding = app_commands.Group(name="onboarding", description="Your start in this server", guild_only=True)

    def __init__(self, bot: CommunityBot) -> None:
        self.bot = bot
        self.store = OnboardingStore(bot.db, bot.dm_closed)
        self.delivery = Delivery(bot, self.store)
        self.flow = FlowController(bot, self.store, self.delivery)
        settings = bot.settings.onboarding
        self.queue = WelcomeQueue(
            self.delivery.deliver_welcome,
            self._due_welcomes,
            workers=settings.dm_workers,
            per_second=settings.welcome_dms_per_second,
            ready=bot.wait_until_ready,
        )
        self.fallback = FallbackBatcher(self.delivery.post_fallback)
        self.delivery.queue, self.delivery.fallback = self.queue, self.fallback
        self.reminders = DueJob(
            bot.scheduler,
            "onboarding:reminders",
            bot.clock,
            self.store.next_reminder_due,
            self.run_due_reminders,
            bot.wait_until_ready,
        )
        self._background: set[asyncio.Task] = set()

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(*DYNAMIC_ITEMS)
        self.bot.scheduler.register_rebuilder("onboarding", self.rebuild)
        self.queue.start()

    async def cog_unload(self) -> None:
        await self.queue.stop()
        await self.fallback.stop()
        if self.bot.is_ready():
            await self._mark_seen()  # members added after this were added while the bot was away
        for task in self._background:
            task.cancel()

    def _spawn(self, coro, name: str) -> None:
        task = asyncio.create_task(coro, name=name)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def about_counts(self) -> dict[str, int]:
        return await self.store.counts()

    # --- start-up: the database says what is still due ------------------------------------------------------------

    async def rebuild(self) -> None:
        """Re-queue unsent welcomes, re-arm the reminder job, and resume what a stop cut off."""
        await self.reminders.arm()
        await self.queue.refill_now()
        self.bot.scheduler.every("onboarding:presence", PRESENCE_EVERY, self._mark_seen)
        self._spawn(self._resume_after_ready(), "onboarding-resume")

    async def _due_welcomes(self, limit: int) -> list[WelcomeKey]:
        welcomes = await self.store.open_welcomes((WelcomeState.PENDING, WelcomeState.SENDING), limit)
        return [(w.guild_id, w.user_id) for w in welcomes]

    async def _resume_after_ready(self) -> None:
        await self.bot.wait_until_ready()
        await self.delivery.resume_fallbacks(await self.store.open_welcomes((WelcomeState.FALLBACK,), 10_000))
        for row in await self.store.interrupted_reminders():
            await self.delivery.resume_reminder(row["guild_id"], row["user_id"], parse(row["done_at"]))
        await self.reminders.arm()

    async def _mark_seen(self) -> None:
        await self.store.mark_seen([guild.id for guild in self.bot.guilds], datetime.now(UTC))

    @commands.Cog.listener("on_ready")
    async def catch_up_joins(self) -> None:
        """Welcome members who joined while the bot was offline (the gateway does not replay those joins)."""
        for guild in self.bot.guilds:
            presence = await self.store.last_seen(guild.id)
            if presence is None:
                continue  # first start in this server: nobody was promised a welcome
            first_seen, seen = presence
            config = await self.bot.guild_config(guild.id)
            if not config.onboarding.enabled:
                continue
            # `seen` is the clean stop, or after a crash the last periodic mark (members who joined since then
            # and were welcomed have a welcome row for that join and are skipped below).
            since = max(first_seen, seen, datetime.now(UTC) - CATCH_UP_LIMIT)
            known = await self.store.welcomed_joins(guild.id)
            for member in guild.members:
                if member.bot or member.joined_at is None or member.joined_at <= since:
                    continue
                if member.id in known and parse(known[member.id]) >= member.joined_at:
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
        if config.onboarding.enabled:
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

    # --- reminders ------------------------------------------------------------------------------------------------

    async def run_due_reminders(self) -> None:
        for row in await self.store.due_reminders(self.bot.clock.now()):
            await self.delivery.send_reminder(row["guild_id"], row["user_id"])

    # --- commands -------------------------------------------------------------------------------------------------

    @onboarding.command(name="start", description="Answer the welcome questions (again): role, level, interests")
    async def onboarding_start(self, interaction: discord.Interaction) -> None:
        await self.flow.start_ephemeral(interaction, interaction.guild.id)

    @onboarding.command(name="profile", description="Show your onboarding answers")
    @app_commands.describe(member="Moderators: whose profile to show")
    async def onboarding_profile(self, interaction: discord.Interaction, member: discord.Member | None = None) -> None:
        config = await self.bot.guild_config(interaction.guild.id)
        target = member or interaction.user
        if target.id != interaction.user.id and not is_moderator(interaction.user, config.roles.moderator):
            raise UserFacingError("Only moderators can see someone else's profile.")
        profile = await self.store.profile(interaction.guild.id, target.id)
        if profile is None or profile["status"] == "new":
            own = target.id == interaction.user.id
            raise UserFacingError(
                "You have not answered the welcome questions yet: `/onboarding start`."
                if own
                else f"{target.mention} has not answered the welcome questions."
            )
        embed = self._profile_embed(target, config, profile)
        mentors = self.bot.get_cog("Mentors")
        note = await mentors.current_note(interaction.guild.id, target.id, config) if mentors else None
        if note is not None:
            text = {
                "matched": f"<@{note.mentor_id}>",
                "asked": f"asked <@{note.mentor_id}>, waiting for an answer",
                "waiting": "requested; waiting for a mentor with a free place",
            }[note.state]
            embed.add_field(name="Mentor", value=text, inline=False)
        await interaction.response.send_message(embed=embed, ephemeral=True)

    def _profile_embed(self, target: discord.abc.User, config, profile) -> discord.Embed:
        answers = Answers.from_row(profile)
        role, level, topics = role_labels(config.onboarding, answers)
        region = next((r.label for r in config.onboarding.regions if r.key == answers.region), answers.region)
        embed = discord.Embed(
            title=f"Profile of {clip(escape(target.display_name), 200)}", colour=discord.Colour.blurple()
        )
        embed.add_field(name="Role", value=role or "—")
        embed.add_field(name="Level", value=level or "—")
        embed.add_field(name="Region", value=region or "—")
        embed.add_field(name="Interests", value=clip(", ".join(topics), 1024) or "—", inline=False)
        if answers.timezone:
            embed.add_field(name="Time zone", value=answers.timezone)
        status = "finished" if profile["status"] == "finished" else "started, not finished"
        embed.set_footer(text=f"Onboarding {status} · change it with /onboarding start")
        return embed

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
        config = await self.bot.guild_config(interaction.guild.id)
        if not is_moderator(interaction.user, config.roles.moderator):
            raise UserFacingError("Only moderators can see onboarding stats.")
        since = self.bot.clock.now() - timedelta(days=days) if days else None
        stats = await compute_stats(self.bot.db, interaction.guild.id, since)
        period = f"the last {days} days" if days else "all time"
        embed = discord.Embed(title=f"Onboarding, {period}", colour=discord.Colour.blurple())
        rate = f" ({stats.finish_rate:.0%})" if stats.finish_rate is not None else ""
        embed.add_field(
            name="Joined", value=f"{stats.joined:,}" + (f" ({stats.rejoined} rejoined)" if stats.rejoined else "")
        )
        embed.add_field(name="Welcome DMs", value=f"{stats.welcomed:,}")
        embed.add_field(name="DMs closed", value=f"{stats.dm_closed:,}")
        embed.add_field(name="Started", value=f"{stats.started:,}")
        embed.add_field(name="Finished", value=f"{stats.finished:,}{rate}")
        embed.add_field(name="Median time to finish", value=format_duration(stats.median_seconds_to_finish))
        embed.add_field(name="Mentors matched", value=f"{stats.mentors_matched:,}")
        embed.add_field(name="Active mentors", value=f"{stats.mentors_active:,}")
        embed.add_field(name="Waiting for a mentor", value=f"{stats.requests_waiting:,}")
        labels = {o.key: o.label for o in config.onboarding.roles}
        lines = [
            f"{escape(labels.get(line.role, line.role or 'not answered yet'))}: {line.started} started, "
            f"{line.finished} finished"
            for line in stats.per_role[:20]
        ]
        embed.add_field(name="Per role", value=clip("\n".join(lines), 1024) or "nobody yet", inline=False)
        embed.set_footer(text=f"Welcomes queued right now: {self.queue.pending}")
        await interaction.response.send_message(embed=embed, ephemeral=True)
