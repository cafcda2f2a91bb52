"""Calendar export: one VEVENT per event (with its RRULE for a series), times in the event's own zone."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from icalendar import Calendar
from icalendar import Event as CalendarEvent

from bot.discord_helpers import jump_url
from bot.i18n import _
from cogs.events.models import Event, EventState, Occurrence, OccurrenceState

PRODID = "-//community-bot//events//EN"


def _vevent(event: Event, occurrence: Occurrence, stamp: datetime) -> CalendarEvent:
    zone = event.zone
    item = CalendarEvent()
    item.add("uid", f"event-{event.id}@guild-{event.guild_id}.community-bot")
    item.add("dtstamp", stamp)
    item.add("sequence", event.revision)
    item.add("summary", event.title)
    item.add("dtstart", occurrence.start.astimezone(zone))
    item.add("dtend", occurrence.end.astimezone(zone))
    link = jump_url(event.guild_id, event.channel_id or 0, occurrence.message_id) if occurrence.message_id else ""
    description = event.description + ("\n\n" + _("RSVP on Discord: {link}").format(link=link) if link else "")
    if description.strip():
        item.add("description", description.strip())
    if event.location:
        item.add("location", event.location)
    if link:
        item.add("url", link)
    rule = event.series(occurrence.start).rrule() if event.recurring else None
    if rule is not None and event.state is EventState.ACTIVE:
        item.add("rrule", rule)
    cancelled = event.state is EventState.CANCELLED or occurrence.state is OccurrenceState.CANCELLED
    item.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    return item


def build_calendar(entries: Iterable[tuple[Event, list[Occurrence]]], name: str, now: datetime | None = None) -> bytes:
    """An .ics file of events, each given with its occurrences (oldest first)."""
    # A series is exported from its current occurrence on (earlier ones are over), with its rule.
    stamp = (now or datetime.now(UTC)).astimezone(UTC)
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    for event, occurrences in entries:
        if not occurrences:
            continue
        current = next((o for o in occurrences if o.state is OccurrenceState.UPCOMING), occurrences[-1])
        calendar.add_component(_vevent(event, current, stamp))
    calendar.add_missing_timezones()
    return bytes(calendar.to_ical())
