"""Several processes over one database: each due question is taken by one, and a dead one's work is taken over.

Two separately opened Database objects stand for two bot processes (on SQLite both open the one file).
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator

import pytest

from bot.database import Database, DatabaseTarget
from bot.times import unix
from cogs.qa.models import QuestionAction
from cogs.qa.rules import Timing
from cogs.qa.store import CLAIM_LEASE_SECONDS, QAStore
from tests.qa.conftest import GUILD, START, question

DAY = 86400
DUE_AT = unix(START) + DAY  # every question below is to be surfaced from then on


@pytest.fixture
async def processes(migrated_target: DatabaseTarget) -> AsyncIterator[tuple[QAStore, QAStore]]:
    first, second = await Database.open(migrated_target), await Database.open(migrated_target)
    try:
        yield QAStore(first), QAStore(second)
    finally:
        await first.close()
        await second.close()


async def _questions(store: QAStore, timing: Timing, count: int) -> list[int]:
    threads = list(range(1, count + 1))
    for thread_id in threads:
        await store.add_question(question(thread_id), timing)
    return threads


async def test_two_processes_racing_take_each_due_question_once(
    processes: tuple[QAStore, QAStore], timing: Timing
) -> None:
    a, b = processes
    threads = await _questions(a, timing, 60)
    sent: Counter[int] = Counter()
    taken: dict[str, list[int]] = {a.owner: [], b.owner: []}

    async def run(store: QAStore) -> None:
        """One process's passes: take a few, send, mark done; until nothing is left for it."""
        while batch := await store.take_due(DUE_AT, limit=4):
            for q in batch:
                taken[store.owner].append(q.thread_id)
                assert q.claimed_by == store.owner
                if await store.sending(q.thread_id, QuestionAction.SURFACE, DUE_AT):
                    sent[q.thread_id] += 1
                    await asyncio.sleep(0)  # the Discord call
                    await store.complete(q.thread_id, QuestionAction.SURFACE, DUE_AT, timing, posted=True)

    await asyncio.gather(run(a), run(b), run(a), run(b))
    assert sorted(taken[a.owner] + taken[b.owner]) == threads  # each taken once, by one of them
    assert sent == Counter(dict.fromkeys(threads, 1))
    rows = await a.db.fetch("SELECT surfaced_at, claimed_by, pending_action FROM qa_questions")
    assert {tuple(row) for row in rows} == {(DUE_AT, None, None)}


async def test_claims_taken_at_the_same_moment_never_overlap(
    processes: tuple[QAStore, QAStore], timing: Timing
) -> None:
    a, b = processes
    threads = await _questions(a, timing, 40)
    got = await asyncio.gather(*[store.take_due(DUE_AT, limit=3) for store in (a, b) * 10])
    ids = [q.thread_id for batch in got for q in batch]
    assert len(ids) == len(set(ids)) == len(threads)
    assert await a.take_due(DUE_AT) == [] and await b.take_due(DUE_AT) == []  # all held, none stale


async def test_a_dead_process_s_claims_are_taken_over_after_the_lease(
    processes: tuple[QAStore, QAStore], timing: Timing
) -> None:
    a, b = processes
    threads = await _questions(a, timing, 5)
    assert len(await a.take_due(DUE_AT)) == 5
    assert await a.sending(3, QuestionAction.SURFACE, DUE_AT)  # then it died: did Discord get it? unknown
    await a.db.close()

    assert await b.take_due(DUE_AT + CLAIM_LEASE_SECONDS - 1) == []  # a live claim is left alone
    assert await b.earliest_due() == DUE_AT + CLAIM_LEASE_SECONDS  # when the survivor looks again
    later = DUE_AT + CLAIM_LEASE_SECONDS
    taken = {q.thread_id: q for q in await b.take_due(later)}
    assert sorted(taken) == threads and all(q.claimed_by == b.owner for q in taken.values())
    # what the dead one was sending stays noted: the survivor reads the thread for it before sending again
    assert (taken[3].pending_action, taken[3].pending_since) == ("surface", DUE_AT)
    assert taken[1].pending_action is None
    for thread_id in threads:
        assert await b.sending(thread_id, QuestionAction.SURFACE, later)
        await b.complete(thread_id, QuestionAction.SURFACE, later, timing, posted=True)
    assert await b.take_due(later + DAY) == []


async def test_a_claim_taken_over_is_no_longer_the_first_holder_s(
    processes: tuple[QAStore, QAStore], timing: Timing
) -> None:
    a, b = processes
    await _questions(a, timing, 1)
    assert [q.thread_id for q in await a.take_due(DUE_AT)] == [1]
    later = DUE_AT + CLAIM_LEASE_SECONDS
    assert [q.thread_id for q in await b.take_due(later)] == [1]  # a was too slow (or hung)
    assert not await a.sending(1, QuestionAction.SURFACE, later)  # a sends nothing now
    await a.release(1, timing)
    await a.postpone(1, later + 3600, timing)
    assert not await a.fail(1, QuestionAction.SURFACE, later, timing)
    assert (await b.get(1)).claimed_by == b.owner  # none of that let go of b's claim
    assert await b.sending(1, QuestionAction.SURFACE, later)


async def test_a_process_leaving_gives_back_what_it_took_and_did_not_send(
    processes: tuple[QAStore, QAStore], timing: Timing
) -> None:
    a, b = processes
    await _questions(a, timing, 3)
    assert len(await a.take_due(DUE_AT)) == 3
    assert await a.sending(2, QuestionAction.SURFACE, DUE_AT)
    assert await a.release_unsent() == 2
    # the two never acted on are due at once for the other process; the one being sent waits for its lease
    assert sorted(q.thread_id for q in await b.take_due(DUE_AT + 1)) == [1, 3]


async def test_questions_of_another_guild_and_not_due_are_not_taken(
    processes: tuple[QAStore, QAStore], timing: Timing
) -> None:
    a, _ = processes
    await a.add_question(question(1, guild_id=GUILD + 1), timing)
    await a.add_question(question(2, at=START.replace(year=2026)), timing)
    assert [q.thread_id for q in await a.take_due(DUE_AT)] == [1]
