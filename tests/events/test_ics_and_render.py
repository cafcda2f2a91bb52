"""Calendar export parses back with the zone and the rule; what members see stays inert and within limits."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from dateutil.rrule import rrulestr
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from icalendar import Calendar

from cogs.events.ics import build_calendar
from cogs.events.models import Event, EventState, Occurrence, OccurrenceState, RsvpCounts
from cogs.events.planner import EventPlanner
from cogs.events.recurrence import Recurrence
from cogs.events.render import (
    announcement_embed,
    cancelled_dm_text,
    list_line,
    moved_dm_text,
    preview_embed,
    reminder_channel_text,
    reminder_dm_text,
)
from tests.events.test_planner import make

BERLIN = ZoneInfo("Europe/Berlin")


async def test_export_of_a_weekly_series_keeps_its_zone_and_rule(planner: EventPlanner) -> None:
    event, _, _ = await make(planner, "2025-03-20 18:00", recurrence="weekly", location="Impact Hub")
    data = build_calendar([(event, await planner.store.occurrences(event.id))], "Data Community events")
    calendar = Calendar.from_ical(data)
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/Berlin"]
    [vevent] = calendar.walk("VEVENT")
    assert str(vevent["SUMMARY"]) == "Data meetup" and str(vevent["LOCATION"]) == "Impact Hub"
    assert vevent["DTSTART"].params["TZID"] == "Europe/Berlin"
    assert vevent["RRULE"].to_ical() == b"FREQ=WEEKLY;BYDAY=TH"
    start = vevent.decoded("DTSTART")
    assert start == datetime(2025, 3, 20, 18, 0, tzinfo=BERLIN)
    # a calendar app expanding the rule keeps 18:00 local across the 30 March change
    rule = rrulestr(vevent["RRULE"].to_ical().decode() + ";COUNT=3", dtstart=start)
    assert [d.strftime("%d %H:%M %Z") for d in rule] == ["20 18:00 CET", "27 18:00 CET", "03 18:00 CEST"]
    assert "BEGIN:VCALENDAR" in data.decode() and data.decode().count("BEGIN:VEVENT") == 1


async def test_export_of_a_one_off_and_a_cancelled_event(planner: EventPlanner) -> None:
    one, _, _ = await make(planner)
    monthly, _, _ = await make(planner, "next friday 18:00", title="Monthly", recurrence="monthly")
    await planner.cancel(monthly)
    monthly = await planner.store.event(monthly.id)
    entries = [(e, await planner.store.occurrences(e.id)) for e in (one, monthly)]
    events = Calendar.from_ical(build_calendar(entries, "x")).walk("VEVENT")
    assert "RRULE" not in events[0] and str(events[0]["STATUS"]) == "CONFIRMED"
    assert str(events[1]["STATUS"]) == "CANCELLED" and "RRULE" not in events[1]
    assert len({str(e["UID"]) for e in events}) == 2


def _event(title: str, description: str, location: str, role: int | None = None) -> Event:
    return Event(
        id=12, guild_id=1, creator_id=2, title=title, description=description, location=location,
        tz="Europe/Berlin", local_time="18:00", duration_s=5400, recurrence=Recurrence.WEEKLY, monthly_nth=1,
        reminder_offsets=(86400, 3600), ping_role_id=role, channel_id=3, state=EventState.ACTIVE, revision=0,
        created_at=0,
    )  # fmt: skip


OCCURRENCE = Occurrence(1, 12, 1, 1741280400, 1741285800, OccurrenceState.UPCOMING, 99, None, "")
PIECES = [*"ab @*_`|~#\n", "@everyone", "@here", "<@42>", "<@&123>", "🎉", "x" * 500]
HOSTILE = st.lists(st.sampled_from(PIECES)).map("".join)


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(
    title=HOSTILE.map(lambda t: t[:100]),
    description=HOSTILE.map(lambda t: t[:1000]) | st.just("d" * 1000),
    location=HOSTILE.map(lambda t: t[:100]),
)
def test_whatever_organisers_type_stays_within_discords_limits(title: str, description: str, location: str) -> None:
    event = _event(title or "t", description, location, role=555)
    for occurrence_state in OccurrenceState:
        occurrence = Occurrence(1, 12, 1, 1741280400, 1741285800, occurrence_state, 99, None, "n" * 300)
        embed = announcement_embed(event, occurrence, RsvpCounts(10**6, 5, 0))
        assert len(embed) <= 6000 and len(embed.title) <= 256 and len(embed.fields) <= 25
        assert all(len(f.value) <= 1024 and len(f.name) <= 256 for f in embed.fields)
    preview = preview_embed(event, OCCURRENCE, ("note " * 300,), can_make_native=False)
    assert len(preview) <= 6000 and all(len(f.value) <= 1024 for f in preview.fields)
    for late in (False, True):
        channel_text = reminder_channel_text(event, OCCURRENCE, 1, late)
        assert len(channel_text) <= 2000 and channel_text.startswith("<@&555> ⏰")
        assert len(reminder_dm_text(event, OCCURRENCE, "Guild " * 50, late)) <= 2000
    assert len(cancelled_dm_text(event, OCCURRENCE, "G", "r" * 300)) <= 2000
    assert len(moved_dm_text(event, OCCURRENCE, "G", 1741000000)) <= 2000
    assert len(list_line(event, OCCURRENCE, RsvpCounts())) < 400


def test_the_announcement_shows_discord_timestamps_and_counts() -> None:
    embed = announcement_embed(_event("Meetup", "About", "https://meet.example"), OCCURRENCE, RsvpCounts(3, 1, 2))
    fields = {f.name: f.value for f in embed.fields}
    assert fields["When"] == "<t:1741280400:F> (<t:1741280400:R>) · 1 h 30 min"
    assert fields["Where"] == "https://meet.example"
    assert fields["RSVPs"] == "✅ 3 going · 🤔 1 maybe · ❌ 2 can't go"
    assert fields["Repeats"] == "Every week on Thursday at 18:00 (Europe/Berlin)"
    late = reminder_channel_text(_event("M", "", ""), OCCURRENCE, 1, late=True)
    assert "late because the bot was offline" in late
    assert "https://discord.com/channels/1/3/99" in late


def test_markdown_in_titles_is_escaped_in_reminders() -> None:
    text = reminder_dm_text(_event("**bold** `code`", "", ""), OCCURRENCE, "G", late=False)
    assert "\\*\\*bold\\*\\*" in text and "\\`code\\`" in text


def test_utc_start_for_reference() -> None:
    assert datetime.fromtimestamp(OCCURRENCE.starts_at, UTC) == datetime(2025, 3, 6, 17, 0, tzinfo=UTC)
