"""The reminder dispatcher: an indexed 'next due' query feeds the scheduler a few hours at a time.

Only the next WINDOW of due times (one scheduler job per distinct second, at most MAX_JOBS) is held in memory;
a refill job reloads from SQLite. Each reminder is claimed (pending -> sending, with one delivery row per
message), each message is marked sent only after Discord accepted it, and the reminder is finished when no
delivery is pending. A reminder found overdue is sent with a note if within the guild's grace period and
recorded as missed otherwise.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import aiohttp
import discord

from bot import mod_log
from bot.discord_helpers import NO_PINGS, clip
from cogs.events.models import (
    Delivery,
    DeliveryState,
    Event,
    NoticeKind,
    Occurrence,
    OccurrenceState,
    Reminder,
    utc,
)
from cogs.events.publish import Publisher
from cogs.events.render import cancelled_dm_text, moved_dm_text, reminder_channel_text, reminder_dm_text
from cogs.events.service import DRAFT_LIFETIME, EventService

if TYPE_CHECKING:
    from bot.client import CommunityBot
    from bot.settings import Settings

log = logging.getLogger(__name__)

WINDOW = timedelta(hours=6)
REFILL_EVERY = timedelta(minutes=30)
MAX_JOBS = 2000
BATCH = 200
CONCURRENCY = 8
MAX_ATTEMPTS = 5
RETRY_AFTER = timedelta(minutes=1)
ANNOUNCE_RETRY = timedelta(minutes=10)
HISTORY = timedelta(days=90)  # delivery rows of finished reminders are kept this long
LATE_AFTER_S = 60  # later than this, a reminder carries the "bot was offline" note


@dataclass
class DispatchStats:
    """Counts since start (for /about, logs and the benchmark)."""

    sent: int = 0
    late: int = 0
    missed: int = 0
    dm_closed: int = 0
    failed: int = 0
    retried: int = 0
    passes: int = 0


class ReminderDispatcher:
    """Loads what is due soon into the scheduler and sends it exactly once."""

    def __init__(self, bot: CommunityBot, service: EventService, publisher: Publisher) -> None:
        self.bot = bot
        self.service = service
        self.store = service.store
        self.publisher = publisher
        self.stats = DispatchStats()
        self._pass_lock = asyncio.Lock()
        self._requests = 0
        self._tasks: set[asyncio.Task] = set()
        self._refill_lock = asyncio.Lock()
        self._scheduled: set[int] = set()
        self._inflight: set[int] = set()
        self._announce_after: dict[int, int] = {}
        self.loaded_until = 0

    # ------------------------------------------------------------ the window

    def _wall(self, unix: int) -> datetime:
        """When the scheduler (real time) should wake for a due time on the bot's clock (tests move it)."""
        return datetime.now(UTC) + (utc(unix) - self.bot.clock.now())

    async def refill(self) -> None:
        """Load the next window of due times from SQLite; schedule the next refill before it runs out."""
        now = self.service.now()
        horizon = now + int(WINDOW.total_seconds())
        due = await self.store.next_due_times(horizon, MAX_JOBS)
        ends = await self.store.next_ends(horizon, MAX_JOBS)
        limit = horizon
        for found in (due, ends):
            if len(found) >= MAX_JOBS:
                limit = min(limit, found[-1])
        self.loaded_until = limit
        self._scheduled = {t for t in self._scheduled if t > now}
        for t in sorted(set(due) | set(ends)):
            if t <= limit:
                self._schedule(t)
        next_refill = max(now + 1, min(now + int(REFILL_EVERY.total_seconds()), limit))
        self.bot.scheduler.at("events:refill", self._wall(next_refill), self._refill_job)
        log.info("Events: %d due times in the next window (until %s)", len(self._scheduled), utc(limit).isoformat())
        self.poke()

    async def _refill_job(self) -> None:
        # The job only starts a task, so a long refill never makes APScheduler skip the next one.
        self._spawn(self._refill_and_tidy())

    async def _refill_and_tidy(self) -> None:
        async with self._refill_lock:
            try:
                now = self.service.now()
                await self.store.purge_drafts(now - int(DRAFT_LIFETIME.total_seconds()))
                await self.store.purge_deliveries(now - int(HISTORY.total_seconds()))
                await self.refill()
            except Exception:  # keep the window alive: try again in a minute
                log.exception("Events: refilling the reminder window failed")
                later = self.service.now() + 60
                self.bot.scheduler.at("events:refill", self._wall(later), self._refill_job)

    def note_due(self, times: list[int] | tuple[int, ...]) -> None:
        """New due times (a confirmed, edited or cancelled event): schedule those inside the loaded window."""
        now = self.service.now()
        for t in times:
            if t <= now:
                self.poke()
            elif t <= self.loaded_until:
                self._schedule(t)

    def _schedule(self, t: int) -> None:
        if t in self._scheduled:
            return
        self._scheduled.add(t)
        self.bot.scheduler.at(f"events:due:{t}", self._wall(t), self._fire, t)

    async def _fire(self, t: int) -> None:
        self._scheduled.discard(t)
        self.poke()

    def poke(self) -> None:
        """Run a pass as soon as possible (something is due now), on a task of its own."""
        self._spawn(self.run_pass())

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(work, name="events-dispatch")
        self._tasks.add(task)  # a reference, so the task is not collected before it ends
        task.add_done_callback(self._tasks.discard)

    async def _retry(self) -> None:
        self.poke()

    def scheduled_count(self) -> int:
        return len(self._scheduled)

    # ------------------------------------------------------------ a pass

    async def run_pass(self) -> None:
        """Do everything that is due, and return when it is done. Passes never overlap; requests that
        arrive during a pass are served by one more pass after it, not one each."""
        self._requests += 1
        async with self._pass_lock:
            if self._requests == 0:
                return  # a pass that started after this request has done the work
            self._requests = 0
            await self.bot.wait_until_ready()  # at start-up the guilds arrive after the rebuild
            try:
                await self._pass_once()
            except Exception:
                log.exception("Events: a dispatch pass failed; the next one retries")

    async def _pass_once(self) -> None:
        self.stats.passes += 1
        await self._advance_series()
        await self.announce_missing()
        now = self.service.now()
        for guild_id in await self.store.due_guilds(now):
            settings = await self.bot.guild_config(guild_id)
            missed = await self.store.expire(guild_id, now, settings.events.reminder_grace_minutes * 60)
            if missed:
                self.stats.missed += missed
                log.warning("Events: %d reminder(s) in guild %s were too late to send and are missed", missed, guild_id)
            guild = self.bot.get_guild(guild_id)
            if guild is not None:  # not in that guild (any more): the grace rule records them as missed later
                await self._send_due(guild, settings, now)

    async def _send_due(self, guild: discord.Guild, settings: Settings, now: int) -> None:
        """Send what is due in one guild, a batch at a time: one query for the batch's events, one
        transaction to claim it, one query for its deliveries, then the messages, CONCURRENCY at once."""
        gate = asyncio.Semaphore(CONCURRENCY)

        async def one(reminder: Reminder, event: Event, occurrence: Occurrence, deliveries: list[Delivery]) -> bool:
            async with gate:
                return await self._send_reminder(guild, settings, event, occurrence, reminder, deliveries, now)

        retry = False
        position = (0, 0)
        while batch := await self.store.due_batch(guild.id, now, BATCH, position):
            position = (batch[-1].due_at, batch[-1].id)
            todo = [r for r in batch if r.id not in self._inflight]
            contexts = await self.store.contexts({r.occurrence_id for r in todo})
            for reminder in [r for r in todo if r.kind is NoticeKind.REMINDER]:
                if contexts[reminder.occurrence_id][1].state is OccurrenceState.CANCELLED:
                    await self.store.abandon(reminder.id, now)  # the event was cancelled: no "starts soon"
                    todo.remove(reminder)
            claimed = await self.store.claim_many(todo, now, dm_reminders=settings.events.dm_reminders)
            work = [r for r in todo if r.id in claimed]
            deliveries = await self.store.pending_deliveries_many([r.id for r in work])
            self._inflight |= {r.id for r in work}

            results = await asyncio.gather(
                *(one(r, *contexts[r.occurrence_id], deliveries.get(r.id, [])) for r in work)
            )
            retry = retry or not all(results)
        if retry:
            later = self.service.now() + int(RETRY_AFTER.total_seconds())
            self.bot.scheduler.at(f"events:retry:{later}", self._wall(later), self._retry)

    async def _send_reminder(
        self,
        guild: discord.Guild,
        settings: Settings,
        event: Event,
        occurrence: Occurrence,
        reminder: Reminder,
        deliveries: list[Delivery],
        now: int,
    ) -> bool:
        """Send a claimed reminder's unsent messages, then finish it; False when something is left to retry."""
        try:
            late = reminder.kind is NoticeKind.REMINDER and now - reminder.due_at > LATE_AFTER_S
            complete = True
            for delivery in deliveries:
                complete &= await self._deliver(guild, settings, event, occurrence, reminder, delivery, late)
            if await self.store.finish_if_done(reminder.id, self.service.now()):
                self.stats.sent += 1
                self.stats.late += int(late)
            return complete
        finally:
            self._inflight.discard(reminder.id)

    # ------------------------------------------------------------ one message

    async def _deliver(
        self,
        guild: discord.Guild,
        settings: Settings,
        event: Event,
        occurrence: Occurrence,
        reminder: Reminder,
        delivery: Delivery,
        late: bool,
    ) -> bool:
        """Send one message; mark it only from Discord's answer. False when it should be tried again."""
        nonce = f"evd{delivery.id}"  # a resend after a crash is deduplicated by Discord within its window
        try:
            if delivery.is_channel:
                message = await self._send_channel(guild, event, occurrence, late, nonce)
            else:
                channel = await self.bot.create_dm(discord.Object(delivery.user_id))
                text = self._dm_text(guild, event, occurrence, reminder, late)
                message = await channel.send(text, allowed_mentions=NO_PINGS, nonce=nonce)
        except discord.Forbidden as error:
            if delivery.is_channel:
                await self.store.delivery_failed(delivery.id, DeliveryState.FAILED, f"403 {error.code}")
                self.stats.failed += 1
                await self._report(guild, settings, f"I may not post reminders in <#{event.channel_id}> (403).")
            else:
                # 50007 (DMs closed) or 50278 (no mutual server): either way the bot cannot DM this member.
                # Remember it and do not try again: each refusal counts toward Discord's invalid-request limit.
                await self.store.delivery_failed(delivery.id, DeliveryState.DM_CLOSED, f"403 {error.code}")
                await self.store.remember_dm_closed(delivery.user_id, self.service.now(), guild.id)
                self.stats.dm_closed += 1
            return True
        except discord.NotFound as error:
            await self.store.delivery_failed(delivery.id, DeliveryState.FAILED, f"404 {error.code}")
            self.stats.failed += 1
            return True
        except _ChannelGone:
            await self.store.delivery_failed(delivery.id, DeliveryState.FAILED, "events channel missing")
            self.stats.failed += 1
            await self._report(guild, settings, "the events channel is missing, so a reminder could not be posted.")
            return True
        except (discord.HTTPException, aiohttp.ClientError, TimeoutError, OSError) as error:
            attempts = await self.store.delivery_retry_later(delivery.id, str(error))
            if attempts >= MAX_ATTEMPTS:
                await self.store.delivery_failed(delivery.id, DeliveryState.FAILED, str(error))
                self.stats.failed += 1
                log.warning("Events: delivery %s failed %d times; giving up: %s", delivery.id, attempts, error)
                return True
            self.stats.retried += 1
            log.info("Events: delivery %s failed (%s); will retry", delivery.id, error)
            return False
        await self.store.delivered(delivery.id, message.id, self.service.now())
        return True

    async def _send_channel(
        self, guild: discord.Guild, event: Event, occurrence: Occurrence, late: bool, nonce: str
    ) -> discord.Message:
        channel = guild.get_channel(event.channel_id) if event.channel_id else None
        if not isinstance(channel, discord.TextChannel):
            raise _ChannelGone
        text = reminder_channel_text(event, occurrence, guild.id, late)
        mentions = NO_PINGS
        if event.ping_role_id:  # the organiser asked for this one role to be pinged, and nothing else
            mentions = discord.AllowedMentions(everyone=False, users=False, roles=[discord.Object(event.ping_role_id)])
        return await channel.send(text, allowed_mentions=mentions, nonce=nonce)

    def _dm_text(
        self, guild: discord.Guild, event: Event, occurrence: Occurrence, reminder: Reminder, late: bool
    ) -> str:
        if reminder.kind is NoticeKind.CANCELLED:
            return cancelled_dm_text(event, occurrence, guild.name, reminder.detail)
        if reminder.kind is NoticeKind.MOVED:
            return moved_dm_text(event, occurrence, guild.name, int(reminder.detail or occurrence.starts_at))
        return reminder_dm_text(event, occurrence, guild.name, late)

    async def _report(self, guild: discord.Guild, settings: Settings, problem: str) -> None:
        await mod_log.report(
            self.bot.db, guild, settings.channels.mod_log, f"Events: {problem}", once_key=f"events:{clip(problem, 60)}"
        )

    # ------------------------------------------------------------ series and announcements

    async def _advance_series(self) -> None:
        for done in await self.service.advance():
            guild = self.bot.get_guild(done.event.guild_id)
            if guild is not None:
                await self.publisher.refresh_announcement(guild, done.event, done.ended)
            self.note_due(done.due_times)
            if done.next_occurrence is not None:
                self.note_due([done.next_occurrence.ends_at])

    async def announce_missing(self) -> None:
        """Post announcements that are owed: a series' next occurrence, or one a crash interrupted."""
        now = self.service.now()
        for event, occurrence in await self.store.unannounced():
            guild = self.bot.get_guild(event.guild_id)
            if guild is None or self._announce_after.get(occurrence.id, 0) > now:
                continue
            try:
                await self.publisher.post_announcement(guild, event, occurrence)
            except Exception as error:  # a missing channel or permission: say so once, try again later
                self._announce_after[occurrence.id] = now + int(ANNOUNCE_RETRY.total_seconds())
                log.warning("Events: could not announce occurrence %s of event %s: %s", occurrence.seq, event.id, error)
                settings = await self.bot.guild_config(guild.id)
                await self._report(guild, settings, f"I could not post the announcement of event #{event.id}: {error}")
                continue
            self._announce_after.pop(occurrence.id, None)
            fresh = await self.store.occurrence(occurrence.id)
            await self.publisher.create_native(guild, event, fresh)


class _ChannelGone(Exception):
    """The announcement channel no longer exists."""
