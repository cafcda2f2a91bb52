"""The events' due work: reminders, notices, series and owed announcements, sent exactly once; and housekeeping."""

# `next_due` is the earliest instant the database says something is to do (store `next_due`, on its indexes); core
# arms one job for it, runs one pass at a time and re-arms after each. A pass closes ended occurrences (a series
# gets its next date), posts owed announcements, then per server records what is past the grace period as missed
# and sends the rest: each reminder is claimed (pending -> sending, with one delivery row per message), each
# message is marked sent only after Discord accepted it (its nonce makes a repeat after a crash return the same
# message), and the reminder is finished when no delivery is pending. What a pass cannot finish (a message to
# retry, a server the bot cannot see, an announcement Discord refused) gets a retry time in the database, which
# `next_due` then returns: never an instant already past that a pass would leave as it is (core would spin).

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import aiohttp
import discord

from bot import i18n, languages, mod_log
from bot.discord_helpers import NO_PINGS
from bot.i18n import _
from bot.scheduler import DueWork, Periodic
from bot.settings import Settings
from bot.times import utc
from cogs.events.models import (
    DeliveryState,
    Event,
    NoticeKind,
    Occurrence,
    OccurrenceState,
    Reminder,
    ReminderDelivery,
)
from cogs.events.planner import EventPlanner
from cogs.events.publish import Publisher
from cogs.events.render import notice_dm_text, reminder_channel_text
from cogs.events.rules import DRAFT_LIFETIME, is_late
from cogs.events.settings import EventsSettings

if TYPE_CHECKING:
    from bot.client import CommunityBot

log = logging.getLogger(__name__)

REMINDERS = "events:reminders"
HOUSEKEEPING = "events:housekeeping"

HOUSEKEEPING_EVERY = timedelta(minutes=30)
BATCH = 200
CONCURRENCY = 8
MAX_ATTEMPTS = 5
RETRY_AFTER = timedelta(minutes=1)
ANNOUNCE_RETRY = timedelta(minutes=10)
ANNOUNCE_BATCH = 10  # owed announcements claimed at once (posted well within the claim's lease)
ANNOUNCE_ROUNDS = 10  # claims per pass; more waits for the next pass
HISTORY = timedelta(days=90)  # delivery rows of finished reminders are kept this long


@dataclass
class ReminderStats:
    """Counts since start (for logs, tests and the benchmark)."""

    sent: int = 0
    late: int = 0
    missed: int = 0
    dm_closed: int = 0
    failed: int = 0
    retried: int = 0
    passes: int = 0


@dataclass(frozen=True)
class _Target:
    """Where one reminder goes: its server and that server's settings."""

    guild: discord.Guild
    settings: Settings

    @property
    def events(self) -> EventsSettings:
        return self.settings.section(EventsSettings)


