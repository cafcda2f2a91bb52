"""Insights' due work: the weekly digest (exactly once per week across restarts), flushing counts, and upkeep."""

from __future__ import annotations

import hashlib
import logging
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import discord

from bot import i18n, languages
from bot.discord_helpers import NO_PINGS, find_channel
from bot.scheduler import DueWork, Periodic
from bot.times import unix, utc
from cogs.insights.render import digest_text
from cogs.insights.reports import InsightsReports
from cogs.insights.rules import next_digest, parse_digest, week_range
from cogs.insights.settings import InsightsSettings
from cogs.insights.store_collect import InsightsCollector

if TYPE_CHECKING:
    from bot.client import CommunityBot

log = logging.getLogger(__name__)

DIGEST = "insights:digest"
FLUSH_EVERY = timedelta(seconds=10)
UPKEEP_EVERY = timedelta(hours=1)
CLAIM_LEASE = 600  # seconds a process may take to post a digest before another takes it over
RETRY_AFTER = 900  # a digest Discord refused is tried again this much later
LATE_LIMIT = 86400  # a digest more than a day late (the bot was down) is skipped: the next one covers the news


def digest_nonce(guild_id: int, week: str) -> str:
    """The same digest always goes with the same nonce, so Discord drops a repeat sent within a few minutes."""
    return hashlib.sha256(f"insights-digest:{guild_id}:{week}".encode()).hexdigest()[:25]


def digest_marker(week: str) -> str:
    """The part of a digest's text that says which week it covers (looked for after a crash mid-send), in the
    current language: the one the digest is written in."""
    return week_range(date.fromisoformat(week))


class InsightsDue:
    """Digest planning and sending, count flushing and pruning, for the core scheduler."""

    def __init__(self, bot: CommunityBot, collector: InsightsCollector, reports: InsightsReports) -> None:
        self.bot = bot
        self.collector = collector
        self.reports = reports

    def work(self) -> list[DueWork | Periodic]:
        return [
            DueWork(DIGEST, self.next_digest_due, self.send_due_digests),
            Periodic("insights:flush", FLUSH_EVERY, self.collector.flush),
            Periodic("insights:upkeep", UPKEEP_EVERY, self.upkeep),
        ]

    async def next_digest_due(self) -> datetime | None:
        due = await self.collector.next_digest_due()
        return None if due is None else utc(due)

    # --- planning ------------------------------------------------------------------------------------------------

    async def plan_digests(self) -> None:
        """Give every server of this process its next digest (or none when `insights.digest` is off)."""
        for guild in list(self.bot.guilds):
            try:
                await self.plan_digest(guild.id)
            except Exception:
                log.exception("Planning the insights digest of guild %s failed", guild.id)

    async def plan_digest(self, guild_id: int) -> None:
        config = await self.bot.guild_config(guild_id)
        value = config.section(InsightsSettings).digest
        schedule = parse_digest(value)
        if schedule is None:
            await self.collector.drop_digest(guild_id)
            return
        row = await self.collector.digest_row(guild_id)
        if row is not None and row["schedule"] == value:
            return  # planned already: a restart keeps the week it was going to send
        when, week = next_digest(schedule, self.bot.clock.now(), ZoneInfo(config.timezone))
        await self.collector.plan_digest(guild_id, unix(when), week, value)
        self.bot.scheduler.due_at(DIGEST, when)

    # --- sending -------------------------------------------------------------------------------------------------

    async def send_due_digests(self) -> None:
        now = self.bot.clock.now()
        for guild_id, week, sending_since in await self.collector.due_digests(unix(now)):
            # any process sends any server's digest (another shard's over REST), so a dead process's go out too
            guild = await self.bot.work_guild(guild_id)
            if guild is None:
                if not self.bot.is_remote(guild_id):
                    await self.collector.drop_digest(guild_id)  # the bot left that server
                continue  # another shard's server Discord would not show just now: the next pass tries again
            config = await self.bot.guild_config(guild_id)
            value = config.section(InsightsSettings).digest
            schedule = parse_digest(value)
            if schedule is None:
                await self.collector.drop_digest(guild_id)
                continue
            if not await self.collector.claim_digest(guild_id, week, unix(now), CLAIM_LEASE):
                continue  # another process is sending it
            next_when, next_week = next_digest(schedule, now, ZoneInfo(config.timezone))
            row = await self.collector.digest_row(guild_id)
            late = unix(now) - int(row["due_at"]) if row is not None else 0
            if late > LATE_LIMIT:
                log.info("Skipping the insights digest of guild %s for week %s: %d s late", guild_id, week, late)
                await self.collector.digest_sent(guild_id, week, unix(now), unix(next_when), next_week)
                continue
            # nobody asked for it: the server's language (its `language` setting, else its Discord language)
            with i18n.using(await languages.of_server(self.bot, guild_id)):
                delivered = await self._deliver(guild, config.channels.mod_log, config.timezone, week,
                                                sending_since is not None)
            if delivered:
                await self.collector.digest_sent(guild_id, week, unix(now), unix(next_when), next_week)
            else:
                await self.collector.digest_failed(guild_id, week, unix(now) + RETRY_AFTER)
        # moved after a pass: the scheduler re-arms from next_digest_due()

    async def _deliver(self, guild: discord.Guild, mod_log: str, zone: str, week: str, resumed: bool) -> bool:
        """Post one digest; True once Discord has it (or already had it), False to try again later."""
        channel = find_channel(guild, mod_log, kinds=("text",))
        if not isinstance(channel, discord.TextChannel):
            log.warning("Guild %s has no moderators' log channel %r: the weekly insights digest is skipped",
                        guild.id, mod_log)
            return True  # nothing to retry until someone sets the channel; next week's goes there
        if resumed and await self._already_posted(channel, week):
            return True  # the process that claimed it died after Discord accepted the message
        first = date.fromisoformat(week)
        await self.collector.flush()  # what this process still holds in memory counts too (as in /insights)
        this = await self.reports.week(guild.id, first, zone)
        before = await self.reports.week(guild.id, first - timedelta(days=7), zone)
        try:
            await channel.send(digest_text(guild.name, first, this, before), allowed_mentions=NO_PINGS,
                               nonce=digest_nonce(guild.id, week))  # discord.py sends enforce_nonce with it
        except discord.HTTPException:
            log.warning("Posting the insights digest of guild %s failed; trying again later", guild.id,
                        exc_info=True)
            return False
        return True

    async def _already_posted(self, channel: discord.TextChannel, week: str) -> bool:
        marker = digest_marker(week)
        try:
            async for message in channel.history(limit=25):
                if message.author.id == self.bot.user.id and marker in message.content:  # type: ignore[union-attr]
                    return True
        except discord.HTTPException:
            log.warning("Could not read the moderators' log of guild %s to check the digest", channel.guild.id)
        return False

    # --- upkeep --------------------------------------------------------------------------------------------------

    async def upkeep(self) -> None:
        """Keep each finished week's active-member count, prune old marks, and follow digest setting changes."""
        now = self.bot.clock.now()
        for guild_id in await self.collector.guilds_with_marks():
            config = await self.bot.guild_config(guild_id)
            await self.collector.close_weeks(guild_id, now.astimezone(ZoneInfo(config.timezone)).date())
        removed = await self.collector.prune(now.date(), unix(now))
        if removed:
            log.info("Insights upkeep removed %d old activity rows", removed)
        await self.plan_digests()
