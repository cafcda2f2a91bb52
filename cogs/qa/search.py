"""Full-text search over questions and accepted answers, and "similar solved questions".

The engine's full-text index (SQLite FTS5, or a PostgreSQL tsvector with a GIN index: search_sql.py) finds the newest
matches of a server; ranking and snippets are computed here from the rows it returned (search_rank.py). Nothing in a
search counts every question holding a word: how common a word is (for ranking) is counted once, up to DF_CAP, and
kept for DF_TTL_SECONDS.
"""

from __future__ import annotations

import re
import time
from collections.abc import Sequence

from bot.database import Database, Row
from cogs.qa.models import HIT_END, HIT_START, Hit
from cogs.qa.search_rank import DF_CAP, Candidate, TermMatcher, idf, scores, snippet
from cogs.qa.search_sql import FEW_QUESTIONS, SERVER_COUNT, SearchSQL, for_backend
from cogs.qa.search_sql import Statement as SearchStatement

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
    # not used: they merge every matching doclist. QuestionSearch quotes words the same way on SQLite (search_sql.py);
    # this is the expression of the bare MATCH the benchmark compares with.
    words = search_terms(query)
    if not words:
        return None
    quoted = [f'"{word}"' for word in words]
    return (" OR " if any_term else " ").join(quoted)


# How many matches, newest first, are ranked when every word must match. Ranking takes no pass over every question
# holding a word (bm25 did: 46,000 documents for a median word over a million questions); the window bounds what a
# broad query costs, and one more word narrows it.
RANK_WINDOW = 32
# When no question holds every word: the newest matches of each word, ranked together (more words first).
PER_TERM = 16
DF_TTL_SECONDS = 600.0
DF_CACHE_SIZE = 50_000
# A bound on one merge of the index (10,000 steps of 500 pages: some 20 GB), so a merge that other writes keep
# feeding cannot run for ever.
MERGE_MAX_STEPS = 10_000


