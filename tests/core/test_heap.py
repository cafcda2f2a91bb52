"""bot/heap.py: a slow full collection with many survivors freezes them; few survivors are left to the collector."""

from __future__ import annotations

import asyncio
import gc
import time
import weakref
from collections.abc import Iterator

import pytest

from bot.heap import BUSY_TASKS, HeapSettler
from tests.harness import eventually


class Node:
    """A tracked object that can be weakly referenced."""


@pytest.fixture
def settled() -> Iterator[list[HeapSettler]]:
    made: list[HeapSettler] = []
    yield made
    for settler in made:
        settler.uninstall()
    gc.unfreeze()


def in_gen2(obj: object) -> bool:
    return any(o is obj for o in gc.get_objects(generation=2))


def test_a_long_lived_structure_is_frozen_after_a_full_collection(settled: list[HeapSettler]) -> None:
    structure = [[Node()] for _ in range(100_000)]
    settler = HeapSettler(slow_s=0.0, freeze_from=100_000)
    settled.append(settler)
    settler.install()
    gc.collect()
    assert settler.freezes == 1
    assert gc.get_freeze_count() >= 200_000
    assert not in_gen2(structure[0]), "frozen objects are out of the collector's sight"
    gc.collect()  # what was made since is all a full collection walks now: not the structure again
    assert len(gc.get_objects(generation=2)) < len(structure)
    assert settler.freezes == 1


def test_few_survivors_are_left_to_the_collector(settled: list[HeapSettler]) -> None:
    settler = HeapSettler(slow_s=0.0, freeze_from=10**9)
    settled.append(settler)
    settler.install()
    structure = [[Node()] for _ in range(1_000)]
    gc.collect()
    assert settler.freezes == 0
    assert in_gen2(structure[0])


def test_a_frozen_object_dropped_is_still_freed(settled: list[HeapSettler]) -> None:
    structure = [[Node()] for _ in range(100_000)]
    probe = weakref.ref(structure[5][0])
    settler = HeapSettler(slow_s=0.0, freeze_from=100_000)
    settled.append(settler)
    settler.install()
    gc.collect()
    assert settler.freezes == 1 and probe() is not None
    del structure
    assert probe() is None, "reference counting frees a frozen object"


def test_uninstall_hands_the_frozen_objects_back(settled: list[HeapSettler]) -> None:
    structure = [[Node()] for _ in range(100_000)]
    settler = HeapSettler(slow_s=0.0, freeze_from=100_000)
    settler.install()
    gc.collect()
    assert gc.get_freeze_count() > 0
    settler.uninstall()
    assert gc.get_freeze_count() == 0
    assert settler._callback not in gc.callbacks
    del structure


async def test_the_survivors_of_a_backlog_are_left_to_the_collector(settled: list[HeapSettler]) -> None:
    settler = HeapSettler(slow_s=0.0, freeze_from=100_000)
    settled.append(settler)
    settler.install()
    watching = asyncio.create_task(settler.watch(every=0.02))
    answered = asyncio.Event()
    in_flight = [asyncio.create_task(answered.wait()) for _ in range(BUSY_TASKS + 100)]  # interactions queued up
    try:
        await eventually(lambda: settler.busy)
        structure = [[Node()] for _ in range(100_000)]
        gc.collect()
        assert settler.freezes == 0 and settler.skipped >= 1
        assert in_gen2(structure[0])
        answered.set()
        await asyncio.gather(*in_flight)
        await eventually(lambda: not settler.busy)
        gc.collect()  # the backlog is gone: what survives now is built to stay
        assert settler.freezes == 1
        assert not in_gen2(structure[0])
    finally:
        watching.cancel()


async def test_a_loop_running_its_timers_late_is_busy_until_it_catches_up(settled: list[HeapSettler]) -> None:
    settler = HeapSettler()
    watching = asyncio.create_task(settler.watch(every=0.02))
    try:
        await asyncio.sleep(0.05)
        assert not settler.busy
        time.sleep(0.3)  # noqa: ASYNC251 -- a callback that holds the loop: the watcher's timer fires 0.3 s late
        await eventually(lambda: settler.busy)
        await eventually(lambda: not settler.busy)
    finally:
        watching.cancel()
