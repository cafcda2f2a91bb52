"""SQL of the read-only reports: open questions, the leaderboard of accepted answers, statistics per tag.

They run on the database's read-only connections (`Database.fetch`): over a million questions /qa stats reads every
row of the period (seconds), and must not hold up the bot's writes meanwhile. Its figures are computed in a worker
thread, so the event loop keeps serving everyone else. The tag names a guild uses (autocomplete, at every keystroke)
are kept per process, dropped when any process gives the guild a tag name it had not (TAGS_TOPIC) and reread after
TAGS_TTL_SECONDS (how often each is used, the order shown, drifts slowly).
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from bot.database import ALL, Database
from cogs.qa.models import OpenQuestion, TagStats
from cogs.qa.rules import tag_figures
from cogs.qa.store import TAGS_TOPIC

TAGS_TTL_SECONDS = 600
KNOWN_TAGS_KEPT = 1000  # per guild; a guild with more is asked the database for the rarer ones


class QAReports:
    """Queries behind /qa unanswered (and its tag autocomplete), /qa leaderboard and /qa stats."""

    def __init__(self, db: Database) -> None:
        self.db = db
        # see migration 0002_open_questions: without statistics SQLite prefers another index; PostgreSQL plans well
        self._open = "qa_questions q INDEXED BY qa_questions_open" if db.backend == "sqlite" else "qa_questions q"
        self._tags: dict[int, tuple[float, list[str]]] = {}  # guild -> (read at, names, most used first)
        self._tag_changes = 0  # a read that raced a change notice is not kept

    async def start(self) -> None:
        """Follow other processes' tag changes (on load)."""
        await self.db.subscribe(TAGS_TOPIC, self._tags_changed)

    def stop(self) -> None:
        self.db.unsubscribe(TAGS_TOPIC, self._tags_changed)

    def _tags_changed(self, key: str) -> None:
        self._tag_changes += 1
        if key == ALL:
            self._tags.clear()
        else:
            self._tags.pop(int(key), None)

    async def unanswered(self, guild_id: int, tag: str | None, limit: int = 15) -> tuple[list[OpenQuestion], int]:
        """Open, not archived questions, oldest first, and how many there are in all."""
        source = self._open
        where = "q.guild_id = ? AND q.state = 'open' AND q.archived_at IS NULL"
        params: list[Any] = [guild_id]
        if tag:
            source += (" JOIN qa_question_tags t ON t.thread_id = q.thread_id AND t.guild_id = q.guild_id"
                       " AND lower(t.tag) = lower(?)")
            params.insert(0, tag)
        rows = await self.db.fetch(
            f"SELECT q.thread_id, q.channel_id, q.title, q.created_at, q.reply_count, q.tags"
            f" FROM {source} WHERE {where} ORDER BY q.created_at LIMIT ?",
            [*params, limit],
        )
        total = await self.db.fetchval(f"SELECT COUNT(*) FROM {source} WHERE {where}", params)
        return [OpenQuestion(*row) for row in rows], int(total)

    async def known_tags(self, guild_id: int, prefix: str, limit: int = 25) -> list[str]:
        """Tag names of the guild starting with `prefix` (any case), the most used first."""
        names = await self._guild_tags(guild_id)
        wanted = prefix.lower()
        found = [name for name in names if name.lower().startswith(wanted)][:limit]
        if len(found) < limit and len(names) >= KNOWN_TAGS_KEPT:
            found = await self._tags_starting(guild_id, wanted, limit)  # a rare one may be past those kept
        return found

    async def _guild_tags(self, guild_id: int) -> list[str]:
        cached = self._tags.get(guild_id)
        if cached is not None and time.monotonic() - cached[0] < TAGS_TTL_SECONDS:
            return cached[1]
        changes, read_at = self._tag_changes, time.monotonic()
        rows = await self.db.fetch(
            "SELECT MIN(tag) FROM qa_question_tags WHERE guild_id = ? GROUP BY lower(tag)"
            " ORDER BY COUNT(*) DESC, lower(tag) LIMIT ?",
            (guild_id, KNOWN_TAGS_KEPT),
        )
        names = [str(row[0]) for row in rows]
        if changes == self._tag_changes:
            self._tags[guild_id] = (read_at, names)
        return names

    async def _tags_starting(self, guild_id: int, prefix: str, limit: int) -> list[str]:
        rows = await self.db.fetch(
            "SELECT MIN(tag) FROM qa_question_tags WHERE guild_id = ? AND lower(tag) LIKE ? ESCAPE '\\'"
            " GROUP BY lower(tag) ORDER BY COUNT(*) DESC, lower(tag) LIMIT ?",
            (guild_id, prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%", limit),
        )
        return [str(row[0]) for row in rows]

    async def leaderboard(self, guild_id: int, since: int | None, limit: int = 10) -> list[tuple[int, int]]:
        """(member, accepted answers) best first; answering one's own question earns nothing."""
        rows = await self.db.fetch(
            "SELECT answer_author_id, COUNT(*) AS n FROM qa_questions"
            " WHERE guild_id = ? AND answer_author_id IS NOT NULL AND answer_author_id <> asker_id"
            " AND answer_marked_at >= ? GROUP BY answer_author_id ORDER BY n DESC, MIN(answer_marked_at) LIMIT ?",
            (guild_id, since or 0, limit),
        )
        return [(int(row[0]), int(row[1])) for row in rows]

    async def credit(self, guild_id: int, user_id: int, since: int | None) -> int:
        """One member's accepted answers in the period."""
        count = await self.db.fetchval(
            "SELECT COUNT(*) FROM qa_questions WHERE guild_id = ? AND answer_author_id = ?"
            " AND answer_author_id <> asker_id AND answer_marked_at >= ?",
            (guild_id, user_id, since or 0),
        )
        return int(count)

    async def stats(self, guild_id: int, since: int | None, max_tags: int = 20) -> tuple[TagStats, list[TagStats]]:
        """Figures for all questions asked since `since`, and per tag (most asked first)."""
        rows = await self.db.fetch(
            "SELECT thread_id, created_at, first_reply_at, solved_at FROM qa_questions"
            " WHERE guild_id = ? AND created_at >= ?",
            (guild_id, since or 0),
        )
        tag_rows = await self.db.fetch(
            "SELECT t.tag, t.thread_id FROM qa_question_tags t JOIN qa_questions q ON q.thread_id = t.thread_id"
            " WHERE q.guild_id = ? AND q.created_at >= ?",
            (guild_id, since or 0),
        )
        # Over a million questions the figures take a while: computed in a worker thread, off the event loop.
        return await asyncio.to_thread(tag_figures, rows, tag_rows, max_tags)
