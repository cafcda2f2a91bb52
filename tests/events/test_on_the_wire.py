"""The whole bot on the loopback Discord: create and confirm, RSVP buttons, reminders across a restart,
cancel DMs, calendar export, closed DMs, permissions and hostile text."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from icalendar import Calendar

from bot.client import CommunityBot
from bot.clock import ManualClock
from bot.database import Database
from bot.settings import Settings
from cogs.events.cog import EventsCog
from cogs.events.due import REMINDERS
from cogs.events.models import ReminderState
from cogs.events.store_reminders import CLAIM_LEASE_S
from loopback import LoopbackDiscord
from loopback.interactions import InteractionRecord
from loopback.server import RecordedCall
from loopback.world import Message, Perm
from tests.harness import BotHarness

CONFIRM = "ev:confirm:{}"


def buttons(message: Message) -> dict[str, dict[str, Any]]:
    """custom_id -> button component of a message."""
    found = {}
    for row in message.components:
        for item in row.get("components") or []:
            found[item["custom_id"]] = item
    return found


async def slash(
    lb: LoopbackDiscord, user_id: int, subcommand: str, group: str | None = None, **options: Any
) -> InteractionRecord:
    """`/event [group] subcommand options...` in #general; returns once the answer (or deferred answer) is in."""
    guild = lb.guild
    channel = guild.channel("general").id
    ix = await lb.invoke_slash(guild.id, channel, user_id, "event", options, subcommand=subcommand, group=group)
    first = await ix.wait_response()
    if first.get("type") == 5:
        await lb.wait_until(lambda: ix.followups or (ix.original and not ix.original.flags & 128))
    return ix


async def create_and_confirm(
    lb: LoopbackDiscord, preview: InteractionRecord | None = None, **options: Any
) -> tuple[int, Message]:
    """An organiser (the owner) runs /event create and presses Confirm; returns (event id, announcement)."""
    owner = lb.guild.owner_id
    if preview is None:
        preview = await slash(lb, owner, "create", **({"title": "Data meetup", "when": "in 3 hours"} | options))
    assert preview.ephemeral, preview.content_text()
    confirm_id = next(cid for cid in buttons(preview.original) if cid.startswith("ev:confirm:"))
    event_id = int(confirm_id.rsplit(":", 1)[1])
    events = lb.guild.channel("events")
    before = len(lb.channel_messages(events.id))
    click = await lb.click_button(preview.original.id, confirm_id, owner)
    await click.wait_response()
    await lb.wait_until(lambda: len(lb.channel_messages(events.id)) > before)
    await lb.wait_until(lambda: "Posted" in (preview.original.text()))
    return event_id, lb.channel_messages(events.id)[-1]


def edits_of(lb: LoopbackDiscord, message_id: int) -> list[RecordedCall]:
    """The edits of a message Discord accepted, oldest first."""
    return [c for c in lb.calls_to("PATCH", rf"/channels/\d+/messages/{message_id}$") if c.status == 200]


def shown_counts(message: Message) -> dict[str, int]:
    """An announcement's counts as its RSVP buttons show them: code (g, m, n) -> count."""
    return {cid.rsplit(":", 1)[1]: int(re.sub(r"\D", "", b["label"].rsplit("(", 1)[1]))
            for cid, b in buttons(message).items() if cid.startswith("ev:rsvp:")}  # fmt: skip


async def rsvp(lb: LoopbackDiscord, message_id: int, event_id: int, user_id: int, code: str) -> InteractionRecord:
    """A member clicks an RSVP button; returns once the ephemeral confirmation is out and the announcement shows
    the counts with this answer (the bot's own edit, at once or, after another click, within a second)."""
    edited = len(edits_of(lb, message_id))
    click = await lb.click_button(message_id, f"ev:rsvp:{event_id}:1:{code}", user_id)
    await click.wait_original()
    assert click.ephemeral and click.responses[0]["type"] == 4, click.describe()  # the answer is the only request
    # Clicks through this helper come one at a time, and each returns once an edit that began after its answer was
    # stored has landed; so the first edit landing after this click began after this answer was stored, and shows it.
    await lb.wait_until(
        lambda: len(edits_of(lb, message_id)) > edited and shown_counts(lb.message(message_id))[code] >= 1,
        timeout=5,
    )
    return click


