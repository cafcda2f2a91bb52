"""Ranking properties: more of what was asked never ranks lower; ties are stable; same input, same answer."""

from __future__ import annotations

import random
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from cogs.communities.models import CommunityEntry, MatchStrength, Preferences
from cogs.communities.ranking import INDEX_FROM
from cogs.communities.rules import keywords_found, recommend
from cogs.communities.vocabulary import LEVEL_KEYS, REGION_KEYS, ROLE_KEYS, TOPIC_KEYS
from tests.communities.helpers import make_entry

WORDS = ["airflow", "kubernetes", "spark", "lagos", "berlin", "podcast"]


def _pick(keys: tuple[str, ...], mask: int) -> list[str]:
    """The keys whose bit is set in the mask, at least the first one (a field may not be empty)."""
    chosen = [key for bit, key in enumerate(keys) if mask >> bit & 1]
    return chosen or [keys[mask % len(keys)]]


@st.composite
def directories(draw) -> list[CommunityEntry]:
    # One integer per field keeps generation cheap; bits pick the vocabulary keys.
    count = draw(st.integers(min_value=0, max_value=25))
    entries = []
    for index in range(count):
        name, words, topics, roles, regions, levels = draw(
            st.tuples(
                st.sampled_from(["Alpha", "beta", "Gamma", "delta"]),
                st.integers(0, 2 ** len(WORDS) - 1),
                st.integers(0, 2 ** len(TOPIC_KEYS) - 1),
                st.integers(0, 2 ** len(ROLE_KEYS) - 1),
                st.integers(0, 2 ** len(REGION_KEYS) - 1),
                st.integers(0, 2 ** len(LEVEL_KEYS) - 1),
            )
        )
        mentioned = [word for bit, word in enumerate(WORDS) if words >> bit & 1]
        entries.append(
            make_entry(
                f"c{index:02d}",
                name=name,
                description=f"Community number {index} " + " ".join(mentioned),
                topics=_pick(TOPIC_KEYS, topics)[:10],
                roles=_pick(ROLE_KEYS, roles),
                regions=_pick(REGION_KEYS, regions),
                levels=_pick(LEVEL_KEYS, levels),
            )
        )
    return entries


preferences = st.builds(
    Preferences,
    role=st.none() | st.sampled_from(ROLE_KEYS),
    interests=st.lists(st.sampled_from(TOPIC_KEYS), max_size=3, unique=True).map(tuple),
    region=st.none() | st.sampled_from(REGION_KEYS),
    level=st.none() | st.sampled_from(LEVEL_KEYS),
    keywords=st.lists(st.sampled_from(WORDS), max_size=2, unique=True).map(tuple),
)


def asked_vector(entry: CommunityEntry, prefs: Preferences) -> list[int]:
    """The specification, written independently: how well the entry meets each thing asked (0, 1 or 2)."""
    vector = []
    if prefs.role:
        vector.append(2 if prefs.role in entry.roles else 0)
    vector += [2 if topic in entry.topics else 0 for topic in prefs.interests]
    text = entry.description.lower() + " " + entry.name.lower()
    vector += [1 if re.search(rf"\b{word}\b", text) else 0 for word in prefs.keywords]
    if prefs.region:
        vector.append(2 if prefs.region in entry.regions else 1 if "global" in entry.regions else 0)
    if prefs.level:
        vector.append(2 if prefs.level in entry.levels else 0)
    return vector


def dominates(a: list[int], b: list[int]) -> bool:
    return all(x >= y for x, y in zip(a, b, strict=True)) and a != b


@settings(max_examples=200, deadline=None)
@given(directories(), preferences)
def test_matching_more_of_what_was_asked_never_ranks_lower(entries: list[CommunityEntry], prefs: Preferences) -> None:
    ranked = [r.entry.key for r in recommend(entries, prefs, limit=len(entries))]
    vectors = {e.key: asked_vector(e, prefs) for e in entries}
    for a in entries:
        for b in entries:
            if dominates(vectors[a.key], vectors[b.key]):
                assert a.key in ranked
                if b.key in ranked:
                    assert ranked.index(a.key) < ranked.index(b.key), (vectors[a.key], vectors[b.key])


@settings(max_examples=100, deadline=None)
@given(directories(), preferences, st.randoms(use_true_random=False))
def test_order_of_the_directory_does_not_change_the_answer(entries, prefs, rnd: random.Random) -> None:
    shuffled = list(entries)
    rnd.shuffle(shuffled)
    first = [(r.entry.key, r.score, r.why_text) for r in recommend(entries, prefs, limit=5)]
    again = [(r.entry.key, r.score, r.why_text) for r in recommend(shuffled, prefs, limit=5)]
    assert first == again


@settings(max_examples=100, deadline=None)
@given(directories(), preferences, st.integers(min_value=1, max_value=8))
def test_results_are_the_best_prefix_sorted_by_score_then_name_then_key(entries, prefs, limit) -> None:
    everything = recommend(entries, prefs, limit=len(entries) + 1)
    top = recommend(entries, prefs, limit=limit)
    assert [r.entry.key for r in top] == [r.entry.key for r in everything][:limit]
    keys = [(-r.score, r.entry.name.casefold(), r.entry.key) for r in everything]
    assert keys == sorted(keys)
    # Nothing that matches nothing is recommended, and every matching entry is.
    matching = {e.key for e in entries if any(asked_vector(e, prefs))}
    assert {r.entry.key for r in everything} == matching
    for rec in everything:
        assert rec.score == sum(m.points for m in rec.matches) > 0
        assert rec.why_text and "\n" not in rec.why_text


