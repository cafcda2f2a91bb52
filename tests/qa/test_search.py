"""FTS5 search over questions and accepted answers on a real SQLite file."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.database import Database
from cogs.qa.rules import Timing
from cogs.qa.search import QuestionSearch
from cogs.qa.store import QAStore
from tests.qa.conftest import ASKER, GUILD, HELPER, question


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
    await db.execute("INSERT INTO qa_search (qa_search) VALUES ('integrity-check')")


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