def events_of(bot: CommunityBot) -> EventsCog:
    """The running events feature."""
    return bot.feature(EventsCog)


def member(lb: LoopbackDiscord, name: str) -> int:
    user = lb.add_user(name)
    lb.add_member(lb.guild.id, user)
    return user.id


async def test_create_shows_a_preview_and_confirm_posts_the_announcement(loopback: LoopbackDiscord, bot) -> None:
    lb = loopback
    preview = await slash(lb, lb.guild.owner_id, "create", title="Intro to dbt", when="in 3 hours",
                          location="Impact Hub", reminders="1h,10m")  # fmt: skip
    text = preview.content_text()
    assert preview.ephemeral and "Preview: Intro to dbt" in text and "<t:" in text and ":R>" in text
    assert lb.channel_messages(lb.guild.channel("events").id) == []  # nothing public before Confirm
    event_id, announcement = await create_and_confirm(lb, preview)
    embed = announcement.embeds[0]
    assert embed["title"] == "Intro to dbt"
    when = next(f["value"] for f in embed["fields"] if f["name"] == "When")
    assert when.startswith("<t:") and ":F> (<t:" in when and ":R>)" in when
    assert next(f["value"] for f in embed["fields"] if f["name"] == "Where") == "Impact Hub"
    labels = sorted(b["label"] for b in buttons(announcement).values())
    assert labels == ["Can't go (0)", "Going (0)", "Maybe (0)"]
    # Discord's own scheduled event, external with the location and an end
    [native] = lb.world.guild(lb.guild.id).scheduled_events.values()
    assert native["name"] == "Intro to dbt" and native["entity_type"] == 3
    assert native["entity_metadata"]["location"] == "Impact Hub" and native["scheduled_end_time"]
    rows = await bot.db.fetch("SELECT offset_s, state FROM event_reminders ORDER BY due_at")
    assert [(r["offset_s"], r["state"]) for r in rows] == [(3600, "pending"), (600, "pending")]
    assert "Posted **Intro to dbt**" in preview.original.text()
    assert (await events_of(bot).store.event(event_id)).state.value == "active"


async def test_going_updates_the_count_and_works_after_a_restart(
    loopback: LoopbackDiscord, harness: BotHarness
) -> None:
    lb = loopback
    await harness.start()
    event_id, announcement = await create_and_confirm(lb)
    alice, bob = member(lb, "alice"), member(lb, "bob")
    going = f"ev:rsvp:{event_id}:1:g"
    click = await rsvp(lb, announcement.id, event_id, alice, "g")
    assert buttons(lb.message(announcement.id))[going]["label"] == "Going (1)"
    assert click.ephemeral and "You're **going**" in click.content_text()
    assert len(click.responses) == 1 and not click.followups  # one request: the confirmation
    await harness.restart()
    await rsvp(lb, announcement.id, event_id, bob, "m")
    labels = {b["label"] for b in buttons(lb.message(announcement.id)).values()}
    assert labels == {"Going (1)", "Maybe (1)", "Can't go (0)"}
    counts = next(f["value"] for f in lb.message(announcement.id).embeds[0]["fields"] if f["name"] == "RSVPs")
    assert counts == "✅ 1 going · 🤔 1 maybe · ❌ 0 can't go"


