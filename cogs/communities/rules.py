"""Pure decisions of the directory: ranking, reading what members type, the profile's defaults, new entries.

The ranking (documented in docs/communities.md): each thing the person asked for (their role, each interest,
their region, their level) is matched fully, partly or not at all by an entry, and scores
`WEIGHTS[criterion] * strength` points (models.py). Every weight is positive, so an entry that matches at least
as much of every criterion as another, and more of one, always scores more and ranks above it. Equal scores are
ordered by name (case-insensitive), then key: the same input always gives the same list.
"""

from __future__ import annotations

import functools
import heapq
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from datetime import date
from typing import TYPE_CHECKING, Any

from bot import i18n
from bot.i18n import N_, _
from cogs.communities.models import (
    WEIGHTS,
    CommunityEntry,
    Criterion,
    CriterionMatch,
    EntryError,
    InterestParse,
    MatchStrength,
    Preferences,
    Recommendation,
    build_entry,
)
from cogs.communities.ranking import INDEX_FROM, RankingIndex, index_for
from cogs.communities.vocabulary import (
    LEVELS,
    REGIONS,
    ROLES,
    TOPICS,
    Term,
    Vocabulary,
    comma_list,
    normalise,
    quoted,
)

if TYPE_CHECKING:
    from cogs.onboarding.api import MemberProfile

MAX_INTERESTS = 10
MAX_TERM_LENGTH = 40


def keyword_pattern(word: str) -> re.Pattern[str]:
    return re.compile(rf"(?<!\w){re.escape(word)}(?!\w)")


# Module-level names for the enum members: read for every item of every entry explained.
_ROLE, _TOPIC, _KEYWORD, _REGION = Criterion.ROLE, Criterion.TOPIC, Criterion.KEYWORD, Criterion.REGION
_FULL, _PARTIAL = MatchStrength.FULL, MatchStrength.PARTIAL


def entry_matches(
    entry: CommunityEntry, asked: Sequence[tuple[Criterion, str]], patterns: dict[str, re.Pattern[str]]
) -> tuple[CriterionMatch, ...]:
    """What the entry meets of each asked item, and how well, in the order asked (items it does not meet left out)."""
    found = []
    for criterion, value in asked:
        if criterion is _ROLE:
            strength = _FULL if value in entry.roles else None
        elif criterion is _TOPIC:
            strength = _FULL if value in entry.topics else None
        elif criterion is _KEYWORD:
            strength = _PARTIAL if patterns[value].search(entry.search_text) else None
        elif criterion is _REGION:
            strength = _FULL if value in entry.regions else _PARTIAL if "global" in entry.regions else None
        else:
            strength = _FULL if value in entry.levels else None
        if strength is not None:
            found.append(CriterionMatch(criterion, value, strength))
    return tuple(found)


def rank_key(score: int, entry: CommunityEntry) -> tuple[int, str, str]:
    """Higher score first; equal scores by name, then key (so ties never depend on input order)."""
    return (-score, entry.sort_name, entry.key)


def scorer(prefs: Preferences) -> Callable[[CommunityEntry], int]:
    """The score of an entry for these preferences: the same sum as the matches, computed with bit sets."""
    # This runs for every entry of the directory, so it works on precomputed masks; `entry_matches` says the
    # same thing item by item for the few entries that are shown (tests check the two agree).
    full, partial = int(MatchStrength.FULL), int(MatchStrength.PARTIAL)
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
    patterns = [(word, keyword_pattern(word)) for word in prefs.keywords]

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
    entries = entries if isinstance(entries, list | tuple) else list(entries)
    if len(entries) >= INDEX_FROM:
        # a large directory: the index finds the best `limit` (exactly these, ties included), in rank order among
        # equal scores; they are scored below
        index = index_for(entries)
        chosen = index.top(_addends(index, prefs), limit)
    else:
        score = scorer(prefs)
        scores = [score(entry) for entry in entries]
        # Only entries scoring at least the limit-th best score can be shown: build sort keys for those alone.
        threshold = max(min(heapq.nlargest(limit, scores), default=0), 1)
        candidates = [
            (rank_key(points, entry), entry)
            for points, entry in zip(scores, entries, strict=True)
            if points >= threshold
        ]
        chosen = [entry for _key, entry in heapq.nsmallest(limit, candidates, key=lambda item: item[0])]
    patterns = {word: keyword_pattern(word) for word in prefs.keywords}
    explained = []
    for entry in chosen:
        matches = entry_matches(entry, asked, patterns)
        explained.append((sum(WEIGHTS[m.criterion] * m.strength for m in matches), entry, matches))
    explained.sort(key=lambda item: -item[0])  # stable: equal scores stay in rank order (name, then key)
    results = []
    for points, entry, matches in explained:
        reasons = reasons_for(entry, matches)
        results.append(Recommendation(entry, points, matches, reasons, why_line(entry, reasons)))
    return results