class QuestionSearch:
    """Searches of one database, either engine (`db.backend`)."""

    def __init__(self, db: Database, *, rank_window: int = RANK_WINDOW) -> None:
        self.db = db
        self.rank_window = rank_window
        self.sql: SearchSQL = for_backend(db.backend)
        # how many questions hold a term (up to DF_CAP), and until when that is trusted; words in no question are
        # not kept (a new question may hold one the next moment)
        self._df: dict[str, tuple[int, float]] = {}
        # whether a server has at most FEW_QUESTIONS (search_sql.py), and until when that is trusted
        self._few: dict[int, tuple[bool, float]] = {}

    async def search(self, guild_id: int, query: str, limit: int = 8) -> tuple[list[Hit], bool]:
        """Best matches first; all words must match, else any word does. Returns (hits, loose)."""
        words = search_terms(query)
        if not words:
            return [], False
        counts: dict[str, int] = {}
        missing = self._uncounted(words) if len(words) > 1 or self.sql.plans_by_counts else []
        if missing and self.sql.plans_by_counts:  # PostgreSQL: the counts choose the plan, so they come first
            _, counts = self._split(await self._fetch(self.sql.counts(words, missing)), words, guild_id)
            missing = []
        else:
            counts = self._cached(words)
        few, count_server = self._has_few(guild_id)
        if not any(counts.get(w) == 0 for w in words):
            statement = self.sql.strict(words, guild_id, self.rank_window, solved_only=False, count=missing,
                                        rare=self._rare(words, counts), few=few, count_server=count_server)
            candidates, counts = self._split(await self._fetch(statement), words, guild_id)
            if candidates or len(words) < 2:
                return self._rank(candidates, words, counts, limit, all_terms=True), False
        elif len(words) < 2:
            return [], False
        # Nothing holds every word: any word, but only the words some question holds (none: nothing to look for).
        present = [w for w in words if counts.get(w, 1) > 0]
        if not present:
            return [], False
        rare = [self._rare([w], counts) for w in present]
        few = self._has_few(guild_id)[0]  # counted with the first statement when it was not known
        statement = self.sql.loose(present, guild_id, PER_TERM, solved_only=False, rare=rare, few=few)
        candidates, _ = self._split(await self._fetch(statement), present, guild_id)
        return self._rank(candidates, present, counts, limit, all_terms=len(present) == 1), True

    async def similar_solved(self, guild_id: int, title: str, body: str, limit: int = 3) -> list[Hit]:
        """Solved questions sharing the subject words of a new question (shown before posting it)."""
        # A candidate needs at least two of the question's subject words (one if it has only one), so a shared
        # "pandas" alone does not make two questions look alike.
        words = [w for w in terms(f"{title} {body[:400]}") if w not in _STOPWORDS and len(w) > 2 and not w.isdigit()]
        if not words:
            return []
        missing, counts = self._uncounted(words), self._cached(words)
        if missing and self.sql.plans_by_counts:
            _, counts = self._split(await self._fetch(self.sql.counts(words, missing)), words, guild_id)
            missing = []
        rare = [self._rare([w], counts) for w in words]
        few, count_server = self._has_few(guild_id)
        statement = self.sql.loose(words, guild_id, limit * 4, solved_only=True, count=missing, rare=rare, few=few,
                                   count_server=count_server)
        candidates, counts = self._split(await self._fetch(statement), words, guild_id)
        ranked = self._rank(candidates, words, counts, len(candidates), all_terms=False)
        texts = {row[0]: f"{row[2]} {row[8]} {row[9]} {row[7]}" for row in candidates}
        needed = min(2, len(words))
        stems = {word[:5] for word in words}
        chosen = []
        for hit in ranked:
            seen = {word[:5] for word in _WORD.findall(texts.get(hit.thread_id, "").lower())}
            if len(stems & seen) >= needed:
                chosen.append(hit)
            if len(chosen) == limit:
                break
        return chosen

    def _has_few(self, guild_id: int) -> tuple[bool, bool]:
        """(whether the server has at most FEW_QUESTIONS questions, as last counted; whether to count them now, with
        the search's statement: not counted in the last DF_TTL_SECONDS, on an engine that plans small servers apart)."""
        if self.sql.few_questions is None:
            return False, False
        known = self._few.get(guild_id)
        if known is None or known[1] < time.monotonic():
            return False, True
        return known[0], False

    # --- the index's upkeep -----------------------------------------------------------------------------------------

    async def index_segments(self) -> int:
        """How many segments the full-text index is in; 0 on an engine that keeps its index in shape itself."""
        return 0 if self.sql.segments is None else int(await self.db.fetchval(self.sql.segments) or 0)

    async def merge_index(self) -> int:
        """Merge the index into one segment, a bounded step at a time (other writes go in between); returns the steps
        taken (0 when it was in one segment already, or the engine keeps it in shape)."""
        steps = 0
        while self.sql.merge_step is not None and steps < MERGE_MAX_STEPS and await self.index_segments() > 1:
            await self.db.execute(self.sql.merge_step)
            steps += 1
        return steps

    # --- document counts ---------------------------------------------------------------------------------------------

    async def _fetch(self, statement: SearchStatement) -> list[Row]:
        return await self.db.fetch(statement.sql, statement.params)

    def _rare(self, words: Sequence[str], counts: dict[str, int]) -> bool:
        """Some word is in fewer than DF_CAP questions (by its count): fetching all its matches is cheap."""
        return any(counts.get(w, DF_CAP) < DF_CAP for w in words)

    def _cached(self, words: Sequence[str]) -> dict[str, int]:
        now = time.monotonic()
        return {w: known[0] for w in words if (known := self._df.get(w)) is not None and known[1] >= now}

    def _uncounted(self, words: Sequence[str]) -> list[int]:
        """Indexes of the words whose document count is not cached (or is stale)."""
        now = time.monotonic()
        return [i for i, w in enumerate(words) if (known := self._df.get(w)) is None or known[1] < now]

    def _split(self, rows: list[Row], words: Sequence[str], guild_id: int) -> tuple[list[Row], dict[str, int]]:
        """Candidate rows (each once, newest first) and the document counts the statement carried (now cached), and
        the server's question count if it carried one (cached too)."""
        found: dict[int, Row] = {}
        counts: dict[str, int] = {}
        for row in rows:
            if row[0] is None and int(row[6]) == SERVER_COUNT:
                if len(self._few) >= DF_CACHE_SIZE:
                    self._few.clear()
                self._few[guild_id] = (int(row[1]) <= FEW_QUESTIONS, time.monotonic() + DF_TTL_SECONDS)
            elif row[0] is None:
                counts[words[int(row[6])]] = int(row[1])
            elif row[0] not in found:
                found[row[0]] = row
        if counts:
            expires = time.monotonic() + DF_TTL_SECONDS
            if len(self._df) + len(counts) > DF_CACHE_SIZE:
                self._df.clear()
            for word, count in counts.items():
                if count > 0:
                    self._df[word] = (count, expires)
                else:
                    self._df.pop(word, None)
        for word, known in self._cached(words).items():
            counts.setdefault(word, known)
        return sorted(found.values(), key=lambda row: -int(row[0])), counts

    def _rank(
        self, found: list[Row], words: Sequence[str], counts: dict[str, int], limit: int, *, all_terms: bool
    ) -> list[Hit]:
        """Best first (title hits weigh most, rare words more than common ones), newer first among equals; snippets
        for the ones shown."""
        if not found:
            return []
        matcher = TermMatcher(words)
        weights = [idf(counts.get(w)) for w in words]
        points = scores(
            matcher,
            weights,
            [row[2] for row in found],
            [row[9] or "" for row in found],
            [row[7] or "" for row in found],
            None if all_terms else [row[8] or "" for row in found],
        )
        order = sorted(range(len(found)), key=lambda i: -points[i])  # stable: newest first among equals
        return [_hit(found[i], matcher) for i in order[:limit]]


def _hit(row: Row, matcher: TermMatcher) -> Hit:
    """A candidate row (search_sql._COLUMNS) as a result, with its snippet."""
    candidate = Candidate(row[0], row[2], row[8] or "", row[9] or "", row[7] or "")
    text = snippet(candidate, matcher, HIT_START, HIT_END)
    return Hit(row[0], row[1], row[2], row[3] == "solved", row[4], row[5], row[6], row[7], snippet=text)
