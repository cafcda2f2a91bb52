"""CountSettler: a click's edit of the announcement starts at once, then at most one per window, the last one
after the last click."""

from __future__ import annotations

import asyncio

import pytest

from cogs.events.rsvp_counts import CountSettler
from tests.harness import eventually

KEY = (7, 1)
SETTLE_AFTER = 0.05  # the bot waits a second; the logic is the same


class Edits:
    """A refresh that records when each edit began, and can be held on its way to Discord."""

    def __init__(self) -> None:
        self.started: list[tuple[tuple[int, int], float]] = []
        self.done: list[tuple[int, int]] = []
        self.release = asyncio.Event()
        self.release.set()
        self.begun = asyncio.Event()

    async def __call__(self, key: tuple[int, int]) -> None:
        self.started.append((key, asyncio.get_running_loop().time()))
        self.begun.set()
        await self.release.wait()
        self.done.append(key)

    @property
    def keys(self) -> list[tuple[int, int]]:
        return [key for key, _ in self.started]


async def test_a_lone_click_edits_at_once_and_only_once() -> None:
    edits = Edits()
    settler = CountSettler(edits, settle_after=10)  # a long window: the first edit must not wait for it
    settler.settle(KEY)
    await asyncio.wait_for(edits.begun.wait(), 1)
    await asyncio.sleep(0.05)
    assert edits.done == [KEY]
    await settler.close()  # the window's end (10 s away) brings no edit: nothing was clicked since


async def test_a_click_after_the_window_edits_at_once_again() -> None:
    edits = Edits()
    settler = CountSettler(edits, SETTLE_AFTER)
    settler.settle(KEY)
    await eventually(lambda: edits.done == [KEY])
    await asyncio.sleep(SETTLE_AFTER + 0.05)
    clicked = asyncio.get_running_loop().time()
    settler.settle(KEY)
    await eventually(lambda: edits.done == [KEY, KEY])
    assert edits.started[1][1] - clicked < SETTLE_AFTER  # it did not wait for a window
    await settler.close()


async def test_a_burst_gets_one_edit_at_once_and_one_when_the_window_ends() -> None:
    edits = Edits()
    settler = CountSettler(edits, SETTLE_AFTER)
    for _ in range(50):  # fifty clicks at once
        settler.settle(KEY)
        await asyncio.sleep(0)
    settler.settle((8, 1))  # another announcement is edited on its own, at once
    await eventually(lambda: len(edits.started) == 3)
    assert edits.keys == [KEY, (8, 1), KEY]  # coalesced: one more edit for the rest of the burst
    [first, last] = [at for key, at in edits.started if key == KEY]
    assert last - first >= SETTLE_AFTER * 0.99  # at the window's end, not before
    await asyncio.sleep(SETTLE_AFTER + 0.1)
    assert edits.keys == [KEY, (8, 1), KEY]  # and nothing after: no click came since it began
    await settler.close()


async def test_a_click_while_an_edit_is_in_flight_gets_one_more_edit() -> None:
    edits = Edits()
    edits.release.clear()
    settler = CountSettler(edits, SETTLE_AFTER)
    settler.settle(KEY)
    await asyncio.wait_for(edits.begun.wait(), 1)  # the edit read the counts and is on its way to Discord
    settler.settle(KEY)  # stored after that read: the edit on its way may not show it
    settler.settle(KEY)
    await asyncio.sleep(SETTLE_AFTER * 2)  # held past the window
    assert edits.keys == [KEY]  # never two edits of one announcement in flight
    released = asyncio.get_running_loop().time()
    edits.release.set()
    await eventually(lambda: edits.done == [KEY, KEY])
    assert edits.started[1][1] - released < SETTLE_AFTER  # the window was over already: it went at once
    await asyncio.sleep(SETTLE_AFTER + 0.1)
    assert edits.done == [KEY, KEY]
    await settler.close()


async def test_a_failing_edit_is_logged_and_forgotten(caplog: pytest.LogCaptureFixture) -> None:
    attempts: list[tuple[int, int]] = []

    async def failing(key: tuple[int, int]) -> None:
        attempts.append(key)
        raise RuntimeError("discord is down")

    settler = CountSettler(failing, SETTLE_AFTER)
    settler.settle(KEY)
    await eventually(lambda: "Could not settle the RSVP counts of event 7, occurrence 1" in caplog.text)
    await asyncio.sleep(SETTLE_AFTER + 0.1)
    assert attempts == [KEY]  # not retried on its own
    settler.settle(KEY)  # the next click edits again, at once
    await eventually(lambda: attempts == [KEY, KEY])
    await settler.close()


async def test_close_cancels_the_scheduled_and_the_running_edits() -> None:
    edits = Edits()
    settler = CountSettler(edits, settle_after=10)
    settler.settle(KEY)
    await eventually(lambda: edits.done == [KEY])
    settler.settle(KEY)  # an edit scheduled for the window's end
    edits.release.clear()
    edits.begun.clear()
    settler.settle((8, 1))  # and one on its way to Discord
    await asyncio.wait_for(edits.begun.wait(), 1)
    await settler.close()
    await asyncio.sleep(0.1)
    assert edits.keys == [KEY, (8, 1)] and edits.done == [KEY]
