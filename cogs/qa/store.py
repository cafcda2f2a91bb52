"""SQL for Q&A: questions, activity, accepted answers, the due index and its claims, drafts. Plain values in and out.

Every method is one statement, one `batch()`, or one short transaction on one question. A transaction that reads,
decides and writes locks the question's row first (with its UPDATE, or SELECT ... FOR UPDATE on PostgreSQL), so it
needs no database-wide write lock (`exclusive=False`); SQLite runs one writer at a time anyway.

Due actions across processes: a process takes due questions (`take_due`, one atomic UPDATE ... RETURNING that skips
rows another process is taking) before touching them in Discord; a question another process took is left alone
until its claim is older than CLAIM_LEASE_SECONDS, then the next process takes it over, reads the thread for the
reminder the first may have sent (`pending_action`), and finishes the work.
"""

from __future__ import annotations

import os
import socket
import uuid
from dataclasses import replace

from bot.database import Database, Row, Statement, Transaction
from bot.turns import Turns
from cogs.qa.models import QUESTION_COLUMNS, Draft, NewQuestion, Question, QuestionAction, QuestionTimes, join_tags
from cogs.qa.rules import Timing, next_due

# A failed action is tried again after 5, 10, 20, 40 minutes, then given up (and reported).
MAX_ATTEMPTS = 5
RETRY_BASE_SECONDS = 300
DRAFT_TTL_SECONDS = 86400
# A question taken by a process that then stopped answering is taken over by another after this long. Far longer
# than a Discord call (a reminder is one message); short enough that a crash delays a reminder by minutes only.
CLAIM_LEASE_SECONDS = 300
# Change notices (db.publish) when a guild gets a tag name it had no question with: autocomplete caches drop it.
TAGS_TOPIC = "qa_tags"

# The column that records each action as done.
_DONE_COLUMN = {
    QuestionAction.NUDGE: "nudged_at",
    QuestionAction.SURFACE: "surfaced_at",
    QuestionAction.ARCHIVE: "archived_at",
}
# What must still hold when an action is about to be sent (else it was done meanwhile, or is no longer due).
_STILL_DUE = {
    QuestionAction.NUDGE: "nudged_at IS NULL AND state = 'open' AND reply_count > 0",
    QuestionAction.SURFACE: "surfaced_at IS NULL AND state = 'open' AND reply_count = 0",
    QuestionAction.ARCHIVE: "archived_at IS NULL",
}
_SELECT = f"SELECT {QUESTION_COLUMNS} FROM qa_questions"
# A question whose due work this process may take: due, and not held by a live claim of another process.
_TAKEABLE = "next_due_at IS NOT NULL AND next_due_at <= ? AND (claimed_by IS NULL OR claimed_at <= ?)"
_LET_GO = "pending_action = NULL, pending_since = NULL, claimed_by = NULL, claimed_at = NULL"
_HELD_BY = " AND (claimed_by IS NULL OR claimed_by = ?)"  # a claim is given back only by its holder


def process_name() -> str:
    """Who holds a claim: host, process ID and a random part (a restarted process is someone else)."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


def _due_of(question: Question, timing: Timing) -> int | None:
    """When the question's due work is next up for the taking."""
    if question.claimed_at is not None:
        return question.claimed_at + CLAIM_LEASE_SECONDS  # another process may take it over then
    if question.pending_action:
        return question.pending_since  # sent but not confirmed, by a run before claims had holders: check at once
    return next_due(question.times(), timing, question.retry_at)


def _question(row: Row | None) -> Question | None:
    return None if row is None else Question.from_row(row)


def _no_question_has(guild: str) -> str:
    """SQL true when no question of the guild has the tag (a parameter) yet."""
    return f"NOT EXISTS (SELECT 1 FROM qa_question_tags t WHERE t.guild_id = {guild} AND lower(t.tag) = lower(?))"


