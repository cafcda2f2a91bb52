"""The timing rules at work: one scheduler job armed at the earliest next_due_at, rebuilt from SQLite at start.

Each action is claimed in the database before the Discord call and marked done only after Discord
accepted it. A restart in between finds the claim and looks in the thread for the bot's message before
sending again, so nothing is lost or sent twice.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import discord

from bot.discord_helpers import find_role
from bot.mod_log import report
from cogs.qa.rules import Action, Timing, due_now
from cogs.qa.service import ACTION_PREFIX, nudge_text, surface_text
from cogs.qa.store import QAStore, Question, unix
from cogs.qa.threads import fetch_thread

if TYPE_CHECKING:
    from bot.client import CommunityBot

log = logging.getLogger(__name__)

JOB_ID = "qa:due"
HOUSEKEEPING_JOB_ID = "qa:housekeeping"
HOUSEKEEPING_EVERY = timedelta(minutes=10)
BATCH = 50
CATCH_UP_LIMIT = 100
MAX_STEPS_PER_QUESTION = 3
POSTPONE_SECONDS = 3600


class DueRunner:
    """Carries out nudges, surfacing and archiving when the database says they are due."""

    def __init__(self, bot: CommunityBot, store: QAStore) -> None:
        self.bot = bot
        self.store = store
        self.armed_for: int | None = None  # the next_due_at (bot clock) the job is set for
        self._timings: dict[int, Timing] = {}  # per guild, as last used to compute next_due_at
        self._running = asyncio.Lock()  # one sweep at a time, even if the job is re-armed meanwhile

    async def timing(self, guild_id: int) -> Timing:
        return Timing.from_settings((await self.bot.guild_config(guild_id)).qa)

    # --- arming ----------------------------------------------------------------------------------

    def _real_time(self, due: int) -> datetime:
        """The wall-clock instant at which `due` (on the bot's clock) arrives."""
        delay = due - self.bot.clock.now().timestamp()
        return datetime.now(UTC) + timedelta(seconds=max(0.0, delay))

    async def arm(self) -> None:
        """Set the single job for the earliest due question (or none)."""
        earliest = await self.store.earliest_due()
        self.armed_for = earliest
        if earliest is None:
            self.bot.scheduler.cancel(JOB_ID)
            return
        self.bot.scheduler.at(JOB_ID, self._real_time(earliest), self.run_due)

    def consider(self, question: Question | None) -> None:
        """Re-arm when a changed question fell due earlier than the job is set for."""
        due = None if question is None else question.next_due_at
        if due is None:
            return
        if self.armed_for is None or due < self.armed_for or not self.bot.scheduler.has(JOB_ID):
            self.armed_for = due
            self.bot.scheduler.at(JOB_ID, self._real_time(due), self.run_due)

    async def rebuild(self) -> None:
        """At start: recompute due times with the current settings (they may have changed), then arm."""
        for guild_id in await self.store.guilds_with_due():
            timing = await self.timing(guild_id)
            await self.store.refresh_guild_due(guild_id, timing)
            self._timings[guild_id] = timing
        await self.arm()

    async def housekeeping(self) -> None:
        """Every few minutes: follow /config changes of the timings; drop stale drafts."""
        changed = False
        for guild_id in [guild.id for guild in self.bot.guilds]:
            timing = await self.timing(guild_id)
            if self._timings.get(guild_id) != timing:
                changed |= await self.store.refresh_guild_due(guild_id, timing) > 0
                self._timings[guild_id] = timing
        await self.store.drop_stale_drafts(unix(self.bot.clock.now()))
        if changed:
            await self.arm()

    # --- running ---------------------------------------------------------------------------------

    async def run_due(self) -> int:
        """Carry out everything due now; returns how many actions Discord accepted."""
        await self.bot.wait_until_ready()
        async with self._running:
            done = await self._sweep()
        await self.arm()
        return done

    async def _sweep(self) -> int:
        done = 0
        seen: dict[int, int] = {}
        while True:
            now = unix(self.bot.clock.now())
            due = await self.store.due(now, BATCH)
            if not due:
                break
            batch = []
            for question in due:
                if seen.get(question.thread_id, 0) < MAX_STEPS_PER_QUESTION:
                    batch.append(question)
                    continue
                # still due after several steps: something is off with it; do not let it block the rest
                log.warning("Q&A thread %s stays due; looking again in an hour", question.thread_id)
                await self.store.postpone(
                    question.thread_id, now + POSTPONE_SECONDS, await self.timing(question.guild_id)
                )
            for question in batch:
                seen[question.thread_id] = seen.get(question.thread_id, 0) + 1
                try:
                    done += await self._handle(question)
                except Exception:
                    log.exception("Q&A action on thread %s failed unexpectedly", question.thread_id)
                    timing = await self.timing(question.guild_id)
                    later = unix(self.bot.clock.now()) + POSTPONE_SECONDS
                    await self.store.postpone(question.thread_id, later, timing)
        return done

    async def _handle(self, question: Question) -> int:
        """Bring one due question up to date with Discord and carry out its due actions."""
        timing = await self.timing(question.guild_id)
        now = unix(self.bot.clock.now())
        guild = self.bot.get_guild(question.guild_id)
        pending = Action(question.pending_action) if question.pending_action else None
        first = pending or next(iter(due_now(question.times(), timing, now)), Action.ARCHIVE)
        if guild is None:  # not in that server now (or not yet): look again later, keep everything
            await self.store.postpone(question.thread_id, now + POSTPONE_SECONDS, timing)
            return 0
        try:
            thread = await fetch_thread(self.bot, guild, question.thread_id)
        except discord.HTTPException as error:
            log.warning("Cannot fetch question thread %s: %s", question.thread_id, error)
            await self.store.fail(question.thread_id, first, now, timing)
            return 0
        if thread is None:
            log.info("Question thread %s is gone; no longer tracked", question.thread_id)
            await self.store.forget(question.thread_id)
            return 0
        already_sent = await self._catch_up(thread, question, timing)
        if pending is not None and pending in already_sent:
            await self.store.complete(question.thread_id, pending, now, timing, posted=True)
        done = 0
        for _ in range(MAX_STEPS_PER_QUESTION):
            current = await self.store.get(question.thread_id)
            if current is None:
                break
            actions = due_now(current.times(), timing, now)
            if not actions:
                await self.store.release_claim(current.thread_id, timing)
                break
            if not await self._carry_out(guild, thread, current, actions[0], timing, now):
                break
            done += 1
        return done

    async def _catch_up(self, thread: discord.Thread, question: Question, timing: Timing) -> set[Action]:
        """Record member messages the bot missed (it was down) and find reminders it sent already."""
        after = question.last_message_id or question.thread_id
        if question.pending_since is not None:
            after = min(after, discord.utils.time_snowflake(datetime.fromtimestamp(question.pending_since - 5, UTC)))
        sent: set[Action] = set()
        me = thread.guild.me.id
        now = self.bot.clock.now()
        try:
            async for message in thread.history(limit=CATCH_UP_LIMIT, after=discord.Object(after), oldest_first=True):
                if message.author.id == me:
                    sent |= {a for a, prefix in ACTION_PREFIX.items() if message.content.startswith(prefix)}
                elif not message.author.bot:
                    at = unix(min(message.created_at, now))
                    await self.store.record_message(thread.id, message.id, message.author.id, at, timing)
        except discord.HTTPException as error:
            log.info("Cannot read the history of question thread %s (%s); acting on what is stored", thread.id, error)
        return sent

    async def _carry_out(
        self,
        guild: discord.Guild,
        thread: discord.Thread,
        question: Question,
        action: Action,
        timing: Timing,
        now: int,
    ) -> bool:
        """One action: claim, call Discord, mark done. False when it failed (and was rescheduled)."""
        await self.store.claim(question.thread_id, action, now, timing)
        settings = await self.bot.guild_config(guild.id)
        try:
            if action is Action.ARCHIVE:
                if not thread.archived:
                    thread = await thread.edit(archived=True, reason="Q&A: quiet for long enough")
                await self.store.complete(question.thread_id, action, now, timing, posted=False)
                return True
            if thread.locked:  # a locked post takes no reminders; nothing to say there
                await self.store.complete(question.thread_id, action, now, timing, posted=False)
                return True
            if action is Action.NUDGE:
                await thread.send(
                    nudge_text(question.asker_id),
                    allowed_mentions=discord.AllowedMentions(users=[discord.Object(question.asker_id)]),
                )
            else:
                role = find_role(guild, settings.qa.helper_role)
                mentions = discord.AllowedMentions(roles=[role]) if role else discord.AllowedMentions.none()
                await thread.send(
                    surface_text(role.id if role else None, settings.qa.unanswered_after_hours),
                    allowed_mentions=mentions,
                )
        except discord.HTTPException as error:
            gave_up = await self.store.fail(question.thread_id, action, now, timing)
            log.warning("Q&A %s on thread %s failed (%s); gave up: %s", action, thread.id, error, gave_up)
            if gave_up:
                await report(
                    self.bot.db,
                    guild,
                    settings.channels.mod_log,
                    f"Q&A: I could not {action.value} {thread.mention} after several tries ({error.status}:"
                    f" {error.text or 'no detail'}). Check my permissions in the questions channel.",
                    once_key=f"qa:{action.value}:{thread.parent_id}:{error.status}",
                )
            return False
        await self.store.complete(question.thread_id, action, now, timing, posted=True)
        return True
