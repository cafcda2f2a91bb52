"""What the busiest interaction costs in database round trips (issue 17), counted on the real database.

An RSVP click used to make 8 round trips for Going (the event, the occurrence, the previous answer and the upsert
in a transaction with its COMMIT, the counts, the member's closed DMs and DM preference) and 6 for Maybe or Can't
go. Now the event and occurrence come from the store's cache and the rest is one batch: 1 round trip. The bot's
edit of the announcement that follows (off the click's path, at most one a second per announcement) reads the counts
once more.
"""

from __future__ import annotations

from bot.database import Database
from cogs.events.models import Rsvp
from cogs.events.planner import EventPlanner
from loopback import LoopbackDiscord
from tests.events.round_trips import RoundTrips, counting
from tests.events.test_on_the_wire import create_and_confirm, member, rsvp, slash
from tests.events.test_planner import make

EDIT_READ = "SELECT status, COUNT(*) FROM event_rsvps"  # what the announcement's edit reads


def of_the_click(trips: RoundTrips) -> list[str]:
    """The click's round trips; the rest (counted in the same stretch, as the helper waits for it) are the edit's,
    which reads the counts once."""
    edit = [trip for trip in trips.log if trip.startswith(EDIT_READ)]
    assert len(edit) == 1, trips.log
    return [trip for trip in trips.log if not trip.startswith(EDIT_READ)]


async def test_an_rsvp_click_costs_one_round_trip(loopback: LoopbackDiscord, bot) -> None:
    lb = loopback
    event_id, announcement = await create_and_confirm(lb, reminders="1h")
    bob = member(lb, "bob")
    with counting(bot.db) as cold:  # the first click of this event reads it once
        await rsvp(lb, announcement.id, event_id, member(lb, "alice"), "g")
    assert len(of_the_click(cold)) == 2, cold.log
    for code, text in (("g", "I'll DM you a reminder (1 h before)"), ("m", "Marked as **maybe**")):
        with counting(bot.db) as trips:
            click = await rsvp(lb, announcement.id, event_id, bob, code)
        assert len(of_the_click(trips)) == 1, trips.log
        assert text in click.content_text()
    # The cache follows an edit at once: the next click shows the new title.
    await slash(lb, lb.guild.owner_id, "edit", event=str(event_id), title="Renamed meetup")
    with counting(bot.db) as trips:
        click = await rsvp(lb, announcement.id, event_id, bob, "g")
    assert len(of_the_click(trips)) == 2, trips.log
    assert "Renamed meetup" in click.content_text()
    assert lb.message(announcement.id).embeds[0]["title"] == "Renamed meetup"


async def test_a_going_click_reads_the_members_dm_state_in_the_same_round_trip(
    planner: EventPlanner, db: Database
) -> None:
    event, _, _ = await make(planner, reminders="1h")
    await planner.store.remember_dm_closed(8, planner.now())
    await planner.store.set_dm_reminders(event.guild_id, 9, False, planner.now())
    await planner.rsvp(event.id, 1, 1, Rsvp.MAYBE, 1)  # fills the cache
    found = {}
    for user in (7, 8, 9):
        with counting(db) as trips:
            found[user] = await planner.rsvp(event.id, 1, user, Rsvp.GOING, 10 + user, dm_reminders=True)
        assert trips.count == 1, trips.log
    assert [(r.dm_closed, r.dm_reminders) for r in found.values()] == [(False, True), (True, True), (False, False)]
    with counting(db) as trips:
        result = await planner.rsvp(event.id, 1, 7, Rsvp.GOING, 20, dm_reminders=False)  # the server sends none
    assert trips.count == 1 and result.dm_closed is None and result.previous is Rsvp.GOING
    counts = await planner.store.counts(result.occurrence.id)
    assert counts.going == 3 and counts.maybe == 1
