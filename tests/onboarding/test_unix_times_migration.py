"""Migration 0004: a database written by the old schema (ISO-8601 text) comes out in unix seconds, rows intact,
indexes, CHECKs and the foreign key in place, and readable by the store."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.client import all_migrations
from bot.database import Database
from bot.discovery import feature_packages
from cogs.onboarding.mentors.store import MentorStore
from cogs.onboarding.store import OnboardingStore

T = datetime(2026, 3, 2, 9, 0, 0, 999_999, tzinfo=UTC)  # the old store wrote microseconds; unix() truncates
T_ISO = "2026-03-02T09:00:00.999999+00:00"
T_UNIX = 1772442000
LATER_ISO = "2026-03-04T09:00:00.000000+00:00"
LATER_UNIX = T_UNIX + 2 * 86400
SEEN_ISO = "2026-03-04T09:00:00.250000+00:00"  # the catch-up keeps the fraction of its last mark
G = 100

OLD_ROWS = {
    "onboarding_profiles": (
        "(guild_id, user_id, role, interests, status, step, created_at, started_at, finished_at, updated_at)"
        " VALUES (?, 1, 'data-analyst', '[\"analytics\"]', 'finished', 'done', ?, ?, ?, ?)",
        (G, T_ISO, T_ISO, LATER_ISO, LATER_ISO),
    ),
    "onboarding_welcomes": (
        "(guild_id, user_id, join_seq, joined_at, kind, state, attempts, queued_at, updated_at)"
        " VALUES (?, 1, 2, ?, 'welcome', 'left', 1, ?, ?)",
        (G, T_ISO, T_ISO, LATER_ISO),
    ),
    "onboarding_reminders": ("(guild_id, user_id, due_at, state) VALUES (?, 1, ?, 'due')", (G, LATER_ISO)),
    "onboarding_events": ("(guild_id, user_id, event, at) VALUES (?, 1, 'joined', ?)", (G, T_ISO)),
    "onboarding_presence": ("(guild_id, first_seen_at, seen_at) VALUES (?, ?, ?)", (G, T_ISO, SEEN_ISO)),
    "mentors": (
        "(guild_id, user_id, topics, capacity, status, joined_at, updated_at, last_offered_at)"
        " VALUES (?, 2, '[\"analytics\"]', 2, 'active', ?, ?, ?)",
        (G, T_ISO, T_ISO, LATER_ISO),
    ),
    "mentor_requests": (
        "(id, guild_id, mentee_id, topics, status, source, created_at) VALUES (7, ?, 1, '[\"analytics\"]',"
        " 'offered', 'onboarding', ?)",
        (G, T_ISO),
    ),
    "mentor_offers": (
        "(id, request_id, guild_id, mentor_id, status, offered_at, due_at) VALUES (9, 7, ?, 2, 'open', ?, ?)",
        (G, T_ISO, LATER_ISO),
    ),
}

EXPECTED = {
    "onboarding_profiles": "SELECT created_at, started_at, finished_at, updated_at FROM onboarding_profiles",
    "onboarding_welcomes": "SELECT joined_at, left_at, queued_at, updated_at FROM onboarding_welcomes",
    "onboarding_reminders": "SELECT due_at, done_at FROM onboarding_reminders",
    "onboarding_events": "SELECT at FROM onboarding_events",
    "onboarding_presence": "SELECT first_seen_at, seen_at, seen_at_us FROM onboarding_presence",
    "mentors": "SELECT joined_at, updated_at, last_offered_at FROM mentors",
    "mentor_requests": "SELECT created_at, matched_at, ended_at FROM mentor_requests",
    "mentor_offers": "SELECT offered_at, due_at, answered_at FROM mentor_offers",
}
VALUES = {
    "onboarding_profiles": (T_UNIX, T_UNIX, LATER_UNIX, LATER_UNIX),
    "onboarding_welcomes": (T_UNIX, LATER_UNIX, T_UNIX, LATER_UNIX),  # left before the welcome: left_at is known
    "onboarding_reminders": (LATER_UNIX, None),
    "onboarding_events": (T_UNIX,),
    "onboarding_presence": (T_UNIX, LATER_UNIX, 250_000),
    "mentors": (T_UNIX, T_UNIX, LATER_UNIX),
    "mentor_requests": (T_UNIX, None, None),
    "mentor_offers": (T_UNIX, LATER_UNIX, None),
}
INDEXES = {
    "onboarding_welcomes_open", "onboarding_reminders_due", "onboarding_events_by_guild", "mentor_requests_one_open",
    "mentor_requests_by_mentor", "mentor_requests_waiting", "mentor_offers_one_open", "mentor_offers_due",
    "mentor_offers_by_mentor",
}


async def test_an_old_database_comes_out_in_unix_seconds(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "old.db")
    try:
        migrations = all_migrations(feature_packages())
        await db.migrate([m for m in migrations if (m.namespace, m.version) != ("onboarding", 4)])
        for table, (columns, params) in OLD_ROWS.items():
            await db.execute(f"INSERT INTO {table} {columns}", params)

        assert [(m.namespace, m.version) for m in await db.migrate(migrations)] == [("onboarding", 4)]

        for table, query in EXPECTED.items():
            assert tuple(await db.fetchrow(query)) == VALUES[table], table
            column_types = {row["name"]: row["type"] for row in await db.fetch(f"PRAGMA table_info({table})")}
            assert "TEXT" not in {column_types[c] for c in column_types if c.endswith("_at") or c == "at"}, table
        names = {row["name"] for row in await db.fetch("SELECT name FROM sqlite_master WHERE type = 'index'")}
        assert names >= INDEXES
        tables = {row["name"] for row in await db.fetch("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert not {name for name in tables if name.endswith(("_new", "_old"))}
        [key] = await db.fetch("PRAGMA foreign_key_list(mentor_offers)")
        assert (key["table"], key["from"], key["to"]) == ("mentor_requests", "request_id", "id")
        assert await db.fetch("PRAGMA foreign_key_check") == []
        with pytest.raises(sqlite3.IntegrityError):  # the CHECKs came along
            await db.execute("UPDATE onboarding_welcomes SET state = 'lost'")
        with pytest.raises(sqlite3.IntegrityError):  # and the one-open-request-per-member index
            await db.execute(
                "INSERT INTO mentor_requests (guild_id, mentee_id, topics, status, source, created_at)"
                " VALUES (?, 1, '[]', 'waiting', 'command', 0)",
                (G,),
            )

        # The stores read the converted rows as the instants the old ones wrote (to the second).
        profile = await OnboardingStore(db).profile(G, 1)
        assert profile is not None and profile.created_at == T.replace(microsecond=0)
        assert profile.answers.interests == ("analytics",)
        assert await OnboardingStore(db).next_reminder_due() == datetime(2026, 3, 4, 9, 0, tzinfo=UTC)
        assert await OnboardingStore(db).last_seen(G) == datetime(2026, 3, 4, 9, 0, 0, 250_000, tzinfo=UTC)
        offer = await MentorStore(db).offer(9)
        assert offer is not None and offer.due_at == datetime(2026, 3, 4, 9, 0, tzinfo=UTC)
        assert (await MentorStore(db).open_request(G, 1)).asked == 2
    finally:
        await db.close()
