"""The directory in a real SQLite file: loading the shipped file, a server's additions, suggestions, profiles."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.client import all_migrations
from bot.database import Database
from cogs.communities.profiles import Profile, fill_from_profile, read_profile
from cogs.communities.service import Preferences
from cogs.communities.store import DirectoryStore, SuggestionStatus, slugify
from tests.communities.helpers import make_entry

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
GUILD = 111
OTHER_GUILD = 222


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await Database.open(tmp_path / "bot.db")
    await database.migrate(all_migrations(["communities"]))
    yield database
    await database.close()


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
    row = await db.fetchone("SELECT status, retired_at FROM community_entries WHERE key = 'c'")
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
    row = await db.fetchone(
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
    await db.execute("UPDATE community_directory_version SET version = version + 1 WHERE guild_id = 0")
    assert [e.key for e in await store.active_directory(GUILD)] == ["a"]


async def test_a_suggestion_is_decided_once(db: Database) -> None:
    store = DirectoryStore(db)
    suggestion_id = await store.create_suggestion(GUILD, make_entry("tmp", name="Data Folk"), by=7, now=NOW)
    assert await store.pending_count(GUILD, 7) == 1
    assert await store.pending_names(GUILD) == {"data folk"}
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
    suggestion_id = await store.create_suggestion(GUILD, make_entry("tmp", name="Spam"), by=7, now=NOW)
    decision = await store.decide_suggestion(GUILD, suggestion_id, approve=False, by=9, now=NOW)
    assert decision.suggestion.status is SuggestionStatus.REJECTED
    assert await store.guild_additions(GUILD) == []


async def test_an_undelivered_suggestion_can_be_forgotten(db: Database) -> None:
    store = DirectoryStore(db)
    suggestion_id = await store.create_suggestion(GUILD, make_entry("tmp"), by=7, now=NOW)
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


async def test_no_onboarding_table_means_no_profile(db: Database) -> None:
    assert await read_profile(db, GUILD, 7) is None


async def test_an_onboarding_profile_fills_what_the_member_left_out(db: Database) -> None:
    # The table as the onboarding feature will create it (docs/communities.md, "Onboarding profiles").
    await db.execute(
        "CREATE TABLE onboarding_profiles (guild_id INTEGER, user_id INTEGER, role TEXT, level TEXT,"
        " interests TEXT, region TEXT, timezone TEXT, PRIMARY KEY (guild_id, user_id))"
    )
    await db.execute(
        "INSERT INTO onboarding_profiles VALUES (?, ?, ?, ?, ?, ?, ?)",
        (GUILD, 7, "data-engineer", "new-to-data", json.dumps(["mlops", "astrology"]), "mars", "Africa/Lagos"),
    )
    profile = await read_profile(db, GUILD, 7)
    assert profile == Profile(
        role="data-engineer", level="new-to-data", interests=("mlops",), region=None, timezone="Africa/Lagos"
    )
    assert await read_profile(db, OTHER_GUILD, 7) is None
    assert profile.preferences() == Preferences(role="data-engineer", interests=("mlops",), level="new-to-data")

    prefs, filled = fill_from_profile(Preferences(role="researcher"), profile)
    assert prefs == Preferences(role="researcher", interests=("mlops",), level="new-to-data")
    assert filled == ("interests", "level")
    prefs, filled = fill_from_profile(Preferences(keywords=("spark",)), profile)
    assert prefs.interests == () and filled == ("role", "level")


async def test_a_profile_with_broken_interests_is_still_read(db: Database) -> None:
    await db.execute(
        "CREATE TABLE onboarding_profiles (guild_id INTEGER, user_id INTEGER, role TEXT, level TEXT,"
        " interests TEXT, region TEXT, timezone TEXT)"
    )
    await db.execute(
        "INSERT INTO onboarding_profiles VALUES (?, ?, NULL, NULL, ?, 'africa', NULL)", (GUILD, 7, "{not json")
    )
    assert await read_profile(db, GUILD, 7) == Profile(region="africa")