async def test_a_burst_of_clicks_ends_with_the_announcement_showing_every_answer(
    loopback: LoopbackDiscord, bot
) -> None:
    """Forty members click at once, half of them twice: each click is answered with its confirmation alone, and
    the announcement, edited by the bot about once a second, ends up with the stored counts."""
    lb = loopback
    event_id, announcement = await create_and_confirm(lb)
    people = [member(lb, f"fan{i}") for i in range(40)]
    first = [lb.click_button(announcement.id, f"ev:rsvp:{event_id}:1:{'gm'[i % 2]}", uid)
             for i, uid in enumerate(people)]
    clicks = await asyncio.gather(*first)
    second = [lb.click_button(announcement.id, f"ev:rsvp:{event_id}:1:{'ng'[i % 2]}", uid)
              for i, uid in enumerate(people[:20])]
    clicks += await asyncio.gather(*second)
    await lb.wait_until(lambda: all(click.answer_latency is not None for click in clicks), timeout=15)
    assert not any(click.expired for click in clicks)
    # Each member is told privately what was recorded, in the response itself: one request per click.
    assert all(click.ephemeral and "**" in click.content_text() for click in clicks)
    assert all([r["type"] for r in click.responses] == [4] and not click.followups for click in clicks)
    # First round: even going, odd maybe; then the first twenty change: even to can't go, odd to going.
    expected = {"g": 20, "m": 10, "n": 10}
    counts = await bot.db.fetch("SELECT status, COUNT(*) AS n FROM event_rsvps GROUP BY status")
    assert {row["status"]: row["n"] for row in counts} == {"going": 20, "maybe": 10, "declined": 10}

    def shown() -> tuple[dict[str, int], str]:
        message = lb.message(announcement.id)
        rsvps = next(f["value"] for f in message.embeds[0]["fields"] if f["name"] == "RSVPs")
        return shown_counts(message), rsvps

    final = (expected, "✅ 20 going · 🤔 10 maybe · ❌ 10 can't go")
    await lb.wait_until(lambda: shown() == final, timeout=5)
    await asyncio.sleep(1.5)  # any edit still to come has landed by now, and it agrees
    assert shown() == final
    edits = edits_of(lb, announcement.id)
    # Coalesced, not one per click (60): the edits begin at least a second apart (they land up to a round trip
    # later than they begin, hence the one extra).
    assert len(edits) <= 2 + (edits[-1].at - edits[0].at), [round(e.at - edits[0].at, 2) for e in edits]


async def test_a_reminder_due_while_the_bot_was_down_goes_out_once_with_a_note(
    loopback: LoopbackDiscord, harness: BotHarness
) -> None:
    lb = loopback
    clock = ManualClock(datetime.now(UTC).replace(microsecond=0))
    await harness.start(clock=clock)
    event_id, announcement = await create_and_confirm(lb, when="in 2 hours", reminders="1h")
    alice = member(lb, "alice")
    await rsvp(lb, announcement.id, event_id, alice, "g")
    await harness.stop()
    clock.advance(timedelta(hours=1, minutes=5))  # the reminder fell due 5 minutes ago, the bot was off
    bot = await harness.start(clock=clock)
    events = lb.guild.channel("events").id
    await lb.wait_until(lambda: len(lb.channel_messages(events)) == 2 and lb.dm_messages(alice))
    reminder = lb.channel_messages(events)[-1]
    assert "⏰ **Data meetup** starts <t:" in reminder.content
    assert "late because the bot was offline" in reminder.content
    assert "late because the bot was offline" in lb.dm_messages(alice)[0].content
    await bot.scheduler.run_now(REMINDERS)  # another pass, then another start: nothing more
    bot = await harness.restart(clock=clock)
    await bot.scheduler.run_now(REMINDERS)
    assert len(lb.channel_messages(events)) == 2 and len(lb.dm_messages(alice)) == 1  # exactly once
    [row] = await bot.db.fetch("SELECT state FROM event_reminders")
    assert row["state"] == ReminderState.SENT


async def test_a_reminder_past_the_grace_period_is_recorded_as_missed(
    loopback: LoopbackDiscord, harness: BotHarness
) -> None:
    lb = loopback
    clock = ManualClock(datetime.now(UTC).replace(microsecond=0))
    await harness.start(clock=clock)
    await create_and_confirm(lb, when="in 3 hours", reminders="2h")
    await harness.stop()
    clock.advance(timedelta(hours=1, minutes=31))  # 31 minutes past due; grace is 30
    bot = await harness.start(clock=clock)
    await bot.scheduler.run_now(REMINDERS)
    assert len(lb.channel_messages(lb.guild.channel("events").id)) == 1  # only the announcement
    [row] = await bot.db.fetch("SELECT state FROM event_reminders")
    assert row["state"] == ReminderState.MISSED


