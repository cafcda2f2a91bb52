"""SQL of the read-only reports: open questions, the leaderboard of accepted answers, statistics per tag.

They run on the database's read-only connections (`Database.read_all`): over a million questions /qa stats
reads every row of the period (seconds), and must not hold up the bot's writes meanwhile. Its figures are
computed in a worker thread, so the event loop keeps serving everyone else.
"""

from __future__ import annotations

import asyncio
from typing import Any

from bot.database import Database
from cogs.qa.models import OpenQuestion, TagStats
from cogs.qa.rules import tag_figures


class QAReports:
    """Queries behind /qa unanswered, /qa leaderboard and /qa stats."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def unanswered(self, guild_id: int, tag: str | None, limit: int = 15) -> tuple[list[OpenQuestion], int]:
        """Open, not archived questions, oldest first, and how many there are in all."""
        source = "qa_questions q INDEXED BY qa_questions_open"  # see migration 0002_open_questions
        where = "q.guild_id = ? AND q.state = 'open' AND q.archived_at IS NULL"
        params: list[Any] = [guild_id]
        if tag:
            source += " JOIN qa_question_tags t ON t.thread_id = q.thread_id AND t.tag = ?"
            params.insert(0, tag)
        rows = await self.db.read_all(
            f"SELECT q.thread_id, q.channel_id, q.title, q.created_at, q.reply_count, q.tags"
            f" FROM {source} WHERE {where} ORDER BY q.created_at LIMIT ?",
            [*params, limit],
        )
        [(total,)] = await self.db.read_all(f"SELECT COUNT(*) FROM {source} WHERE {where}", params)
        return [OpenQuestion(*row) for row in rows], int(total)

    async def known_tags(self, guild_id: int, prefix: str, limit: int = 25) -> list[str]:
        rows = await self.db.read_all(
            "SELECT tag FROM qa_question_tags WHERE guild_id = ? AND tag LIKE ? ESCAPE '\\'"
            " GROUP BY tag ORDER BY COUNT(*) DESC LIMIT ?",
            (guild_id, prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%", limit),
        )
        return [row[0] for row in rows]

    async def leaderboard(self, guild_id: int, since: int | None, limit: int = 10) -> list[tuple[int, int]]:
        """(member, accepted answers) best first; answering one's own question earns nothing."""
        rows = await self.db.read_all(
            "SELECT answer_author_id, COUNT(*) AS n FROM qa_questions"
            " WHERE guild_id = ? AND answer_author_id IS NOT NULL AND answer_author_id != asker_id"
            " AND answer_marked_at >= ? GROUP BY answer_author_id ORDER BY n DESC, MIN(answer_marked_at) LIMIT ?",
            (guild_id, since or 0, limit),
        )
        return [(row[0], row[1]) for row in rows]

    async def credit(self, guild_id: int, user_id: int, since: int | None) -> int:
        """One member's accepted answers in the period."""
        [(count,)] = await self.db.read_all(
            "SELECT COUNT(*) FROM qa_questions WHERE guild_id = ? AND answer_author_id = ?"
            " AND answer_author_id != asker_id AND answer_marked_at >= ?",
            (guild_id, user_id, since or 0),
        )
        return int(count)

    async def stats(self, guild_id: int, since: int | None, max_tags: int = 20) -> tuple[TagStats, list[TagStats]]:
        """Figures for all questions asked since `since`, and per tag (most asked first)."""
        rows = await self.db.read_all(
            "SELECT thread_id, created_at, first_reply_at, solved_at FROM qa_questions"
            " WHERE guild_id = ? AND created_at >= ?",
            (guild_id, since or 0),
        )
        tag_rows = await self.db.read_all(
            "SELECT t.tag, t.thread_id FROM qa_question_tags t JOIN qa_questions q ON q.thread_id = t.thread_id"
            " WHERE q.guild_id = ? AND q.created_at >= ?",
            (guild_id, since or 0),
        )
        # Over a million questions the figures take a while: computed in a worker thread, off the event loop.
        return await asyncio.to_thread(tag_figures, rows, tag_rows, max_tags)
