"""Open questions, the leaderboard (credit moves with the mark) and per-tag statistics."""

from __future__ import annotations

from datetime import timedelta

from bot.clock import ManualClock
from bot.database import Database
from bot.times import unix
from cogs.qa.render import stats_table
from cogs.qa.rules import Timing
from cogs.qa.store import QAStore
from cogs.qa.store_reports import QAReports
from tests.qa.conftest import ASKER, GUILD, HELPER, OTHER, START, question

HOUR = timedelta(hours=1)


async def test_unanswered_is_open_and_unarchived_oldest_first(db: Database, store: QAStore, timing: Timing) -> None:
    for n in (1, 2, 3, 4):
        await store.add_question(question(n, START + n * HOUR, tags=["sql"] if n % 2 else ["python"]), timing)
    await store.mark_answer(3, message_id=30, author_id=HELPER, text="", by_id=ASKER, at=unix(START), timing=timing)
    await store.set_archived(4, True, unix(START), timing)
    reports = QAReports(db)
    rows, total = await reports.unanswered(GUILD, None)
    assert [r.thread_id for r in rows] == [1, 2] and total == 2
    rows, total = await reports.unanswered(GUILD, "SQL")
    assert [r.thread_id for r in rows] == [1] and total == 1
    assert await reports.known_tags(GUILD, "p") == ["python"]
    assert await reports.known_tags(GUILD, "%") == []


async def test_moving_the_mark_moves_the_credit(db: Database, store: QAStore, timing: Timing) -> None:
    await store.add_question(question(1), timing)
    await store.add_question(question(2), timing)
    at = unix(START)
    await store.mark_answer(1, message_id=10, author_id=HELPER, text="a", by_id=ASKER, at=at, timing=timing)
    await store.mark_answer(2, message_id=20, author_id=HELPER, text="b", by_id=ASKER, at=at, timing=timing)
    reports = QAReports(db)
    assert await reports.leaderboard(GUILD, None) == [(HELPER, 2)]
    before, after = await store.mark_answer(
        1, message_id=11, author_id=OTHER, text="c", by_id=ASKER, at=at + 5, timing=timing
    )
    assert before.answer_author_id == HELPER and after.answer_author_id == OTHER
    assert after.solved_at == at  # time to an accepted answer keeps the first mark
    assert await reports.leaderboard(GUILD, None) == [(HELPER, 1), (OTHER, 1)]
    await store.reopen(2, by_id=ASKER, at=at + 9, timing=timing)
    assert await reports.leaderboard(GUILD, None) == [(OTHER, 1)]
    assert await reports.credit(GUILD, HELPER, None) == 0
    marks = await db.fetch("SELECT action FROM qa_marks ORDER BY id")
    assert [m[0] for m in marks] == ["mark", "mark", "move", "reopen"]


async def test_self_answers_and_old_marks_earn_nothing_in_the_period(
    db: Database, store: QAStore, timing: Timing, clock: ManualClock
) -> None:
    await store.add_question(question(1), timing)
    await store.add_question(question(2), timing)
    await store.mark_answer(1, message_id=10, author_id=ASKER, text="", by_id=ASKER, at=unix(START), timing=timing)
    old = unix(START - timedelta(days=40))
    await store.mark_answer(2, message_id=20, author_id=HELPER, text="", by_id=ASKER, at=old, timing=timing)
    reports = QAReports(db)
    assert await reports.leaderboard(GUILD, unix(START - timedelta(days=30))) == []
    assert await reports.leaderboard(GUILD, None) == [(HELPER, 1)]


async def test_stats_give_medians_overall_and_per_tag(db: Database, store: QAStore, timing: Timing) -> None:
    base = unix(START)
    specs = [(1, ["sql"], 1, 3), (2, ["sql", "python"], 3, None), (3, ["python"], None, None), (4, [], 5, 10)]
    for thread_id, tags, reply_h, answer_h in specs:
        await store.add_question(question(thread_id, tags=tags), timing)
        if reply_h is not None:
            await store.record_message(thread_id, 100, HELPER, base + reply_h * 3600, timing)
        if answer_h is not None:
            at = base + answer_h * 3600
            await store.mark_answer(
                thread_id, message_id=100, author_id=HELPER, text="", by_id=ASKER, at=at, timing=timing
            )
    overall, tags = await QAReports(db).stats(GUILD, None)
    assert (overall.asked, overall.solved) == (4, 2)
    assert overall.median_first_reply == 3 * 3600
    assert overall.median_to_answer == 6.5 * 3600
    by_name = {t.name: t for t in tags}
    assert [t.name for t in tags] == ["python", "sql"]  # as many questions each: by name
    assert (by_name["sql"].asked, by_name["sql"].solved_share, by_name["sql"].median_first_reply) == (2, 0.5, 2 * 3600)
    assert by_name["python"].median_to_answer is None
    empty, none = await QAReports(db).stats(GUILD, base + 10**6)
    assert empty.asked == 0 and none == []


async def test_the_stats_table_writes_medians_in_the_shared_duration_style(
    db: Database, store: QAStore, timing: Timing
) -> None:
    base = unix(START)
    await store.add_question(question(1, tags=["sql"]), timing)
    await store.record_message(1, 100, HELPER, base + 3 * 3600 + 5 * 60, timing)
    await store.mark_answer(1, message_id=100, author_id=HELPER, text="", by_id=ASKER, at=base + 2 * 86400 + 4 * 3600,
                            timing=timing)
    table = stats_table(*await QAReports(db).stats(GUILD, None))
    lines = table.strip("`\n").splitlines()
    assert lines[1].split() == ["all", "questions", "1", "100%", "3", "h", "5", "min", "2", "d", "4", "h"]
    assert len({len(line) for line in lines}) == 1  # the columns line up