# A level matched, in words ("beginner-friendly" for the first).
_LEVEL_REASONS = {
    "new-to-data": N_("beginner-friendly"),
    "early-career": N_("for early career people"),
    "experienced": N_("for experienced people"),
}


def reasons_for(entry: CommunityEntry, matches: Sequence[CriterionMatch]) -> tuple[str, ...]:
    """The matched criteria in words (in the language of the message being written): 'serves data engineers',
    'data engineering, MLOps', 'Africa', ..."""
    reasons = []
    topics: list[str] = []
    words: list[str] = []
    later = []  # region and level come after topics and keywords
    for match in matches:
        criterion = match.criterion
        if criterion is _TOPIC:
            topics.append(match.value)
        elif criterion is _KEYWORD:
            words.append(match.value)
        elif criterion is _REGION and match.strength is _FULL and entry.location:
            later.append(entry.location)
        elif criterion is _ROLE:
            reasons.append(_phrase(i18n.current(), criterion, match.value, match.strength))
        else:
            later.append(_phrase(i18n.current(), criterion, match.value, match.strength))
    if topics:
        reasons.append(comma_list(TOPICS.label(topic) for topic in topics))
    if words:
        reasons.append(_("mentions {words}").format(words=comma_list(quoted(w) for w in words)))
    reasons += later
    return tuple(reasons)


@functools.lru_cache(maxsize=1024)
def _phrase(language: str, criterion: Criterion, value: str, strength: MatchStrength) -> str:
    """A role, region or level met, in words, in `language` (the current one: it is the key, so each language's
    phrases are kept apart; the vocabularies are fixed, so a few hundred in all)."""
    if criterion is _ROLE:
        term = ROLES.get(value)
        return _("serves {roles}").format(roles=_(term.plural) if term else value)
    if criterion is _REGION:
        return REGIONS.label(value) if strength is _FULL else _("worldwide, online")
    reason = _LEVEL_REASONS.get(value)
    return _(reason) if reason else LEVELS.label(value)


def why_line(entry: CommunityEntry, reasons: Sequence[str]) -> str:
    """One line: the reasons, then what it costs and its most notable resource."""
    extras = []
    first = entry.resources[0] if entry.resources else None
    if first is not None:
        free = first.free and entry.cost != "paid" and not first.name.casefold().startswith("free")
        extras.append(_("free {resource}").format(resource=first.name) if free else first.name)
    if entry.cost == "free" and not (first and first.free):
        extras.append(_("free to join"))
    elif entry.cost != "free":
        extras.append(_("paid") if entry.cost == "paid" else _("free, with paid extras"))
    return _("; ").join([*reasons, *extras])


_SPLIT = re.compile(r"[,;\n，；、]+")


def split_list(text: str | None) -> list[str]:
    """Comma-, semicolon- or line-separated items, trimmed, empty ones dropped."""
    return [part.strip() for part in _SPLIT.split(text or "") if part.strip()]


def parse_interests(text: str | None) -> InterestParse:
    """Comma-separated interests -> topic keys (exact, alias or typo-forgiving) and free keywords."""
    topics: list[str] = []
    keywords: list[str] = []
    notes: list[str] = []
    terms = split_list(text)
    if len(terms) > MAX_INTERESTS:
        notes.append(_("only the first {count} interests were used").format(count=i18n.number(MAX_INTERESTS)))
        terms = terms[:MAX_INTERESTS]
    for raw in terms:
        term = raw[:MAX_TERM_LENGTH]
        topic = TOPICS.resolve(term)
        if topic is None:
            topic = TOPICS.resolve_fuzzy(term) or _topic_by_description(term)
            if topic is not None:
                notes.append(_("read {typed} as {topic}").format(typed=quoted(term), topic=topic.shown))
        if topic is not None:
            if topic.key not in topics:
                topics.append(topic.key)
            continue
        word = normalise(term)[:MAX_TERM_LENGTH]  # casefold can lengthen text ("ß" -> "ss"), so clip again
        if len(word) < 2:
            notes.append(_("ignored {typed}: too short").format(typed=quoted(term)))
        elif word not in keywords:
            keywords.append(word)
    return InterestParse(tuple(topics), tuple(keywords), tuple(notes))


def _topic_by_description(term: str) -> Term | None:
    """The one topic whose description mentions the term as a word (None when none or several do)."""
    pattern = keyword_pattern(normalise(term))
    found = [t for t in TOPICS if pattern.search(t.description.casefold())]
    return found[0] if len(found) == 1 else None