async def test_a_reminder_fires_on_time_while_running(loopback: LoopbackDiscord, bot) -> None:
    lb = loopback
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(minutes=1, seconds=4)  # due in ~4 s
    _, announcement = await create_and_confirm(lb, when=start.strftime("%Y-%m-%dT%H:%M:%SZ"), reminders="1m")
    events = lb.guild.channel("events").id
    await lb.wait_until(lambda: len(lb.channel_messages(events)) == 2, timeout=15)
    reminder = lb.channel_messages(events)[-1]
    assert "late" not in reminder.content and f"/{announcement.id}" in reminder.content


async def test_cancel_tells_those_who_said_going_and_marks_the_announcement(loopback: LoopbackDiscord, bot) -> None:
    lb = loopback
    event_id, announcement = await create_and_confirm(lb)
    alice, bob, carol = member(lb, "alice"), member(lb, "bob"), member(lb, "carol")
    for user, code in ((alice, "g"), (bob, "g"), (carol, "m")):
        await rsvp(lb, announcement.id, event_id, user, code)
    ix = await slash(lb, lb.guild.owner_id, "cancel", event=str(event_id), reason="speaker is ill")
    assert "2 member(s) who said Going will get a DM" in ix.content_text()
    await lb.wait_until(lambda: lb.dm_messages(alice) and lb.dm_messages(bob))
    assert "has been cancelled" in lb.dm_messages(alice)[0].content
    assert "speaker is ill" in lb.dm_messages(bob)[0].content
    assert lb.dm_messages(carol) == []
    edited = lb.message(announcement.id)
    assert edited.embeds[0]["title"].startswith("Cancelled:") and edited.components == []
    [native] = lb.world.guild(lb.guild.id).scheduled_events.values()
    assert native["status"] == 4


async def test_export_returns_a_valid_ics_file(loopback: LoopbackDiscord, bot) -> None:
    lb = loopback
    event_id, _ = await create_and_confirm(lb, recurrence="weekly", timezone="Europe/Berlin")
    ix = await slash(lb, lb.guild.owner_id, "export", event=str(event_id))
    assert ix.ephemeral
    [call] = [c for c in lb.calls_to("POST", r"/interactions/.*/callback") if c.files]
    [upload] = call.files
    assert upload["filename"] == f"event-{event_id}.ics"
    calendar = Calendar.from_ical(bytes(upload["data"]))
    [vevent] = calendar.walk("VEVENT")
    assert str(vevent["SUMMARY"]) == "Data meetup" and vevent["DTSTART"].params["TZID"] == "Europe/Berlin"
    assert vevent["RRULE"]["FREQ"] == ["WEEKLY"]
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/Berlin"]


async def test_closed_dms_are_remembered_and_not_retried(loopback: LoopbackDiscord, harness: BotHarness) -> None:
    lb = loopback
    clock = ManualClock(datetime.now(UTC).replace(microsecond=0))
    bot = await harness.start(clock=clock)
    event_id, announcement = await create_and_confirm(lb, when="in 3 hours", reminders="2h,1h")
    alice, bob = member(lb, "alice"), member(lb, "bob")
    lb.close_dms(alice)
    for user in (alice, bob):
        await rsvp(lb, announcement.id, event_id, user, "g")
    clock.advance(timedelta(hours=1))
    await bot.scheduler.run_now(REMINDERS)
    refused = [c for c in lb.calls if c.status == 403 and c.method == "POST"]
    assert len(refused) == 1 and len(lb.dm_messages(bob)) == 1
    clock.advance(timedelta(hours=1))
    await bot.scheduler.run_now(REMINDERS)
    assert len([c for c in lb.calls if c.status == 403]) == 1  # alice was not tried again
    assert len(lb.dm_messages(bob)) == 2 and events_of(bot).reminders.stats.dm_closed == 1
    assert await bot.dm_closed.count() == 1  # the bot's shared memory (counted in /about by the admin feature)


async def test_members_without_manage_events_cannot_create(loopback: LoopbackDiscord, bot) -> None:
    lb = loopback
    mallory = member(lb, "mallory")
    ix = await slash(lb, mallory, "create", title="x", when="in 2 hours")
    assert ix.ephemeral and "Manage Events" in ix.content_text()
    assert await bot.db.fetchval("SELECT COUNT(*) FROM events") == 0


