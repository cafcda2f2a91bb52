"""The best few entries of a large directory without scoring every entry in Python.

`rules.recommend` scores with `rules.scorer`, one Python call per entry: about 2.5 µs, so 25 ms for 10,000
entries, the whole budget of a busy bot. Here the directory is turned once (per directory version) into one bit set
per vocabulary term, as a Python integer with bit i for the i-th entry in rank order (name, then key). A request's
score for every entry at once is then a sum of those bit sets times the criterion's points, kept as bit slices
(slice b holds bit b of every entry's score) and added with integer AND/XOR over 10,000 bits at a time. The top
`limit` are read off the slices from the highest bit down; among equal scores the lowest entry index wins, which
is the name-then-key order of `rules.rank_key`, so the result is exactly the plain ranking's.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator, Sequence
from typing import Generic, TypeVar

from cogs.communities.models import CommunityEntry

# Below this many entries scoring each one is as fast as building bit sets, and the plain path is used.
INDEX_FROM = 256
INDEXES_KEPT = 16
KEYWORDS_KEPT = 512
# Rendered answers remembered in all (distinct preferences, options and language): about 3 KB each, so 25 MB at most.
# Members rarely share every preference: of bench/interactions.py's asks (2,000 members, 40,000 asks), 4,096 kept
# found 47% answered from memory, 8,192 64%, any number 66%.
ANSWERS_KEPT = 8_192

V = TypeVar("V")


class RankingIndex:
    """Bit sets over one directory list (which must not change while indexed: the store hands out read-only lists)."""

    def __init__(self, entries: Sequence[CommunityEntry]) -> None:
        self.entries = sorted(entries, key=lambda entry: (entry.sort_name, entry.key))
        self.everyone = (1 << len(self.entries)) - 1
        # per term bit of each vocabulary (roles, topics, regions, levels): the entries having that term
        self.terms: tuple[dict[int, int], ...] = tuple(self._by_term(kind) for kind in range(4))
        self._keywords: OrderedDict[str, int] = OrderedDict()

    def _by_term(self, kind: int) -> dict[int, int]:
        members: dict[int, bytearray] = {}
        size = (len(self.entries) + 7) // 8
        for index, entry in enumerate(self.entries):
            mask = entry.masks[kind]
            while mask:
                low = mask & -mask
                mask ^= low
                bitmap = members.setdefault(low, bytearray(size))
                bitmap[index >> 3] |= 1 << (index & 7)
        return {term: int.from_bytes(bitmap, "little") for term, bitmap in members.items()}

    def having(self, kind: int, term_bits: int) -> Iterator[int]:
        """For each bit of `term_bits` (a vocabulary mask), the entries having that term."""
        while term_bits:
            low = term_bits & -term_bits
            term_bits ^= low
            yield self.terms[kind].get(low, 0)

    def mentioning(self, word: str, matches: Callable[[str], bool]) -> int:
        """The entries whose text mentions `word` (`matches` decides on one entry's text); remembered per word."""
        found = self._keywords.get(word)
        if found is None:
            found = sum(1 << index for index, entry in enumerate(self.entries) if matches(entry.search_text))
            self._keywords[word] = found
            while len(self._keywords) > KEYWORDS_KEPT:
                self._keywords.popitem(last=False)
        else:
            self._keywords.move_to_end(word)
        return found

    def top(self, addends: Sequence[tuple[int, int]], limit: int) -> list[CommunityEntry]:
        """The `limit` best entries with a score above zero, in index order (so in rank order among equal scores); a
        score is the sum of the points of the (entries, points) addends an entry is in."""
        slices: list[int] = []
        for members, points in addends:
            _add(slices, members, points)
        chosen, tied = 0, 0
        for piece in slices:
            tied |= piece  # scored above zero
        for piece in reversed(slices):
            higher = tied & piece
            count = chosen.bit_count() + higher.bit_count()
            if count > limit:
                tied = higher
            else:
                chosen |= higher
                tied = 0 if count == limit else tied & ~piece
            if not tied:
                break
        # entries still tied score the same: the lowest indices come first in rank order
        for _ in range(limit - chosen.bit_count()):
            if not tied:
                break
            low = tied & -tied
            tied ^= low
            chosen |= low
        return [self.entries[index] for index in _indices(chosen)]


def _add(slices: list[int], members: int, points: int) -> None:
    """slices += members * points, bit-sliced: a ripple-carry add of the set once per bit of `points`."""
    for shift in range(points.bit_length()):
        if not points >> shift & 1:
            continue
        carry, position = members, shift
        while carry:
            while position >= len(slices):
                slices.append(0)
            total = slices[position]
            slices[position] = total ^ carry
            carry &= total
            position += 1


def _indices(bits: int) -> Iterator[int]:
    while bits:
        low = bits & -bits
        bits ^= low
        yield low.bit_length() - 1


class PerDirectory(Generic[V]):
    """Values computed from one directory list, kept while the store hands out that same list.

    The store reuses one list per directory version and hands out a new one after a change, so a value kept for a
    list is never served for a changed directory; the list itself is held here, so its id cannot be reused by
    another list while cached. Used for the ranking index of a list (`index_for`) and for the rendered answers of
    /communities recommend: members' preferences come from a small vocabulary (roles x levels x regions x a few
    topics), so on a server many members ask the same question.

    At most `kept` values in all, over every list (servers with their own additions have lists of their own): past
    that, the least recently used list gives up its oldest value first.
    """

    def __init__(self, kept: int = ANSWERS_KEPT) -> None:
        self._kept = kept
        self._count = 0
        self._lists: OrderedDict[int, tuple[Sequence[CommunityEntry], OrderedDict[Hashable, V]]] = OrderedDict()

    def __len__(self) -> int:
        return self._count

    def get(self, entries: Sequence[CommunityEntry], key: Hashable) -> V | None:
        held = self._lists.get(id(entries))
        if held is None or held[0] is not entries:
            return None
        self._lists.move_to_end(id(entries))
        found = held[1].get(key)
        if found is not None:
            held[1].move_to_end(key)
        return found

    def put(self, entries: Sequence[CommunityEntry], key: Hashable, value: V) -> None:
        held = self._lists.get(id(entries))
        if held is None or held[0] is not entries:  # a new list: the directory changed (or another server's)
            held = self._lists[id(entries)] = (entries, OrderedDict())
            while len(self._lists) > INDEXES_KEPT:
                self._count -= len(self._lists.popitem(last=False)[1][1])
        else:
            self._lists.move_to_end(id(entries))
        values = held[1]
        self._count += key not in values
        values[key] = value
        values.move_to_end(key)
        while self._count > self._kept:
            list_id, (_, oldest) = next(iter(self._lists.items()))
            oldest.popitem(last=False)
            self._count -= 1
            if not oldest:
                del self._lists[list_id]


_INDEXES: PerDirectory[RankingIndex] = PerDirectory(kept=INDEXES_KEPT)  # one per list


def index_for(entries: Sequence[CommunityEntry]) -> RankingIndex:
    """The index of this directory list, built once while the list is in use."""
    index = _INDEXES.get(entries, None)
    if index is None:
        index = RankingIndex(entries)
        _INDEXES.put(entries, None, index)
    return index
