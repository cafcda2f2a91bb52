"""What people type, read by the one vocabulary lookup (cogs/communities/vocabulary.py) that every command and
onboarding use: a table of real phrasings and the key each means, and phrasings that must stay unknown."""

from __future__ import annotations

import pytest

from cogs.communities.rules import preferences_from_options
from cogs.communities.vocabulary import LEVELS, REGIONS, ROLES, TOPICS, Vocabulary
from cogs.onboarding.settings import OnboardingSettings
from cogs.onboarding.topics import parse_topics

KNOWN: list[tuple[Vocabulary, str, str]] = [
    # levels: what people call themselves
    (LEVELS, "beginner", "new-to-data"),
    (LEVELS, "Beginner", "new-to-data"),
    (LEVELS, "I'm a beginner", "new-to-data"),
    (LEVELS, "complete beginner", "new-to-data"),
    (LEVELS, "newbie", "new-to-data"),
    (LEVELS, "just starting out", "new-to-data"),
    (LEVELS, "entry-level", "new-to-data"),
    (LEVELS, "begginer", "new-to-data"),  # misspelt
    (LEVELS, "New to data", "new-to-data"),
    (LEVELS, "new_to_data", "new-to-data"),
    (LEVELS, "junior", "early-career"),
    (LEVELS, "Jr", "early-career"),
    (LEVELS, "intermediate", "early-career"),
    (LEVELS, "intermediat", "early-career"),  # misspelt
    (LEVELS, "mid", "early-career"),
    (LEVELS, "mid-level", "early-career"),
    (LEVELS, "early career", "early-career"),
    (LEVELS, "recent graduate", "early-career"),
    (LEVELS, "senior", "experienced"),
    (LEVELS, "Senior level", "experienced"),
    (LEVELS, "seniour", "experienced"),  # misspelt
    (LEVELS, "lead", "experienced"),
    (LEVELS, "principal", "experienced"),
    (LEVELS, "expert", "experienced"),
    # regions: by country, city, demonym, with the words around them, and misspelt
    (REGIONS, "Nigeria", "africa"),
    (REGIONS, "based in Lagos", "africa"),
    (REGIONS, "Kenya", "africa"),
    (REGIONS, "Nigera", "africa"),  # misspelt
    (REGIONS, "South Africa", "africa"),
    (REGIONS, "India", "asia"),
    (REGIONS, "I live in Bangalore", "asia"),
    (REGIONS, "Bengalore", "asia"),  # misspelt
    (REGIONS, "Phillipines", "asia"),
    (REGIONS, "Singapur", "asia"),
    (REGIONS, "Brazil", "latin-america"),
    (REGIONS, "Brasil", "latin-america"),
    (REGIONS, "from Colombia", "latin-america"),
    (REGIONS, "Columbia", "latin-america"),  # misspelt
    (REGIONS, "Argentia", "latin-america"),
    (REGIONS, "LATAM", "latin-america"),
    (REGIONS, "Germany", "europe"),
    (REGIONS, "Deutchland", "europe"),
    (REGIONS, "U.K.", "europe"),
    (REGIONS, "London", "europe"),
    (REGIONS, "Dubai", "middle-east"),
    (REGIONS, "Saudi", "middle-east"),
    (REGIONS, "USA", "north-america"),
    (REGIONS, "U.S.", "north-america"),
    (REGIONS, "Toronto, Canada", "north-america"),
    (REGIONS, "Austrailia", "oceania"),
    (REGIONS, "New Zealand", "oceania"),
    (REGIONS, "online", "global"),
    # roles and topics keep working as before
    (ROLES, "beginner", "student"),
    (ROLES, "data engineer", "data-engineer"),
    (ROLES, "I'm a data scientist", "data-scientist"),
    (ROLES, "machine learning engineer", "ml-engineer"),
    (TOPICS, "machin learning", "machine-learning"),
    (TOPICS, "LLMs", "nlp"),
    (TOPICS, "dbt", "analytics-engineering"),
    (TOPICS, "kaggle", "competitions"),
]

UNKNOWN: list[tuple[Vocabulary, str]] = [
    (REGIONS, "Mars"),
    (REGIONS, "Earth"),  # 0.80 from "perth": a near miss is not a match
    (REGIONS, "the moon"),
    (REGIONS, "somewhere"),
    (REGIONS, "usb"),  # short words must be exact ("us")
    (REGIONS, "asdfgh"),
    (REGIONS, "   "),
    (REGIONS, "!!!"),
    (LEVELS, "wizard"),
    (LEVELS, "medium rare"),
    (LEVELS, "42"),
    (LEVELS, "i am"),
    (ROLES, "astronaut"),
    (TOPICS, "knitting"),
]


@pytest.mark.parametrize(("vocabulary", "typed", "key"), KNOWN, ids=[f"{v.name}:{t}" for v, t, _ in KNOWN])
def test_a_real_phrasing_means_its_key(vocabulary: Vocabulary, typed: str, key: str) -> None:
    term = vocabulary.lookup(typed)
    assert term is not None and term.key == key


@pytest.mark.parametrize(("vocabulary", "typed"), UNKNOWN, ids=[f"{v.name}:{t}" for v, t in UNKNOWN])
def test_a_phrasing_that_means_nothing_stays_unknown(vocabulary: Vocabulary, typed: str) -> None:
    assert vocabulary.lookup(typed) is None


def test_the_table_is_large_enough() -> None:
    assert len(KNOWN) + len(UNKNOWN) >= 40 and len(UNKNOWN) >= 10


def test_recommend_options_take_a_level_and_a_country() -> None:
    prefs, _ = preferences_from_options(role="beginner", interests=None, region="Nigeria", level="beginner")
    assert (prefs.role, prefs.level, prefs.region) == ("student", "new-to-data", "africa")
    prefs, _ = preferences_from_options(role=None, interests=None, region="India", level="senior")
    assert (prefs.level, prefs.region) == ("experienced", "asia")
    with pytest.raises(LookupError):
        preferences_from_options(role=None, interests=None, region="Mars", level=None)


def test_onboarding_reads_typed_topics_with_the_same_vocabulary() -> None:
    settings = OnboardingSettings()
    keys, unknown = parse_topics(settings, "LLMs, dbt, kaggle, machin learning, knitting")
    assert keys == ["analytics-engineering", "machine-learning", "nlp", "competitions"]
    assert unknown == ["knitting"]
