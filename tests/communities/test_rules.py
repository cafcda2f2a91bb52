"""Reading what members type: interests, vocabulary terms, names with typos; filtering; the onboarding profile."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from cogs.communities.directory_file import load_directory
from cogs.communities.models import Preferences
from cogs.communities.rules import (
    MAX_INTERESTS,
    fill_from_profile,
    keywords_found,
    parse_interests,
    preferences_from_options,
    profile_preferences,
    recommend,
)
from cogs.communities.search import filter_entries, find_entry
from cogs.communities.vocabulary import REGIONS, TOPICS, Vocabulary
from cogs.onboarding.api import MemberProfile

SHIPPED = load_directory(Path(__file__).parents[2] / "data" / "communities.yaml")


def test_interests_are_read_as_topic_keys_with_notes_for_guesses() -> None:
    parsed = parse_interests("MLOps, machin learning; dbt, deployment, kubernetes, x, mlops")
    assert parsed.topics == ("mlops", "machine-learning", "analytics-engineering")
    assert parsed.keywords == ("kubernetes",)
    assert "read “machin learning” as Machine learning" in parsed.notes
    assert "read “deployment” as MLOps" in parsed.notes
    assert "ignored “x”: too short" in parsed.notes


def test_too_many_interests_are_cut_with_a_note() -> None:
    parsed = parse_interests(", ".join(TOPICS.keys))
    assert len(parsed.topics) == MAX_INTERESTS
    assert f"only the first {MAX_INTERESTS} interests were used" in parsed.notes


@example("000000000000000000000000000000000000000ß")  # casefold made this 41 characters
@given(st.text(max_size=600))
def test_any_text_parses_into_known_topics_and_bounded_keywords(text: str) -> None:
    parsed = parse_interests(text)
    assert all(topic in TOPICS for topic in parsed.topics)
    assert len(parsed.topics) + len(parsed.keywords) <= MAX_INTERESTS
    assert all(2 <= len(word) <= 40 for word in parsed.keywords)


def test_unknown_keywords_are_reported_when_no_community_mentions_them() -> None:
    assert keywords_found(SHIPPED, ["zoomcamp", "quantum"]) == {"zoomcamp"}


def test_options_resolve_labels_aliases_and_typos() -> None:
    prefs, _ = preferences_from_options(role="Data Engineer", interests=None, region="nigeria", level="junior")
    assert (prefs.role, prefs.region, prefs.level) == ("data-engineer", "africa", "early-career")
    prefs, _ = preferences_from_options(role="data-enginer", interests=None, region=None, level=None)
    assert prefs.role == "data-engineer"


def test_an_unknown_role_lists_the_known_ones() -> None:
    with pytest.raises(LookupError) as caught:
        preferences_from_options(role="astronaut", interests=None, region=None, level=None)
    assert "“astronaut” is not a role I know; pick one of: Data scientist, Data engineer" in str(caught.value)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("Kaggle", "kaggle"),
        ("kaggle", "kaggle"),
        ("ydp", "ydp"),
        ("DataFest Africa", "data-community-africa"),
        ("hugging face", "hugging-face"),
        ("HF", "hugging-face"),
        ("zin", "zindi"),
        ("data-talks-club", "datatalksclub"),
    ],
)
def test_find_entry_by_key_name_alias_or_unique_prefix(typed: str, expected: str) -> None:
    assert find_entry(SHIPPED, typed).entry.key == expected


@pytest.mark.parametrize(
    ("typed", "suggested"),
    [("hugingface", "Hugging Face"), ("Kagle", "Kaggle"), ("mlops", "MLOps Community"), ("Masakane", "Masakhane")],
)
def test_a_typo_gets_did_you_mean(typed: str, suggested: str) -> None:
    lookup = find_entry(SHIPPED, typed)
    assert lookup.entry is None
    assert suggested in [e.name for e in lookup.suggestions]
    assert len(lookup.suggestions) <= 3


def test_nonsense_gets_no_suggestions() -> None:
    assert find_entry(SHIPPED, "qqqqzzzz").suggestions == ()
    assert find_entry(SHIPPED, "   ").entry is None


def test_filters_combine_and_sort_by_name() -> None:
    african_ml = filter_entries(SHIPPED, topic="machine-learning", region="africa")
    assert [e.key for e in african_ml] == ["data-community-africa", "mlops-community-lagos", "zindi"]
    on_meetup = filter_entries(SHIPPED, platform="meetup")
    assert {e.key for e in on_meetup} == {"mlops-community", "mlops-community-lagos", "mlops-community-toronto"}
    assert filter_entries(SHIPPED, topic="audio", region="oceania") == []
    assert len(filter_entries(SHIPPED)) == len(SHIPPED)


def test_shipped_directory_answers_a_newcomer_data_engineer_in_lagos() -> None:
    prefs, _ = preferences_from_options(
        role="data engineer", interests="data engineering", region="Lagos", level="new to data"
    )
    recs = recommend(SHIPPED, prefs, limit=5)
    assert recs[0].entry.key == "data-community-africa"
    assert recs[0].why_text.startswith("serves data engineers; Data engineering; Africa; beginner-friendly")
    assert len(recs) == 5


def test_vocabulary_rejects_a_spelling_that_names_two_terms() -> None:
    from cogs.communities.vocabulary import Term

    with pytest.raises(ValueError, match="names two terms"):
        Vocabulary("x", (Term("a", "A", aliases=("same",)), Term("b", "B", aliases=("same",))))


def test_vocabulary_search_puts_prefixes_first() -> None:
    assert [t.key for t in REGIONS.search("a")][:3] == ["africa", "asia", "global"]


def test_no_profile_fills_nothing() -> None:
    assert fill_from_profile(Preferences(role="researcher"), None) == (Preferences(role="researcher"), ())


def test_an_onboarding_profile_fills_what_the_member_left_out() -> None:
    # Onboarding's answers as its api.py hands them over; values that are not vocabulary keys are ignored.
    profile = MemberProfile(
        role="data-engineer", level="new-to-data", interests=("mlops", "astrology"), region="mars",
        timezone="Africa/Lagos",
    )
    assert profile_preferences(profile) == Preferences(role="data-engineer", interests=("mlops",), level="new-to-data")

    prefs, filled = fill_from_profile(Preferences(role="researcher"), profile)
    assert prefs == Preferences(role="researcher", interests=("mlops",), level="new-to-data")
    assert filled == ("interests", "level")
    prefs, filled = fill_from_profile(Preferences(keywords=("spark",)), profile)
    assert prefs.interests == () and filled == ("role", "level")


def test_a_profile_with_only_unknown_values_fills_nothing_but_what_is_known() -> None:
    profile = MemberProfile(role="wizard", level=None, interests=("astrology",), region="africa")
    assert fill_from_profile(Preferences(), profile) == (Preferences(region="africa"), ("region",))