def test_no_preferences_recommends_nothing() -> None:
    assert recommend([make_entry("a")], Preferences(), limit=5) == []


def test_why_line_reads_like_the_issue_example() -> None:
    entry = make_entry(
        "dtc",
        roles=["data-engineer"],
        regions=["africa"],
        levels=["new-to-data"],
        resources=[{"name": "Zoomcamp courses", "url": "https://github.com/DataTalksClub"}],
    )
    [rec] = recommend([entry], Preferences(role="data-engineer", region="africa", level="new-to-data"))
    assert rec.why_text == "serves data engineers; Africa; beginner-friendly; free Zoomcamp courses"
    assert rec.score == 3 * 2 + 2 * 2 + 1 * 2


def test_a_worldwide_community_partly_meets_a_region_and_ranks_below_a_local_one() -> None:
    local = make_entry("local", name="Zeta", regions=["africa"])
    worldwide = make_entry("worldwide", name="Alpha", regions=["global"])
    elsewhere = make_entry("elsewhere", regions=["europe"])
    ranked = recommend([worldwide, elsewhere, local], Preferences(region="africa"))
    assert [r.entry.key for r in ranked] == ["local", "worldwide"]
    assert ranked[1].matches[0].strength is MatchStrength.PARTIAL
    assert ranked[1].why_text.startswith("worldwide, online")


def test_keywords_match_descriptions_as_whole_words_only() -> None:
    entry = make_entry("k", description="We run Spark workshops in Lagos every month.")
    assert recommend([entry], Preferences(keywords=("spark",)))[0].reasons == ("mentions “spark”",)
    assert recommend([entry], Preferences(keywords=("spar",))) == []


def test_keywords_and_descriptions_are_normalised_alike() -> None:
    from cogs.communities.rules import parse_interests

    entry = make_entry("k", description="We maintain dbt-core and Great_Expectations plugins.")
    parsed = parse_interests("DBT-Core, great expectations")
    assert parsed.keywords == ("dbt core", "great expectations")
    assert len(recommend([entry], Preferences(keywords=parsed.keywords))[0].matches) == 2


def large_directory(rnd: random.Random) -> list[CommunityEntry]:
    """Past INDEX_FROM entries, so `recommend` takes the bit-set index (cogs/communities/ranking.py); few names, so
    many ties are broken by name and key."""
    entries = []
    for index in range(rnd.randint(INDEX_FROM, INDEX_FROM + 200)):
        entries.append(make_entry(
            f"c{index:03d}",
            name=rnd.choice(["Alpha", "beta", "Gamma", "delta"]),
            description=f"Community number {index} " + " ".join(rnd.sample(WORDS, rnd.randint(0, 2))),
            topics=rnd.sample(TOPIC_KEYS, rnd.randint(1, 4)),
            roles=rnd.sample(ROLE_KEYS, rnd.randint(1, 3)),
            regions=rnd.sample(REGION_KEYS, rnd.randint(1, 2)),
            levels=rnd.sample(LEVEL_KEYS, rnd.randint(1, 2)),
        ))
    return entries


@settings(max_examples=40, deadline=None)
@given(st.integers(min_value=0, max_value=2**32), preferences, st.integers(min_value=1, max_value=8))
def test_a_large_directory_is_ranked_by_its_index_exactly_as_specified(seed: int, prefs, limit) -> None:
    entries = large_directory(random.Random(seed))
    weights = ([3] if prefs.role else []) + [2] * len(prefs.interests) + [2] * len(prefs.keywords)
    weights += ([2] if prefs.region else []) + ([1] if prefs.level else [])

    def points(entry: CommunityEntry) -> int:
        return sum(w * s for w, s in zip(weights, asked_vector(entry, prefs), strict=True))

    matching = [e for e in entries if points(e) > 0]
    expected = sorted(matching, key=lambda e: (-points(e), e.name.casefold(), e.key))[:limit]
    found = recommend(entries, prefs, limit=limit)
    assert [(r.entry.key, r.score) for r in found] == [(e.key, points(e)) for e in expected]
    mentioned = {w for w in prefs.keywords if any(re.search(rf"\b{w}\b", e.description.lower()) for e in entries)}
    assert keywords_found(entries, prefs.keywords) == mentioned


def test_remembered_answers_are_bounded_over_every_list_and_the_least_recent_list_gives_up_first() -> None:
    from cogs.communities.ranking import PerDirectory

    first, second = [make_entry("a")], [make_entry("b")]
    kept: PerDirectory[str] = PerDirectory(kept=4)
    for n in range(3):
        kept.put(first, n, f"first {n}")
    kept.put(second, 0, "second 0")
    assert len(kept) == 4
    assert kept.get(first, 0) == "first 0"  # the first list is now the more recent, its value 0 the newest
    kept.put(second, 1, "second 1")
    kept.put(second, 2, "second 2")
    assert len(kept) == 4
    # the second list was put into last, so the first list (used before it) gave up its oldest values, 1 then 2
    assert [kept.get(first, n) for n in range(3)] == ["first 0", None, None]
    assert [kept.get(second, n) for n in range(3)] == ["second 0", "second 1", "second 2"]
    kept.put(second, 3, "second 3")
    assert kept.get(first, 0) is None and len(kept) == 4  # a list that gave up everything is dropped
    kept.put(second, 3, "again")  # putting a key again replaces it without counting it twice
    assert len(kept) == 4 and kept.get(second, 3) == "again"
