"""Tags: one tag whatever its case, on both engines; the autocomplete's names follow changes at once."""

from __future__ import annotations

import pytest

from bot.database import Database, DatabaseTarget
from cogs.qa.rules import Timing
from cogs.qa.store import QAStore
from cogs.qa.store_reports import QAReports
from tests.harness import eventually
from tests.qa.conftest import GUILD, question
from tests.qa.round_trips import CountingDatabase


async def test_python_and_python_are_one_tag(db: Database, store: QAStore, timing: Timing) -> None:
    await store.add_question(question(1, tags=["Python"]), timing)
    await store.add_question(question(2, tags=["python", "SQL"]), timing)
    await store.add_question(question(3, tags=["sql"]), timing)
    reports = QAReports(db)
    rows, total = await reports.unanswered(GUILD, "PYTHON")
    assert [r.thread_id for r in rows] == [1, 2] and total == 2
    assert await reports.known_tags(GUILD, "") == ["Python", "SQL"]  # one name each, most used first
    assert await reports.known_tags(GUILD, "py") == ["Python"]
    _, tags = await reports.stats(GUILD, None)
    assert sorted((t.name, t.asked) for t in tags) == [("Python", 2), ("SQL", 2)]
    # a post carrying both spellings (two forum tags) keeps one row; retagging keeps what stays
    await store.update_thread_facts(1, title=None, tags=["python", "PYTHON", "sql"])
    stored = await db.fetch("SELECT lower(tag) FROM qa_question_tags WHERE thread_id = 1 ORDER BY 1")
    assert [row[0] for row in stored] == ["python", "sql"]
    await store.update_thread_facts(1, title=None, tags=[])
    assert await db.fetchval("SELECT COUNT(*) FROM qa_question_tags WHERE thread_id = 1") == 0
    assert (await store.get(1)).tag_names == []


async def test_a_new_tag_name_is_suggested_at_once_and_known_ones_cost_nothing(
    db: Database, store: QAStore, timing: Timing
) -> None:
    counted = CountingDatabase(db)
    reports = QAReports(counted)  # stands in for the Database
    await reports.start()
    await store.add_question(question(1, tags=["sql"]), timing)
    assert await reports.known_tags(GUILD, "") == ["sql"]
    assert await reports.known_tags(GUILD, "s") == ["sql"]
    assert await reports.known_tags(GUILD, "x") == []
    assert counted.round_trips == 1  # read once, then from memory
    await store.add_question(question(2, tags=["sql"]), timing)  # a name the guild has: nothing to tell
    assert await reports.known_tags(GUILD, "") == ["sql"] and counted.round_trips == 1
    await store.add_question(question(3, tags=["spark"]), timing)
    assert await reports.known_tags(GUILD, "s") == ["sql", "spark"]
    await store.update_thread_facts(2, title=None, tags=["sql", "dbt"])
    assert await reports.known_tags(GUILD, "d") == ["dbt"]
    reports.stop()


async def test_another_process_s_new_tag_is_suggested_at_once(
    migrated_target: DatabaseTarget, backend: str, timing: Timing
) -> None:
    if backend == "sqlite":
        pytest.skip("one process per SQLite file: its notices are delivered in-process (the test above)")
    here, there = await Database.open(migrated_target), await Database.open(migrated_target)
    try:
        reports = QAReports(here)
        await reports.start()
        other = QAStore(there)
        await other.add_question(question(1, tags=["sql"]), timing)
        assert await reports.known_tags(GUILD, "") == ["sql"]
        await other.add_question(question(2, tags=["kafka"]), timing)

        async def suggested() -> bool:
            return await reports.known_tags(GUILD, "k") == ["kafka"]

        await eventually(suggested, within=2.0)  # the notice travels through the server (milliseconds)
        await other.update_thread_facts(1, title=None, tags=["sql", "airflow"])

        async def renamed() -> bool:
            return await reports.known_tags(GUILD, "a") == ["airflow"]

        await eventually(renamed, within=2.0)
        reports.stop()
    finally:
        await here.close()
        await there.close()
