"""Search over questions and accepted answers, on a migrated database of every feature on either engine (SQLite's
FTS5, PostgreSQL's tsvector): every test here runs twice."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import AsyncIterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.client import all_migrations
from bot.database import Database, DatabaseTarget
from bot.discovery import feature_packages
from cogs.qa import search as qa_search
from cogs.qa.models import HIT_END, HIT_START
from cogs.qa.rules import Timing
from cogs.qa.search import QuestionSearch
from cogs.qa.search_rank import SNIPPET_WORDS, TermMatcher, _window, stem
from cogs.qa.store import QAStore
from tests.qa.conftest import ASKER, GUILD, HELPER, question


@pytest.fixture
async def db(database_target: DatabaseTarget) -> AsyncIterator[Database]:
    """This module's `db` (and so `store`): every feature's migrations, on SQLite and on PostgreSQL."""
    database = await Database.open(database_target)
    await database.migrate(all_migrations(feature_packages()))
    try:
        yield database
    finally:
        await database.close()


def _record_reads(db: Database) -> list[str]:
    """The statements `db.fetch` runs from now on (every search statement is one), in order."""
    statements: list[str] = []
    fetch = db.fetch

    async def recording(sql: str, params: object = ()) -> object:
        statements.append(sql)
        return await fetch(sql, params)  # type: ignore[arg-type]

    db.fetch = recording  # type: ignore[method-assign]
    return statements


async def _seed(store: QAStore, timing: Timing) -> None:
    await store.add_question(question(1, title="Pandas merge is slow on large frames", body="two frames"), timing)
    await store.add_question(question(2, title="Airflow DAG not scheduled", body="pandas appears only here"), timing)
    await store.add_question(question(3, title="dbt incremental models", body="how to merge?", tags=["sql"]), timing)
    await store.add_question(question(4, title="Pandas in another server", guild_id=999), timing)


async def test_title_hits_rank_first_and_guilds_stay_apart(db: Database, store: QAStore, timing: Timing) -> None:
    await _seed(store, timing)
    hits, loose = await QuestionSearch(db).search(GUILD, "pandas")
    assert [h.thread_id for h in hits] == [1, 2]
    assert loose is False


async def test_all_words_first_then_any(db: Database, store: QAStore, timing: Timing) -> None:
    await _seed(store, timing)
    search = QuestionSearch(db)
    hits, loose = await search.search(GUILD, "pandas merge")
    assert [h.thread_id for h in hits] == [1] and not loose
    hits, loose = await search.search(GUILD, "airflow incremental")
    assert sorted(h.thread_id for h in hits) == [2, 3] and loose


async def test_accepted_answers_are_searchable_and_leave_with_reopen(
    db: Database, store: QAStore, timing: Timing
) -> None:
    await _seed(store, timing)
    search = QuestionSearch(db)
    assert (await search.search(GUILD, "backfill"))[0] == []
    await store.mark_answer(
        2, message_id=77, author_id=HELPER, text="Set catchup and backfill", by_id=ASKER, at=1, timing=timing
    )
    hits, _ = await search.search(GUILD, "backfill")
    assert [(h.thread_id, h.solved, h.answer_message_id) for h in hits] == [(2, True, 77)]
    await store.reopen(2, by_id=ASKER, at=2, timing=timing)
    assert (await search.search(GUILD, "backfill"))[0] == []


async def test_renames_and_deletions_follow_into_the_index(db: Database, store: QAStore, timing: Timing) -> None:
    await _seed(store, timing)
    search = QuestionSearch(db)
    await store.update_thread_facts(1, title="Polars join is slow", tags=["python"])
    assert [h.thread_id for h in (await search.search(GUILD, "polars"))[0]] == [1]
    assert [h.thread_id for h in (await search.search(GUILD, "python"))[0]] == [1]
    assert await store.forget(1)
    assert (await search.search(GUILD, "polars"))[0] == []
    assert await db.fetchval("SELECT COUNT(*) FROM qa_question_tags WHERE thread_id = 1") == 0
    if db.backend == "sqlite":
        await db.execute("INSERT INTO qa_search (qa_search) VALUES ('integrity-check')")
    else:
        assert await db.fetchval("SELECT COUNT(*) FROM qa_search WHERE thread_id = 1") == 0


async def test_word_forms_match_through_the_stemmer(db: Database, store: QAStore, timing: Timing) -> None:
    await _seed(store, timing)
    hits, _ = await QuestionSearch(db).search(GUILD, "merging")
    assert sorted(h.thread_id for h in hits) == [1, 3]
    assert (await QuestionSearch(db).search(GUILD, "airfl"))[0] == []


async def test_similar_solved_needs_two_shared_subject_words(db: Database, store: QAStore, timing: Timing) -> None:
    await _seed(store, timing)
    for thread_id in (1, 2):
        await store.mark_answer(
            thread_id,
            message_id=thread_id * 10,
            author_id=HELPER,
            text="use an index",
            by_id=ASKER,
            at=1,
            timing=timing,
        )
    search = QuestionSearch(db)
    similar = await search.similar_solved(GUILD, "How do I speed up a pandas merge?", "frames are big")
    assert [h.thread_id for h in similar] == [1]
    # one shared word ("pandas") is not similarity; an open question (3) is never offered
    assert await search.similar_solved(GUILD, "pandas plotting colours", "") == []
    assert await search.similar_solved(GUILD, "dbt incremental merge", "") == []


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(query=st.text(max_size=80))
async def test_no_typed_text_breaks_the_fts_query(db: Database, query: str) -> None:
    hits, _ = await QuestionSearch(db).search(GUILD, query)
    assert hits == []
    assert await QuestionSearch(db).similar_solved(GUILD, query, query) == []


async def test_filler_words_are_dropped_unless_alone(db: Database, store: QAStore, timing: Timing) -> None:
    await _seed(store, timing)
    hits, loose = await QuestionSearch(db).search(GUILD, "how do I merge?")
    assert sorted(h.thread_id for h in hits) == [1, 3] and not loose


async def test_broad_queries_rank_within_the_newest_window(db: Database, store: QAStore, timing: Timing) -> None:
    """Past RANK_WINDOW matches, the best of the newest ones is shown (bounded cost at a million rows)."""
    await store.add_question(question(10, title="kafka kafka kafka consumer lag"), timing)
    for n in range(11, 15):
        await store.add_question(question(n, title=f"question {n}", body="mentions kafka once"), timing)
    hits, _ = await QuestionSearch(db, rank_window=3).search(GUILD, "kafka")
    assert sorted(h.thread_id for h in hits) == [12, 13, 14]  # 10 ranks best but is not among the newest 3
    hits, _ = await QuestionSearch(db).search(GUILD, "kafka")
    assert hits[0].thread_id == 10 and len(hits) == 5


async def _beside_a_large_server(db: Database, store: QAStore, timing: Timing, others: int) -> None:
    """`others` questions of another server holding "spark" (bulk, as an import writes them), then five of ours
    titled "spark shuffle 1..5"."""
    big = [
        (5_000 + n, 999, 1, ASKER, f"spark job {n}", "slow shuffle in spark", "", "direct", "open", n, n, 0)
        for n in range(others)
    ]
    await db.executemany(
        "INSERT INTO qa_questions (thread_id, guild_id, channel_id, asker_id, title, body, tags, source, state,"
        " created_at, last_activity_at, reply_count) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        big,
    )
    for n in range(1, 6):
        await store.add_question(question(n, title=f"spark shuffle {n}", body="ours"), timing)


async def test_a_small_server_beside_a_large_one_finds_the_same_through_its_own_questions(
    db: Database, store: QAStore, timing: Timing
) -> None:
    """SQLite: once a server is known to have few questions, its searches for common words walk its own questions
    instead of every server's matches; the results are the same. Other engines plan by the words' counts alone."""
    await _beside_a_large_server(db, store, timing, 1_100)
    await store.add_question(question(6, title="airflow only"), timing)
    statements = _record_reads(db)
    search = QuestionSearch(db)
    first = await search.search(GUILD, "spark shuffle")  # counts the words and the server's questions
    again = await search.search(GUILD, "spark shuffle")
    loose = await search.search(GUILD, "spark airflow")  # no question has both: any of them
    assert [h.thread_id for h in first[0]] == [5, 4, 3, 2, 1] and again == first
    assert sorted(h.thread_id for h in loose[0]) == [1, 2, 3, 4, 5, 6] and loose[1]
    walked_own = ["EXISTS" in sql for sql in statements]
    if db.backend == "sqlite":  # one statement a search (two for any word); from the second on, its own questions
        assert walked_own == [False, True, True, True]
    else:
        assert not any(walked_own)


async def test_postgresql_plans_each_search_for_its_server_and_walks_a_small_servers_own_rows(
    db: Database, store: QAStore, timing: Timing
) -> None:
    """PostgreSQL: every statement is planned for its own parameters (a generic plan shared by a large and a small
    server made the large one's searches 15 times slower), and a small server's search for a word thousands of other
    questions hold walks that server's rows (qa_search_by_guild) instead of every match of the word."""
    if db.backend != "postgresql":
        pytest.skip("PostgreSQL's planning; SQLite plans small servers apart in search_sql.py (the test above)")
    assert await db.fetchval("SHOW plan_cache_mode") == "force_custom_plan"
    await _beside_a_large_server(db, store, timing, 3_000)
    await db.execute("ANALYZE qa_search")
    search = QuestionSearch(db)
    statement = search.sql.strict(["spark"], GUILD, search.rank_window, solved_only=False, count=[], rare=False,
                                  few=False, count_server=False)
    plan = "\n".join(str(row[0]) for row in await db.fetch("EXPLAIN " + statement.sql, statement.params))
    assert "qa_search_by_guild" in plan
    hits, _ = await search.search(GUILD, "spark")
    assert [h.thread_id for h in hits] == [5, 4, 3, 2, 1]


# --- the ranking and snippets computed from the rows (search_rank.py) ---------------------------------------------


async def test_rare_words_rank_above_common_ones_when_no_question_has_all(
    db: Database, store: QAStore, timing: Timing
) -> None:
    for n in range(20, 26):  # "python" in six titles, newer than the one "polars" question
        await store.add_question(question(100 + n, title=f"python question {n}"), timing)
    await store.add_question(question(90, title="polars lazy frames"), timing)
    search = QuestionSearch(db)
    await search.search(GUILD, "python polars")  # counts the words' questions (cached from then on)
    hits, loose = await search.search(GUILD, "python polars")
    assert loose and hits[0].thread_id == 90 and len(hits) == 7


async def test_no_second_query_when_no_word_is_in_any_question(db: Database, store: QAStore, timing: Timing) -> None:
    await _seed(store, timing)
    statements = _record_reads(db)
    search = QuestionSearch(db)
    assert await search.search(GUILD, "zzqxv wwqyk") == ([], False)
    assert len(statements) == 1  # the document counts came with the first statement: nothing to look for
    hits, loose = await search.search(GUILD, "pandas zzqxv")
    assert [h.thread_id for h in hits] == [1, 2] and loose  # any word: only "pandas" is looked for
    assert "zzqxv" not in str(statements[-1:])
    statements.clear()
    hits, loose = await search.search(GUILD, "pandas merge")
    # "merge" is counted first on PostgreSQL (the count chooses the plan), with the search on SQLite
    assert [h.thread_id for h in hits] == [1] and not loose and len(statements) == (2 if db.backend != "sqlite" else 1)
    statements.clear()
    hits, loose = await search.search(GUILD, "merge pandas")
    assert [h.thread_id for h in hits] == [1] and not loose and len(statements) == 1  # both counted already


async def test_snippets_mark_every_form_of_the_words_where_they_are(
    db: Database, store: QAStore, timing: Timing
) -> None:
    body = " ".join(["filler"] * 60) + " then merging the frames merges them " + " ".join(["tail"] * 60)
    await store.add_question(question(5, title="Slow joins", body=body), timing)
    hits, _ = await QuestionSearch(db).search(GUILD, "merge frame")
    assert [h.thread_id for h in hits] == [5]
    snippet = hits[0].snippet
    assert f"{HIT_START}merging{HIT_END}" in snippet and f"{HIT_START}merges{HIT_END}" in snippet
    assert f"{HIT_START}frames{HIT_END}" in snippet
    assert snippet.startswith("…") and snippet.endswith("…") and len(snippet.split()) <= 17
    await store.mark_answer(5, message_id=50, author_id=HELPER, text="Merge once; merged frames are fine",
                            by_id=ASKER, at=1, timing=timing)
    hits, _ = await QuestionSearch(db).search(GUILD, "merge frame")
    assert hits[0].snippet.count(HIT_START) == hits[0].snippet.count(HIT_END) >= 2


async def test_the_index_merges_into_one_segment_and_finds_the_same(
    db: Database, store: QAStore, timing: Timing
) -> None:
    """SQLite: each question written alone adds a segment to the full-text index; a merge leaves one, found alike.
    PostgreSQL keeps its index in shape itself: nothing to merge."""
    topics = ["pandas merge", "airflow dag", "dbt models", "spark join", "polars lazy frames"]
    for n in range(1, 31):
        await store.add_question(question(n, title=f"{topics[n % 5]} question {n}", body=f"about {topics[n % 3]}"),
                                 timing)
    search = QuestionSearch(db)
    queries = ["pandas", "merge frames", "spark airflow", "dbt lazy", "question"]
    before = [await search.search(GUILD, q) for q in queries]
    segments = await search.index_segments()
    if db.backend != "sqlite":
        assert segments == 0 and await search.merge_index() == 0
        return
    assert segments > 1
    assert await search.merge_index() >= 1
    assert await search.index_segments() == 1
    assert [await QuestionSearch(db).search(GUILD, q) for q in queries] == before
    assert await search.merge_index() == 0  # in one segment already
    await store.add_question(question(31, title="pandas merge after the merge"), timing)
    hits, _ = await search.search(GUILD, "pandas merge after")
    assert [h.thread_id for h in hits] == [31] and await search.index_segments() == 2


@given(st.lists(st.text(alphabet=st.sampled_from([*" .,\n!-«"]), min_size=1, max_size=3), max_size=40),
       st.integers(0, 400))
def test_a_snippet_window_is_the_next_sixteen_words(gaps: list[str], anchor: int) -> None:
    """The window shows consecutive words of the text, SNIPPET_WORDS of them unless the text ends first (each word
    occurs once, so where the window starts is known)."""
    text = "".join(f"{gap}wé_{i}" for i, gap in enumerate(gaps))
    anchor = min(anchor, len(text))
    shown = _window(text, anchor, [], "", "", "…").removeprefix("…").removesuffix("…")
    words = re.findall(r"\w+", shown)
    assert shown in text and len(words) <= SNIPPET_WORDS
    following = re.findall(r"\w+", text[text.index(shown):]) if words else []
    assert words == following[:SNIPPET_WORDS]
    assert bool(words) == bool(re.search(r"\w", text))  # something is shown whenever the text has a word


def test_the_stemmer_is_fts5s_porter() -> None:
    """Python finds in the text the words the index matched: the same stems as FTS5's porter tokenizer."""


    text = """merging merged merges merge queries query queried scheduling schedules relational conditional happiness
        generalization general indexing indices partitions partitioned analysis analyses running runs hopping
        agreed feed disabled matting mating meeting milling falling hissing electrical formality sensibility"""
    words = text.split()
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE VIRTUAL TABLE t USING fts5 (x, tokenize = 'porter ascii')")
    conn.execute("CREATE VIRTUAL TABLE v USING fts5vocab (t, 'instance')")
    for word in words:
        conn.execute("DELETE FROM t")
        conn.execute("INSERT INTO t (x) VALUES (?)", (word,))
        assert stem(word) == conn.execute("SELECT term FROM v").fetchone()[0], word
    conn.close()


@given(st.text(max_size=200), st.lists(st.from_regex(r"[a-zA-Z0-9é]{1,12}", fullmatch=True), min_size=1, max_size=4))
def test_term_matches_are_whole_words_of_the_text(text: str, words: list[str]) -> None:
    matcher = TermMatcher([w.lower() for w in words])
    for start, end, index in matcher.hits(text):
        assert 0 <= index < len(words) and text[start:end].strip() == text[start:end] != ""
        assert start == 0 or not (text[start - 1].isalnum() or text[start - 1] == "_")


async def test_both_plans_find_the_same(
    db: Database, store: QAStore, timing: Timing, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On PostgreSQL a word in fewer than DF_CAP questions is searched through the GIN index, commoner ones by
    walking the newest questions: the results do not depend on which."""
    await _seed(store, timing)
    for thread_id in (1, 2):
        await store.mark_answer(thread_id, message_id=77, author_id=HELPER, text="pandas backfill", by_id=ASKER,
                                at=1, timing=timing)
    queries = ["pandas", "pandas merge", "airflow incremental", "merging", "pandas zzqxv"]
    rare = [await QuestionSearch(db).search(GUILD, q) for q in queries]
    similar = await QuestionSearch(db).similar_solved(GUILD, "pandas merge slow", "frames")
    # the module the store above was built from: by name it could be a fresh copy, after a test reloaded cogs.qa
    monkeypatch.setattr(qa_search, "DF_CAP", 0)  # every word counts as common
    assert [await QuestionSearch(db).search(GUILD, q) for q in queries] == rare
    assert await QuestionSearch(db).similar_solved(GUILD, "pandas merge slow", "frames") == similar
    assert [h.thread_id for h in rare[0][0]] == [1, 2] and similar
