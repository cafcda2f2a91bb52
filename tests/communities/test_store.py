"""The directory in a real database (each engine): loading the shipped file, additions, suggestions, unix times."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from bot.client import all_migrations
from bot.database import Database, DatabaseTarget
from bot.discovery import feature_packages
from bot.times import unix
from cogs.communities.models import SuggestionStatus
from cogs.communities.store import SHIPPED, TOPIC, DirectoryStore, slugify
from tests.communities.helpers import make_entry

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
GUILD = 111
OTHER_GUILD = 222


async def test_sync_adds_updates_retires_and_restores(db: Database) -> None:
    store = DirectoryStore(db)
    first = await store.sync_shipped([make_entry("a"), make_entry("b"), make_entry("c")], NOW)
    assert (first.added, first.updated, first.retired) == (("a", "b", "c"), (), ())

    edited = [make_entry("a"), make_entry("b", description="A new description of b."), make_entry("d")]
    second = await store.sync_shipped(edited, NOW + timedelta(days=1))
    assert second.added == ("d",)
    assert second.updated == ("b",)
    assert second.retired == ("c",)
    assert second.unchanged == 1
    directory = {e.key: e for e in await store.shipped_directory()}
    assert sorted(directory) == ["a", "b", "d"]
    assert directory["b"].description == "A new description of b."
    row = await db.fetchrow("SELECT status, retired_at FROM community_entries WHERE key = 'c'")
    assert row["status"] == "retired" and row["retired_at"]  # kept, but out of every answer

    third = await store.sync_shipped([*edited, make_entry("c")], NOW + timedelta(days=2))
    assert third.restored == ("c",)
    assert len(await store.shipped_directory()) == 4

    again = await store.sync_shipped([*edited, make_entry("c")], NOW + timedelta(days=3))
    assert again.summary() == "0 added, 0 updated, 0 restored, 0 retired, 4 unchanged"


async def test_a_second_store_on_the_same_file_sees_writes(db: Database) -> None:
    mine, theirs = DirectoryStore(db), DirectoryStore(db)
    await mine.sync_shipped([make_entry("a")], NOW)
    assert [e.key for e in await theirs.active_directory(GUILD)] == ["a"]
    await mine.add_entry(GUILD, make_entry("x", name="Local Data Folk"), by=5, now=NOW)
    assert [e.key for e in await theirs.active_directory(GUILD)] == ["a", "local-data-folk"]
    assert [e.key for e in await theirs.active_directory(OTHER_GUILD)] == ["a"]


async def test_additions_get_free_keys_and_stay_in_their_server(db: Database) -> None:
    store = DirectoryStore(db)
    await store.sync_shipped([make_entry("kaggle", name="Kaggle")], NOW)
    added = await store.add_entry(GUILD, make_entry("tmp", name="Kaggle"), by=5, now=NOW)
    assert added.key == "kaggle-2"
    again = await store.add_entry(GUILD, make_entry("tmp", name="Kaggle!"), by=5, now=NOW)
    assert again.key == "kaggle-3"
    assert await store.retire_entry(GUILD, "kaggle-2", NOW)
    assert not await store.retire_entry(GUILD, "kaggle-2", NOW)
    assert not await store.retire_entry(GUILD, "kaggle", NOW)  # a shipped entry is not a server's to retire
    assert [e.key for e in await store.active_directory(GUILD)] == ["kaggle", "kaggle-3"]
    assert [e.key for e in await store.guild_additions(OTHER_GUILD)] == []
    row = await db.fetchrow(
        "SELECT added_by, status FROM community_entries WHERE guild_id = ? AND key = ?", (GUILD, "kaggle-2")
    )
    assert (row["added_by"], row["status"]) == (5, "retired")


async def test_a_servers_own_entry_wins_over_a_later_shipped_one_with_its_key(db: Database) -> None:
    store = DirectoryStore(db)
    await store.add_entry(GUILD, make_entry("tmp", name="Zindi"), by=5, now=NOW)
    await store.sync_shipped([make_entry("zindi", name="Zindi", description="Shipped description.")], NOW)
    [entry] = await store.active_directory(GUILD)
    assert entry.description == "The tmp community, for tests."
    [shipped] = await store.active_directory(OTHER_GUILD)
    assert shipped.description == "Shipped description."


async def test_a_stored_entry_that_no_longer_validates_is_skipped(db: Database) -> None:
    store = DirectoryStore(db)
    await store.sync_shipped([make_entry("a"), make_entry("b")], NOW)
    broken = json.loads(make_entry("b").model_dump_json()) | {"topics": ["astrology"]}
    await db.execute("UPDATE community_entries SET data = ? WHERE key = 'b'", (json.dumps(broken),))
    await db.publish(TOPIC, str(SHIPPED))  # as a write through the store would
    assert [e.key for e in await store.active_directory(GUILD)] == ["a"]


async def test_a_suggestion_is_decided_once(db: Database) -> None:
    store = DirectoryStore(db)
    suggestion_id = (await store.create_suggestion(GUILD, make_entry("tmp", name="Data Folk"), by=7, now=NOW)).id
    assert await store.pending_count(GUILD, 7) == 1
    assert await store.pending(GUILD) == [("Data Folk", 7)]
    first = await store.decide_suggestion(GUILD, suggestion_id, approve=True, by=9, now=NOW)
    assert first.decided_now
    assert first.suggestion.status is SuggestionStatus.APPROVED
    assert first.suggestion.entry_key == "data-folk"
    second = await store.decide_suggestion(GUILD, suggestion_id, approve=False, by=10, now=NOW + timedelta(minutes=1))
    assert not second.decided_now
    assert (second.suggestion.status, second.suggestion.decided_by) == (SuggestionStatus.APPROVED, 9)
    assert [e.key for e in await store.guild_additions(GUILD)] == ["data-folk"]
    assert await store.pending_count(GUILD, 7) == 0
    assert await store.decide_suggestion(GUILD, 999, approve=True, by=9, now=NOW) is None
    assert await store.decide_suggestion(OTHER_GUILD, suggestion_id, approve=False, by=9, now=NOW) is None
    assert await store.counts() == {
        "directory communities": 0,
        "communities added by servers": 1,
        "pending community suggestions": 0,
    }


async def test_a_rejected_suggestion_adds_nothing(db: Database) -> None:
    store = DirectoryStore(db)
    suggestion_id = (await store.create_suggestion(GUILD, make_entry("tmp", name="Spam"), by=7, now=NOW)).id
    decision = await store.decide_suggestion(GUILD, suggestion_id, approve=False, by=9, now=NOW)
    assert decision.suggestion.status is SuggestionStatus.REJECTED
    assert await store.guild_additions(GUILD) == []


async def test_an_undelivered_suggestion_can_be_forgotten(db: Database) -> None:
    store = DirectoryStore(db)
    suggestion_id = (await store.create_suggestion(GUILD, make_entry("tmp"), by=7, now=NOW)).id
    await store.delete_suggestion(suggestion_id)
    assert await store.get_suggestion(suggestion_id) is None


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("DataTalks.Club (Berlin)", "datatalks-club-berlin"),
        ("!!!", "community"),
        ("a" * 60, "a" * 40),
        ("Ünïcode Dätä", "unicode-data"),
        ("数据社区", "community"),
    ],
)
def test_slugify(name: str, key: str) -> None:
    assert slugify(name) == key


async def test_times_are_stored_as_unix_seconds(db: Database) -> None:
    store = DirectoryStore(db)
    await store.sync_shipped([make_entry("a")], NOW)
    suggestion = await store.create_suggestion(GUILD, make_entry("tmp", name="Data Folk"), by=7, now=NOW)
    assert suggestion.suggested_at == NOW
    outcome = await store.decide_suggestion(GUILD, suggestion.id, approve=True, by=9, now=NOW + timedelta(hours=1))
    assert outcome is not None and outcome.suggestion.decided_at == NOW + timedelta(hours=1)
    row = await db.fetchrow("SELECT created_at, updated_at, retired_at FROM community_entries WHERE key = 'a'")
    assert tuple(row) == (unix(NOW), unix(NOW), None)
    row = await db.fetchrow("SELECT suggested_at, decided_at FROM community_suggestions")
    assert tuple(row) == (unix(NOW), unix(NOW + timedelta(hours=1)))


async def test_the_unix_times_migration_converts_rows_of_the_old_schema(database_target: DatabaseTarget) -> None:
    migrations = all_migrations(feature_packages())
    old = [m for m in migrations if not (m.namespace == "communities" and m.version >= 2)]
    database = await Database.open(database_target)
    try:
        await database.migrate(old)
        # Rows as the ISO-text schema (0001) stored them: the clock's isoformat(), with and without fractions.
        await database.execute(
            "INSERT INTO community_entries (guild_id, key, name, data, status, created_at, updated_at, retired_at)"
            " VALUES (0, 'a', 'A', ?, 'retired', '2026-11-27T12:00:00+00:00', '2026-11-28T12:00:00.250000+00:00',"
            " '2026-11-28T12:00:00.250000+00:00')",
            (make_entry("a").model_dump_json(),),
        )
        await database.execute(
            "INSERT INTO community_entries (guild_id, key, name, data, created_at, updated_at)"
            " VALUES (?, 'b', 'B', ?, '2026-11-27T13:30:00+01:00', '2026-11-27T13:30:00+01:00')",
            (GUILD, make_entry("b").model_dump_json()),
        )
        [decided_id] = (
            await database.execute(
                "INSERT INTO community_suggestions (guild_id, name, data, suggested_by, suggested_at, status,"
                " decided_by, decided_at) VALUES (?, 'S', ?, 7, '2026-11-27T12:00:00+00:00', 'approved', 9,"
                " '2026-11-27T12:05:00.999999+00:00') RETURNING id",
                (GUILD, make_entry("s").model_dump_json()),
            )
        ).rows[0]
        [pending_id] = (
            await database.execute(
                "INSERT INTO community_suggestions (guild_id, name, data, suggested_by, suggested_at)"
                " VALUES (?, 'P', ?, 7, '2026-11-27T12:00:00+00:00') RETURNING id",
                (GUILD, make_entry("p").model_dump_json()),
            )
        ).rows[0]

        applied = await database.migrate(migrations)
        assert [(m.namespace, m.version) for m in applied] == [("communities", 2), ("communities", 3)]
        rows = await database.fetch(
            "SELECT key, status, created_at, updated_at, retired_at FROM community_entries ORDER BY key"
        )
        assert [tuple(r) for r in rows] == [
            ("a", "retired", unix(NOW), unix(NOW + timedelta(days=1)), unix(NOW + timedelta(days=1))),
            ("b", "active", unix(NOW + timedelta(minutes=30)), unix(NOW + timedelta(minutes=30)), None),
        ]
        store = DirectoryStore(database)
        decided = await store.get_suggestion(decided_id)
        assert decided is not None
        # SQLite reads fractions to the millisecond: .999999 s rounds up to the next second; PostgreSQL's
        # date_trunc drops them. Either way .25 s goes down.
        fraction = timedelta(seconds=1) if database.backend == "sqlite" else timedelta(0)
        assert (decided.suggested_at, decided.decided_at) == (NOW, NOW + timedelta(minutes=5) + fraction)
        pending = await store.get_suggestion(pending_id)
        assert pending is not None and (pending.status, pending.decided_at) == (SuggestionStatus.PENDING, None)
        if database.backend == "sqlite":
            types = await database.fetch(
                "SELECT typeof(created_at), typeof(updated_at) FROM community_entries"
                " UNION SELECT typeof(suggested_at), typeof(suggested_at) FROM community_suggestions"
            )
            assert {tuple(r) for r in types} == {("integer", "integer")}
            index = await database.fetchval(
                "SELECT sql FROM sqlite_master WHERE type = 'index' AND name = 'community_suggestions_by_member'"
            )
        else:
            types = await database.fetch(
                "SELECT DISTINCT data_type FROM information_schema.columns WHERE table_name IN"
                " ('community_entries', 'community_suggestions') AND column_name LIKE '%\\_at' ESCAPE '\\'"
            )
            assert [row[0] for row in types] == ["bigint"]
            index = await database.fetchval(
                "SELECT indexdef FROM pg_indexes WHERE indexname = 'community_suggestions_by_member'"
            )
        assert "(guild_id, suggested_by, status)" in index
        # The rebuilt tables keep working: new ids follow the old ones, pending counts use the index.
        assert await store.pending_count(GUILD, 7) == 1
        new = await store.create_suggestion(GUILD, make_entry("n", name="New Folk"), by=7, now=NOW)
        assert new.id == pending_id + 1
    finally:
        await database.close()
