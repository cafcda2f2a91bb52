"""The event and occurrence rows an RSVP click needs, kept in memory; dropped whenever any process changes them."""

# A click reads its event and occurrence to check that the occurrence still takes answers and to render the
# announcement. Those rows change rarely (an edit, a cancel, a confirm, a series advancing), clicks come in bursts,
# so a click reads them from here. Every store write to `events` or `event_occurrences` publishes the event's id on
# the database's change notices (`TOPIC`); every process's cache drops that event (PostgreSQL NOTIFY between
# processes, at once within one). A read that raced an invalidation is not kept (`generation`), so a row read
# before a change never outlives the notice of that change.

from __future__ import annotations

from collections import OrderedDict

from bot.database import ALL
from cogs.events.models import Event, Occurrence

TOPIC = "events"  # change notices of the events feature; the key is an event id, or ALL
SIZE = 2048  # events kept (the least recently clicked go first)

Entry = tuple[Event, Occurrence]


class EventCache:
    """(event id, occurrence seq) -> the event and that occurrence, as last read."""

    def __init__(self, size: int = SIZE) -> None:
        self._size = size
        self._events: OrderedDict[int, dict[int, Entry]] = OrderedDict()
        self.generation = 0  # bumped by every invalidation: a fill begun before one is not kept

    def get(self, event_id: int, seq: int) -> Entry | None:
        occurrences = self._events.get(event_id)
        if occurrences is None:
            return None
        self._events.move_to_end(event_id)
        return occurrences.get(seq)

    def put(self, entry: Entry, generation: int) -> None:
        """Keep a row pair read while `generation` was current (dropped if something changed since)."""
        if generation != self.generation:
            return
        event, occurrence = entry
        self._events.setdefault(event.id, {})[occurrence.seq] = entry
        self._events.move_to_end(event.id)
        while len(self._events) > self._size:
            self._events.popitem(last=False)

    def invalidate(self, key: str) -> None:
        """A change notice: `key` is an event id, or ALL (anything may have changed, or notices were lost)."""
        self.generation += 1
        if key == ALL:
            self._events.clear()
        elif key.isdigit():
            self._events.pop(int(key), None)
        else:
            self._events.clear()  # a key this version does not know: be safe

    def __len__(self) -> int:
        return len(self._events)
