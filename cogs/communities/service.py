"""Ranking, filtering and lookup over directory entries: plain values in, plain values out, no Discord.

The ranking (documented in docs/communities.md): each thing the person asked for (their role, each interest,
their region, their level) is matched fully, partly or not at all by an entry, and scores
`WEIGHTS[criterion] * strength` points. Every weight is positive, so an entry that matches at least as much of
every criterion as another, and more of one, always scores more and ranks above it. Equal scores are ordered by
name (case-insensitive), then key: the same input always gives the same list.
"""

from __future__ import annotations

import difflib
import heapq
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from enum import IntEnum

from cogs.communities.models import CommunityEntry
from cogs.communities.vocabulary import LEVELS, REGIONS, ROLES, TOPICS, Term, Vocabulary, normalise

MAX_INTERESTS = 10
MAX_TERM_LENGTH = 40


class Strength(IntEnum):
    """How well an entry meets one thing the person asked for."""

    NONE = 0
    PARTIAL = 1  # a worldwide community for someone who asked for a region; a keyword found in the description
    FULL = 2


class Criterion(IntEnum):
    """What a person can ask for, in the order reasons are shown."""

    ROLE = 0
    TOPIC = 1
    KEYWORD = 2
    REGION = 3
    LEVEL = 4


# Points per criterion at full strength are WEIGHTS * 2, partial WEIGHTS * 1.
WEIGHTS: dict[Criterion, int] = {
    Criterion.ROLE: 3,
    Criterion.TOPIC: 2,
    Criterion.KEYWORD: 2,  # a keyword only ever matches partly: worth half a topic
    Criterion.REGION: 2,
    Criterion.LEVEL: 1,
}


@dataclass(frozen=True)
class Preferences:
    """What a person is looking for, as vocabulary keys (plus free keywords that are not topics)."""

    role: str | None = None
    interests: tuple[str, ...] = ()  # topic keys
    region: str | None = None
    level: str | None = None
    keywords: tuple[str, ...] = ()  # lower-case words that are not topics, matched against descriptions

    def is_empty(self) -> bool:
        return not (self.role or self.interests or self.region or self.level or self.keywords)

    def asked(self) -> list[tuple[Criterion, str]]:
        """Each separate thing asked for: the components of the score."""
        items: list[tuple[Criterion, str]] = []
        if self.role:
            items.append((Criterion.ROLE, self.role))
        items += [(Criterion.TOPIC, topic) for topic in self.interests]
        items += [(Criterion.KEYWORD, word) for word in self.keywords]
        if self.region:
            items.append((Criterion.REGION, self.region))
        if self.level:
            items.append((Criterion.LEVEL, self.level))
        return items


@dataclass(frozen=True)
class Match:
    """One thing asked for that an entry meets, and how well."""

    criterion: Criterion
    value: str
    strength: Strength

    @property
    def points(self) -> int:
        return WEIGHTS[self.criterion] * int(self.strength)


@dataclass(frozen=True)
class Recommendation:
    """An entry picked for a person, with its score and the reasons in words."""

    entry: CommunityEntry
    score: int
    matches: tuple[Match, ...]
    reasons: tuple[str, ...]
    why_text: str


def _keyword_pattern(word: str) -> re.Pattern[str]:
    return re.compile(rf"(?<!\w){re.escape(word)}(?!\w)")


def match_strengths(
    entry: CommunityEntry, asked: Sequence[tuple[Criterion, str]], patterns: dict[str, re.Pattern[str]]
) -> list[Strength]:
    """How well the entry meets each asked item, in the order asked."""
    strengths = []
    for criterion, value in asked:
        if criterion is Criterion.ROLE:
            strength = Strength.FULL if value in entry.roles else Strength.NONE
        elif criterion is Criterion.TOPIC:
            strength = Strength.FULL if value in entry.topics else Strength.NONE
        elif criterion is Criterion.KEYWORD:
            strength = Strength.PARTIAL if patterns[value].search(entry.search_text) else Strength.NONE
        elif criterion is Criterion.REGION:
            if value in entry.regions:
                strength = Strength.FULL
            elif "global" in entry.regions:
                strength = Strength.PARTIAL
            else:
                strength = Strength.NONE
        else:
            strength = Strength.FULL if value in entry.levels else Strength.NONE
        strengths.append(strength)
    return strengths


def rank_key(score: int, entry: CommunityEntry) -> tuple[int, str, str]:
    """Higher score first; equal scores by name, then key (so ties never depend on input order)."""
    return (-score, entry.sort_name, entry.key)


