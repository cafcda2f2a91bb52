"""The whole bot on the loopback Discord: activity seeded through real joins, onboarding, questions, answers, RSVPs
and messages, then /insights answers with the right numbers and valid PNG charts; refusals; the CSV export; the
weekly digest sent once across a restart."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

from bot.clock import ManualClock
from cogs.insights.cog import InsightsCog
from cogs.insights.due import DIGEST
from loopback import LoopbackDiscord
from tests.events.test_on_the_wire import create_and_confirm, rsvp
from tests.harness import BotHarness, eventually
from tests.insights.helpers import insights, number, png_size, uploaded
from tests.onboarding.helpers import join, pick, press, wait_dms
from tests.qa.test_qa_on_loopback import direct_post, mark


def moderator(lb: LoopbackDiscord, name: str = "mod") -> int:
    user = lb.add_user(name)
    lb.add_member(lb.guild.id, user, roles=[lb.guild.role("Moderators").id])
    return user.id


async def seed(lb: LoopbackDiscord, harness: BotHarness, clock: ManualClock) -> dict[str, int]:
    """Three joins (one finishes onboarding, one leaves), a question answered and solved, an event with RSVPs,
    messages in #general; then the clock moves past the event's start."""
    bot = harness.bot
    assert bot is not None
    ada, bo, cy = await join(lb, "ada"), await join(lb, "bo"), await join(lb, "cy")
    [welcome] = await wait_dms(lb, ada.id)
    await pick(lb, welcome.id, ada.id, "role", ["data-engineer"])
    await pick(lb, welcome.id, ada.id, "level", ["early-career"])
    await pick(lb, welcome.id, ada.id, "interests", ["mlops"])
    await press(lb, welcome.id, ada.id, "region", "skip")
    await lb.wait_until(lambda: "all set" in lb.message(welcome.id).text())
    [bo_welcome] = await wait_dms(lb, bo.id)
    await pick(lb, bo_welcome.id, bo.id, "role", ["student"])  # started, stopped at the level question
    await lb.remove_member(lb.guild.id, cy.id)

    general = lb.guild.channel("general").id
    for author in (ada.id, ada.id, bo.id):
        await lb.send_message(general, author, "hello")
    thread = await direct_post(lb, bot, ada.id, "How do I join two tables in pandas?", tags=["sql"])
    answer = await lb.send_message(thread.id, bo.id, "Use merge.")
    await mark(lb, thread.id, ada.id, answer.id)

    event_id, announcement = await create_and_confirm(lb, title="Data meetup", when="in 2 hours")
    await rsvp(lb, announcement.id, event_id, ada.id, "g")
    await rsvp(lb, announcement.id, event_id, bo.id, "g")
    mod = moderator(lb)
    await rsvp(lb, announcement.id, event_id, mod, "m")
    clock.advance(timedelta(hours=3))
    return {"ada": ada.id, "bo": bo.id, "cy": cy.id, "mod": mod}


async def test_every_report_has_the_numbers_and_valid_charts(loopback: LoopbackDiscord, harness: BotHarness) -> None:
    lb = loopback
    clock = ManualClock(datetime.now(UTC))
    await harness.start(clock=clock)
    people = await seed(lb, harness, clock)
    mod = people["mod"]

    overview = await insights(lb, mod, "overview", days=7)
    text = overview.content_text()
    assert overview.ephemeral
    assert number(text, "Joins") == "3" and number(text, "Leaves") == "1" and number(text, "Net growth") == "+2"
    assert number(text, "New members who finished onboarding") == "1 of 3 (33%)"
    assert number(text, "Posted in their first week") == "2 of 3 (67%)"
    # #general: 3; the forum: the post's first message and the answer (the bot's own messages are not counted)
    assert number(text, "Messages") == "5"
    assert number(text, "Active members, last 7 days") == "2"
    assert "#general: 3" in text and "#questions: 2" in text
    files = uploaded(lb, overview)
    assert sorted(files) == ["active-members.png", "members.png", "messages.png"]
    assert all(png_size(data) == (800, 450) for data in files.values())
    assert "Joins per day: 3 in all" in text  # the chart's text equivalent

    qa_ix = await insights(lb, mod, "qa", days=30)
    qa = qa_ix.content_text()
    # the top helpers are named with mentions that ping nobody
    [answer] = [c for c in lb.calls if qa_ix.token in c.path and c.files]
    assert answer.body["allowed_mentions"]["parse"] == [] and not answer.body["allowed_mentions"].get("users")
    assert number(qa, "Asked") == "1" and number(qa, "Answered within 24 h") == "1 of 1 (100%)"
    assert number(qa, "Solved") == "1 of 1 (100%)" and number(qa, "Unanswered now") == "0"
    assert "**Busiest tags:** sql: 1" in qa and f"<@{people['bo']}>: 1" in qa

    onboarding = await insights(lb, mod, "onboarding")
    text = onboarding.content_text()
    assert number(text, "Started") == "2" and number(text, "Finished") == "1"
    assert "**Stopped at (not finished):** level: 1" in text
    assert "**Role mix (finished):** data-engineer: 1" in text
    assert set(uploaded(lb, onboarding)) == {"onboarding.png", "dropoff.png", "roles.png"}

    events = await insights(lb, mod, "events", days=7)
    text = events.content_text()
    assert number(text, "Events held") == "1" and number(text, "Going (all events)") == "2"
    assert number(text, "Maybe (all events)") == "1" and number(text, "Cancelled") == "0"
    assert "Data meetup" in text and "2 going, 1 maybe" in text
    [(name, data)] = uploaded(lb, events).items()
    assert name == "events.png" and png_size(data) == (800, 450)

    mentors = await insights(lb, mod, "mentors", days=90)
    text = mentors.content_text()
    assert number(text, "Requests") == "0" and number(text, "Waiting mentees now") == "0"
    # nothing to draw: no chart, and the text says so
    assert uploaded(lb, mentors) == {} and "nothing in this period, so no chart" in text


