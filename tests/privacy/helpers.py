"""Seeding one member's data into every feature's tables, and scanning every table and column for their ID."""

from __future__ import annotations

import time
from typing import Any

from bot.database import Database
from loopback import LoopbackDiscord
from loopback.interactions import InteractionRecord


async def scan_for(db: Database, value: int) -> dict[str, list[str]]:
    """table -> columns holding `value` anywhere: equal, or inside text or JSON (every table, every column)."""
    if db.backend == "sqlite":
        tables = [r[0] for r in await db.fetch("SELECT name FROM sqlite_master WHERE type = 'table'")]
        columns = {t: [r[1] for r in await db.fetch(f"PRAGMA table_info('{t}')")] for t in tables}
    else:
        rows = await db.fetch(
            "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = current_schema()"
        )
        columns = {}
        for row in rows:
            columns.setdefault(row[0], []).append(row[1])
    found: dict[str, list[str]] = {}
    for table, names in columns.items():
        for column in names:
            hits = await db.fetchval(
                f'SELECT COUNT(*) FROM "{table}" WHERE CAST("{column}" AS TEXT) LIKE ?', (f"%{value}%",)
            )
            if hits:
                found.setdefault(table, []).append(column)
    return found


async def seed_member(db: Database, guild_id: int, member: int, other: int, *, departed: bool = True) -> None:
    """A row tied to `member` in every table that can hold one; `other` is another member whose data must stay:
    they answered the member's question, asked one the member answered, and are the member's mentee."""
    now = int(time.time())
    x = db.execute
    await x("INSERT INTO onboarding_profiles (guild_id, user_id, role, interests, status, created_at, updated_at)"
            " VALUES (?, ?, 'data-analyst', '[\"python\"]', 'finished', ?, ?) ON CONFLICT DO NOTHING",
            (guild_id, member, now, now))
    await x("INSERT INTO onboarding_welcomes (guild_id, user_id, joined_at, kind, state, queued_at, updated_at)"
            " VALUES (?, ?, ?, 'welcome', 'sent', ?, ?) ON CONFLICT DO NOTHING", (guild_id, member, now, now, now))
    await x("INSERT INTO onboarding_reminders (guild_id, user_id, due_at, state) VALUES (?, ?, ?, 'sent')"
            " ON CONFLICT DO NOTHING",
            (guild_id, member, now))
    await x("INSERT INTO onboarding_events (guild_id, user_id, event, at) VALUES (?, ?, 'joined', ?)",
            (guild_id, member, now))
    await x("INSERT INTO mentors (guild_id, user_id, topics, capacity, status, joined_at, updated_at)"
            " VALUES (?, ?, '[\"python\"]', 2, 'active', ?, ?)", (guild_id, member, now, now))
    # the other member is the member's mentee
    matched = (await x(
        "INSERT INTO mentor_requests (guild_id, mentee_id, topics, status, mentor_id, source, created_at, matched_at)"
        " VALUES (?, ?, '[\"python\"]', 'matched', ?, 'command', ?, ?) RETURNING id",
        (guild_id, other, member, now, now),
    )).rows[0][0]
    await x("INSERT INTO mentor_offers (request_id, guild_id, mentor_id, status, offered_at, due_at, answered_at)"
            " VALUES (?, ?, ?, 'accepted', ?, ?, ?)", (matched, guild_id, member, now, now, now))
    # the member's own request, waiting
    await x("INSERT INTO mentor_requests (guild_id, mentee_id, topics, status, source, created_at)"
            " VALUES (?, ?, '[\"sql\"]', 'waiting', 'command', ?)", (guild_id, member, now))
    # their question, answered by the other member; the other's question, answered by them
    for thread, asker, author in ((9001, member, other), (9002, other, member)):
        await x("INSERT INTO qa_questions (thread_id, guild_id, channel_id, asker_id, title, body, source, state,"
                " created_at, last_activity_at, answer_author_id, answer_marked_by, answer_text, answer_message_id)"
                " VALUES (?, ?, 1, ?, 'How to join?', 'Tables', 'direct', 'solved', ?, ?, ?, ?, 'Use JOIN', 5)",
                (thread, guild_id, asker, now, now, author, asker))
        await x("INSERT INTO qa_marks (thread_id, guild_id, action, message_id, author_id, by_id, at)"
                " VALUES (?, ?, 'mark', 5, ?, ?, ?)", (thread, guild_id, author, asker, now))
    await x("INSERT INTO qa_drafts (guild_id, user_id, title, body, created_at) VALUES (?, ?, 'Draft', 'text', ?)",
            (guild_id, member, now))
    event = (await x(
        "INSERT INTO events (guild_id, creator_id, title, tz, local_time, duration_s, state, created_at, updated_at)"
        " VALUES (?, ?, 'Meetup', 'UTC', '18:00', 3600, 'active', ?, ?) RETURNING id", (guild_id, member, now, now)
    )).rows[0][0]
    occurrence = (await x(
        "INSERT INTO event_occurrences (event_id, seq, starts_at, ends_at, state) VALUES (?, 1, ?, ?, 'upcoming')"
        " RETURNING id", (event, now + 86400, now + 90000)
    )).rows[0][0]
    for user in (member, other):
        await x("INSERT INTO event_rsvps (occurrence_id, user_id, status, updated_at) VALUES (?, ?, 'going', ?)",
                (occurrence, user, now))
    reminder = (await x(
        "INSERT INTO event_reminders (occurrence_id, kind, due_at, state) VALUES (?, 'reminder', ?, 'pending')"
        " RETURNING id", (occurrence, now + 82800)
    )).rows[0][0]
    for user in (member, other):
        await x("INSERT INTO event_deliveries (reminder_id, user_id, state) VALUES (?, ?, 'pending')", (reminder, user))
    await x("INSERT INTO event_member_prefs (guild_id, user_id, dm_reminders, updated_at) VALUES (?, ?, 0, ?)",
            (guild_id, member, now))
    await x("INSERT INTO community_entries (guild_id, key, name, data, added_by, created_at, updated_at)"
            " VALUES (?, 'kaggle-local', 'Kaggle local', '{}', ?, ?, ?)", (guild_id, member, now, now))
    await x("INSERT INTO community_suggestions (guild_id, name, data, suggested_by, suggested_at, decided_by)"
            " VALUES (?, 'DataTalks', '{}', ?, ?, NULL)", (guild_id, member, now))
    await x("INSERT INTO community_suggestions (guild_id, name, data, suggested_by, suggested_at, status, decided_by)"
            " VALUES (?, 'MLOps', '{}', ?, ?, 'rejected', ?)", (guild_id, other, now, member))
    await x("INSERT INTO dm_closed (user_id, guild_id, noted_at) VALUES (?, ?, ?)", (member, guild_id, now))
    await x("INSERT INTO guild_settings (guild_id, key, value, updated_by, updated_at)"
            " VALUES (?, 'privacy.forget_left_after_days', '180', ?, ?)", (guild_id, member, now))
    await x("INSERT INTO mod_log_once (guild_id, key, reported_at) VALUES (?, ?, ?)",
            (guild_id, f"onboarding:mentor-unreachable:{member}", now))
    for user in (member, other):
        await x("INSERT INTO insights_active_marks (guild_id, day, user_id) VALUES (?, '2026-12-01', ?)"
                " ON CONFLICT DO NOTHING", (guild_id, user))
    await x("INSERT INTO insights_newcomers (guild_id, user_id, joined_at, first_message_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT DO NOTHING",
            (guild_id, member, now, now))
    if departed:
        await x("INSERT INTO privacy_departures (guild_id, user_id, left_at, due_at) VALUES (?, ?, ?, ?)",
                (guild_id, member, now, now + 86400 * 180))


# Every table seed_member puts the member's ID in: the scan before a forget must find each (so it can fail after).
SEEDED_TABLES = {
    "onboarding_profiles", "onboarding_welcomes", "onboarding_reminders", "onboarding_events", "mentors",
    "mentor_requests", "mentor_offers", "qa_questions", "qa_marks", "qa_drafts", "events", "event_rsvps",
    "event_deliveries", "event_member_prefs", "community_entries", "community_suggestions", "dm_closed",
    "guild_settings", "mod_log_once", "privacy_departures", "insights_active_marks", "insights_newcomers",
}


async def privacy(lb: LoopbackDiscord, who: int, subcommand: str, **options: Any) -> InteractionRecord:
    """`/privacy <subcommand>` in #general; returns once the answer (or the deferred answer's follow-up) is in."""
    guild = lb.guild
    ix = await lb.invoke_slash(guild.id, guild.channel("general").id, who, "privacy", options,
                               subcommand=subcommand)
    first = await ix.wait_response()
    if first.get("type") == 5:
        await ix.wait_followup()
    return ix