async def test_an_organiser_role_from_the_settings_may_create(
    loopback: LoopbackDiscord, harness: BotHarness, settings: Settings
) -> None:
    lb = loopback
    role = lb.add_role(lb.guild.id, "Organisers")
    olivia = lb.add_user("olivia")
    lb.add_member(lb.guild.id, olivia, roles=[role.id])
    await harness.start(settings=settings.model_copy(update={"events": settings.events.model_copy(
        update={"organiser_role": "Organisers"})}))  # fmt: skip
    ix = await slash(lb, olivia.id, "create", title="Paper club", when="tomorrow 18:00")
    assert "Preview: Paper club" in ix.content_text()


async def test_bad_times_get_a_clear_ephemeral_answer(loopback: LoopbackDiscord, bot) -> None:
    lb = loopback
    cases = {
        "3/4 6pm": "could be 3 April or March 4",
        "2020-01-01 18:00": "is in the past",
        "whenever": "I could not read",
    }
    for when, expected in cases.items():
        ix = await slash(lb, lb.guild.owner_id, "create", title="x", when=when)
        assert ix.ephemeral and expected in ix.content_text(), ix.content_text()
    ix = await slash(lb, lb.guild.owner_id, "create", title="x", when="tomorrow 18:00", timezone="Mars/Base")
    assert "not an IANA time zone" in ix.content_text()


async def test_hostile_titles_do_not_ping_and_the_role_ping_is_the_only_one(
    loopback: LoopbackDiscord, harness: BotHarness
) -> None:
    lb = loopback
    role = lb.add_role(lb.guild.id, "Meetup pings", mentionable=True)
    clock = ManualClock(datetime.now(UTC).replace(microsecond=0))
    bot = await harness.start(clock=clock)
    title = f"@everyone <@&{lb.guild.id}> **free pizza** @here <@{lb.guild.owner_id}>"
    await create_and_confirm(lb, title=title, when="in 3 hours", reminders="2h", ping_role=role.id)
    clock.advance(timedelta(hours=1))
    await bot.scheduler.run_now(REMINDERS)
    [post] = [c for c in lb.calls_to("POST", r"/channels/\d+/messages") if "⏰" in (c.body.get("content") or "")]
    assert post.body["content"].startswith(f"<@&{role.id}> ⏰")
    allowed = post.body["allowed_mentions"]
    assert allowed["parse"] == [] and [int(r) for r in allowed["roles"]] == [role.id] and not allowed.get("users")
    message = lb.channel_messages(lb.guild.channel("events").id)[-1]
    assert message.mention_roles == [role.id] and not message.mention_everyone


async def test_moving_an_event_updates_everything_and_tells_those_going(
    loopback: LoopbackDiscord, harness: BotHarness
) -> None:
    lb = loopback
    clock = ManualClock(datetime.now(UTC).replace(microsecond=0))
    bot = await harness.start(clock=clock)
    event_id, announcement = await create_and_confirm(lb, when="in 3 hours", reminders="1h")
    alice = member(lb, "alice")
    await rsvp(lb, announcement.id, event_id, alice, "g")
    ix = await slash(lb, lb.guild.owner_id, "edit", event=str(event_id), when="in 5 hours", title="Data meetup v2")
    assert "Updated **Data meetup v2**: start, title" in ix.content_text()
    await lb.wait_until(lambda: lb.dm_messages(alice))
    assert "has moved from <t:" in lb.dm_messages(alice)[0].content
    edited = lb.message(announcement.id)
    assert edited.embeds[0]["title"] == "Data meetup v2"
    [native] = lb.world.guild(lb.guild.id).scheduled_events.values()
    assert native["name"] == "Data meetup v2"
    new_start = datetime.fromisoformat(native["scheduled_start_time"])
    assert new_start == (clock.now() + timedelta(hours=5)).replace(second=0)
    clock.advance(timedelta(hours=2, minutes=1))  # the old 1h reminder time: nothing may go out
    await bot.scheduler.run_now(REMINDERS)
    assert len(lb.channel_messages(lb.guild.channel("events").id)) == 1
    clock.advance(timedelta(hours=2))  # the new one
    await bot.scheduler.run_now(REMINDERS)
    assert len(lb.channel_messages(lb.guild.channel("events").id)) == 2