def keywords_found(entries: Sequence[CommunityEntry], keywords: Sequence[str]) -> set[str]:
    """Which keywords at least one entry mentions (the rest are reported to the person as ignored)."""
    if len(entries) >= INDEX_FROM:
        index = index_for(entries)
        return {word for word in keywords if index.mentioning(word, _mentions(word))}
    patterns = {word: keyword_pattern(word) for word in keywords}
    found: set[str] = set()
    for entry in entries:
        found.update(word for word, pattern in patterns.items() if pattern.search(entry.search_text))
        if len(found) == len(patterns):
            break
    return found


def _mentions(word: str) -> Callable[[str], bool]:
    pattern = keyword_pattern(word)
    # A plain substring test first: most entries do not contain the word at all, and `in` is far cheaper.
    return lambda text: word in text and pattern.search(text) is not None


def _addends(index: RankingIndex, prefs: Preferences) -> list[tuple[int, int]]:
    """The preferences as (entries, points) for `RankingIndex.top`: the same points `scorer` gives one entry."""
    full, partial = int(MatchStrength.FULL), int(MatchStrength.PARTIAL)
    addends: list[tuple[int, int]] = []
    if prefs.role:
        addends += [(members, WEIGHTS[Criterion.ROLE] * full) for members in index.having(0, ROLES.bit(prefs.role))]
    addends += [(members, WEIGHTS[Criterion.TOPIC] * full) for members in index.having(1, TOPICS.mask(prefs.interests))]
    if prefs.region:
        region = sum(index.having(2, REGIONS.bit(prefs.region)))
        everywhere = sum(index.having(2, REGIONS.bit("global")))
        points = WEIGHTS[Criterion.REGION]
        addends += [(region, points * full), (everywhere & ~region, points * partial)]
    if prefs.level:
        addends += [(members, WEIGHTS[Criterion.LEVEL] * full) for members in index.having(3, LEVELS.bit(prefs.level))]
    addends += [
        (index.mentioning(word, _mentions(word)), WEIGHTS[Criterion.KEYWORD] * partial) for word in prefs.keywords
    ]
    return addends


# An unknown word, per vocabulary (one sentence each: "region" is feminine in French).
_UNKNOWN_TERM = {
    "role": N_("{typed} is not a role I know; pick one of: {known}"),
    "topic": N_("{typed} is not a topic I know; pick one of: {known}"),
    "region": N_("{typed} is not a region I know; pick one of: {known}"),
    "level": N_("{typed} is not a level I know; pick one of: {known}"),
}


def resolve_term(vocabulary: Vocabulary, text: str | None) -> str | None:
    """A vocabulary key from typed text (key, label, alias, near miss, in any language the bot speaks); None if
    empty; LookupError naming the labels."""
    if text is None or not text.strip():
        return None
    term = vocabulary.resolve_fuzzy(text)
    if term is None:
        known = comma_list(t.shown for t in vocabulary)
        typed = quoted(text.strip()[:MAX_TERM_LENGTH])
        sentence = _UNKNOWN_TERM.get(vocabulary.name)
        if sentence is None:  # not one members type in a command
            raise LookupError(f"{typed} is not a {vocabulary.name} I know; pick one of: {known}")
        raise LookupError(_(sentence).format(typed=typed, known=known))
    return term.key


def preferences_from_options(
    *, role: str | None, interests: str | None, region: str | None, level: str | None
) -> tuple[Preferences, tuple[str, ...]]:
    """Slash-command options as Preferences plus notes on how free text was read (LookupError on unknown)."""
    return _options_read(role, interests, region, level, i18n.current())


# Members type the same few options again and again (30 µs each to read through the vocabularies); the notes are
# in the language of the answer, so it is part of the key. A LookupError is not remembered (lru_cache keeps none).
@functools.lru_cache(maxsize=4096)
def _options_read(
    role: str | None, interests: str | None, region: str | None, level: str | None, language: str
) -> tuple[Preferences, tuple[str, ...]]:
    parsed = parse_interests(interests)
    prefs = Preferences(
        role=resolve_term(ROLES, role),
        interests=parsed.topics,
        region=resolve_term(REGIONS, region),
        level=resolve_term(LEVELS, level),
        keywords=parsed.keywords,
    )
    return prefs, parsed.notes


# --- the onboarding profile -------------------------------------------------------------------------------------


def _known(vocabulary: Vocabulary, value: str | None) -> str | None:
    return value if value is not None and value in vocabulary else None