class QAStore:
    """Every query of the Q&A feature but the reports and search; `owner` names this process in claims."""

    def __init__(self, db: Database, owner: str | None = None) -> None:
        self.db = db
        self.owner = owner or process_name()
        self._for_update = " FOR UPDATE" if db.backend == "postgresql" else ""
        self._threads = Turns()  # one message of a thread at a time, in the order they came

    # --- inside a transaction --------------------------------------------------------------------

    async def _locked(self, tx: Transaction, thread_id: int) -> Question | None:
        """The row, locked until the transaction ends (SQLite's single writer locks everything already)."""
        return _question(await tx.fetchrow(f"{_SELECT} WHERE thread_id = ?{self._for_update}", (thread_id,)))

    async def _change(
        self, tx: Transaction, timing: Timing, thread_id: int, assignments: str, params: tuple[object, ...] = (),
        where: str = "", where_params: tuple[object, ...] = (), *, expected: Question | None = None,
    ) -> Question | None:
        """UPDATE one question, then store when its due work is next up; the new row (None: no row matched).

        `expected`: the row as it should be after the change; its due time is written by the same UPDATE, and a
        second one follows only when a change by someone else meanwhile made it wrong.
        """
        if expected is not None:
            assignments += ", next_due_at = ?"
            params = (*params, _due_of(expected, timing))
        row = await tx.fetchrow(
            f"UPDATE qa_questions SET {assignments} WHERE thread_id = ?{where} RETURNING {QUESTION_COLUMNS}",
            (*params, thread_id, *where_params),
        )
        return None if row is None else await self._apply_due(tx, Question.from_row(row), timing)

    async def _apply_due(self, tx: Transaction, question: Question, timing: Timing) -> Question:
        due = _due_of(question, timing)
        if due == question.next_due_at:
            return question
        await tx.execute("UPDATE qa_questions SET next_due_at = ? WHERE thread_id = ?", (due, question.thread_id))
        return replace(question, next_due_at=due)

    async def _changed(
        self, thread_id: int, timing: Timing, assignments: str, params: tuple[object, ...] = (),
        where: str = "", where_params: tuple[object, ...] = (), *, expected: Question | None = None,
    ) -> Question | None:
        """`_change` in a transaction of its own."""
        async with self.db.transaction(exclusive=False) as tx:
            return await self._change(tx, timing, thread_id, assignments, params, where, where_params,
                                      expected=expected)

    # --- questions -------------------------------------------------------------------------------

    async def get(self, thread_id: int) -> Question | None:
        return _question(await self.db.fetchrow(f"{_SELECT} WHERE thread_id = ?", (thread_id,)))

    async def add_question(
        self, new: NewQuestion, timing: Timing, *, seen_late_at: int | None = None
    ) -> tuple[bool, Question]:
        """Start tracking a question (one round trip); whether it is new, and the stored row either way.

        `seen_late_at`: the question was first seen then, long after it was asked (the bot was away); reminders
        already overdue are stored as done, unsent, so nothing can send them meanwhile.
        """
        first_reminder = new.created_at + min(timing.unanswered_after, timing.nudge_after)
        skipped = seen_late_at if seen_late_at is not None and first_reminder <= seen_late_at else None
        times = QuestionTimes(False, new.created_at, new.created_at, None, 0, skipped, skipped, None)
        tags = join_tags(new.tags)
        # a row per tag no question of the guild has yet (checked before this one adds it)
        statements = [Statement(f"SELECT 1 WHERE {_no_question_has('?')}", (new.guild_id, tag)) for tag in new.tags]
        statements.append(Statement(
            "INSERT INTO qa_questions (thread_id, guild_id, channel_id, asker_id, title, body, tags, source,"
            " created_at, last_activity_at, nudged_at, surfaced_at, next_due_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (thread_id) DO NOTHING",
            (new.thread_id, new.guild_id, new.channel_id, new.asker_id, new.title, new.body, tags, new.source,
             new.created_at, new.created_at, skipped, skipped, next_due(times, timing)),
        ))
        # the tags of a question tracked already are its own business (it may have been retagged since)
        statements += [
            Statement(
                "INSERT INTO qa_question_tags (thread_id, guild_id, tag) SELECT thread_id, guild_id, ?"
                " FROM qa_questions WHERE thread_id = ? AND tags = ? ON CONFLICT DO NOTHING",
                (tag, new.thread_id, tags),
            )
            for tag in new.tags
        ]
        statements.append(Statement(f"{_SELECT} WHERE thread_id = ?", (new.thread_id,)))
        results = await self.db.batch(statements)
        checks, inserted = results[: len(new.tags)], results[len(new.tags)].rowcount > 0
        if inserted and any(check.rows for check in checks):
            await self.db.publish(TAGS_TOPIC, str(new.guild_id))
        return inserted, Question.from_row(results[-1].rows[0])

    async def forget(self, thread_id: int) -> bool:
        """Stop tracking a deleted thread (its search entry and tags go with it)."""
        result = await self.db.execute("DELETE FROM qa_questions WHERE thread_id = ?", (thread_id,))
        return result.rowcount > 0

    async def set_body_if_empty(self, thread_id: int, body: str) -> bool:
        """A direct post's text, when Message Content shows it (the title alone is known otherwise)."""
        result = await self.db.execute(
            "UPDATE qa_questions SET body = ? WHERE thread_id = ? AND body = ''", (body, thread_id)
        )
        return result.rowcount > 0

    async def update_thread_facts(self, thread_id: int, *, title: str | None, tags: list[str] | None) -> None:
        """Follow a rename or a change of applied tags made in Discord (one round trip)."""
        statements = []
        if title is not None:
            statements.append(Statement(
                "UPDATE qa_questions SET title = ? WHERE thread_id = ? AND title <> ?", (title, thread_id, title)
            ))
        checks = 0
        if tags is not None:
            stored = join_tags(tags)
            changed = "FROM qa_questions q WHERE q.thread_id = ? AND q.tags <> ?"  # else the tag rows are right
            # the guild, per tag no question of the guild had yet (before this one gets it)
            statements += [
                Statement(f"SELECT q.guild_id {changed} AND {_no_question_has('q.guild_id')}", (thread_id, stored, tag))
                for tag in tags
            ]
            checks = len(statements)
            kept = f" AND lower(tag) NOT IN ({', '.join(['lower(?)'] * len(tags))})" if tags else ""
            statements.append(Statement(
                f"DELETE FROM qa_question_tags WHERE thread_id = ?{kept} AND EXISTS (SELECT 1 {changed})",
                (thread_id, *tags, thread_id, stored),
            ))
            statements += [
                Statement(
                    "INSERT INTO qa_question_tags (thread_id, guild_id, tag)"
                    f" SELECT q.thread_id, q.guild_id, ? {changed} ON CONFLICT DO NOTHING",
                    (tag, thread_id, stored),
                )
                for tag in tags
            ]
            statements.append(Statement(
                "UPDATE qa_questions SET tags = ? WHERE thread_id = ? AND tags <> ?", (stored, thread_id, stored)
            ))
        if not statements:
            return
        results = await self.db.batch(statements)
        new_in = {int(row[0]) for result in results[checks - len(tags or ()) : checks] for row in result.rows}
        for guild_id in new_in:
            await self.db.publish(TAGS_TOPIC, str(guild_id))

    async def record_message(
        self, thread_id: int, message_id: int, author_id: int, at: int, timing: Timing
    ) -> Question | None:
        """A member's message in a question thread: activity, and a reply when it is not the asker's."""
        # Messages are counted once each, in order: a catch-up after downtime may see them again (then: None). A
        # later message stored first would make an earlier one look seen, so this process stores them in turn (one
        # process gets a guild's events; SQLite's single writer keeps that order by itself, PostgreSQL's pool not).
        async with self._threads.of(thread_id):
            return await self._changed(
                thread_id, timing,
                "reply_count = reply_count + CASE WHEN asker_id <> ? THEN 1 ELSE 0 END,"
                " first_reply_at = CASE WHEN asker_id <> ? AND first_reply_at IS NULL THEN ? ELSE first_reply_at END,"
                f" last_activity_at = {self.db.dialect.greatest('last_activity_at', '?')},"
                " last_message_id = ?, archived_at = NULL",
                (author_id, author_id, at, at, message_id),
                " AND last_message_id < ?", (message_id,),
            )

    async def set_archived(self, thread_id: int, archived: bool, at: int, timing: Timing) -> Question | None:
        """Follow the thread being archived (by anyone) or woken up at `at`; the row after.

        Waking a post up counts as activity: a post someone reopened after weeks of quiet gets the full quiet period
        again instead of being archived straight back.
        """
        if not archived:
            return await self._changed(
                thread_id, timing,
                f"archived_at = NULL, last_activity_at = {self.db.dialect.greatest('last_activity_at', '?')}", (at,),
            )
        return await self._changed(thread_id, timing, "archived_at = COALESCE(archived_at, ?)", (at,))

    # --- accepted answers ------------------------------------------------------------------------

    async def mark_answer(
        self,
        thread_id: int,
        *,
        message_id: int,
        author_id: int,
        text: str,
        by_id: int,
        at: int,
        timing: Timing,
        seen: Question | None = None,
    ) -> tuple[Question, Question] | None:
        """Record (or move) the accepted answer; returns (before, after), None when not tracked.

        `seen`: the row as the caller read it just before; when its answer is still the stored one, it is `before`
        and the row is not read again.
        """
        assignments = (
            "state = 'solved', solved_at = COALESCE(solved_at, ?), answer_message_id = ?, answer_author_id = ?,"
            " answer_text = ?, answer_marked_by = ?, answer_marked_at = ?, bot_activity_at = ?,"
            " attempts = 0, retry_at = NULL"
        )
        params = (at, message_id, author_id, text, by_id, at, at)
        async with self.db.transaction(exclusive=False) as tx:
            changed = await self._change_seen(tx, timing, thread_id, assignments, params, seen)
            if changed is None:
                return None
            before, after = changed
            await self._log_mark(tx, before, "move" if before.solved else "mark", message_id, author_id, by_id, at)
        return before, after

    async def reopen(
        self, thread_id: int, *, by_id: int, at: int, timing: Timing, seen: Question | None = None
    ) -> tuple[Question, Question] | None:
        """Undo the accepted answer (its credit goes with it); None when not tracked or not solved."""
        assignments = (
            "state = 'open', solved_at = NULL, answer_message_id = NULL, answer_author_id = NULL, answer_text = '',"
            " answer_marked_by = NULL, answer_marked_at = NULL, notice_message_id = NULL, bot_activity_at = ?,"
            " attempts = 0, retry_at = NULL"
        )
        async with self.db.transaction(exclusive=False) as tx:
            changed = await self._change_seen(tx, timing, thread_id, assignments, (at,), seen, solved_only=True)
            if changed is None:
                return None
            before, after = changed
            await self._log_mark(tx, before, "reopen", before.answer_message_id, before.answer_author_id, by_id, at)
        return before, after

    async def _change_seen(
        self, tx: Transaction, timing: Timing, thread_id: int, assignments: str, params: tuple[object, ...],
        seen: Question | None, *, solved_only: bool = False,
    ) -> tuple[Question, Question] | None:
        """Change the accepted answer: (before, after), the caller's `seen` row as before when it still holds."""
        if seen is not None and (seen.solved or not solved_only):
            after = await self._change(
                tx, timing, thread_id, assignments, params,
                " AND state = ? AND COALESCE(answer_message_id, 0) = ? AND COALESCE(notice_message_id, 0) = ?",
                (seen.state, seen.answer_message_id or 0, seen.notice_message_id or 0),
            )
            if after is not None:
                return seen, after
        before = await self._locked(tx, thread_id)  # none seen, or changed since: read it under the row lock
        if before is None or (solved_only and not before.solved):
            return None
        after = await self._change(tx, timing, thread_id, assignments, params)
        return None if after is None else (before, after)

    @staticmethod
    async def _log_mark(
        tx: Transaction, before: Question, action: str, message_id: int | None, author_id: int | None, by_id: int,
        at: int,
    ) -> None:
        """One row of qa_marks: who marked, moved or reopened what, and when."""
        await tx.execute(
            "INSERT INTO qa_marks (thread_id, guild_id, action, message_id, author_id, by_id, at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (before.thread_id, before.guild_id, action, message_id, author_id, by_id, at),
        )

    async def set_notice(self, thread_id: int, message_id: int | None) -> None:
        await self.db.execute(
            "UPDATE qa_questions SET notice_message_id = ? WHERE thread_id = ?", (message_id, thread_id)
        )

    # --- the due index ---------------------------------------------------------------------------

    async def search_merged_at(self) -> int | None:
        """When the search index was last merged into one segment (unix seconds), if ever."""
        found = await self.db.fetchval("SELECT merged_at FROM qa_search_upkeep WHERE id = 1")
        return None if found is None else int(found)

    async def note_search_merged(self, at: int) -> None:
        await self.db.execute(
            "INSERT INTO qa_search_upkeep (id, merged_at) VALUES (1, ?)"
            " ON CONFLICT (id) DO UPDATE SET merged_at = excluded.merged_at",
            (at,),
        )

    async def earliest_due(self) -> int | None:
        """The soonest next_due_at over all questions (uses the partial index)."""
        earliest = await self.db.fetchval("SELECT MIN(next_due_at) FROM qa_questions WHERE next_due_at IS NOT NULL")
        return None if earliest is None else int(earliest)

    async def due(self, now: int, limit: int = 50) -> list[Question]:
        """Questions with something due at `now`, soonest first, taken or not (uses the partial index)."""
        rows = await self.db.fetch(
            f"{_SELECT} WHERE next_due_at IS NOT NULL AND next_due_at <= ? ORDER BY next_due_at LIMIT ?", (now, limit)
        )
        return [Question.from_row(row) for row in rows]

    async def refresh_guild_due(self, guild_id: int, timing: Timing) -> int:
        """Recompute next_due_at of a guild's questions that may still have something due; how many changed."""
        # After a settings change or at load; the UNION lets each half use one of the two partial indexes. The rows
        # are locked in thread order, so two processes refreshing the same guild wait for each other, no deadlock.
        async with self.db.transaction(exclusive=False) as tx:
            rows = await tx.fetch(
                f"{_SELECT} WHERE thread_id IN (SELECT thread_id FROM qa_questions WHERE guild_id = ?"
                " AND archived_at IS NULL UNION SELECT thread_id FROM qa_questions WHERE next_due_at IS NOT NULL"
                f" AND guild_id = ?) ORDER BY thread_id{self._for_update}",
                (guild_id, guild_id),
            )
            changed = []
            for row in rows:
                question = Question.from_row(row)
                due = _due_of(question, timing)
                if due != question.next_due_at:
                    changed.append((due, question.thread_id))
            if changed:
                await tx.executemany("UPDATE qa_questions SET next_due_at = ? WHERE thread_id = ?", changed)
        return len(changed)

    async def guilds_with_due(self) -> list[int]:
        """Guilds with questions that may still have something due (at start)."""
        rows = await self.db.fetch(
            "SELECT guild_id FROM qa_questions WHERE archived_at IS NULL"
            " UNION SELECT guild_id FROM qa_questions WHERE next_due_at IS NOT NULL"
        )
        return [int(row[0]) for row in rows]

    # --- claims: one process at a time carries out a question's due actions -----------------------

    async def take_due(self, now: int, limit: int = 50) -> list[Question]:
        """Claim up to `limit` due questions for this process, in one statement; what it got.

        Another process's claim younger than the lease is left alone; rows another process is claiming at this
        moment are skipped (PostgreSQL's SKIP LOCKED), not waited for.
        """
        stale = now - CLAIM_LEASE_SECONDS
        result = await self.db.execute(
            "UPDATE qa_questions SET claimed_by = ?, claimed_at = ?, next_due_at = ?"
            f" WHERE thread_id IN (SELECT thread_id FROM qa_questions WHERE {_TAKEABLE}"
            f" ORDER BY next_due_at LIMIT ?{self.db.dialect.skip_locked}) AND {_TAKEABLE}"
            f" RETURNING {QUESTION_COLUMNS}",
            (self.owner, now, now + CLAIM_LEASE_SECONDS, now, stale, limit, now, stale),
        )
        return [Question.from_row(row) for row in result.rows]

    async def take(self, thread_id: int, now: int) -> Question | None:
        """Claim one question when it is due and nobody else holds it (another action fell due after one)."""
        result = await self.db.execute(
            "UPDATE qa_questions SET claimed_by = ?, claimed_at = ?, next_due_at = ?"
            f" WHERE thread_id = ? AND {_TAKEABLE} RETURNING {QUESTION_COLUMNS}",
            (self.owner, now, now + CLAIM_LEASE_SECONDS, thread_id, now, now - CLAIM_LEASE_SECONDS),
        )
        return _question(result.rows[0] if result.rows else None)

    async def sending(self, thread_id: int, action: QuestionAction, now: int) -> bool:
        """Note that `action` goes to Discord now, before the call (whoever comes next checks the thread for it).

        False when this process no longer holds the question, or the action was done or stopped being due.
        """
        result = await self.db.execute(
            "UPDATE qa_questions SET pending_action = ?, pending_since = ?"
            f" WHERE thread_id = ? AND claimed_by = ? AND {_STILL_DUE[action]}",
            (action.value, now, thread_id, self.owner),
        )
        return result.rowcount > 0

    async def complete(
        self, thread_id: int, action: QuestionAction, now: int, timing: Timing, *, posted: bool,
        current: Question | None = None,
    ) -> Question | None:
        """Discord accepted the action (or it turned out done already): mark it done, once, and let go.

        `current`: the row as last read, from which the due time after is worked out ahead (see `_change`).
        """
        column = _DONE_COLUMN[action]
        bot_activity = ", bot_activity_at = ?" if posted else ""
        expected = None
        if current is not None:
            done = {a: getattr(current, c) or (now if a is action else None) for a, c in _DONE_COLUMN.items()}
            expected = replace(
                current, nudged_at=done[QuestionAction.NUDGE], surfaced_at=done[QuestionAction.SURFACE],
                archived_at=done[QuestionAction.ARCHIVE], bot_activity_at=now if posted else current.bot_activity_at,
                attempts=0, retry_at=None, pending_action=None, pending_since=None, claimed_by=None, claimed_at=None,
            )
        return await self._changed(
            thread_id, timing,
            f"{column} = COALESCE({column}, ?){bot_activity}, attempts = 0, retry_at = NULL, {_LET_GO}",
            (now, now) if posted else (now,), expected=expected,
        )

    async def release(self, thread_id: int, timing: Timing) -> Question | None:
        """Nothing (more) is due: give the question back (only this process's claim)."""
        return await self._changed(thread_id, timing, _LET_GO, (), _HELD_BY, (self.owner,))

    async def postpone(self, thread_id: int, until: int, timing: Timing) -> None:
        """Try again later without counting an attempt (the guild is unavailable, or an unexpected error)."""
        await self._changed(thread_id, timing, f"retry_at = ?, {_LET_GO}", (until,), _HELD_BY, (self.owner,))

    async def fail(self, thread_id: int, action: QuestionAction, now: int, timing: Timing) -> bool:
        """A try failed: back off and let go; after MAX_ATTEMPTS the action is given up (True), as if done."""
        async with self.db.transaction(exclusive=False) as tx:
            question = await self._locked(tx, thread_id)
            if question is None or question.claimed_by not in (None, self.owner):
                return False
            attempts = question.attempts + 1
            if attempts >= MAX_ATTEMPTS:
                column = _DONE_COLUMN[action]
                assignments = f"{column} = COALESCE({column}, ?), attempts = 0, retry_at = NULL, {_LET_GO}"
                await self._change(tx, timing, thread_id, assignments, (now,))
                return True
            retry_at = now + RETRY_BASE_SECONDS * 2 ** (attempts - 1)
            await self._change(tx, timing, thread_id, f"attempts = ?, retry_at = ?, {_LET_GO}", (attempts, retry_at))
            return False

    async def release_unsent(self) -> int:
        """On the way out: give back what this process took and sent nothing for (due at once for the others)."""
        result = await self.db.execute(
            "UPDATE qa_questions SET next_due_at = claimed_at, claimed_by = NULL, claimed_at = NULL"
            " WHERE claimed_by = ? AND pending_action IS NULL",
            (self.owner,),
        )
        return result.rowcount

    # --- drafts ----------------------------------------------------------------------------------

    async def save_draft(self, guild_id: int, user_id: int, title: str, body: str, tags: list[str], now: int) -> int:
        result = await self.db.execute(
            "INSERT INTO qa_drafts (guild_id, user_id, title, body, tags, created_at) VALUES (?, ?, ?, ?, ?, ?)"
            " RETURNING draft_id",
            (guild_id, user_id, title, body, join_tags(tags), now),
        )
        return int(result.rows[0][0])

    async def update_draft(self, draft_id: int, title: str, body: str, tags: list[str]) -> bool:
        result = await self.db.execute(
            "UPDATE qa_drafts SET title = ?, body = ?, tags = ? WHERE draft_id = ? AND posting_since IS NULL",
            (title, body, join_tags(tags), draft_id),
        )
        return result.rowcount > 0

    async def get_draft(self, draft_id: int) -> Draft | None:
        row = await self.db.fetchrow(
            "SELECT draft_id, guild_id, user_id, title, body, tags, created_at FROM qa_drafts WHERE draft_id = ?",
            (draft_id,),
        )
        return None if row is None else Draft(*row)

    async def claim_draft(self, draft_id: int, now: int) -> bool:
        """One click posts: a second click while the first is posting gets False."""
        result = await self.db.execute(
            "UPDATE qa_drafts SET posting_since = ? WHERE draft_id = ?"
            " AND (posting_since IS NULL OR posting_since < ?)",
            (now, draft_id, now - 120),
        )
        return result.rowcount > 0

    async def release_draft(self, draft_id: int) -> None:
        await self.db.execute("UPDATE qa_drafts SET posting_since = NULL WHERE draft_id = ?", (draft_id,))

    async def drop_draft(self, draft_id: int) -> bool:
        result = await self.db.execute("DELETE FROM qa_drafts WHERE draft_id = ?", (draft_id,))
        return result.rowcount > 0

    async def drop_stale_drafts(self, now: int) -> int:
        result = await self.db.execute("DELETE FROM qa_drafts WHERE created_at < ?", (now - DRAFT_TTL_SECONDS,))
        return result.rowcount

    # --- counts for /about -----------------------------------------------------------------------

    async def counts(self) -> dict[str, int]:
        row = await self.db.fetchrow(
            "SELECT COUNT(*), COALESCE(SUM(CASE WHEN state = 'solved' THEN 1 ELSE 0 END), 0) FROM qa_questions"
        )
        assert row is not None  # an aggregate always has its row
        return {"questions": int(row[0]), "solved questions": int(row[1])}  # int(): PostgreSQL's SUM is a Decimal