async def test_members_without_manage_server_or_the_role_are_refused(loopback: LoopbackDiscord, bot) -> None:
    lb = loopback
    member = lb.add_user("member")
    lb.add_member(lb.guild.id, member)
    for sub in ("overview", "export"):
        ix = await insights(lb, member.id, sub)
        assert ix.ephemeral and "Only moderators" in ix.content_text()
        assert uploaded(lb, ix) == {}
    ok = await insights(lb, moderator(lb), "overview")
    assert "**Insights: Overview**" in ok.content_text()


async def test_the_export_is_one_parsable_csv_per_area(loopback: LoopbackDiscord, harness: BotHarness) -> None:
    lb = loopback
    clock = ManualClock(datetime.now(UTC))
    await harness.start(clock=clock)
    people = await seed(lb, harness, clock)
    ix = await insights(lb, people["mod"], "export", days=7)
    files = uploaded(lb, ix)
    assert set(files) == {"members.csv", "newcomers.csv", "activity.csv", "active_weeks.csv", "onboarding.csv",
                          "qa.csv", "events.csv", "mentors.csv"}
    tables = {name: list(csv.DictReader(io.StringIO(data.decode()))) for name, data in files.items()}
    assert len(tables["members.csv"]) == 7
    assert sum(int(r["joins"]) for r in tables["members.csv"]) == 3
    assert sum(int(r["leaves"]) for r in tables["members.csv"]) == 1
    assert sum(int(r["messages"]) for r in tables["activity.csv"]) == 5
    assert {r["channel"] for r in tables["activity.csv"]} == {"#general", "#questions"}
    assert [(r["title"], r["going"], r["maybe"]) for r in tables["events.csv"]] == [("Data meetup", "2", "1")]
    assert sum(int(r["asked"]) for r in tables["qa.csv"]) == 1
    assert len(tables["newcomers.csv"]) == 3 and sum(1 for r in tables["newcomers.csv"] if r["left_at"]) == 1


async def test_the_digest_is_sent_once_across_a_restart_and_compares_weeks(
    loopback: LoopbackDiscord, harness: BotHarness
) -> None:
    lb = loopback
    mod_log = lb.guild.channel("mod-log").id
    # Sunday 20:00 UTC: the digest (monday 09:00, UTC) is due in 13 hours
    clock = ManualClock(datetime(2026, 11, 1, 20, 0, tzinfo=UTC))
    bot = await harness.start(clock=clock)
    ada = await join(lb, "ada")
    await lb.send_message(lb.guild.channel("general").id, ada.id, "hi")
    collector = bot.feature(InsightsCog).collector
    await lb.wait_until(lambda: collector.pending)  # the message was counted (in memory)
    await eventually(lambda: bot.db.fetchval("SELECT joins FROM insights_member_days"))
    assert bot.scheduler.armed_for(DIGEST) == datetime(2026, 11, 2, 9, 0, tzinfo=UTC)

    clock.set(datetime(2026, 11, 2, 9, 1, tzinfo=UTC))
    await bot.scheduler.run_now(DIGEST)  # before the periodic flush: the digest stores what is counted itself
    [digest] = lb.channel_messages(mod_log)
    assert "Weekly insights for Data Community" in digest.text() and "Mon 26 Oct to Sun 01 Nov 2026" in digest.text()
    assert "Joins: 1 (▲ 1 from 0)" in digest.text() and "Messages: 1 (▲ 1 from 0)" in digest.text()
    assert "Active members: 1 (▲ 1 from 0)" in digest.text()

    bot = await harness.restart(clock=clock)
    await bot.scheduler.run_now(DIGEST)
    assert len(lb.channel_messages(mod_log)) == 1  # not sent again
    assert bot.scheduler.armed_for(DIGEST) == datetime(2026, 11, 9, 9, 0, tzinfo=UTC)

    clock.set(datetime(2026, 11, 9, 9, 0, 30, tzinfo=UTC))
    await bot.scheduler.rearm_all()
    await lb.wait_until(lambda: len(lb.channel_messages(mod_log)) == 2, timeout=10)
    second = lb.channel_messages(mod_log)[-1].text()
    assert "Mon 02 Nov to Sun 08 Nov 2026" in second and "Joins: 0 (▼ 1 from 1)" in second


async def test_insights_unloads_cleanly_and_loads_again(loopback: LoopbackDiscord, bot) -> None:
    lb = loopback
    work = ["insights:digest", "insights:flush", "insights:upkeep"]
    assert bot.scheduler.registered("insights") == work
    member = lb.add_user("member")
    lb.add_member(lb.guild.id, member)
    collector = bot.feature(InsightsCog).collector
    await lb.send_message(lb.guild.channel("general").id, member.id, "hi")
    await lb.wait_until(lambda: collector.pending)

    await bot.unload_extension("cogs.insights")
    assert bot.scheduler.registered("insights") == [] and not bot.scheduler.has("insights:digest")
    assert all(c.name != "insights" for c in bot.tree.get_commands())
    assert await bot.db.fetchval("SELECT SUM(messages) FROM insights_message_days") == 1  # flushed at unload

    await bot.load_extension("cogs.insights")
    assert bot.scheduler.registered("insights") == work
    # armed again from the database (on a task of the scheduler's)
    await lb.wait_until(lambda: bot.scheduler.armed_for("insights:digest") is not None)
    ix = await insights(lb, moderator(lb), "overview", days=7)
    assert number(ix.content_text(), "Messages") == "1"