@functools.lru_cache(maxsize=4096)  # a profile is immutable and shared by its members' answers (onboarding's cache)
def profile_preferences(profile: MemberProfile) -> Preferences:
    """A member's onboarding answers as what to recommend from; values that are not vocabulary keys are ignored."""
    return Preferences(
        role=_known(ROLES, profile.role),
        interests=tuple(dict.fromkeys(topic for topic in profile.interests if topic in TOPICS)),
        region=_known(REGIONS, profile.region),
        level=_known(LEVELS, profile.level),
    )


def fill_from_profile(prefs: Preferences, profile: MemberProfile | None) -> tuple[Preferences, tuple[str, ...]]:
    """Options the member left out, taken from the profile; also returns which ones were filled in."""
    if profile is None:
        return prefs, ()
    known = profile_preferences(profile)
    filled: list[str] = []
    if prefs.role is None and known.role:
        prefs = replace(prefs, role=known.role)
        filled.append("role")
    if not prefs.interests and not prefs.keywords and known.interests:
        prefs = replace(prefs, interests=known.interests)
        filled.append("interests")
    if prefs.region is None and known.region:
        prefs = replace(prefs, region=known.region)
        filled.append("region")
    if prefs.level is None and known.level:
        prefs = replace(prefs, level=known.level)
        filled.append("level")
    return prefs, tuple(filled)


# --- a server's own entries from /communities add and suggest ---------------------------------------------------

# Which slash option a model field came from, for error messages the member can act on.
_OPTION_FOR_FIELD = {
    "name": "name",
    "website": "website",
    "join.url": "join_url",
    "join.platform": "platform",
    "join.access": "access",
    "join": "join_url",
    "description": "description",
    "topics": "topics",
    "roles": "roles",
    "regions": "region",
    "languages": "language",
    "levels": "beginner_friendly",
    "cost": "cost",
}


def entry_from_options(
    *,
    name: str,
    join_url: str,
    platform: str,
    description: str,
    topics: str,
    roles: str | None,
    region: str | None,
    beginner_friendly: bool,
    access: str,
    cost: str,
    website: str | None,
    language: str | None,
    today: date,
) -> CommunityEntry:
    """A server's own entry from the add/suggest options; EntryError names the options at fault."""
    data: dict[str, Any] = {
        "key": "pending",  # the store gives it a key from the name
        "name": name,
        "website": website or join_url,
        "join": {"platform": platform, "url": join_url, "access": access},
        "description": description,
        "topics": split_list(topics),
        "roles": split_list(roles) or list(ROLES.keys),
        "regions": split_list(region) or ["global"],
        "languages": [language.strip().lower()] if language else ["en"],
        "levels": list(LEVELS.keys) if beginner_friendly else ["early-career", "experienced"],
        "cost": cost,
        "last_checked": today,
    }
    try:
        return build_entry(data)
    except EntryError as error:
        problems = [(option_for(field), problem) for field, problem in error.problems]
        raise EntryError(problems) from None


def option_for(field: str) -> str:
    """'topics[2]' -> 'topics', 'join.url' -> 'join_url'."""
    base = re.sub(r"\[\d+\]", "", field)
    return _OPTION_FOR_FIELD.get(base, _OPTION_FOR_FIELD.get(base.split(".")[0], base))


# --- autocomplete over the vocabulary: (what is shown, what is sent) ----------------------------------------------

MAX_CHOICES = 25
CHOICE_TEXT = 100


def term_completions(vocabulary: Vocabulary, current: str) -> list[tuple[str, str]]:
    """Terms matching what is typed so far, shown by label, sent as key."""
    return [(t.shown, t.key) for t in vocabulary.search(current, MAX_CHOICES)]


def list_completions(vocabulary: Vocabulary, current: str) -> list[tuple[str, str]]:
    """Completion of the last item of a comma-separated list, keeping what was typed before it."""
    *done, last = current.split(",") if current else [""]
    kept = [part.strip() for part in done if part.strip()]
    chosen = {term.key for part in kept if (term := vocabulary.resolve(part))}
    prefix = ", ".join(kept)
    choices = []
    for term in vocabulary.search(last.strip(), len(vocabulary)):
        if term.key in chosen:
            continue
        shown = f"{prefix}, {term.shown}" if prefix else term.shown
        value = f"{prefix}, {term.key}" if prefix else term.key
        if len(shown) <= CHOICE_TEXT and len(value) <= CHOICE_TEXT:
            choices.append((shown, value))
        if len(choices) == MAX_CHOICES:
            break
    if not choices and current.strip():
        # Free text the vocabulary does not know: offer it back as typed, so it can still be sent.
        choices.append((current.strip()[:CHOICE_TEXT], current.strip()[:CHOICE_TEXT]))
    return choices