async def test_a_weekly_series_posts_its_next_date_when_one_ends(
    loopback: LoopbackDiscord, harness: BotHarness
) -> None:
    lb = loopback
    clock = ManualClock(datetime.now(UTC).replace(microsecond=0))
    await harness.start(clock=clock)
    event_id, first = await create_and_confirm(lb, when="in 2 hours", recurrence="weekly", duration="1h",
                                               timezone="America/New_York")  # fmt: skip
    await harness.stop()
    clock.advance(timedelta(hours=3, minutes=1))  # the first date is over while the bot is off
    bot = await harness.start(clock=clock)
    events = lb.guild.channel("events").id
    await lb.wait_until(lambda: len(lb.channel_messages(events)) == 2)
    assert lb.message(first.id).components == [] and "has ended" in lb.message(first.id).embeds[0]["footer"]["text"]
    second = lb.channel_messages(events)[-1]
    assert f"ev:rsvp:{event_id}:2:g" in buttons(second)
    store = events_of(bot).store
    new_york = ZoneInfo("America/New_York")
    before, after = [(await store.occurrence_by_seq(event_id, n)).start.astimezone(new_york) for n in (1, 2)]
    assert after.date() - before.date() == timedelta(days=7) and after.time() == before.time()
    await lb.wait_until(lambda: len(lb.world.guild(lb.guild.id).scheduled_events) == 2)


async def test_a_500_on_the_reminder_post_is_retried_and_it_goes_out_once(
    loopback: LoopbackDiscord, harness: BotHarness
) -> None:
    lb = loopback
    clock = ManualClock(datetime.now(UTC).replace(microsecond=0))
    bot = await harness.start(clock=clock)
    await create_and_confirm(lb, when="in 3 hours", reminders="1h")
    events = lb.guild.channel("events")
    lb.inject("POST", rf"/channels/{events.id}/messages", 500, times=1)
    clock.advance(timedelta(hours=2))
    await bot.scheduler.run_now(REMINDERS)
    posts = [c.status for c in lb.calls_to("POST", rf"/channels/{events.id}/messages")]
    assert posts == [200, 500, 200]  # the announcement, then the reminder: refused once, accepted once
    assert len(lb.channel_messages(events.id)) == 2


async def test_list_info_rsvps_and_autocomplete(loopback: LoopbackDiscord, bot) -> None:
    lb = loopback
    event_id, announcement = await create_and_confirm(lb, title="Kaggle night", when="in 3 hours")
    await create_and_confirm(lb, title="Paper club", when="in 5 hours")
    alice = member(lb, "alice")
    await rsvp(lb, announcement.id, event_id, alice, "g")
    listing = await slash(lb, alice, "list")
    text = listing.content_text()
    assert text.index("Kaggle night") < text.index("Paper club") and "✅ 1" in text
    info = await slash(lb, alice, "info", event="Kaggle night")
    assert "Kaggle night" in info.content_text() and "reminder" in info.content_text()
    who = await slash(lb, alice, "rsvps", event=str(event_id))
    assert f"<@{alice}>" in who.content_text() and "Going (1)" in who.content_text()
    guild, general = lb.guild, lb.guild.channel("general")
    ix = await lb.autocomplete(guild.id, general.id, alice, "event", {"event": "kag"}, "event", subcommand="info")
    await ix.wait_response()
    assert [c["value"] for c in ix.choices] == [str(event_id)]
    ix = await lb.autocomplete(guild.id, general.id, alice, "event", {"title": "x", "when": "y", "timezone": "berl"},
                               "timezone", subcommand="create")  # fmt: skip
    await ix.wait_response()
    assert "Europe/Berlin" in [c["value"] for c in ix.choices] and len(ix.choices) <= 25


async def test_reminders_off_stops_the_dm_but_not_the_channel_post(
    loopback: LoopbackDiscord, harness: BotHarness
) -> None:
    lb = loopback
    clock = ManualClock(datetime.now(UTC).replace(microsecond=0))
    bot = await harness.start(clock=clock)
    event_id, announcement = await create_and_confirm(lb, when="in 3 hours", reminders="1h")
    alice, bob = member(lb, "alice"), member(lb, "bob")
    for user in (alice, bob):
        await rsvp(lb, announcement.id, event_id, user, "g")
    off = await slash(lb, alice, "off", group="reminders")
    assert off.ephemeral and "Reminder DMs are **off**" in off.content_text()
    clock.advance(timedelta(hours=2))
    await bot.scheduler.run_now(REMINDERS)
    assert len(lb.channel_messages(lb.guild.channel("events").id)) == 2
    assert lb.dm_messages(alice) == [] and len(lb.dm_messages(bob)) == 1
    on = await slash(lb, alice, "on", group="reminders")
    assert "Reminder DMs are **on**" in on.content_text()


