"""Onboarding's due work: the one reminder to members who started and did not finish."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from bot import i18n, languages
from bot.i18n import _
from cogs.onboarding import render
from cogs.onboarding.dms import DmOutcome, DmResult, find_own_dm, nonce, send_dm
from cogs.onboarding.store import OnboardingStore
from cogs.onboarding.views import Surface
from cogs.onboarding.welcome import WelcomeSender

if TYPE_CHECKING:
    from bot.client import CommunityBot

log = logging.getLogger(__name__)

REMINDERS_DUE = "onboarding:reminders"
RETRY_REMINDER_AFTER = timedelta(hours=1)


class OnboardingReminders:
    """Sends the reminders that are due, exactly once: claimed before the DM, marked sent after Discord took it."""

    def __init__(self, bot: CommunityBot, store: OnboardingStore, sender: WelcomeSender) -> None:
        self.bot, self.store, self.sender = bot, store, sender

    def now(self) -> datetime:
        return self.bot.clock.now()

    async def run_due(self) -> None:
        """Resolve sends a stop cut off (Discord may have them), then send what is due now."""
        for guild_id, user_id, claimed_at in await self.store.interrupted_reminders():
            await self.resume(guild_id, user_id, claimed_at)
        for guild_id, user_id in await self.store.due_reminders(self.now()):
            await self.send(guild_id, user_id)

    async def send(self, guild_id: int, user_id: int) -> None:
        """The one reminder to a member who started and did not finish."""
        now = self.now()
        profile = await self.store.profile(guild_id, user_id)
        guild = await self.bot.work_guild(guild_id)  # another shard's over REST: its process may be dead
        member = await self.bot.work_member(guild, user_id) if guild else None
        if (
            guild is None
            or member is None
            or profile is None
            or profile.status == "finished"
            or await self.store.dm_closed(guild_id, user_id)
        ):
            await self.store.close_reminder(guild_id, user_id, "skipped", now)
            return
        if not await self.store.claim_reminder(guild_id, user_id, now):
            return
        with i18n.using(await languages.of_member(self.bot, guild_id, user_id)):  # nobody asked: their language
            note = _(render.REMINDER_NOTE).format(server=guild.name)
            fields = await self.sender.step_message(member, Surface.REMINDER, greeting=False, note=note)
        result = await send_dm(member, nonce_value=nonce("reminder", guild_id, user_id), **fields)
        await self._after(guild_id, user_id, result)

    async def _after(self, guild_id: int, user_id: int, result: DmResult) -> None:
        now = self.now()
        if result.outcome is DmOutcome.SENT:
            await self.store.close_reminder(guild_id, user_id, "sent", now)
        elif result.outcome is DmOutcome.CLOSED:
            await self.store.record_dm_closed(guild_id, user_id, now)
            await self.store.close_reminder(guild_id, user_id, "skipped", now)
        elif result.outcome is DmOutcome.GONE:
            await self.store.close_reminder(guild_id, user_id, "skipped", now)
        else:
            log.warning(
                "Reminder to %s in guild %s failed (%s); trying again in an hour", user_id, guild_id, result.error
            )
            await self.store.retry_reminder(guild_id, user_id, now + RETRY_REMINDER_AFTER)

    async def resume(self, guild_id: int, user_id: int, claimed_at: datetime) -> None:
        """A reminder cut off by a stop: done if Discord has it, otherwise due again."""
        guild = await self.bot.work_guild(guild_id)
        member = await self.bot.work_member(guild, user_id) if guild else None
        found = None
        if member is not None and self.bot.user is not None:
            found = await find_own_dm(self.bot.user.id, member, guild_id, Surface.REMINDER.value, after=claimed_at)
        if found is not None:
            await self.store.close_reminder(guild_id, user_id, "sent", self.now())
        else:
            await self.store.retry_reminder(guild_id, user_id, self.now())
