"""The queries /qa search runs, per engine: SQLite's FTS5 table, or PostgreSQL's tsvector with a GIN index.

Either engine only finds candidates, newest first: the newest `window` questions of a server holding every term
(strict), or the newest few holding each term (loose, one branch per term). The rows carry the text that ranking and
snippets need (search_rank.py), so a search is one statement, two when nothing holds every term. A statement may
also count how many questions hold some terms, up to DF_CAP each (rows with a NULL thread_id), for terms whose count
is not cached yet.

No text a member typed becomes SQL: every term is a parameter; on SQLite a term is a quoted FTS5 string (it holds
only word characters, so it cannot close the quotes), on PostgreSQL it goes through plainto_tsquery.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from cogs.qa.search_rank import DF_CAP

MERGE_STEP_PAGES = 500
# Up to this many questions a server's searches walk its own questions (SQLite), where each costs a lookup in the
# index: beyond it, walking the index's matches newest first costs less (measured over a million questions).
FEW_QUESTIONS = 300

# What every candidate row holds, in order (search.py reads them by position).
_COLUMNS = (
    "q.thread_id, q.channel_id, q.title, q.state, q.answer_message_id, q.answer_author_id, q.created_at, q.tags,"
    " q.body, q.answer_text"
)
# A row that carries a document count instead: (NULL, count, NULL, ..., term index in created_at's place, ...).
Match = tuple[str, list[Any]]  # an SQL condition and its parameters
_COUNT_ROW = "SELECT NULL, {count}, NULL, NULL, NULL, NULL, {index}, NULL, NULL, NULL"
SERVER_COUNT = -1  # the term index of the row counting the server's questions (up to FEW_QUESTIONS + 1)


@dataclass(frozen=True)
class Statement:
    sql: str
    params: list[Any]


class SearchSQL:
    """Builds the statements; subclasses say how an engine matches a term or all terms."""

    # The engine's plan depends on how many questions hold the words (PostgreSQL): count them before searching.
    plans_by_counts = False
    # Index upkeep, where the engine leaves it to us (SQLite): how many segments the index is in, and one bounded
    # step of merging them all into one. None where the engine keeps its index in shape itself (PostgreSQL: vacuum
    # moves a GIN index's pending entries into it).
    segments: str | None = None
    merge_step: str | None = None
    # A server's questions, counted up to FEW_QUESTIONS + 1, where the engine plans small servers apart (SQLite).
    few_questions: str | None = None

    def strict(
        self,
        terms: Sequence[str],
        guild_id: int,
        window: int,
        *,
        solved_only: bool,
        count: Sequence[int] = (),
        rare: bool = False,
        few: bool = False,
        count_server: bool = False,
    ) -> Statement:
        """The newest `window` questions of the guild holding every term; document counts of terms[i] for i in
        `count`. `rare`: some term is in fewer than DF_CAP questions; `few`: the server has at most FEW_QUESTIONS;
        `count_server`: count them (a row with SERVER_COUNT in the term index's place)."""
        branch, params = self._branch(self._all(terms), guild_id, window, solved_only, rare, few)
        return self._with_counts([branch], params, terms, count, guild_id if count_server else None)

    def loose(
        self,
        terms: Sequence[str],
        guild_id: int,
        per_term: int,
        *,
        solved_only: bool,
        count: Sequence[int] = (),
        rare: Sequence[bool] = (),
        few: bool = False,
        count_server: bool = False,
    ) -> Statement:
        """For each term, the newest `per_term` questions of the guild holding it (a question may come more than
        once). `rare[i]`: terms[i] is in fewer than DF_CAP questions."""
        branches, params = [], []
        for i, term in enumerate(terms):
            is_rare = i < len(rare) and rare[i]
            branch, more = self._branch(self._one(term), guild_id, per_term, solved_only, is_rare, few)
            branches.append(branch)
            params += more
        return self._with_counts(branches, params, terms, count, guild_id if count_server else None)

    def counts(self, terms: Sequence[str], count: Sequence[int]) -> Statement:
        """Only the document counts of terms[i] for i in `count`."""
        return self._with_counts([], [], terms, count)

    def _with_counts(
        self, branches: list[str], params: list[Any], terms: Sequence[str], count: Sequence[int],
        server: int | None = None,
    ) -> Statement:
        parts = [f"SELECT * FROM ({branch}) AS b{i}" for i, branch in enumerate(branches)]
        if not branches:
            parts = [_COUNT_ROW.format(count="NULL", index="NULL") + " WHERE FALSE"]  # the columns' shape
        for index in count:
            match_sql, match_params = self._one(terms[index])
            parts.append(_COUNT_ROW.format(count=self._count(match_sql), index=index))
            params = params + match_params
        if server is not None and self.few_questions is not None:
            parts.append(_COUNT_ROW.format(count=f"({self.few_questions})", index=SERVER_COUNT))
            params = [*params, server]
        return Statement(" UNION ALL ".join(parts), params)

    def _branch(
        self, match: Match, guild_id: int, limit: int, solved_only: bool, rare: bool, few: bool
    ) -> tuple[str, list[Any]]:
        raise NotImplementedError

    def _all(self, terms: Sequence[str]) -> Match:
        raise NotImplementedError

    def _one(self, term: str) -> Match:
        raise NotImplementedError

    def _count(self, match_sql: str) -> str:
        raise NotImplementedError


class SQLiteSearchSQL(SearchSQL):
    """FTS5: `qa_search MATCH '"w1" "w2"'`; the full-text table drives the join (CROSS JOIN), newest rowid first.

    Without the forced order SQLite may walk the server's questions and probe the index for each, which takes
    minutes over a million questions.

    The index holds every server's questions, so a server's matches are found among all of them: for a server with
    few questions in a database with many, a word every server uses would be walked through thousands of others'
    questions (15 ms a search for a server of 100 questions beside a million, up to 340 ms). When the server has
    at most FEW_QUESTIONS and no term is rare, its own questions are walked instead, each looked up in the index
    (about 40 us each: 3-4 ms for 100).

    FTS5 adds a segment (a b-tree) per transaction that changes the index and merges them only four at a time, so
    an index written one question at a time is in ten or more segments, and every term is looked up in each: a search
    over 100,000 questions costs 0.14 ms of the database's CPU in ten segments, 0.09 ms in one. The 'merge' command
    with a negative page count merges all of them, writing about that many pages per step (bench: 500 pages, ~40 ms
    of the writer over a million questions), so other writes go in between.
    """

    segments = "SELECT COUNT(DISTINCT segid) FROM qa_search_idx"
    few_questions = f"SELECT COUNT(*) FROM (SELECT 1 FROM qa_questions WHERE guild_id = ? LIMIT {FEW_QUESTIONS + 1})"
    merge_step = f"INSERT INTO qa_search (qa_search, rank) VALUES ('merge', -{MERGE_STEP_PAGES})"

    def _branch(
        self, match: Match, guild_id: int, limit: int, solved_only: bool, rare: bool, few: bool
    ) -> tuple[str, list[Any]]:
        solved = " AND q.state = 'solved'" if solved_only else ""
        if few and not rare:
            # A small server beside large ones: its own questions, each looked up in the index.
            sql = (
                f"SELECT {_COLUMNS} FROM qa_questions q WHERE q.guild_id = ?{solved} AND EXISTS"
                f" (SELECT 1 FROM qa_search f WHERE {match[0]} AND f.rowid = q.thread_id)"
                " ORDER BY q.thread_id DESC LIMIT ?"
            )
            return sql, [guild_id, *match[1], limit]
        sql = (
            f"SELECT {_COLUMNS} FROM qa_search f CROSS JOIN qa_questions q ON q.thread_id = f.rowid"
            f" WHERE {match[0]} AND q.guild_id = ?{solved} ORDER BY f.rowid DESC LIMIT ?"
        )
        return sql, [*match[1], guild_id, limit]

    def _all(self, terms: Sequence[str]) -> Match:
        return "f.qa_search MATCH ?", [" ".join(_quoted(t) for t in terms)]

    def _one(self, term: str) -> Match:
        return "f.qa_search MATCH ?", [_quoted(term)]

    def _count(self, match_sql: str) -> str:
        return f"(SELECT COUNT(*) FROM (SELECT 1 FROM qa_search f WHERE {match_sql} LIMIT {DF_CAP}))"


class PostgresSearchSQL(SearchSQL):
    """tsvector: `document @@ plainto_tsquery('qa_english', ?)` (every word of the text must match), newest first.

    Two plans, chosen by the words' counts (PostgreSQL's own estimate for a word it has no statistics on picks a
    backward walk of every question for a word no question holds: 60 ms over 100,000): when a word is in fewer than
    DF_CAP questions, all its matches come from the GIN index (a materialized CTE) and the newest are taken; when
    every word is common, the questions are walked newest first until `limit` hold them.
    """

    CONFIG = "qa_english"
    plans_by_counts = True

    def _branch(
        self, match: Match, guild_id: int, limit: int, solved_only: bool, rare: bool, few: bool
    ) -> tuple[str, list[Any]]:
        solved = " AND q.state = 'solved'" if solved_only else ""
        if rare:
            sql = (
                "WITH m AS MATERIALIZED (SELECT f.thread_id FROM qa_search f"
                f"{' JOIN qa_questions q ON q.thread_id = f.thread_id' if solved_only else ''}"
                f" WHERE {match[0]} AND f.guild_id = ?{solved})"
                f" SELECT {_COLUMNS} FROM (SELECT thread_id FROM m ORDER BY thread_id DESC LIMIT ?) AS top"
                " JOIN qa_questions q ON q.thread_id = top.thread_id"
            )
        else:
            sql = (
                f"SELECT {_COLUMNS} FROM qa_search f JOIN qa_questions q ON q.thread_id = f.thread_id"
                f" WHERE {match[0]} AND f.guild_id = ?{solved} ORDER BY f.thread_id DESC LIMIT ?"
            )
        return sql, [*match[1], guild_id, limit]

    def _all(self, terms: Sequence[str]) -> Match:
        return f"f.document @@ plainto_tsquery('{self.CONFIG}', ?)", [" ".join(terms)]

    def _one(self, term: str) -> Match:
        return f"f.document @@ plainto_tsquery('{self.CONFIG}', ?)", [term]

    def _count(self, match_sql: str) -> str:
        return f"(SELECT COUNT(*) FROM (SELECT 1 FROM qa_search f WHERE {match_sql} LIMIT {DF_CAP}) AS c)"


def _quoted(term: str) -> str:
    """An FTS5 string: terms hold word characters only, so no quote, operator or column filter gets through."""
    return '"' + term.replace('"', '""') + '"'


def for_backend(backend: str) -> SearchSQL:
    return PostgresSearchSQL() if backend == "postgresql" else SQLiteSearchSQL()