async def test_a_crash_between_discords_answer_and_our_write_does_not_double_the_reminder(
    loopback: LoopbackDiscord, harness: BotHarness
) -> None:
    lb = loopback
    clock = ManualClock(datetime.now(UTC).replace(microsecond=0))
    bot = await harness.start(clock=clock)
    event_id, announcement = await create_and_confirm(lb, when="in 3 hours", reminders="1h")
    alice = member(lb, "alice")
    await rsvp(lb, announcement.id, event_id, alice, "g")
    clock.advance(timedelta(hours=2))
    await bot.scheduler.run_now(REMINDERS)
    events = lb.guild.channel("events").id
    assert len(lb.channel_messages(events)) == 2 and len(lb.dm_messages(alice)) == 1
    await harness.stop()
    # What the file holds if the process died after Discord accepted both messages, before we wrote it down:
    db = await Database.open(harness.database)
    await db.execute("UPDATE event_deliveries SET state = 'pending', message_id = NULL")
    await db.execute("UPDATE event_reminders SET state = 'sending', finished_at = NULL")
    await db.close()
    bot = await harness.start(clock=clock)
    # The new process resumes the dead one's claim once its lease is over (at once on SQLite: one process).
    clock.advance(timedelta(seconds=CLAIM_LEASE_S))
    await bot.scheduler.run_now(REMINDERS)
    resent = [c for c in lb.calls_to("POST", r"/channels/\d+/messages") if "⏰" in (c.body.get("content") or "")]
    assert len(resent) == 4  # both messages were sent again, with the same nonces ...
    assert len(lb.channel_messages(events)) == 2 and len(lb.dm_messages(alice)) == 1  # ... and Discord kept one each
    states = await bot.db.fetch("SELECT state, message_id FROM event_deliveries")
    assert {(r["state"], r["message_id"] is not None) for r in states} == {("sent", True)}


async def test_confirm_works_after_a_restart_and_discard_drops_a_draft(
    loopback: LoopbackDiscord, harness: BotHarness
) -> None:
    lb = loopback
    await harness.start()
    owner = lb.guild.owner_id
    kept = await slash(lb, owner, "create", title="Kept", when="in 3 hours")
    dropped = await slash(lb, owner, "create", title="Dropped", when="in 4 hours")
    bot = await harness.restart()
    discard_id = next(cid for cid in buttons(dropped.original) if cid.startswith("ev:discard:"))
    click = await lb.click_button(dropped.original.id, discard_id, owner)
    await click.wait_response()
    assert "Discarded" in lb.message(dropped.original.id).content
    _, announcement = await create_and_confirm(lb, kept)
    assert announcement.embeds[0]["title"] == "Kept"
    states = await bot.db.fetch("SELECT title, state FROM events ORDER BY id")
    assert [(r["title"], r["state"]) for r in states] == [("Kept", "active")]


async def test_an_unusable_events_channel_is_named_before_anything_is_stored(loopback: LoopbackDiscord, bot) -> None:
    lb = loopback
    read_only = Perm.VIEW_CHANNEL | Perm.USE_APPLICATION_COMMANDS
    for role_id in (lb.guild.id, lb.guild.bot_role_id):  # @everyone and the bot's role: no Send Messages
        await lb.update_role(lb.guild.id, role_id, permissions=read_only)
    await lb.wait_until(lambda: not bot.get_guild(lb.guild.id).me.guild_permissions.send_messages)
    ix = await slash(lb, lb.guild.owner_id, "create", title="x", when="in 3 hours")
    text = ix.content_text()
    assert ix.ephemeral and "I cannot post in the events channel" in text and "Send Messages" in text
    assert await bot.db.fetchval("SELECT COUNT(*) FROM events") == 0