def scorer(prefs: Preferences) -> Callable[[CommunityEntry], int]:
    """The score of an entry for these preferences: the same sum as the matches, computed with bit sets.

    This runs for every entry of the directory, so it works on precomputed masks; `match_strengths` says
    the same thing item by item for the few entries that are shown (tests check the two agree).
    """
    full, partial = int(Strength.FULL), int(Strength.PARTIAL)
    role_bit = ROLES.bit(prefs.role) if prefs.role else 0
    topic_bits = TOPICS.mask(prefs.interests)
    region_bit = REGIONS.bit(prefs.region) if prefs.region else 0
    global_bit = REGIONS.bit("global")
    level_bit = LEVELS.bit(prefs.level) if prefs.level else 0
    role_points = WEIGHTS[Criterion.ROLE] * full
    topic_points = WEIGHTS[Criterion.TOPIC] * full
    region_full, region_partial = WEIGHTS[Criterion.REGION] * full, WEIGHTS[Criterion.REGION] * partial
    level_points = WEIGHTS[Criterion.LEVEL] * full
    keyword_points = WEIGHTS[Criterion.KEYWORD] * partial
    # A plain substring test first: most entries do not contain the word at all, and `in` is far cheaper.
    patterns = [(word, _keyword_pattern(word)) for word in prefs.keywords]

    def score(entry: CommunityEntry) -> int:
        roles, topics, regions, levels = entry.masks
        total = topic_points * (topics & topic_bits).bit_count()
        if roles & role_bit:
            total += role_points
        if region_bit:
            if regions & region_bit:
                total += region_full
            elif regions & global_bit:
                total += region_partial
        if levels & level_bit:
            total += level_points
        if patterns:
            text = entry.search_text
            total += keyword_points * sum(1 for word, pattern in patterns if word in text and pattern.search(text))
        return total

    return score


def recommend(entries: Iterable[CommunityEntry], prefs: Preferences, limit: int = 5) -> list[Recommendation]:
    """The best `limit` entries for these preferences; entries that meet nothing asked are never returned."""
    asked = prefs.asked()
    if not asked or limit <= 0:
        return []
    entries = list(entries)
    score = scorer(prefs)
    scores = [score(entry) for entry in entries]
    # Only entries scoring at least the limit-th best score can be shown: build sort keys for those alone.
    threshold = max(min(heapq.nlargest(limit, scores), default=0), 1)
    candidates = [
        (rank_key(points, entry), entry) for points, entry in zip(scores, entries, strict=True) if points >= threshold
    ]
    best = heapq.nsmallest(limit, candidates, key=lambda item: item[0])
    patterns = {word: _keyword_pattern(word) for word in prefs.keywords}
    results = []
    for key, entry in best:
        strengths = match_strengths(entry, asked, patterns)
        matches = tuple(
            Match(criterion, value, strength)
            for (criterion, value), strength in zip(asked, strengths, strict=True)
            if strength
        )
        reasons = reasons_for(entry, matches)
        results.append(Recommendation(entry, -key[0], matches, reasons, why_line(entry, reasons)))
    return results


def reasons_for(entry: CommunityEntry, matches: Sequence[Match]) -> tuple[str, ...]:
    """The matched criteria in words: 'serves data engineers', 'data engineering, MLOps', 'Africa', ..."""
    reasons = []
    for match in matches:
        if match.criterion is Criterion.ROLE:
            term = ROLES.get(match.value)
            reasons.append(f"serves {term.plural if term else match.value}")
    topics = [TOPICS.label(m.value) for m in matches if m.criterion is Criterion.TOPIC]
    if topics:
        reasons.append(", ".join(topics))
    words = [m.value for m in matches if m.criterion is Criterion.KEYWORD]
    if words:
        reasons.append("mentions " + ", ".join(f"“{w}”" for w in words))
    for match in matches:
        if match.criterion is Criterion.REGION:
            if match.strength is Strength.FULL:
                reasons.append(entry.location or REGIONS.label(match.value))
            else:
                reasons.append("worldwide, online")
        elif match.criterion is Criterion.LEVEL:
            level = LEVELS.label(match.value).lower()
            reasons.append("beginner-friendly" if match.value == "new-to-data" else f"for {level} people")
    return tuple(reasons)


def why_line(entry: CommunityEntry, reasons: Sequence[str]) -> str:
    """One line: the reasons, then what it costs and its most notable resource."""
    extras = []
    first = entry.resources[0] if entry.resources else None
    if first is not None:
        free = first.free and entry.cost != "paid" and not first.name.casefold().startswith("free")
        extras.append(f"free {first.name}" if free else first.name)
    if entry.cost == "free" and not (first and first.free):
        extras.append("free to join")
    elif entry.cost != "free":
        extras.append("paid" if entry.cost == "paid" else "free, with paid extras")
    return "; ".join([*reasons, *extras])


@dataclass(frozen=True)
class InterestParse:
    """What a person typed as interests, read as topic keys and leftover keywords, with notes to show them."""

    topics: tuple[str, ...]
    keywords: tuple[str, ...]
    notes: tuple[str, ...]


