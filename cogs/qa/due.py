"""Q&A's due work: nudges, surfacing and archiving when `next_due_at` says so, housekeeping every 10 minutes, and
the search index's upkeep (merged into one segment once a day, sooner when it is in many; the time of the last merge
is stored, so a restart does not merge again within the day).

Several processes may run this against one database. Each pass takes (claims) due questions in one statement; a
question another process holds is left alone until its claim is older than the lease (store.CLAIM_LEASE_SECONDS).
The action is noted as being sent before the Discord call and marked done only after Discord accepted it, so a
process that takes over a question, or a restart, looks in the thread for the bot's message before sending again:
nothing is lost or sent twice. Arming, waiting for ready, one pass at a time and retries are the core scheduler's.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import discord

from bot import i18n, languages
from bot.discord_helpers import find_role
from bot.mod_log import report
from bot.scheduler import DueWork, Periodic
from bot.times import unix, utc, utc_or_none
from cogs.qa.models import Question, QuestionAction
from cogs.qa.render import ACTION_PREFIX, action_failed_report, nudge_text, surface_text
from cogs.qa.rules import Timing, due_now
from cogs.qa.search import QuestionSearch
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
SEARCH_INDEX = "qa:search-index"
SEARCH_INDEX_EVERY = timedelta(hours=1)
# Merging rewrites the whole index (about 4 s of the writer in 40 ms steps over a million questions): once a day,
# or as soon as the index is in this many segments (a thousand questions written since the last merge, or an import).
MERGE_EVERY = timedelta(days=1)
MERGE_AT_SEGMENTS = 16


class QADue:
    """Carries out nudges, surfacing and archiving when the database says they are due."""

    def __init__(self, bot: CommunityBot, store: QAStore, search: QuestionSearch) -> None:
        self.bot = bot
        self.store = store
        self.search = search
        self._timings: dict[int, Timing] = {}  # per guild, as last used to compute next_due_at
        self._merged_at: datetime | None = None  # the last merge (read from the database at the first pass)

    def work(self) -> list[DueWork | Periodic]:
        return [
            DueWork(ACTIONS, self.next_due, self.run_due),
            Periodic(HOUSEKEEPING, HOUSEKEEPING_EVERY, self.housekeeping),
            Periodic(SEARCH_INDEX, SEARCH_INDEX_EVERY, self.tidy_search_index),
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
        """Every few minutes: follow /config changes of the timings; drop stale drafts; re-arm from the database.

        Re-arming also picks up what another process made due and left (it stopped): at most this late.
        """
        for guild_id in [guild.id for guild in self.bot.guilds]:
            timing = await self.timing(guild_id)
            if self._timings.get(guild_id) != timing:
                await self.store.refresh_guild_due(guild_id, timing)
                self._timings[guild_id] = timing
        await self.store.drop_stale_drafts(unix(self.bot.clock.now()))
        earliest = await self.next_due()
        if earliest is not None:
            self.bot.scheduler.due_at(ACTIONS, earliest)

    async def tidy_search_index(self) -> int:
        """Merge the search index into one segment when it is in several and a day has passed since the last merge
        (or it is in MERGE_AT_SEGMENTS); returns the merge steps taken."""
        segments = await self.search.index_segments()
        if segments <= 1:
            return 0
        now = self.bot.clock.now()
        if self._merged_at is None:  # the first pass since a start: the last merge, by whichever process, is stored
            self._merged_at = utc_or_none(await self.store.search_merged_at())
        recent = self._merged_at is not None and now - self._merged_at < MERGE_EVERY
        if recent and segments < MERGE_AT_SEGMENTS:
            return 0
        started = time.monotonic()
        steps = await self.search.merge_index()
        self._merged_at = now
        await self.store.note_search_merged(unix(now))
        log.info("Merged the Q&A search index from %d segments in %d steps (%.1f s)", segments, steps,
                 time.monotonic() - started)
        return steps

    async def let_go(self) -> None:
        """On unload: questions taken and not yet acted on go back to the other processes at once."""
        released = await self.store.release_unsent()
        if released:
            log.info("Gave back %d Q&A question(s) taken but not acted on", released)

    # --- running ---------------------------------------------------------------------------------

    async def run_due(self) -> int:
        """Carry out everything due now that no other process holds; returns how many actions Discord accepted."""
        done = 0
        seen: dict[int, int] = {}
        while True:
            now = unix(self.bot.clock.now())
            due = await self.store.take_due(now, BATCH)
            for question in due:
                seen[question.thread_id] = seen.get(question.thread_id, 0) + 1
                if seen[question.thread_id] > MAX_STEPS_PER_QUESTION:
                    # still due after several steps: something is off with it; do not let it block the rest
                    log.warning("Q&A thread %s stays due; looking again in an hour", question.thread_id)
                    await self._postpone(question, now)
                    continue
                try:
                    done += await self._handle(question)
                except Exception:
                    log.exception("Q&A action on thread %s failed unexpectedly", question.thread_id)
                    await self._postpone(question, unix(self.bot.clock.now()))
            if len(due) < BATCH:  # all that was due is done; what fell due meanwhile, the scheduler arms next
                return done

    async def _postpone(self, question: Question, now: int) -> None:
        timing = await self.timing(question.guild_id)
        await self.store.postpone(question.thread_id, now + POSTPONE_SECONDS, timing)

    async def _handle(self, question: Question) -> int:
        """One question this process took: bring it up to date with Discord, carry out what is due, let go."""
        timing = await self.timing(question.guild_id)
        now = unix(self.bot.clock.now())
        guild = await self.bot.work_guild(question.guild_id)  # another shard's over REST: its process may be dead
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
        current: Question | None
        current, already_sent = await self._catch_up(thread, question, timing)
        held = True
        if pending is not None and pending in already_sent:  # sent before a crash: noted now, not sent again
            current, held = await self.store.complete(question.thread_id, pending, now, timing, posted=True), False
        done = 0
        for _ in range(2 * MAX_STEPS_PER_QUESTION):
            actions = [] if current is None else due_now(current.times(), timing, now)
            if not actions or done == MAX_STEPS_PER_QUESTION:
                break
            if not held:  # another action fell due with the one just done: take the question again
                current = await self.store.take(question.thread_id, now)
                held = current is not None
                continue
            assert current is not None
            current, held = await self._carry_out(guild, thread, current, actions[0], timing, now), False
            if current is None:
                return done
            done += 1
        if held:
            await self.store.release(question.thread_id, timing)
        return done

    async def _catch_up(
        self, thread: discord.Thread, question: Question, timing: Timing
    ) -> tuple[Question, set[QuestionAction]]:
        """Record member messages the bot missed (it was down); the row after, and reminders it sent already."""
        after = question.last_message_id or question.thread_id
        if question.pending_since is not None:
            after = min(after, discord.utils.time_snowflake(utc(question.pending_since - 5)))
        sent: set[QuestionAction] = set()
        me = thread.guild.me.id
        now = self.bot.clock.now()
        latest = question
        try:
            async for message in thread.history(limit=CATCH_UP_LIMIT, after=discord.Object(after), oldest_first=True):
                if message.author.id == me:
                    sent |= {a for a, prefix in ACTION_PREFIX.items() if message.content.startswith(prefix)}
                elif not message.author.bot:
                    at = unix(min(message.created_at, now))
                    latest = await self.store.record_message(thread.id, message.id, message.author.id, at,
                                                             timing) or latest
        except discord.HTTPException as error:
            log.info("Cannot read the history of question thread %s (%s); acting on what is stored", thread.id, error)
        return latest, sent

    async def _carry_out(
        self,
        guild: discord.Guild,
        thread: discord.Thread,
        question: Question,
        action: QuestionAction,
        timing: Timing,
        now: int,
    ) -> Question | None:
        """One action: note it, call Discord, mark it done (and let go). The row after; None when it was not done."""
        if not await self.store.sending(question.thread_id, action, now):
            # done meanwhile, no longer due, or taken over by another process after the lease: not ours to send
            await self.store.release(question.thread_id, timing)
            return None
        settings = await self.bot.guild_config(guild.id)
        qa = settings.section(QASettings)
        try:
            if action is QuestionAction.ARCHIVE:
                if not thread.archived:
                    thread = await thread.edit(archived=True, reason="Q&A: quiet for long enough")
                return await self.store.complete(question.thread_id, action, now, timing, posted=False,
                                                 current=question)
            if thread.locked:  # a locked post takes no reminders; nothing to say there
                return await self.store.complete(question.thread_id, action, now, timing, posted=False,
                                                 current=question)
            if action is QuestionAction.NUDGE:  # to the asker: in their language
                with i18n.using(await languages.of_member(self.bot, guild.id, question.asker_id)):
                    text = nudge_text(question.asker_id)
                await thread.send(
                    text, allowed_mentions=discord.AllowedMentions(users=[discord.Object(question.asker_id)])
                )
            else:  # to whoever can help: in the server's language
                role = find_role(guild, qa.helper_role)
                mentions = discord.AllowedMentions(roles=[role]) if role else discord.AllowedMentions.none()
                with i18n.using(await languages.of_server(self.bot, guild.id)):
                    text = surface_text(role.id if role else None, qa.unanswered_after_hours)
                await thread.send(text, allowed_mentions=mentions)
        except discord.HTTPException as error:
            gave_up = await self.store.fail(question.thread_id, action, now, timing)
            log.warning("Q&A %s on thread %s failed (%s); gave up: %s", action, thread.id, error, gave_up)
            if gave_up:
                with i18n.using(await languages.of_server(self.bot, guild.id)):
                    text = action_failed_report(action, thread.mention, error.status, error.text)
                await report(
                    self.bot.db,
                    guild,
                    settings.channels.mod_log,
                    text,
                    once_key=f"qa:{action.value}:{thread.parent_id}:{error.status}",
                )
            return None
        return await self.store.complete(question.thread_id, action, now, timing, posted=True, current=question)
