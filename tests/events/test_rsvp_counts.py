"""CountSettler: overlapping renders of an announcement's counts are followed by one settling render."""

from __future__ import annotations

import asyncio

from cogs.events.rsvp_counts import CountSettler

KEY = (7, 1)
SETTLE_AFTER = 0.05  # the bot waits a second; the logic is the same


async def test_a_lone_click_needs_no_settling_edit() -> None:
    refreshed: list[tuple[int, int]] = []
    settler = CountSettler(lambda key: asyncio.sleep(0, refreshed.append(key)), SETTLE_AFTER)
    for _ in range(3):  # one after another, never overlapping
        settler.end(KEY, settler.begin(KEY))
    await asyncio.sleep(SETTLE_AFTER + 0.2)
    assert refreshed == []


async def test_overlapping_clicks_get_one_settling_edit_after_the_burst() -> None:
    refreshed: list[tuple[int, int]] = []
    settler = CountSettler(lambda key: asyncio.sleep(0, refreshed.append(key)), SETTLE_AFTER)
    tickets = [settler.begin(KEY) for _ in range(50)]  # fifty clicks in flight at once
    for ticket in reversed(tickets):  # their responses land in any order
        settler.end(KEY, ticket)
    other = settler.begin((8, 1))
    settler.end((8, 1), other)  # another event's lone click is not affected
    await asyncio.sleep(SETTLE_AFTER + 0.2)
    assert refreshed == [KEY]  # coalesced: one edit for the whole burst
    await asyncio.sleep(SETTLE_AFTER + 0.2)
    assert refreshed == [KEY]  # and the settling edit, alone, does not call for another
    await settler.close()


async def test_a_click_during_the_settling_edit_settles_again() -> None:
    refreshed: list[tuple[int, int]] = []
    started = asyncio.Event()
    release = asyncio.Event()

    async def slow_refresh(key: tuple[int, int]) -> None:
        started.set()
        await release.wait()  # the settling edit is on its way to Discord
        refreshed.append(key)

    settler = CountSettler(slow_refresh, SETTLE_AFTER)
    a, b = settler.begin(KEY), settler.begin(KEY)
    settler.end(KEY, a)
    settler.end(KEY, b)
    await asyncio.wait_for(started.wait(), SETTLE_AFTER + 1)
    late = settler.begin(KEY)  # read newer counts than the settling edit shows; may land before it
    settler.end(KEY, late)
    release.set()
    await asyncio.sleep(SETTLE_AFTER + 0.3)
    assert refreshed == [KEY, KEY]
    await settler.close()


async def test_a_failing_settling_edit_is_logged_and_forgotten(caplog) -> None:
    async def failing(key: tuple[int, int]) -> None:
        raise RuntimeError("discord is down")

    settler = CountSettler(failing, SETTLE_AFTER)
    a, b = settler.begin(KEY), settler.begin(KEY)
    settler.end(KEY, b)
    settler.end(KEY, a)
    await asyncio.sleep(SETTLE_AFTER + 0.2)
    assert "Could not settle the RSVP counts of event 7, occurrence 1" in caplog.text
    await settler.close()


async def test_busy_while_a_render_is_in_flight_or_an_edit_is_scheduled() -> None:
    refreshed: list[tuple[int, int]] = []
    settler = CountSettler(lambda key: asyncio.sleep(0, refreshed.append(key)), SETTLE_AFTER)
    assert not settler.busy(KEY)
    ticket = settler.begin(KEY)
    assert settler.busy(KEY) and not settler.busy((8, 1))
    settler.end(KEY, ticket)
    assert not settler.busy(KEY)  # a lone click leaves nothing behind
    settler.settle(KEY)  # a click during a burst asks for the edit
    assert settler.busy(KEY)
    await asyncio.sleep(SETTLE_AFTER + 0.2)
    assert refreshed == [KEY] and not settler.busy(KEY)
    await settler.close()
