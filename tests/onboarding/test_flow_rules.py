"""The question rules without Discord: order, skips, stale answers, typed time zones."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from zoneinfo import available_timezones

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.settings import default_settings
from cogs.onboarding.models import Answers, FlowContext, Step
from cogs.onboarding.rules import (
    StaleAnswer,
    apply_answer,
    merged,
    next_step,
    progress,
    resolve_zone,
    skip_answer,
    steps_for,
    zone_offset_label,
)

SETTINGS = default_settings().onboarding


def test_the_questions_in_order_with_the_optional_ones() -> None:
    ctx = FlowContext(SETTINGS, mentors_available=True)
    assert steps_for(ctx, Answers()) == [Step.ROLE, Step.LEVEL, Step.INTERESTS, Step.REGION, Step.MENTOR]
    with_region = Answers(region="europe")
    assert steps_for(ctx, with_region) == [Step.ROLE, Step.LEVEL, Step.INTERESTS, Step.REGION, Step.TIMEZONE,
                                           Step.MENTOR]
    assert next_step(Step.REGION, ctx, with_region) is Step.TIMEZONE
    assert next_step(Step.REGION, ctx, Answers()) is Step.MENTOR
    assert progress(Step.TIMEZONE, ctx, with_region) == (5, 6)


def test_no_mentor_question_without_a_free_mentor_or_with_an_open_request() -> None:
    assert Step.MENTOR not in steps_for(FlowContext(SETTINGS, mentors_available=False), Answers())
    assert Step.MENTOR not in steps_for(FlowContext(SETTINGS, mentors_available=True, skip_mentor=True), Answers())
    quiet = SETTINGS.model_copy(update={"ask_region": False, "offer_mentor": False})
    assert steps_for(FlowContext(quiet, mentors_available=True), Answers()) == [Step.ROLE, Step.LEVEL, Step.INTERESTS]
    assert next_step(Step.INTERESTS, FlowContext(quiet), Answers()) is Step.DONE


def test_answers_become_profile_columns() -> None:
    answers = Answers()
    assert apply_answer(Step.ROLE, ["data-engineer"], SETTINGS, answers) == {"role": "data-engineer"}
    interests = apply_answer(Step.INTERESTS, ["mlops", "data-engineering", "mlops"], SETTINGS, answers)
    assert json.loads(interests["interests"]) == ["data-engineering", "mlops"]  # settings order, no duplicates
    assert apply_answer(Step.REGION, ["africa"], SETTINGS, answers) == {"region": "africa", "timezone": None}
    kept = Answers(region="africa", timezone="Africa/Lagos")
    assert apply_answer(Step.REGION, ["africa"], SETTINGS, kept) == {"region": "africa", "timezone": "Africa/Lagos"}
    assert apply_answer(Step.TIMEZONE, ["Africa/Nairobi"], SETTINGS, kept) == {"timezone": "Africa/Nairobi"}
    after = merged(answers, {"interests": interests["interests"], "wants_mentor": 1})
    assert after.interests == ("data-engineering", "mlops") and after.wants_mentor is True


@pytest.mark.parametrize(
    ("step", "values"),
    [
        (Step.ROLE, ["astronaut"]),
        (Step.ROLE, ["data-engineer", "data-analyst"]),
        (Step.INTERESTS, []),
        (Step.INTERESTS, ["mlops", "knitting"]),
        (Step.TIMEZONE, ["Europe/Berlin"]),  # not a zone of the member's region (africa)
        (Step.MENTOR, ["yes"]),
    ],
)
def test_an_option_that_is_not_offered_is_stale(step: Step, values: list[str]) -> None:
    with pytest.raises(StaleAnswer):
        apply_answer(step, values, SETTINGS, Answers(region="africa"))


def test_only_optional_questions_can_be_skipped() -> None:
    assert skip_answer(Step.REGION) == {"region": None, "timezone": None}
    assert skip_answer(Step.TIMEZONE) == {"timezone": None}
    with pytest.raises(StaleAnswer):
        skip_answer(Step.ROLE)


@pytest.mark.parametrize(
    ("typed", "zone"),
    [
        ("Europe/Berlin", "Europe/Berlin"),
        ("  europe/berlin ", "Europe/Berlin"),
        ("nairobi", "Africa/Nairobi"),
        ("New York", "America/New_York"),
        ("buenos aires", "America/Argentina/Buenos_Aires"),
        ("UTC", "UTC"),
        ("Atlantis", None),
        ("", None),
        ("UTC+2", None),
    ],
)
def test_typed_time_zones(typed: str, zone: str | None) -> None:
    assert resolve_zone(typed) == zone


@given(st.text(max_size=200))
def test_any_typed_text_gives_a_real_zone_or_none(text: str) -> None:
    zone = resolve_zone(text)
    assert zone is None or zone in available_timezones()


def test_offset_labels_follow_daylight_saving() -> None:
    assert zone_offset_label("Europe/Berlin", datetime(2026, 1, 15, tzinfo=UTC)) == "UTC+01:00"
    assert zone_offset_label("Europe/Berlin", datetime(2026, 7, 15, tzinfo=UTC)) == "UTC+02:00"
    assert zone_offset_label("Asia/Kolkata", datetime(2026, 7, 15, tzinfo=UTC)) == "UTC+05:30"
    assert zone_offset_label("America/St_Johns", datetime(2026, 1, 15, tzinfo=UTC)) == "UTC-03:30"
