"""SQL for Q&A: questions, activity, accepted answers, the due index, drafts. Plain values in and out."""

from __future__ import annotations

from dataclasses import replace

import aiosqlite

from bot.database import Database
from cogs.qa.models import QUESTION_COLUMNS, Draft, NewQuestion, Question, QuestionAction, QuestionTimes, join_tags
from cogs.qa.rules import Timing, next_due

# A failed action is tried again after 5, 10, 20, 40 minutes, then given up (and reported).
MAX_ATTEMPTS = 5
RETRY_BASE_SECONDS = 300
DRAFT_TTL_SECONDS = 86400


# The column that records each action as done.
_DONE_COLUMN = {
    QuestionAction.NUDGE: "nudged_at",
    QuestionAction.SURFACE: "surfaced_at",
    QuestionAction.ARCHIVE: "archived_at",
}


async def _mark_done(
    conn: aiosqlite.Connection, thread_id: int, action: QuestionAction, now: int, *, posted: bool
) -> None:
    """Note the action done (once) and clear its claim and retries (inside the caller's transaction)."""
    column = _DONE_COLUMN[action]
    bot_activity = ", bot_activity_at = :now" if posted else ""
    await conn.execute(
        f"UPDATE qa_questions SET {column} = COALESCE({column}, :now){bot_activity},"
        " pending_action = NULL, pending_since = NULL, attempts = 0, retry_at = NULL WHERE thread_id = :thread",
        {"now": now, "thread": thread_id},
    )


async def _log_mark(
    conn: aiosqlite.Connection, before: Question, action: str, message_id: int | None, author_id: int | None,
    by_id: int, at: int,
) -> None:
    """One row of qa_marks: who marked, moved or reopened what, and when."""
    await conn.execute(
        "INSERT INTO qa_marks (thread_id, guild_id, action, message_id, author_id, by_id, at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        (before.thread_id, before.guild_id, action, message_id, author_id, by_id, at),
    )


async def _get(conn: aiosqlite.Connection, thread_id: int) -> Question | None:
    cursor = await conn.execute(f"SELECT {QUESTION_COLUMNS} FROM qa_questions WHERE thread_id = ?", (thread_id,))
    row = await cursor.fetchone()
    return None if row is None else Question.from_row(row)


def _due_of(question: Question, timing: Timing) -> int | None:
    """A claimed action is due at once (until confirmed); otherwise the rules say when."""
    if question.pending_action:
        return question.pending_since
    return next_due(question.times(), timing, question.retry_at)


async def _apply_due(conn: aiosqlite.Connection, question: Question, timing: Timing) -> Question:
    """Store next_due_at for a freshly read row (inside the caller's transaction)."""
    due = _due_of(question, timing)
    if due == question.next_due_at:
        return question
    await conn.execute("UPDATE qa_questions SET next_due_at = ? WHERE thread_id = ?", (due, question.thread_id))
    return replace(question, next_due_at=due)


async def _refresh_due(conn: aiosqlite.Connection, thread_id: int, timing: Timing) -> Question | None:
    """Recompute next_due_at from the row's timestamps (inside the caller's transaction)."""
    question = await _get(conn, thread_id)
    return None if question is None else await _apply_due(conn, question, timing)


