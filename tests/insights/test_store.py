"""The store and the collector on a real database (both engines): days in the server's zone, medians in SQL, the
other features' tables read as they are, weekly distinct posters kept before their marks are pruned, claims."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta

import pytest

from bot.database import Database
from cogs.insights.models import Area
from cogs.insights.reports import InsightsReports
from cogs.insights.rules import period_of
from cogs.insights.store import InsightsStore
from cogs.insights.store_collect import InsightsCollector

GUILD = 4242
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)  # a Friday
ZONE = "Europe/Berlin"


def ts(when: datetime) -> int:
    return int(when.timestamp())


@pytest.fixture
def store(db: Database) -> InsightsStore:
    return InsightsStore(db)


@pytest.fixture
def collector(db: Database) -> InsightsCollector:
    return InsightsCollector(db)


async def add_question(db: Database, thread_id: int, created: datetime, *, reply_after: timedelta | None = None,
                       solved_after: timedelta | None = None, tags: tuple[str, ...] = (),
                       helper: int | None = None) -> None:
    await db.execute(
        "INSERT INTO qa_questions (thread_id, guild_id, channel_id, asker_id, title, source, state, created_at,"
        " last_activity_at, first_reply_at, solved_at, answer_author_id, answer_marked_at)"
        " VALUES (?, ?, 1, 7, 'q', 'direct', ?, ?, ?, ?, ?, ?, ?)",
        (thread_id, GUILD, "solved" if solved_after else "open", ts(created), ts(created),
         ts(created + reply_after) if reply_after else None, ts(created + solved_after) if solved_after else None,
         helper, ts(created + solved_after) if solved_after else None),
    )
    for tag in tags:
        await db.execute("INSERT INTO qa_question_tags (thread_id, guild_id, tag) VALUES (?, ?, ?)",
                         (thread_id, GUILD, tag))


async def test_qa_figures_medians_and_local_days(db: Database, store: InsightsStore) -> None:
    # 23:30 UTC on the 18th is 00:30 on the 19th in Berlin: that question belongs to the 19th
    await add_question(db, 1, datetime(2026, 11, 18, 23, 30, tzinfo=UTC), reply_after=timedelta(hours=1),
                       solved_after=timedelta(hours=5), tags=("SQL",), helper=50)
    await add_question(db, 2, datetime(2026, 11, 19, 10, 0, tzinfo=UTC), reply_after=timedelta(hours=3),
                       tags=("sql", "Python"))
    await add_question(db, 3, datetime(2026, 11, 18, 11, 0, tzinfo=UTC), reply_after=timedelta(hours=30),
                       solved_after=timedelta(hours=40), helper=50)
    await add_question(db, 4, datetime(2026, 11, 20, 8, 0, tzinfo=UTC))  # no reply yet
    await add_question(db, 5, datetime(2026, 9, 1, 8, 0, tzinfo=UTC))  # before the period, still unanswered
    period = period_of(7, NOW, ZONE)
    f = await store.qa_figures(GUILD, period)
    assert (f["asked"], f["in_24h"], f["replied"], f["solved"], f["unanswered"]) == (4, 2, 3, 2, 2)
    # medians to the minute (the middle of it): of 1 h, 3 h, 30 h; of 5 h and 40 h (the mean of the middle two)
    assert f["first_reply"] == 3 * 3600 + 30
    assert f["to_solution"] == (5 + 40) / 2 * 3600 + 30
    assert f["asked_days"] == await store.qa_days(GUILD, period, "created_at")
    days = f["asked_days"]
    assert days == {date(2026, 11, 18): 1, date(2026, 11, 19): 2, date(2026, 11, 20): 1}
    assert await store.qa_tags(GUILD, period) == [("sql", 2), ("python", 1)]
    assert await store.qa_helpers(GUILD, period) == [(50, 2)]
    wide = await store.qa_figures(GUILD, period_of(90, NOW, ZONE))  # read by a table scan on SQLite
    assert (wide["asked"], wide["replied"], wide["first_reply"], wide["unanswered"]) == (5, 3, 3 * 3600 + 30, 2)


async def test_members_newcomers_and_activity(db: Database, collector: InsightsCollector,
                                             store: InsightsStore) -> None:
    day = date(2026, 11, 19)
    joined = NOW - timedelta(days=10)
    await collector.member_joined(GUILD, 1, day, ts(joined))
    await collector.member_joined(GUILD, 2, day, ts(joined))
    await collector.member_joined(GUILD, 3, day, ts(NOW - timedelta(days=2)))
    await collector.member_left(GUILD, 2, day, ts(joined + timedelta(days=3)))  # left within a week
    collector.count_message(GUILD, day, 100, 1, ts(joined + timedelta(days=1)))
    collector.count_message(GUILD, day, 100, 1, ts(joined + timedelta(days=1)))
    collector.count_message(GUILD, day, 200, 3, ts(NOW - timedelta(days=1)))
    collector.count_message(GUILD, date(2026, 11, 18), 100, 9, ts(NOW - timedelta(days=2)))
    await collector.flush()
    assert collector.pending == 0
    await db.execute(
        "INSERT INTO onboarding_profiles (guild_id, user_id, status, step, created_at, updated_at, started_at,"
        " finished_at, role) VALUES (?, 1, 'finished', 'done', ?, ?, ?, ?, 'analyst')",
        (GUILD, ts(joined), ts(joined), ts(joined), ts(joined + timedelta(minutes=10))),
    )
    period = period_of(30, NOW, ZONE)
    n = await store.newcomers(GUILD, period)
    assert (n.joined, n.finished_onboarding, n.eligible_7, n.stayed_7, n.eligible_30) == (3, 1, 2, 1, 0)
    assert n.posted_first_week == 2
    assert await store.member_days(GUILD, period) == {day: (3, 1)}
    assert await store.message_days(GUILD, period) == {day: 3, date(2026, 11, 18): 1}
    assert await store.message_channels(GUILD, period.first, period.last) == [(100, 3), (200, 1)]
    assert await store.active_members(GUILD, date(2026, 11, 14), date(2026, 11, 20)) == 3
    report = await InsightsReports(store).build(Area.OVERVIEW, GUILD, period, channel_name=lambda c: f"#c{c}")
    numbers = dict(report.numbers)
    assert numbers["Net growth"] == "+2" and numbers["Messages"] == "4"
    assert numbers["Still here after 7 days"] == "1 of 2 (50%)"
    assert ("Busiest channels", ["#c100: 3", "#c200: 1"]) in report.lists


async def test_finished_weeks_are_kept_before_their_marks_are_pruned(collector: InsightsCollector,
                                                                     store: InsightsStore) -> None:
    monday = date(2026, 10, 5)
    for offset, user in ((0, 1), (1, 2), (2, 1), (7, 1), (40, 3)):
        collector.count_message(GUILD, monday + timedelta(days=offset), 100, user, 0)
    await collector.flush()
    today = monday + timedelta(days=40)  # 14 Nov
    assert await collector.close_weeks(GUILD, monday + timedelta(days=14)) == 2  # weeks of 5 and 12 Oct
    removed = await collector.prune(today, ts(NOW))
    assert removed == 3  # the marks older than 35 days (5-7 Oct)
    period = period_of(90, datetime(2026, 11, 14, 12, tzinfo=UTC), "UTC")
    weeks = await store.active_weeks(GUILD, period)
    assert weeks == {monday: 2, monday + timedelta(days=7): 1, date(2026, 11, 9): 1}


async def test_events_and_mentors_read_from_their_tables(db: Database, store: InsightsStore) -> None:
    start = NOW - timedelta(days=2)
    await db.execute(
        "INSERT INTO events (id, guild_id, creator_id, title, tz, local_time, duration_s, state, created_at,"
        " updated_at) VALUES (1, ?, 9, 'Meetup', 'UTC', '18:00', 3600, 'active', 0, 0)", (GUILD,),
    )
    for oid, seq, state in ((10, 1, "ended"), (11, 2, "cancelled")):
        await db.execute(
            "INSERT INTO event_occurrences (id, event_id, seq, starts_at, ends_at, state) VALUES (?, 1, ?, ?, ?, ?)",
            (oid, seq, ts(start) + seq, ts(start) + 3600, state),
        )
    for user, status in ((1, "going"), (2, "going"), (3, "maybe"), (4, "declined")):
        await db.execute("INSERT INTO event_rsvps (occurrence_id, user_id, status, updated_at) VALUES (10, ?, ?, 0)",
                         (user, status))
    await db.execute("INSERT INTO event_reminders (id, occurrence_id, kind, due_at, state) VALUES"
                     " (5, 10, 'reminder', ?, 'sent')", (ts(start),))
    for user in (0, 1, 2):
        await db.execute("INSERT INTO event_deliveries (reminder_id, user_id, state, sent_at) VALUES (5, ?, ?, ?)",
                         (user, "sent" if user != 2 else "dm_closed", ts(start)))
    period = period_of(7, NOW, ZONE)
    [held, cancelled] = await store.occurrences(GUILD, period)
    assert (held.title, held.going, held.maybe, cancelled.state) == ("Meetup", 2, 1, "cancelled")
    assert await store.reminders_delivered(GUILD, period) == 2

    await db.execute("INSERT INTO mentors (guild_id, user_id, topics, capacity, status, joined_at, updated_at)"
                     " VALUES (?, 70, '[]', 3, 'active', 0, 0)", (GUILD,))
    for mentee, status, matched in ((1, "matched", timedelta(hours=2)), (2, "waiting", None),
                                    (3, "matched", timedelta(hours=6))):
        await db.execute(
            "INSERT INTO mentor_requests (guild_id, mentee_id, topics, status, mentor_id, source, created_at,"
            " matched_at) VALUES (?, ?, '[]', ?, ?, 'command', ?, ?)",
            (GUILD, mentee, status, 70 if matched else None, ts(start),
             ts(start + matched) if matched else None),
        )
    m = await store.mentor_figures(GUILD, period)
    assert (m["requests"], m["accepted"], m["waiting"], m["matched"], m["capacity"]) == (3, 2, 1, 2, 3)
    assert m["to_accept"] == 4 * 3600 + 30


async def test_a_digest_is_claimed_by_one_process_and_forget_removes_the_marks(
    db: Database, collector: InsightsCollector
) -> None:
    await collector.plan_digest(GUILD, 1000, "2026-11-09", "monday 09:00")
    other = InsightsCollector(db)
    assert await collector.claim_digest(GUILD, "2026-11-09", 1000, 600)
    assert not await other.claim_digest(GUILD, "2026-11-09", 1100, 600)  # held
    assert await other.claim_digest(GUILD, "2026-11-09", 1700, 600)  # the first process died: taken over
    await other.digest_sent(GUILD, "2026-11-09", 1700, 2000, "2026-11-16")
    assert await collector.due_digests(1999) == [] and await collector.next_digest_due() == 2000
    await collector.plan_digest(GUILD, 1500, "2026-11-16", "monday 09:00")  # same schedule: unchanged
    assert await collector.next_digest_due() == 2000

    collector.count_message(GUILD, date(2026, 11, 19), 100, 5, 0)
    await collector.flush()
    await collector.member_joined(GUILD, 5, date(2026, 11, 19), 10)
    exported = await collector.export_member(GUILD, 5)
    assert exported["days_posted"] == ["2026-11-19"] and exported["joins"][0]["joined_at"] == 10
    assert await collector.forget_member(GUILD, 5) == 2
    assert await collector.export_member(GUILD, 5) == {"days_posted": [], "joins": []}


async def test_a_flush_returns_only_once_a_flush_in_flight_has_written(
    db: Database, collector: InsightsCollector
) -> None:
    # The periodic flush takes the counts out of memory and is writing them when a report flushes: the report's
    # flush must not return (and the report read the database) before they are in it.
    collector.count_message(GUILD, NOW.date(), 77, 5, ts(NOW))
    periodic = asyncio.create_task(collector.flush())
    await asyncio.sleep(0)  # the periodic flush has taken the counts and waits for the database
    assert collector.pending == 0
    await collector.flush()  # the report's
    assert await db.fetchval("SELECT SUM(messages) FROM insights_message_days WHERE guild_id = ?", (GUILD,)) == 1
    await periodic
