"""Q&A's due work: nudges, surfacing and archiving when `next_due_at` says so, and housekeeping every 10 minutes.

Each action is claimed in the database before the Discord call and marked done only after Discord accepted it. A
restart in between finds the claim and looks in the thread for the bot's message before sending again, so nothing
is lost or sent twice. Arming, waiting for ready, one pass at a time and retries are the core scheduler's.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import discord

from bot.discord_helpers import find_role
from bot.mod_log import report
from bot.scheduler import DueWork, Periodic
from bot.times import unix, utc, utc_or_none
from cogs.qa.models import Question, QuestionAction
from cogs.qa.render import ACTION_PREFIX, action_failed_report, nudge_text, surface_text
from cogs.qa.rules import Timing, due_now
from cogs.qa.settings import QASettings
from cogs.qa.store import QAStore
from cogs.qa.threads import fetch_thread

if TYPE_CHECKING:
    from bot.client import CommunityBot

log = logging.getLogger(__name__)

ACTIONS = "qa:actions"
HOUSEKEEPING = "qa:housekeeping"
HOUSEKEEPING_EVERY = timedelta(minutes=10)
BATCH = 50
CATCH_UP_LIMIT = 100
MAX_STEPS_PER_QUESTION = 3
POSTPONE_SECONDS = 3600


class QADue:
    """Carries out nudges, surfacing and archiving when the database says they are due."""

    def __init__(self, bot: CommunityBot, store: QAStore) -> None:
        self.bot = bot
        self.store = store
        self._timings: dict[int, Timing] = {}  # per guild, as last used to compute next_due_at

    def work(self) -> list[DueWork | Periodic]:
        return [
            DueWork(ACTIONS, self.next_due, self.run_due),
            Periodic(HOUSEKEEPING, HOUSEKEEPING_EVERY, self.housekeeping),
        ]

    async def settings(self, guild_id: int) -> QASettings:
        return (await self.bot.guild_config(guild_id)).section(QASettings)

    async def timing(self, guild_id: int) -> Timing:
        return Timing.from_settings(await self.settings(guild_id))

    async def next_due(self) -> datetime | None:
        return utc_or_none(await self.store.earliest_due())

    def question_changed(self, question: Question | None) -> None:
        """Tell the scheduler when a stored change made a question due (perhaps sooner than it is armed for)."""
        if question is not None and question.next_due_at is not None:
            self.bot.scheduler.due_at(ACTIONS, utc(question.next_due_at))

    async def rebuild(self) -> None:
        """At load: recompute due times with the current settings (they may have changed while the bot was off)."""
        for guild_id in await self.store.guilds_with_due():
            timing = await self.timing(guild_id)
            await self.store.refresh_guild_due(guild_id, timing)
            self._timings[guild_id] = timing
        earliest = await self.next_due()
        if earliest is not None:
            self.bot.scheduler.due_at(ACTIONS, earliest)  # armed by start() instead when the bot is starting

    async def housekeeping(self) -> None:
        """Every few minutes: follow /config changes of the timings; drop stale drafts."""
        changed = False
        for guild_id in [guild.id for guild in self.bot.guilds]:
            timing = await self.timing(guild_id)
            if self._timings.get(guild_id) != timing:
                changed |= await self.store.refresh_guild_due(guild_id, timing) > 0
                self._timings[guild_id] = timing
        await self.store.drop_stale_drafts(unix(self.bot.clock.now()))
        earliest = await self.next_due() if changed else None
        if earliest is not None:
            self.bot.scheduler.due_at(ACTIONS, earliest)

    # --- running ---------------------------------------------------------------------------------

    async def run_due(self) -> int:
        """Carry out everything due now; returns how many actions Discord accepted."""
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
                await self._postpone(question, now)
            for question in batch:
                seen[question.thread_id] = seen.get(question.thread_id, 0) + 1
                try:
                    done += await self._handle(question)
                except Exception:
                    log.exception("Q&A action on thread %s failed unexpectedly", question.thread_id)
                    await self._postpone(question, unix(self.bot.clock.now()))
        return done

    async def _postpone(self, question: Question, now: int) -> None:
        timing = await self.timing(question.guild_id)
        await self.store.postpone(question.thread_id, now + POSTPONE_SECONDS, timing)

    async def _handle(self, question: Question) -> int:
        """Bring one due question up to date with Discord and carry out its due actions."""
        timing = await self.timing(question.guild_id)
        now = unix(self.bot.clock.now())
        guild = self.bot.get_guild(question.guild_id)
        pending = QuestionAction(question.pending_action) if question.pending_action else None
        first = pending or next(iter(due_now(question.times(), timing, now)), QuestionAction.ARCHIVE)
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

    async def _catch_up(self, thread: discord.Thread, question: Question, timing: Timing) -> set[QuestionAction]:
        """Record member messages the bot missed (it was down) and find reminders it sent already."""
        after = question.last_message_id or question.thread_id
        if question.pending_since is not None:
            after = min(after, discord.utils.time_snowflake(utc(question.pending_since - 5)))
        sent: set[QuestionAction] = set()
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
        action: QuestionAction,
        timing: Timing,
        now: int,
    ) -> bool:
        """One action: claim, call Discord, mark done. False when it failed (and was rescheduled)."""
        await self.store.claim(question.thread_id, action, now, timing)
        settings = await self.bot.guild_config(guild.id)
        qa = settings.section(QASettings)
        try:
            if action is QuestionAction.ARCHIVE:
                if not thread.archived:
                    thread = await thread.edit(archived=True, reason="Q&A: quiet for long enough")
                await self.store.complete(question.thread_id, action, now, timing, posted=False)
                return True
            if thread.locked:  # a locked post takes no reminders; nothing to say there
                await self.store.complete(question.thread_id, action, now, timing, posted=False)
                return True
            if action is QuestionAction.NUDGE:
                await thread.send(
                    nudge_text(question.asker_id),
                    allowed_mentions=discord.AllowedMentions(users=[discord.Object(question.asker_id)]),
                )
            else:
                role = find_role(guild, qa.helper_role)
                mentions = discord.AllowedMentions(roles=[role]) if role else discord.AllowedMentions.none()
                await thread.send(surface_text(role.id if role else None, qa.unanswered_after_hours),
                                  allowed_mentions=mentions)
        except discord.HTTPException as error:
            gave_up = await self.store.fail(question.thread_id, action, now, timing)
            log.warning("Q&A %s on thread %s failed (%s); gave up: %s", action, thread.id, error, gave_up)
            if gave_up:
                await report(
                    self.bot.db,
                    guild,
                    settings.channels.mod_log,
                    action_failed_report(action, thread.mention, error.status, error.text),
                    once_key=f"qa:{action.value}:{thread.parent_id}:{error.status}",
                )
            return False
        await self.store.complete(question.thread_id, action, now, timing, posted=True)
        return True
