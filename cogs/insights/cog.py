"""`/insights overview|onboarding|qa|events|mentors|export` for moderators, and the listeners that count activity."""

from __future__ import annotations

import io
import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import discord
from discord import app_commands
from discord.ext import commands

from bot import i18n
from bot.discord_helpers import NO_PINGS, clip, guild_of, is_moderator
from bot.errors import UserFacingError
from bot.feature import Feature
from bot.i18n import N_, _, ngettext
from bot.scheduler import DueWork, Periodic
from bot.times import unix
from cogs.insights.charts import ChartRenderer
from cogs.insights.due import InsightsDue
from cogs.insights.export import export_csvs
from cogs.insights.models import Area, Report
from cogs.insights.render import report_text
from cogs.insights.reports import InsightsReports
from cogs.insights.rules import DAY_CHOICES, local_day, period_of
from cogs.insights.settings import InsightsSettings
from cogs.insights.store import InsightsStore
from cogs.insights.store_collect import InsightsCollector
from cogs.qa.settings import QASettings

if TYPE_CHECKING:
    from bot.client import CommunityBot

log = logging.getLogger(__name__)

DAYS = [app_commands.Choice(name=f"last {n} days", value=n) for n in DAY_CHOICES]
DAYS_HELP = "How many days back (today included)"
ALT_TEXT_LIMIT = 1000  # a file's description (alt text) on Discord


