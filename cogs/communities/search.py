"""Finding entries in a directory: by key, name or alias with typos forgiven, and by topic, region and platform."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping, Sequence

from cogs.communities.models import CommunityEntry, EntryLookup
from cogs.communities.vocabulary import normalise

MAX_NAME_CHOICES = 25


def filter_entries(
    entries: Iterable[CommunityEntry],
    *,
    topic: str | None = None,
    region: str | None = None,
    platform: str | None = None,
) -> list[CommunityEntry]:
    """Entries with the topic, serving the region (worldwide ones only for 'global'), on the platform; by name."""
    kept = [
        e
        for e in entries
        if (topic is None or topic in e.topics)
        and (region is None or region in e.regions)
        and (platform is None or platform in e.platforms)
    ]
    return sorted(kept, key=lambda e: (e.name.casefold(), e.key))


def counts_without_each(entries: Sequence[CommunityEntry], filters: Mapping[str, str | None]) -> dict[str, int]:
    """For an empty result of several filters: how many entries each filter left out alone would give."""
    used = [name for name, value in filters.items() if value]
    if len(used) < 2:
        return {}
    counts = {}
    for dropped in used:
        rest = {name: (None if name == dropped else value) for name, value in filters.items()}
        counts[dropped] = len(filter_entries(entries, **rest))
    return counts


def _spellings(entry: CommunityEntry) -> list[str]:
    return [normalise(entry.name), normalise(entry.key), *(normalise(alias) for alias in entry.aliases)]


def named(entries: Iterable[CommunityEntry], text: str) -> CommunityEntry | None:
    """The entry with exactly this key, name or alias (case, spaces and dashes ignored)."""
    wanted = normalise(text)
    return next((e for e in entries if e.key == text.strip() or wanted in _spellings(e)), None) if wanted else None


def find_entry(entries: Sequence[CommunityEntry], text: str) -> EntryLookup:
    """By key, name or alias (case, spaces and dashes ignored), then a unique name prefix; else 3 close names."""
    wanted = normalise(text)
    if not wanted:
        return EntryLookup(None)
    exact = named(entries, text)
    if exact is not None:
        return EntryLookup(exact)
    starting = [e for e in entries if normalise(e.name).startswith(wanted)]
    if len(starting) == 1:
        return EntryLookup(starting[0])
    inside = [e for e in entries if wanted in normalise(e.name)]
    by_spelling: dict[str, CommunityEntry] = {}
    for entry in entries:
        for spelling in _spellings(entry):
            by_spelling.setdefault(spelling, entry)
    close = difflib.get_close_matches(wanted, list(by_spelling), n=5, cutoff=0.6)
    suggestions = list(dict.fromkeys([*starting, *inside, *(by_spelling[c] for c in close)]))
    return EntryLookup(None, tuple(suggestions[:3]))


def names_matching(entries: Iterable[CommunityEntry], current: str) -> list[str]:
    """Names for autocomplete: those starting with what is typed first, then those containing it (or an alias)."""
    wanted = normalise(current)
    ordered = sorted(entries, key=lambda e: (not normalise(e.name).startswith(wanted), e.name.casefold()))
    hits = [e for e in ordered if not wanted or wanted in normalise(" ".join((e.name, *e.aliases)))]
    return [e.name[:100] for e in hits[:MAX_NAME_CHOICES]]
