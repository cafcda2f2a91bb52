"""bot/heap.py: a slow full collection with many survivors freezes them; few survivors are left to the collector."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest

from bot.heap import HeapSettler


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
