"""The onboarding section of the settings file: shipped defaults, errors that name the key, shared keys."""

from __future__ import annotations

import pytest

from bot.guild_settings import SETTABLE_KEYS
from bot.settings import ConfigError, default_settings, load_settings, parse_settings
from cogs.communities.vocabulary import LEVELS, REGIONS, ROLES, TOPICS
from tests.harness import SHIPPED_CONFIG


def test_the_shipped_file_matches_the_built_in_defaults() -> None:
    assert load_settings(SHIPPED_CONFIG).onboarding == default_settings().onboarding


def test_shipped_keys_are_the_directorys_vocabulary() -> None:
    # Profiles store these keys and /communities recommend reads them: they must mean the same thing there.
    onboarding = default_settings().onboarding
    assert {o.key for o in onboarding.roles} == set(ROLES.keys)
    assert {o.key for o in onboarding.levels} == set(LEVELS.keys)
    assert {o.key for o in onboarding.topics} <= set(TOPICS.keys)
    assert {o.key for o in onboarding.regions} <= set(REGIONS.keys)


def test_scalars_are_settable_per_server_but_lists_and_process_wide_keys_are_not() -> None:
    assert {"onboarding.enabled", "onboarding.reminder_days", "onboarding.mentor_answer_hours"} <= set(SETTABLE_KEYS)
    assert "onboarding.roles" not in SETTABLE_KEYS and "onboarding.start_channels" not in SETTABLE_KEYS
    assert "onboarding.dm_workers" not in SETTABLE_KEYS and "onboarding.welcome_dms_per_second" not in SETTABLE_KEYS


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ({"reminder_days": 0}, "x.yaml: onboarding.reminder_days: Input should be greater than or equal to 1"),
        ({"roles": []}, "x.yaml: onboarding.roles: needs 1 to 25 roles (one Discord menu holds 25 options)"),
        ({"topics": [{"key": f"t{i}", "label": "T"} for i in range(26)]}, "needs 1 to 25 topics"),
        ({"levels": [{"key": "new", "label": "New"}, {"key": "new", "label": "Also new"}]},
         "onboarding.levels: the key 'new' is used twice"),
        ({"roles": [{"key": "Data Engineer", "label": "DE"}]}, "onboarding.roles.0.key: must be 1-40 lower-case"),
        ({"regions": [{"key": "mars", "label": "Mars", "timezones": ["Mars/Olympus"]}]},
         "onboarding.regions.0.timezones.0: 'Mars/Olympus' is not an IANA time zone"),
        ({"roles": [{"key": "x", "label": "X", "channels": ["my channel"]}]}, "onboarding.roles.0.channels.0:"),
        ({"welcome_dms_per_second": 500}, "onboarding.welcome_dms_per_second: Input should be less than or equal"),
    ],
)
def test_a_broken_onboarding_section_names_the_key(raw: dict, expected: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_settings({"onboarding": raw}, "x.yaml")
    assert expected in str(caught.value)
