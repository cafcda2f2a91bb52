"""Several processes on one database: each one's cached directory follows the others' writes, decisions are once.

A "process" is a Database opened separately on the same database (a second connection pool and, on PostgreSQL,
its own LISTEN connection). On SQLite, where the bot runs as one process, the cache is shared by the stores of
one Database and the change notices are delivered in-process.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from datetime import UTC, datetime, timedelta

import pytest

from bot.database import ALL, Database, DatabaseTarget
from cogs.communities.models import CommunityEntry, SuggestionStatus
from cogs.communities.store import TOPIC, DirectoryStore
from tests.communities.helpers import make_entry
from tests.communities.round_trips import counting

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
GUILD = 111
OTHER_GUILD = 222
NOTICE_WITHIN_S = 2.0  # a PostgreSQL notice arrives in milliseconds; this only bounds a failing test


@pytest.fixture
async def other_process(db: Database, migrated_target: DatabaseTarget) -> AsyncIterator[Database]:
    """The writer "elsewhere": a second Database on PostgreSQL; the same one on SQLite (one process there)."""
    if db.backend == "sqlite":
        yield db
        return
    other = await Database.open(migrated_target)
    try:
        yield other
    finally:
        await other.close()


def keys(entries: Sequence[CommunityEntry]) -> list[str]:
    return [e.key for e in entries]


async def seen(read: Callable[[], Awaitable[Sequence[CommunityEntry]]], expected: list[str]) -> float:
    """Seconds until `read()` (the cached directory) shows `expected`; fails after NOTICE_WITHIN_S."""
    started = time.monotonic()
    while (found := keys(await read())) != expected:
        if time.monotonic() - started > NOTICE_WITHIN_S:
            pytest.fail(f"still {found}, not {expected}, {NOTICE_WITHIN_S} s after the write")
        await asyncio.sleep(0.005)
    return time.monotonic() - started


async def test_writes_of_another_process_reach_this_cache(db: Database, other_process: Database) -> None:
    mine, theirs = DirectoryStore(db), DirectoryStore(other_process)
    await mine.sync_shipped([make_entry("a"), make_entry("b")], NOW)
    assert keys(await mine.active_directory(GUILD)) == ["a", "b"]
    assert keys(await mine.active_directory(OTHER_GUILD)) == ["a", "b"]
    with counting(db) as trips:
        assert keys(await mine.active_directory(GUILD)) == ["a", "b"]
    assert trips.statements == []  # served from the cache

    # An addition: only that server's own entries are read again, not the shipped ones.
    await theirs.add_entry(GUILD, make_entry("tmp", name="Local Data Folk"), by=5, now=NOW)
    with counting(db) as trips:
        await seen(lambda: mine.active_directory(GUILD), ["a", "b", "local-data-folk"])
    assert trips.statements == [
        "SELECT key, data FROM community_entries WHERE guild_id = ? AND status = 'active'"
    ]
    assert keys(await mine.active_directory(OTHER_GUILD)) == ["a", "b"]

    # A removal.
    assert await theirs.retire_entry(GUILD, "local-data-folk", NOW)
    await seen(lambda: mine.active_directory(GUILD), ["a", "b"])

    # A moderator's approval of a suggestion.
    suggestion = await theirs.create_suggestion(GUILD, make_entry("tmp", name="Data Folk"), by=7, now=NOW)
    outcome = await theirs.decide_suggestion(GUILD, suggestion.id, approve=True, by=9, now=NOW)
    assert outcome is not None and outcome.decided_now
    await seen(lambda: mine.active_directory(GUILD), ["a", "b", "data-folk"])
    assert keys(await mine.guild_additions(GUILD)) == ["data-folk"]

    # The shipped file changed at another process's start: every server's view follows.
    await theirs.sync_shipped([make_entry("a"), make_entry("c")], NOW + timedelta(days=1))
    await seen(lambda: mine.active_directory(GUILD), ["a", "c", "data-folk"])
    await seen(lambda: mine.active_directory(OTHER_GUILD), ["a", "c"])


async def test_a_notice_that_means_everything_drops_every_directory(db: Database) -> None:
    store = DirectoryStore(db)
    await store.sync_shipped([make_entry("a")], NOW)
    await store.add_entry(GUILD, make_entry("tmp", name="Data Folk"), by=5, now=NOW)
    assert keys(await store.active_directory(GUILD)) == ["a", "data-folk"]
    # Written behind the store's back, then a notice that anything may have changed (what core sends after its
    # listening connection was lost and came back).
    await db.execute("UPDATE community_entries SET status = 'retired' WHERE key = 'data-folk'")
    assert keys(await store.active_directory(GUILD)) == ["a", "data-folk"]
    await db.publish(TOPIC, ALL)
    assert keys(await store.active_directory(GUILD)) == ["a"]


async def test_a_notice_during_a_read_keeps_that_read_out_of_the_cache(db: Database) -> None:
    store = DirectoryStore(db)
    await store.sync_shipped([make_entry("a")], NOW)
    await store.shipped_directory()
    read = db.fetch

    async def read_then_changed(sql: str, params: Sequence[object] = ()) -> list:
        rows = await read(sql, params)
        # Another process adds an entry after these rows were read; its notice arrives before they are cached.
        await db.execute(
            "INSERT INTO community_entries (guild_id, key, name, data, created_at, updated_at)"
            " VALUES (?, 'x', 'X', ?, 0, 0)",
            (GUILD, make_entry("x").model_dump_json()),
        )
        await db.publish(TOPIC, str(GUILD))
        return rows

    db.fetch = read_then_changed  # type: ignore[method-assign]
    try:
        assert keys(await store.active_directory(GUILD)) == ["a"]  # what was read, served to this request only
    finally:
        del db.fetch
    assert keys(await store.active_directory(GUILD)) == ["a", "x"]
    with counting(db) as trips:
        assert keys(await store.active_directory(GUILD)) == ["a", "x"]
    assert trips.statements == []


async def test_many_asking_at_once_share_one_read(db: Database) -> None:
    store = DirectoryStore(db)
    await store.sync_shipped([make_entry(f"c{n:03d}") for n in range(300)], NOW)  # parsed on a thread
    await store.listen()
    with counting(db) as trips:
        first, *others = [asyncio.ensure_future(store.active_directory(GUILD)) for _ in range(20)]
        await asyncio.sleep(0)  # every one of them is waiting for the read the first one started
        first.cancel()  # that member gave up: the others still get their answer
        answers = await asyncio.gather(*others)
    assert trips.touching("community_entries") == [
        "SELECT key, data FROM community_entries WHERE guild_id = ? AND status = 'active'"
    ] * 2  # the server's own entries and the shipped ones, each once
    assert all(len(answer) == 300 for answer in answers)


async def test_two_moderators_deciding_at_once_in_two_processes_decide_once(
    db: Database, second_database: Database
) -> None:
    first, second = DirectoryStore(db), DirectoryStore(second_database)
    ids = [
        (await first.create_suggestion(GUILD, make_entry("tmp", name=f"Folk {n}"), by=7, now=NOW)).id
        for n in range(12)
    ]
    for number, suggestion_id in enumerate(ids):
        # Alternate who approves, so either process may win; both click at the same moment.
        approver, rejecter = (first, second) if number % 2 else (second, first)
        approved, rejected = await asyncio.gather(
            approver.decide_suggestion(GUILD, suggestion_id, approve=True, by=1, now=NOW),
            rejecter.decide_suggestion(GUILD, suggestion_id, approve=False, by=2, now=NOW),
        )
        assert approved is not None and rejected is not None
        assert [approved.decided_now, rejected.decided_now].count(True) == 1
        winner = approved if approved.decided_now else rejected
        loser = rejected if approved.decided_now else approved
        # The later click gets the decision that was made, as it stands in the database.
        assert loser.suggestion == winner.suggestion
        assert winner.suggestion.status in (SuggestionStatus.APPROVED, SuggestionStatus.REJECTED)
    decided = [await first.get_suggestion(i) for i in ids]
    approved_names = sorted(s.entry.name for s in decided if s is not None and s.status is SuggestionStatus.APPROVED)
    rows = await db.fetch(
        "SELECT name, suggestion_id FROM community_entries WHERE guild_id = ? ORDER BY name", (GUILD,)
    )
    assert [row["name"] for row in rows] == approved_names  # each approved suggestion added exactly once
    assert all(s is not None and s.decided_at == NOW for s in decided)


async def test_additions_racing_for_one_name_get_different_keys(db: Database, second_database: Database) -> None:
    first, second = DirectoryStore(db), DirectoryStore(second_database)
    added = await asyncio.gather(
        *(
            store.add_entry(GUILD, make_entry("tmp", name="Data Folk"), by=5, now=NOW)
            for store in (first, second, first, second)
        )
    )
    assert sorted(e.key for e in added) == ["data-folk", "data-folk-2", "data-folk-3", "data-folk-4"]