_SPLIT = re.compile(r"[,;\n]+")


def parse_interests(text: str | None) -> InterestParse:
    """Comma-separated interests -> topic keys (exact, alias or typo-forgiving) and free keywords."""
    topics: list[str] = []
    keywords: list[str] = []
    notes: list[str] = []
    terms = [t.strip() for t in _SPLIT.split(text or "") if t.strip()]
    if len(terms) > MAX_INTERESTS:
        notes.append(f"only the first {MAX_INTERESTS} interests were used")
        terms = terms[:MAX_INTERESTS]
    for raw in terms:
        term = raw[:MAX_TERM_LENGTH]
        topic = TOPICS.resolve(term)
        if topic is None:
            topic = TOPICS.resolve_fuzzy(term) or _topic_by_description(term)
            if topic is not None:
                notes.append(f"read “{term}” as {topic.label}")
        if topic is not None:
            if topic.key not in topics:
                topics.append(topic.key)
            continue
        word = normalise(term)[:MAX_TERM_LENGTH]  # casefold can lengthen text ("ß" -> "ss"), so clip again
        if len(word) < 2:
            notes.append(f"ignored “{term}”: too short")
        elif word not in keywords:
            keywords.append(word)
    return InterestParse(tuple(topics), tuple(keywords), tuple(notes))


def _topic_by_description(term: str) -> Term | None:
    """The one topic whose description mentions the term as a word (None when none or several do)."""
    pattern = _keyword_pattern(normalise(term))
    found = [t for t in TOPICS if pattern.search(t.description.casefold())]
    return found[0] if len(found) == 1 else None


def keywords_found(entries: Iterable[CommunityEntry], keywords: Sequence[str]) -> set[str]:
    """Which keywords at least one entry mentions (the rest are reported to the person as ignored)."""
    patterns = {word: _keyword_pattern(word) for word in keywords}
    found: set[str] = set()
    for entry in entries:
        found.update(word for word, pattern in patterns.items() if pattern.search(entry.search_text))
        if len(found) == len(patterns):
            break
    return found


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


@dataclass(frozen=True)
class Lookup:
    """The entry a name refers to, or the closest names when none matches."""

    entry: CommunityEntry | None
    suggestions: tuple[CommunityEntry, ...] = ()


def _spellings(entry: CommunityEntry) -> list[str]:
    return [normalise(entry.name), normalise(entry.key), *(normalise(alias) for alias in entry.aliases)]


def named(entries: Iterable[CommunityEntry], text: str) -> CommunityEntry | None:
    """The entry with exactly this key, name or alias (case, spaces and dashes ignored)."""
    wanted = normalise(text)
    return next((e for e in entries if e.key == text.strip() or wanted in _spellings(e)), None) if wanted else None


def find_entry(entries: Sequence[CommunityEntry], text: str) -> Lookup:
    """By key, name or alias (case, spaces and dashes ignored), then a unique name prefix; else 3 close names."""
    wanted = normalise(text)
    if not wanted:
        return Lookup(None)
    exact = named(entries, text)
    if exact is not None:
        return Lookup(exact)
    starting = [e for e in entries if normalise(e.name).startswith(wanted)]
    if len(starting) == 1:
        return Lookup(starting[0])
    inside = [e for e in entries if wanted in normalise(e.name)]
    by_spelling: dict[str, CommunityEntry] = {}
    for entry in entries:
        for spelling in _spellings(entry):
            by_spelling.setdefault(spelling, entry)
    close = difflib.get_close_matches(wanted, list(by_spelling), n=5, cutoff=0.6)
    suggestions = list(dict.fromkeys([*starting, *inside, *(by_spelling[c] for c in close)]))
    return Lookup(None, tuple(suggestions[:3]))


def resolve_term(vocabulary: Vocabulary, text: str | None) -> str | None:
    """A vocabulary key from what a person typed (key, label, alias or a near miss); None for empty text.

    Raises LookupError with the known labels when the text matches nothing.
    """
    if text is None or not text.strip():
        return None
    term = vocabulary.resolve_fuzzy(text)
    if term is None:
        known = ", ".join(t.label for t in vocabulary)
        raise LookupError(f"“{text.strip()[:MAX_TERM_LENGTH]}” is not a {vocabulary.name} I know; pick one of: {known}")
    return term.key


def preferences_from_options(
    *, role: str | None, interests: str | None, region: str | None, level: str | None
) -> tuple[Preferences, tuple[str, ...]]:
    """Slash-command options as Preferences plus notes on how free text was read (LookupError on unknown)."""
    parsed = parse_interests(interests)
    prefs = Preferences(
        role=resolve_term(ROLES, role),
        interests=parsed.topics,
        region=resolve_term(REGIONS, region),
        level=resolve_term(LEVELS, level),
        keywords=parsed.keywords,
    )
    return prefs, parsed.notes
