"""Full-text search over questions and accepted answers (SQLite FTS5), and "similar solved questions"."""

from __future__ import annotations

import re

from bot.database import Database, Row
from cogs.qa.models import HIT_END, HIT_START, Hit

_WORD = re.compile(r"\w+", re.UNICODE)
MAX_QUERY_TERMS = 12
# Words that say nothing about a question's subject; left out of "similar questions" queries.
_STOPWORDS = frozenset(
    [
        "a",
        "about",
        "an",
        "and",
        "any",
        "are",
        "as",
        "at",
        "be",
        "but",
        "by",
        "can",
        "could",
        "do",
        "does",
        "doing",
        "for",
        "from",
        "get",
        "getting",
        "has",
        "have",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "me",
        "my",
        "not",
        "of",
        "on",
        "or",
        "should",
        "so",
        "some",
        "than",
        "that",
        "the",
        "their",
        "them",
        "then",
        "there",
        "these",
        "this",
        "to",
        "use",
        "using",
        "vs",
        "was",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "why",
        "will",
        "with",
        "without",
        "would",
        "you",
        "your",
        "help",
        "problem",
        "question",
        "issue",
        "error",
        "anyone",
        "know",
        "way",
        "best",
    ]
)


def terms(text: str) -> list[str]:
    """Distinct lower-case words of a text, in order, at most MAX_QUERY_TERMS."""
    seen: dict[str, None] = {}
    for word in _WORD.findall(text.lower()):
        word = word.strip("_")
        if word and word not in seen:
            seen[word] = None
        if len(seen) >= MAX_QUERY_TERMS:
            break
    return list(seen)


def search_terms(query: str) -> list[str]:
    """The words a search looks for: filler words are left out unless nothing else was typed."""
    words = terms(query)
    return [w for w in words if w not in _STOPWORDS] or words


def match_expression(query: str, *, any_term: bool = False) -> str | None:
    """An FTS5 MATCH expression from what a member typed; every word quoted, so no syntax leaks in."""
    # All words must match unless `any_term`. The porter stemmer makes "merging" find "merge"; prefix queries are
    # not used: they merge every matching doclist and defeat the ranking window below.
    words = search_terms(query)
    if not words:
        return None
    quoted = [f'"{word}"' for word in words]
    return (" OR " if any_term else " ").join(quoted)


# How many matches, newest first, are ranked. Ranking every match of a word that one question in ten
# contains costs a full pass over a million rows; the newest RANK_WINDOW matches bound that (see bench/).
RANK_WINDOW = 500

_RANKED = (
    "SELECT q.thread_id, q.channel_id, q.title, q.state = 'solved', q.answer_message_id, q.answer_author_id,"
    " q.created_at, q.tags FROM ("
    "   SELECT f.rowid AS id, f.rank AS score FROM qa_search f JOIN qa_questions w ON w.thread_id = f.rowid"
    "   WHERE f.qa_search MATCH :match AND w.guild_id = :guild {solved}"
    "   ORDER BY f.rowid DESC LIMIT :window"
    " ) AS m JOIN qa_questions q ON q.thread_id = m.id ORDER BY m.score LIMIT :limit"
)


def _hit(row: Row, snippet: str) -> Hit:
    thread_id, channel_id, title, solved, answer_message_id, answer_author_id, created_at, tags = row
    return Hit(
        thread_id, channel_id, title, bool(solved), answer_message_id, answer_author_id, created_at, tags, snippet
    )


class QuestionSearch:
    """The FTS5 queries."""

    def __init__(self, db: Database, *, rank_window: int = RANK_WINDOW) -> None:
        self.db = db
        self.rank_window = rank_window

    async def _run(self, expression: str, guild_id: int, limit: int, *, solved_only: bool) -> list[Hit]:
        """Best first (bm25, title hits weigh most) among the newest RANK_WINDOW matches of the guild."""
        sql = _RANKED.format(solved="AND w.state = 'solved'" if solved_only else "")
        params = {"match": expression, "guild": guild_id, "window": self.rank_window, "limit": limit}
        rows = await self.db.read_all(sql, params)
        if not rows:
            return []
        ids = [row[0] for row in rows]
        marks = ", ".join("?" for _ in ids)
        snippets = await self.db.read_all(
            f"SELECT rowid, snippet(qa_search, -1, ?, ?, '…', 16) FROM qa_search"
            f" WHERE qa_search MATCH ? AND rowid IN ({marks})",
            (HIT_START, HIT_END, expression, *ids),
        )
        by_id = {row[0]: row[1] for row in snippets}
        return [_hit(row, by_id.get(row[0], "")) for row in rows]

    async def search(self, guild_id: int, query: str, limit: int = 8) -> tuple[list[Hit], bool]:
        """Best matches first; all words must match, else any word does. Returns (hits, loose)."""
        strict = match_expression(query)
        if strict is None:
            return [], False
        hits = await self._run(strict, guild_id, limit, solved_only=False)
        if hits or len(search_terms(query)) < 2:
            return hits, False
        loose = match_expression(query, any_term=True)
        if loose is None:  # cannot happen: the strict expression had words
            return [], False
        return await self._run(loose, guild_id, limit, solved_only=False), True

    async def similar_solved(self, guild_id: int, title: str, body: str, limit: int = 3) -> list[Hit]:
        """Solved questions sharing the subject words of a new question (shown before posting it)."""
        # A candidate needs at least two of the question's subject words (one if it has only one), so a shared
        # "pandas" alone does not make two questions look alike.
        words = [w for w in terms(f"{title} {body[:400]}") if w not in _STOPWORDS and len(w) > 2 and not w.isdigit()]
        if not words:
            return []
        expression = " OR ".join(f'"{word}"' for word in words)
        candidates = await self._run(expression, guild_id, limit * 4, solved_only=True)
        needed = min(2, len(words))
        stems = {word[:5] for word in words}
        texts = await self._texts([hit.thread_id for hit in candidates])
        chosen = []
        for hit in candidates:
            seen = {word[:5] for word in _WORD.findall(texts.get(hit.thread_id, "").lower())}
            if len(stems & seen) >= needed:
                chosen.append(hit)
            if len(chosen) == limit:
                break
        return chosen

    async def _texts(self, thread_ids: list[int]) -> dict[int, str]:
        if not thread_ids:
            return {}
        marks = ", ".join("?" for _ in thread_ids)
        rows = await self.db.read_all(
            f"SELECT thread_id, title || ' ' || body || ' ' || answer_text || ' ' || tags FROM qa_questions"
            f" WHERE thread_id IN ({marks})",
            thread_ids,
        )
        return {row[0]: row[1] for row in rows}
