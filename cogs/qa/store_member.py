"""One member's Q&A data (questions asked, answers credited, marks, drafts): export and forget."""

from __future__ import annotations

from typing import Any

from bot.database import Database, Statement
from bot.member_data import FORMER_MEMBER, export_rows, forget_rows


class QAMemberData:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def export(self, guild_id: int, user_id: int) -> dict[str, Any]:
        key = (guild_id, user_id)
        return {
            "questions_asked": await export_rows(
                self.db,
                "SELECT thread_id, channel_id, title, body, tags, source, state, created_at, solved_at"
                " FROM qa_questions WHERE guild_id = ? AND asker_id = ? ORDER BY created_at",
                key,
            ),
            "answers_credited": await export_rows(
                self.db,
                "SELECT thread_id, title, answer_message_id, answer_text, answer_marked_at FROM qa_questions"
                " WHERE guild_id = ? AND answer_author_id = ? ORDER BY answer_marked_at",
                key,
            ),
            "answers_marked": await export_rows(
                self.db,
                "SELECT thread_id, action, message_id, at FROM qa_marks WHERE guild_id = ? AND by_id = ? ORDER BY at",
                key,
            ),
            "drafts": await export_rows(
                self.db,
                "SELECT title, body, tags, created_at FROM qa_drafts WHERE guild_id = ? AND user_id = ?"
                " ORDER BY created_at",
                key,
            ),
        }

    async def asked_with_ask(self, guild_id: int, user_id: int, limit: int) -> list[tuple[int, int]]:
        """(thread, channel) of questions they asked with /ask: the bot's first post there names them."""
        rows = await self.db.fetch(
            "SELECT thread_id, channel_id FROM qa_questions WHERE guild_id = ? AND asker_id = ? AND source = 'ask'"
            " ORDER BY created_at DESC LIMIT ?",
            (guild_id, user_id, limit),
        )
        return [(row["thread_id"], row["channel_id"]) for row in rows]

    async def forget(self, guild_id: int, user_id: int, now: int) -> int:
        """Their questions stay (the posts stay in Discord) without an asker; their credits and marks lose their
        name; drafts go. Another member's credit for answering their question stays."""
        key = (guild_id, user_id)
        return await forget_rows(self.db, [
            # asker_id cannot be NULL: 0 is "a former member" (bot/member_data.py); nobody is left to nudge
            Statement(
                "UPDATE qa_questions SET asker_id = ?, nudged_at = COALESCE(nudged_at, ?)"
                " WHERE guild_id = ? AND asker_id = ?",
                (FORMER_MEMBER, now, *key),
            ),
            Statement(
                "UPDATE qa_questions SET answer_author_id = NULL WHERE guild_id = ? AND answer_author_id = ?", key
            ),
            Statement(
                "UPDATE qa_questions SET answer_marked_by = NULL WHERE guild_id = ? AND answer_marked_by = ?", key
            ),
            Statement("UPDATE qa_marks SET author_id = NULL WHERE guild_id = ? AND author_id = ?", key),
            Statement("UPDATE qa_marks SET by_id = ? WHERE guild_id = ? AND by_id = ?", (FORMER_MEMBER, *key)),
            Statement("DELETE FROM qa_drafts WHERE guild_id = ? AND user_id = ?", key),
        ])