class InsightsCog(Feature):
    """Charts and numbers on growth, onboarding, Q&A, events and mentors; the digest; the export."""

    name = "insights"
    title = N_("Insights")
    settings_section = InsightsSettings

    # Visible to everyone: Discord's default permissions would hide it from moderators who have only the
    # moderator role, so the bot checks (Manage Server or that role) itself.
    insights = app_commands.Group(
        name="insights", description="How the community is doing, in charts and numbers (moderators)", guild_only=True
    )

    def __init__(self, bot: CommunityBot) -> None:
        super().__init__(bot)
        self.store = InsightsStore(bot.db)
        self.collector = InsightsCollector(bot.db)
        self.reports = InsightsReports(self.store)
        self.renderer = ChartRenderer(bot.settings.section(InsightsSettings).render_workers)
        self.due = InsightsDue(bot, self.collector, self.reports)

    # --- the feature contract ------------------------------------------------------------------------------------

    def due_work(self) -> Sequence[DueWork | Periodic]:
        return self.due.work()

    async def on_load(self) -> None:
        self.renderer.start()
        if self.bot.is_ready():  # loaded again while running: on_ready will not come
            await self.due.plan_digests()

    async def on_unload(self) -> None:
        try:
            await self.collector.flush()
        except Exception:  # a few seconds of counts; the database may be closing
            log.exception("Writing the last message counts at unload failed")
        self.renderer.stop()

    async def about_counts(self) -> dict[str, int]:
        await self.collector.flush()  # counts still in memory are stored ones too
        days = await self.bot.db.fetchval("SELECT COUNT(*) FROM insights_member_days")
        marks = await self.bot.db.fetchval("SELECT COUNT(*) FROM insights_active_marks")
        return {"insights days counted": int(days or 0), "insights activity marks (35 days)": int(marks or 0)}

    async def export_member(self, guild_id: int, user_id: int) -> dict[str, Any]:
        return await self.collector.export_member(guild_id, user_id)

    async def forget_member(self, guild_id: int, user_id: int) -> int:
        return await self.collector.forget_member(guild_id, user_id)

    # --- counting (no Message Content: only who, where and when) -------------------------------------------------

    async def _today(self, guild_id: int) -> tuple[int, Any]:
        now = self.bot.clock.now()
        zone = ZoneInfo((await self.bot.guild_config(guild_id)).timezone)
        return unix(now), local_day(unix(now), zone)

    @commands.Cog.listener("on_member_join")
    async def count_join(self, member: discord.Member) -> None:
        if member.bot:
            return
        at, day = await self._today(member.guild.id)
        await self.collector.member_joined(member.guild.id, member.id, day, at)

    @commands.Cog.listener("on_raw_member_remove")
    async def count_leave(self, payload: discord.RawMemberRemoveEvent) -> None:
        if payload.user.bot:
            return
        at, day = await self._today(payload.guild_id)
        await self.collector.member_left(payload.guild_id, payload.user.id, day, at)

    @commands.Cog.listener("on_message")
    async def count_message(self, message: discord.Message) -> None:
        if message.guild is None or message.author.bot or message.webhook_id is not None:
            return
        channel = message.channel
        # a thread counts for its channel (a forum's posts for the forum): per-thread rows would grow without end
        channel_id = channel.parent_id if isinstance(channel, discord.Thread) and channel.parent_id else channel.id
        at, day = await self._today(message.guild.id)
        self.collector.count_message(message.guild.id, day, channel_id, message.author.id, at)

    @commands.Cog.listener("on_ready")
    async def plan_digests(self) -> None:
        await self.due.plan_digests()

    # --- commands ------------------------------------------------------------------------------------------------

    @insights.command(name="overview", description="Growth, activation and activity, with charts")
    @app_commands.describe(days=DAYS_HELP)
    @app_commands.choices(days=DAYS)
    async def insights_overview(self, interaction: discord.Interaction, days: int = 30) -> None:
        await self._report(interaction, Area.OVERVIEW, days)

    @insights.command(name="onboarding", description="Newcomers starting and finishing onboarding, with charts")
    @app_commands.describe(days=DAYS_HELP)
    @app_commands.choices(days=DAYS)
    async def insights_onboarding(self, interaction: discord.Interaction, days: int = 30) -> None:
        await self._report(interaction, Area.ONBOARDING, days)

    @insights.command(name="qa", description="Questions asked, answered and solved, with charts")
    @app_commands.describe(days=DAYS_HELP)
    @app_commands.choices(days=DAYS)
    async def insights_qa(self, interaction: discord.Interaction, days: int = 30) -> None:
        await self._report(interaction, Area.QA, days)

    @insights.command(name="events", description="Events held, RSVPs, reminders and cancellations, with a chart")
    @app_commands.describe(days=DAYS_HELP)
    @app_commands.choices(days=DAYS)
    async def insights_events(self, interaction: discord.Interaction, days: int = 30) -> None:
        await self._report(interaction, Area.EVENTS, days)

    @insights.command(name="mentors", description="Mentor requests, acceptances and capacity, with a chart")
    @app_commands.describe(days=DAYS_HELP)
    @app_commands.choices(days=DAYS)
    async def insights_mentors(self, interaction: discord.Interaction, days: int = 30) -> None:
        await self._report(interaction, Area.MENTORS, days)

    @insights.command(name="export", description="Download the figures as CSV files, one per area")
    @app_commands.describe(days=DAYS_HELP)
    @app_commands.choices(days=DAYS)
    async def insights_export(self, interaction: discord.Interaction, days: int = 30) -> None:
        guild, zone = await self._allowed(interaction, days)
        await interaction.response.defer(ephemeral=True, thinking=True)
        await self.collector.flush()
        period = period_of(days, self.bot.clock.now(), zone)
        files = await export_csvs(self.store, guild.id, period, _channel_namer(guild))
        # The files stay English inside (column names, ISO dates): a documented machine-readable format, the same
        # whichever language the moderator reads; only this message around them is translated.
        text = ngettext(
            "Insights export, last {days} day ({first} to {last}, {zone}): one CSV per area; the columns are "
            "described in docs/insights.md.",
            "Insights export, last {days} days ({first} to {last}, {zone}): one CSV per area; the columns are "
            "described in docs/insights.md.",
            days,
        ).format(days=i18n.number(days), first=period.first.isoformat(), last=period.last.isoformat(), zone=zone)
        await interaction.followup.send(
            text,
            files=[discord.File(io.BytesIO(data), filename=name) for name, data in files.items()],
            ephemeral=True, allowed_mentions=NO_PINGS,
        )

    async def _allowed(self, interaction: discord.Interaction, days: int) -> tuple[discord.Guild, str]:
        guild = guild_of(interaction)
        config = await self.bot.guild_config(guild.id)
        if not is_moderator(interaction.user, config.roles.moderator):
            raise UserFacingError(_("Only moderators (Manage Server or the moderator role) can see insights."))
        if days not in DAY_CHOICES:  # a client may send any number; the choices are what the charts are sized for
            raise UserFacingError(_("Pick one of {choices} days.").format(
                choices=i18n.join([i18n.number(n) for n in DAY_CHOICES], alternatives=True)
            ))
        return guild, config.timezone

    async def _report(self, interaction: discord.Interaction, area: Area, days: int) -> None:
        guild, zone = await self._allowed(interaction, days)
        # Always deferred: a year of charts takes longer than Discord's 3 seconds.
        await interaction.response.defer(ephemeral=True, thinking=True)
        await self.collector.flush()  # numbers live up to the moment asked
        config = await self.bot.guild_config(guild.id)
        try:
            leaderboard = config.section(QASettings).leaderboard
        except KeyError:  # Q&A is not installed
            leaderboard = False
        period = period_of(days, self.bot.clock.now(), zone)
        report = await self.reports.build(area, guild.id, period, leaderboard=leaderboard,
                                          channel_name=_channel_namer(guild))
        await interaction.followup.send(
            report_text(report), files=await self._files(report), ephemeral=True, allowed_mentions=NO_PINGS
        )

    async def _files(self, report: Report) -> list[discord.File]:
        pngs = await self.renderer.render_all(report.charts)
        return [  # the alt text: the chart's text equivalent, in the report's language
            discord.File(io.BytesIO(png), filename=spec.filename, description=clip(note, ALT_TEXT_LIMIT))
            for spec, png, note in zip(report.charts, pngs, report.alt_texts, strict=True)
        ]


def _channel_namer(guild: discord.Guild) -> Any:
    def name(channel_id: int) -> str:
        channel = guild.get_channel(channel_id)
        return f"#{channel.name}" if channel is not None else _("channel {id}").format(id=channel_id)

    return name