class EventReminders:
    """The `events:reminders` pass and the `events:housekeeping` upkeep."""

    def __init__(self, bot: CommunityBot, planner: EventPlanner, publisher: Publisher) -> None:
        self.bot = bot
        self.planner = planner
        self.store = planner.store
        self.publisher = publisher
        self.stats = ReminderStats()

    def work(self) -> list[DueWork | Periodic]:
        return [
            DueWork(REMINDERS, self.next_due, self.run_due),
            Periodic(HOUSEKEEPING, HOUSEKEEPING_EVERY, self.tidy),
        ]

    async def next_due(self) -> datetime | None:
        when = await self.store.next_due(self.planner.now())
        return None if when is None else utc(when)

    async def tidy(self) -> None:
        """Forget drafts nobody confirmed and the per-message rows of reminders finished long ago."""
        now = self.planner.now()
        await self.store.purge_drafts(now - int(DRAFT_LIFETIME.total_seconds()))
        await self.store.purge_deliveries(now - int(HISTORY.total_seconds()))

    # ------------------------------------------------------------ a pass

    async def run_due(self) -> None:
        """Do everything that is due now (core runs one pass at a time and coalesces requests)."""
        self.stats.passes += 1
        await self._advance_series()
        await self._announce_owed()
        now = self.planner.now()
        for guild_id in await self.store.due_guilds(now):
            settings = await self.bot.guild_config(guild_id)
            grace_s = settings.section(EventsSettings).reminder_grace_minutes * 60
            missed = await self.store.expire(guild_id, now, grace_s)
            if missed:
                self.stats.missed += missed
                log.warning("Events: %d reminder(s) in guild %s were too late to send and are missed", missed, guild_id)
            guild = await self.bot.work_guild(guild_id)  # another process's guild too: its process may be dead
            if guild is None:  # not in that server (any more), or it is unavailable: the grace rule decides later
                await self.store.defer_guild(guild_id, now, now + int(RETRY_AFTER.total_seconds()))
                continue
            await self._send_due(_Target(guild, settings), now)

    async def _send_due(self, target: _Target, now: int) -> None:
        """Send what is due in one server, a batch at a time."""
        # Per batch: one query for its events, one transaction to claim it, one query for its deliveries, then
        # the messages, CONCURRENCY at once.
        gate = asyncio.Semaphore(CONCURRENCY)

        async def one(reminder: Reminder, event: Event, occurrence: Occurrence, todo: list[ReminderDelivery]) -> bool:
            async with gate:
                return await self._send_reminder(target, event, occurrence, reminder, todo, now)

        unfinished: list[int] = []
        position = (0, 0)
        while batch := await self.store.due_batch(target.guild.id, now, BATCH, position):
            position = (batch[-1].due_at, batch[-1].id)
            contexts = await self.store.contexts({r.occurrence_id for r in batch})
            todo = []
            for reminder in batch:
                cancelled = contexts[reminder.occurrence_id][1].state is OccurrenceState.CANCELLED
                if reminder.kind is NoticeKind.REMINDER and cancelled:
                    await self.store.abandon(reminder.id, now)  # the event was cancelled: no "starts soon"
                else:
                    todo.append(reminder)
            claimed = await self.store.claim_many(todo, now, dm_reminders=target.events.dm_reminders)
            work = [r for r in todo if r.id in claimed]
            deliveries = await self.store.pending_deliveries_many([r.id for r in work])
            finished = await asyncio.gather(
                *(one(r, *contexts[r.occurrence_id], deliveries.get(r.id, [])) for r in work)
            )
            unfinished += [r.id for r, done in zip(work, finished, strict=True) if not done]
        if unfinished:
            await self.store.defer(unfinished, self.planner.now() + int(RETRY_AFTER.total_seconds()))

    async def _send_reminder(
        self,
        target: _Target,
        event: Event,
        occurrence: Occurrence,
        reminder: Reminder,
        deliveries: list[ReminderDelivery],
        now: int,
    ) -> bool:
        """Send a claimed reminder's unsent messages, then finish it; False when something is left to retry."""
        late = is_late(reminder, now)
        renewed = now
        for delivery in deliveries:
            if self.store.lease_s and self.planner.now() - renewed >= self.store.lease_s // 3:
                renewed = self.planner.now()  # keep the claim while sending; stop if another process took it over
                if not await self.store.renew(reminder.id, renewed):
                    return False
            await self._deliver(target, event, occurrence, reminder, delivery, late)
        if not await self.store.finish_if_done(reminder.id, self.planner.now()):
            return False
        self.stats.sent += 1
        self.stats.late += int(late)
        return True

    # ------------------------------------------------------------ one message

    async def _deliver(
        self,
        target: _Target,
        event: Event,
        occurrence: Occurrence,
        reminder: Reminder,
        delivery: ReminderDelivery,
        late: bool,
    ) -> None:
        """Send one message; mark it only from Discord's answer (left pending when it should be tried again)."""
        guild = target.guild
        nonce = f"evd{delivery.id}"  # a resend after a crash is deduplicated by Discord within its window
        try:
            if delivery.is_channel:
                message = await self._send_channel(guild, event, occurrence, late, nonce)
            else:
                channel = await self.bot.create_dm(discord.Object(delivery.user_id))
                # Nobody asked for this DM: the member's chosen language, else the server's.
                with i18n.using(await languages.of_member(self.bot, guild.id, delivery.user_id)):
                    text = notice_dm_text(event, occurrence, reminder, guild.name, late)
                message = await channel.send(text, allowed_mentions=NO_PINGS, nonce=nonce)
        except discord.Forbidden as error:
            if delivery.is_channel:
                await self._failed(delivery, f"403 {error.code}")
                await self._report(
                    target, f"403:{event.channel_id}", lambda: _("I may not post reminders in {channel} (403).").format(
                        channel=f"<#{event.channel_id}>"
                    )
                )  # fmt: skip
            else:
                # 50007 (DMs closed) or 50278 (no mutual server): either way the bot cannot DM this member.
                # Remember it and do not try again: each refusal counts toward Discord's invalid-request limit.
                await self.store.delivery_failed(delivery.id, DeliveryState.DM_CLOSED, f"403 {error.code}")
                await self.store.remember_dm_closed(delivery.user_id, self.planner.now(), guild.id)
                self.stats.dm_closed += 1
            return
        except discord.NotFound as error:
            await self._failed(delivery, f"404 {error.code}")
            return
        except _ChannelGone:
            await self._failed(delivery, "events channel missing")
            await self._report(
                target, "channel", lambda: _("the events channel is missing, so a reminder could not be posted.")
            )
            return
        except (discord.HTTPException, aiohttp.ClientError, TimeoutError, OSError) as error:
            attempts = await self.store.delivery_retry_later(delivery.id, str(error))
            if attempts >= MAX_ATTEMPTS:
                await self._failed(delivery, str(error))
                log.warning("Events: delivery %s failed %d times; giving up: %s", delivery.id, attempts, error)
                return
            self.stats.retried += 1
            log.info("Events: delivery %s failed (%s); will retry", delivery.id, error)
            return
        await self.store.delivered(delivery.id, message.id, self.planner.now())

    async def _failed(self, delivery: ReminderDelivery, error: str) -> None:
        await self.store.delivery_failed(delivery.id, DeliveryState.FAILED, error)
        self.stats.failed += 1

    async def _send_channel(
        self, guild: discord.Guild, event: Event, occurrence: Occurrence, late: bool, nonce: str
    ) -> discord.Message:
        channel = guild.get_channel(event.channel_id) if event.channel_id else None
        if not isinstance(channel, discord.TextChannel):
            raise _ChannelGone
        with i18n.using(await languages.of_server(self.bot, guild.id)):  # a channel post: the server's language
            text = reminder_channel_text(event, occurrence, guild.id, late)
        mentions = NO_PINGS
        if event.ping_role_id:  # the organiser asked for this one role to be pinged, and nothing else
            mentions = discord.AllowedMentions(everyone=False, users=False, roles=[discord.Object(event.ping_role_id)])
        return await channel.send(text, allowed_mentions=mentions, nonce=nonce)

    async def _report(self, target: _Target, key: str, problem: Callable[[], str]) -> None:
        """Tell the moderators once per kind of problem, in the server's language (`problem` writes the text)."""
        with i18n.using(await languages.of_server(self.bot, target.guild.id)):
            text = _("Events: {problem}").format(problem=problem())
        await mod_log.report(self.bot.db, target.guild, target.settings.channels.mod_log, text,
                             once_key=f"events:{key}")  # fmt: skip

    # ------------------------------------------------------------ series and announcements

    async def _advance_series(self) -> None:
        for done in await self.planner.advance():
            guild = self.bot.get_guild(done.event.guild_id)
            if guild is not None:
                await self.publisher.refresh_announcement(guild, done.event, done.ended)

    async def _announce_owed(self) -> None:
        """Post announcements that are owed: a series' next occurrence, or one a crash interrupted."""
        # Claimed a few at a time, each claim held for the lease while they are posted (several processes).
        now = self.planner.now()
        later = now + int(ANNOUNCE_RETRY.total_seconds())
        for _round in range(ANNOUNCE_ROUNDS):
            claimed = await self.store.claim_unannounced(now, ANNOUNCE_BATCH)
            if not claimed:
                return
            for event, occurrence in claimed:
                await self._announce(event, occurrence, later)

    async def _announce(self, event: Event, occurrence: Occurrence, later: int) -> None:
        """Post one claimed announcement and make its Discord event; on failure, try again `later`."""
        guild = self.bot.get_guild(event.guild_id)
        if guild is None:
            await self.store.announce_later(occurrence.id, later)
            return
        try:
            with i18n.using(await languages.of_server(self.bot, guild.id)):  # its refusal goes to the mod log
                await self.publisher.post_announcement(guild, event, occurrence)
        except Exception as error:  # a missing channel or permission: say so once, try again later
            await self.store.announce_later(occurrence.id, later)
            log.warning("Events: could not announce occurrence %s of event %s: %s", occurrence.seq, event.id, error)
            target = _Target(guild, await self.bot.guild_config(guild.id))
            problem = str(error)
            await self._report(
                target,
                f"announce:{event.id}",
                lambda: _("I could not post the announcement of event #{id}: {error}").format(
                    id=event.id, error=problem
                ),
            )
            return
        fresh = await self.store.occurrence(occurrence.id)
        if fresh is not None:
            await self.publisher.create_native(guild, event, fresh)


class _ChannelGone(Exception):
    """The announcement channel no longer exists."""
