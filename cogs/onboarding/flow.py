"""The onboarding questions as plain rules: which step comes next, and what an answer changes in a profile."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo, available_timezones

from cogs.onboarding.settings import OnboardingOption
from cogs.onboarding.settings import OnboardingSettings as Onboarding


class Step(StrEnum):
    """The questions, in the order they are asked; DONE means every question was answered."""

    ROLE = "role"
    LEVEL = "level"
    INTERESTS = "interests"
    REGION = "region"
    TIMEZONE = "timezone"
    MENTOR = "mentor"
    DONE = "done"


class StaleAnswer(Exception):
    """The member picked something the settings no longer offer (an old menu after a settings change)."""


# Steps a member may skip; the others need an answer.
OPTIONAL_STEPS = frozenset({Step.REGION, Step.TIMEZONE})


@dataclass(frozen=True)
class Answers:
    """What a member answered so far."""

    role: str | None = None
    level: str | None = None
    interests: tuple[str, ...] = ()
    region: str | None = None
    timezone: str | None = None
    wants_mentor: bool | None = None

    @classmethod
    def from_row(cls, row: Any) -> Answers:
        """From an onboarding_profiles row."""
        wants = row["wants_mentor"]
        return cls(
            role=row["role"],
            level=row["level"],
            interests=tuple(json.loads(row["interests"] or "[]")),
            region=row["region"],
            timezone=row["timezone"],
            wants_mentor=None if wants is None else bool(wants),
        )


@dataclass(frozen=True)
class FlowContext:
    """What decides which questions are asked: the server's settings and whether anyone can mentor."""

    settings: Onboarding
    mentors_available: bool = False
    skip_mentor: bool = field(default=False)  # the member already has a mentor or an open request


def steps_for(ctx: FlowContext, answers: Answers) -> list[Step]:
    """The questions this member is asked, in order."""
    steps = [Step.ROLE, Step.LEVEL, Step.INTERESTS]
    if ctx.settings.ask_region:
        steps.append(Step.REGION)
        if answers.region:
            steps.append(Step.TIMEZONE)
    if ctx.settings.offer_mentor and ctx.mentors_available and not ctx.skip_mentor:
        steps.append(Step.MENTOR)
    return steps


def next_step(after: Step, ctx: FlowContext, answers: Answers) -> Step:
    """The question after `after` (given the answers so far), or DONE."""
    steps = steps_for(ctx, answers)
    order = list(Step)
    later = [s for s in steps if order.index(s) > order.index(after)]
    return later[0] if later else Step.DONE


def progress(step: Step, ctx: FlowContext, answers: Answers) -> tuple[int, int]:
    """(number of this question, number of questions) for "Question 2 of 5"."""
    steps = steps_for(ctx, answers)
    if step not in steps:
        return len(steps), len(steps)
    return steps.index(step) + 1, len(steps)


@dataclass(frozen=True)
class MenuOption:
    """One option of a step's menu."""

    value: str
    label: str
    description: str = ""


def options_for(step: Step, settings: Onboarding, answers: Answers) -> list[MenuOption]:
    """The menu options of a step (the time zones are those of the member's region)."""
    chosen: list[OnboardingOption] = []
    if step is Step.ROLE:
        chosen = list(settings.roles)
    elif step is Step.LEVEL:
        chosen = list(settings.levels)
    elif step is Step.INTERESTS:
        chosen = list(settings.topics)
    elif step is Step.REGION:
        chosen = list(settings.regions)
    elif step is Step.TIMEZONE:
        region = next((r for r in settings.regions if r.key == answers.region), None)
        return [MenuOption(zone, zone.replace("_", " ")) for zone in (region.timezones if region else [])]
    return [MenuOption(option.key, option.label, option.description) for option in chosen]


def apply_answer(step: Step, values: list[str], settings: Onboarding, answers: Answers) -> dict[str, Any]:
    """The profile columns an answer sets; raises StaleAnswer for an option that is not offered (any more)."""
    offered = {option.value for option in options_for(step, settings, answers)}
    if step in (Step.ROLE, Step.LEVEL, Step.REGION, Step.TIMEZONE):
        if len(values) != 1 or values[0] not in offered:
            raise StaleAnswer(step)
        if step is Step.REGION:
            # A new region makes the old time zone doubtful; the next question asks again.
            return {"region": values[0], "timezone": answers.timezone if values[0] == answers.region else None}
        return {step.value: values[0]}
    if step is Step.INTERESTS:
        if not values or any(v not in offered for v in values):
            raise StaleAnswer(step)
        picked = set(values)
        return {"interests": json.dumps([option.key for option in settings.topics if option.key in picked])}
    raise StaleAnswer(step)


def skip_answer(step: Step) -> dict[str, Any]:
    """The columns cleared when a member skips an optional step."""
    if step is Step.REGION:
        return {"region": None, "timezone": None}
    if step is Step.TIMEZONE:
        return {"timezone": None}
    raise StaleAnswer(step)


def merged(answers: Answers, updates: dict[str, Any]) -> Answers:
    """Answers with column updates applied (for deciding the next step before re-reading the row)."""
    values = {
        "role": answers.role,
        "level": answers.level,
        "interests": answers.interests,
        "region": answers.region,
        "timezone": answers.timezone,
        "wants_mentor": answers.wants_mentor,
    }
    for key, value in updates.items():
        if key == "interests":
            value = tuple(json.loads(value))
        elif key == "wants_mentor" and value is not None:
            value = bool(value)
        values[key] = value
    return Answers(**values)


@cache
def _zones_by_lower() -> dict[str, str]:
    return {zone.lower(): zone for zone in available_timezones()}


@cache
def _zones_by_city() -> dict[str, list[str]]:
    cities: dict[str, list[str]] = {}
    for zone in available_timezones():
        if "/" in zone and not zone.startswith(("Etc/", "SystemV/")):
            cities.setdefault(zone.rsplit("/", 1)[1].lower().replace("_", " "), []).append(zone)
    return cities


def resolve_zone(text: str) -> str | None:
    """An IANA zone from what a member typed: `Europe/Berlin`, `europe/berlin` or a unique city (`berlin`)."""
    cleaned = " ".join(text.strip().split())
    if not cleaned or len(cleaned) > 64:
        return None
    exact = _zones_by_lower().get(cleaned.lower().replace(" ", "_"))
    if exact is not None:
        return exact
    matches = _zones_by_city().get(cleaned.lower().replace("_", " "), [])
    found = [zone for zone in matches if zone.split("/")[0] in _CONTINENTS] or matches
    if not found:
        return None
    # Old names are kept as links (America/Buenos_Aires -> America/Argentina/Buenos_Aires): the longest is current.
    return max(found, key=lambda zone: (zone.count("/"), len(zone)))


_CONTINENTS = frozenset(
    {"Africa", "America", "Antarctica", "Asia", "Atlantic", "Australia", "Europe", "Indian", "Pacific"}
)


def zone_offset_label(zone: str, when: Any) -> str:
    """`UTC+05:30` for a zone at an instant, for menu descriptions."""
    offset = when.astimezone(ZoneInfo(zone)).utcoffset()
    minutes = int(offset.total_seconds() // 60) if offset else 0
    sign = "+" if minutes >= 0 else "-"
    return f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