class QAStore:
    """Every query of the Q&A feature."""

    def __init__(self, db: Database) -> None:
        self.db = db

    # --- questions -------------------------------------------------------------------------------

    async def get(self, thread_id: int) -> Question | None:
        row = await self.db.fetchone(f"SELECT {QUESTION_COLUMNS} FROM qa_questions WHERE thread_id = ?", (thread_id,))
        return None if row is None else Question.from_row(row)

    async def add_question(self, new: NewQuestion, timing: Timing) -> bool:
        """Start tracking a question; False when the thread is tracked already."""
        times = QuestionTimes(False, new.created_at, new.created_at, None, 0, None, None, None)
        async with self.db.transaction() as tx:
            cursor = await tx.execute(
                "INSERT INTO qa_questions (thread_id, guild_id, channel_id, asker_id, title, body, tags, source,"
                " created_at, last_activity_at, next_due_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (thread_id) DO NOTHING",
                (
                    new.thread_id,
                    new.guild_id,
                    new.channel_id,
                    new.asker_id,
                    new.title,
                    new.body,
                    join_tags(new.tags),
                    new.source,
                    new.created_at,
                    new.created_at,
                    next_due(times, timing),
                ),
            )
            if cursor.rowcount == 0:
                return False
            if new.tags:
                await tx.executemany(
                    "INSERT INTO qa_question_tags (thread_id, guild_id, tag) VALUES (?, ?, ?)"
                    " ON CONFLICT (thread_id, tag) DO NOTHING",
                    [(new.thread_id, new.guild_id, tag) for tag in new.tags],
                )
        return True

    async def skip_overdue_reminders(self, thread_id: int, now: int, timing: Timing) -> Question | None:
        """For a question first seen late: a reminder whose time has passed is noted as done, unsent."""
        async with self.db.transaction() as tx:
            question = await _get(tx, thread_id)
            if question is None:
                return None
            if question.created_at + min(timing.unanswered_after, timing.nudge_after) <= now:
                await tx.execute(
                    "UPDATE qa_questions SET surfaced_at = COALESCE(surfaced_at, ?), nudged_at = COALESCE(nudged_at, ?)"
                    " WHERE thread_id = ?",
                    (now, now, thread_id),
                )
            return await _refresh_due(tx, thread_id, timing)

    async def forget(self, thread_id: int) -> bool:
        """Stop tracking a deleted thread (its search entry and tags go with it)."""
        cursor = await self.db.execute("DELETE FROM qa_questions WHERE thread_id = ?", (thread_id,))
        return cursor.rowcount > 0

    async def set_body_if_empty(self, thread_id: int, body: str) -> bool:
        """A direct post's text, when Message Content shows it (the title alone is known otherwise)."""
        cursor = await self.db.execute(
            "UPDATE qa_questions SET body = ? WHERE thread_id = ? AND body = ''", (body, thread_id)
        )
        return cursor.rowcount > 0

    async def update_thread_facts(self, thread_id: int, *, title: str | None, tags: list[str] | None) -> None:
        """Follow a rename or a change of applied tags made in Discord."""
        async with self.db.transaction() as tx:
            if title is not None:
                await tx.execute(
                    "UPDATE qa_questions SET title = ? WHERE thread_id = ? AND title != ?", (title, thread_id, title)
                )
            if tags is not None:
                cursor = await tx.execute(
                    "UPDATE qa_questions SET tags = ? WHERE thread_id = ? AND tags != ?",
                    (join_tags(tags), thread_id, join_tags(tags)),
                )
                if cursor.rowcount:
                    await tx.execute("DELETE FROM qa_question_tags WHERE thread_id = ?", (thread_id,))
                    await tx.executemany(
                        "INSERT INTO qa_question_tags (thread_id, guild_id, tag)"
                        " SELECT thread_id, guild_id, ? FROM qa_questions WHERE thread_id = ?"
                        " ON CONFLICT (thread_id, tag) DO NOTHING",
                        [(tag, thread_id) for tag in tags],
                    )

    async def record_message(
        self, thread_id: int, message_id: int, author_id: int, at: int, timing: Timing
    ) -> Question | None:
        """A member's message in a question thread: activity, and a reply when it is not the asker's."""
        # Messages are counted once each, in order: a catch-up after downtime may see them again.
        async with self.db.transaction() as tx:
            cursor = await tx.execute(
                "UPDATE qa_questions SET"
                " reply_count = reply_count + (asker_id != :author),"
                " first_reply_at = CASE WHEN asker_id != :author AND first_reply_at IS NULL"
                "   THEN :at ELSE first_reply_at END,"
                " last_activity_at = MAX(last_activity_at, :at),"
                " last_message_id = :message, archived_at = NULL"
                f" WHERE thread_id = :thread AND last_message_id < :message RETURNING {QUESTION_COLUMNS}",
                {"author": author_id, "at": at, "message": message_id, "thread": thread_id},
            )
            row = await cursor.fetchone()
            await cursor.close()
            if row is None:
                return None
            return await _apply_due(tx, Question.from_row(row), timing)

    async def set_archived(self, thread_id: int, archived_at: int | None, timing: Timing) -> None:
        """Follow the thread being archived (by anyone) or woken up."""
        async with self.db.transaction() as tx:
            if archived_at is None:
                await tx.execute("UPDATE qa_questions SET archived_at = NULL WHERE thread_id = ?", (thread_id,))
            else:
                await tx.execute(
                    "UPDATE qa_questions SET archived_at = COALESCE(archived_at, ?) WHERE thread_id = ?",
                    (archived_at, thread_id),
                )
            await _refresh_due(tx, thread_id, timing)

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
    ) -> tuple[Question, Question] | None:
        """Record (or move) the accepted answer; returns (before, after), None when not tracked."""
        async with self.db.transaction() as tx:
            before = await _get(tx, thread_id)
            if before is None:
                return None
            action = "move" if before.solved else "mark"
            await tx.execute(
                "UPDATE qa_questions SET state = 'solved', solved_at = COALESCE(solved_at, ?),"
                " answer_message_id = ?, answer_author_id = ?, answer_text = ?,"
                " answer_marked_by = ?, answer_marked_at = ?, bot_activity_at = ?,"
                " attempts = 0, retry_at = NULL WHERE thread_id = ?",
                (at, message_id, author_id, text, by_id, at, at, thread_id),
            )
            await _log_mark(tx, before, action, message_id, author_id, by_id, at)
            after = await _refresh_due(tx, thread_id, timing)
        return None if after is None else (before, after)

    async def reopen(self, thread_id: int, *, by_id: int, at: int, timing: Timing) -> tuple[Question, Question] | None:
        """Undo the accepted answer (its credit goes with it); None when not tracked or not solved."""
        async with self.db.transaction() as tx:
            before = await _get(tx, thread_id)
            if before is None or not before.solved:
                return None
            await tx.execute(
                "UPDATE qa_questions SET state = 'open', solved_at = NULL, answer_message_id = NULL,"
                " answer_author_id = NULL, answer_text = '', answer_marked_by = NULL, answer_marked_at = NULL,"
                " notice_message_id = NULL, bot_activity_at = ?, attempts = 0, retry_at = NULL WHERE thread_id = ?",
                (at, thread_id),
            )
            await _log_mark(tx, before, "reopen", before.answer_message_id, before.answer_author_id, by_id, at)
            after = await _refresh_due(tx, thread_id, timing)
        return None if after is None else (before, after)

    async def set_notice(self, thread_id: int, message_id: int | None) -> None:
        await self.db.execute(
            "UPDATE qa_questions SET notice_message_id = ? WHERE thread_id = ?", (message_id, thread_id)
        )

    # --- scheduled actions -----------------------------------------------------------------------

    async def earliest_due(self) -> int | None:
        """The soonest next_due_at over all questions (uses the partial index)."""
        earliest = await self.db.fetchval("SELECT MIN(next_due_at) FROM qa_questions WHERE next_due_at IS NOT NULL")
        return None if earliest is None else int(earliest)

    async def due(self, now: int, limit: int = 50) -> list[Question]:
        """Questions with something due at `now`, soonest first (uses the partial index)."""
        rows = await self.db.fetchall(
            f"SELECT {QUESTION_COLUMNS} FROM qa_questions WHERE next_due_at IS NOT NULL AND next_due_at <= ?"
            " ORDER BY next_due_at LIMIT ?",
            (now, limit),
        )
        return [Question.from_row(row) for row in rows]

    async def refresh_guild_due(self, guild_id: int, timing: Timing) -> int:
        """Recompute next_due_at of a guild's questions that may still have something due; how many changed."""
        # After a settings change or at load; the UNION lets each half use one of the two partial indexes.
        changed = 0
        async with self.db.transaction() as tx:
            cursor = await tx.execute(
                "SELECT thread_id, next_due_at FROM qa_questions WHERE guild_id = ? AND archived_at IS NULL"
                " UNION SELECT thread_id, next_due_at FROM qa_questions WHERE next_due_at IS NOT NULL AND guild_id = ?",
                (guild_id, guild_id),
            )
            for thread_id, old in await cursor.fetchall():
                fresh = await _refresh_due(tx, thread_id, timing)
                changed += fresh is not None and fresh.next_due_at != old
        return changed

    async def guilds_with_due(self) -> list[int]:
        """Guilds with questions that may still have something due (at start)."""
        rows = await self.db.fetchall(
            "SELECT guild_id FROM qa_questions WHERE archived_at IS NULL"
            " UNION SELECT guild_id FROM qa_questions WHERE next_due_at IS NOT NULL"
        )
        return [row[0] for row in rows]

    async def claim(self, thread_id: int, action: QuestionAction, now: int, timing: Timing) -> bool:
        """Note that `action` is being sent, before the Discord call (a restart then checks for it)."""
        async with self.db.transaction() as tx:
            cursor = await tx.execute(
                "UPDATE qa_questions SET pending_action = ?, pending_since = ?"
                " WHERE thread_id = ? AND (pending_action IS NULL OR pending_action = ?)",
                (action.value, now, thread_id, action.value),
            )
            await _refresh_due(tx, thread_id, timing)
            return cursor.rowcount > 0

    async def complete(self, thread_id: int, action: QuestionAction, now: int, timing: Timing, *, posted: bool) -> None:
        """Discord accepted the action (or it turned out done already): mark it done, once."""
        async with self.db.transaction() as tx:
            await _mark_done(tx, thread_id, action, now, posted=posted)
            await _refresh_due(tx, thread_id, timing)

    async def release_claim(self, thread_id: int, timing: Timing) -> None:
        """The claimed action is no longer due (the thread woke up meanwhile): forget the claim."""
        async with self.db.transaction() as tx:
            await tx.execute(
                "UPDATE qa_questions SET pending_action = NULL, pending_since = NULL WHERE thread_id = ?", (thread_id,)
            )
            await _refresh_due(tx, thread_id, timing)

    async def postpone(self, thread_id: int, until: int, timing: Timing) -> None:
        """Try again later without counting an attempt (the guild is unavailable, or an unexpected error)."""
        async with self.db.transaction() as tx:
            await tx.execute(
                "UPDATE qa_questions SET pending_action = NULL, pending_since = NULL, retry_at = ? WHERE thread_id = ?",
                (until, thread_id),
            )
            await _refresh_due(tx, thread_id, timing)

    async def fail(self, thread_id: int, action: QuestionAction, now: int, timing: Timing) -> bool:
        """A try failed: back off; after MAX_ATTEMPTS the action is given up (True), as if done."""
        async with self.db.transaction() as tx:
            question = await _get(tx, thread_id)
            if question is None:
                return False
            attempts = question.attempts + 1
            if attempts >= MAX_ATTEMPTS:
                await _mark_done(tx, thread_id, action, now, posted=False)
            else:
                await tx.execute(
                    "UPDATE qa_questions SET pending_action = NULL, pending_since = NULL, attempts = ?, retry_at = ?"
                    " WHERE thread_id = ?",
                    (attempts, now + RETRY_BASE_SECONDS * 2 ** (attempts - 1), thread_id),
                )
            await _refresh_due(tx, thread_id, timing)
            return attempts >= MAX_ATTEMPTS

    # --- drafts ----------------------------------------------------------------------------------

    async def save_draft(self, guild_id: int, user_id: int, title: str, body: str, tags: list[str], now: int) -> int:
        [(draft_id,)] = await self.db.fetchall(
            "INSERT INTO qa_drafts (guild_id, user_id, title, body, tags, created_at) VALUES (?, ?, ?, ?, ?, ?)"
            " RETURNING draft_id",
            (guild_id, user_id, title, body, join_tags(tags), now),
        )
        return int(draft_id)

    async def update_draft(self, draft_id: int, title: str, body: str, tags: list[str]) -> bool:
        cursor = await self.db.execute(
            "UPDATE qa_drafts SET title = ?, body = ?, tags = ? WHERE draft_id = ? AND posting_since IS NULL",
            (title, body, join_tags(tags), draft_id),
        )
        return cursor.rowcount > 0

    async def get_draft(self, draft_id: int) -> Draft | None:
        row = await self.db.fetchone(
            "SELECT draft_id, guild_id, user_id, title, body, tags, created_at FROM qa_drafts WHERE draft_id = ?",
            (draft_id,),
        )
        return None if row is None else Draft(*row)

    async def claim_draft(self, draft_id: int, now: int) -> bool:
        """One click posts: a second click while the first is posting gets False."""
        cursor = await self.db.execute(
            "UPDATE qa_drafts SET posting_since = ? WHERE draft_id = ?"
            " AND (posting_since IS NULL OR posting_since < ?)",
            (now, draft_id, now - 120),
        )
        return cursor.rowcount > 0

    async def release_draft(self, draft_id: int) -> None:
        await self.db.execute("UPDATE qa_drafts SET posting_since = NULL WHERE draft_id = ?", (draft_id,))

    async def drop_draft(self, draft_id: int) -> bool:
        cursor = await self.db.execute("DELETE FROM qa_drafts WHERE draft_id = ?", (draft_id,))
        return cursor.rowcount > 0

    async def drop_stale_drafts(self, now: int) -> int:
        cursor = await self.db.execute("DELETE FROM qa_drafts WHERE created_at < ?", (now - DRAFT_TTL_SECONDS,))
        return cursor.rowcount

    # --- counts for /about -----------------------------------------------------------------------

    async def counts(self) -> dict[str, int]:
        [row] = await self.db.fetchall("SELECT COUNT(*), COALESCE(SUM(state = 'solved'), 0) FROM qa_questions")
        return {"questions": int(row[0]), "solved questions": int(row[1])}
