"""Onboarding decisions without I/O: which question comes next, what an answer changes, time zones, labels."""

from __future__ import annotations

import json
from datetime import datetime
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo, available_timezones

import discord

from bot.discord_helpers import find_channel
from cogs.communities.vocabulary import LEVELS, REGIONS, ROLES, TOPICS, Vocabulary
from cogs.onboarding.api import MemberProfile
from cogs.onboarding.models import Answers, FlowContext, MenuOption, OnboardingProfile, StartChannels, Step
from cogs.onboarding.settings import OnboardingOption, OnboardingSettings, shown

MAX_START_CHANNELS = 8
WELCOME_MAX_ATTEMPTS = 5


class StaleAnswer(Exception):
    """The member picked something the settings no longer offer (an old menu after a settings change)."""


# Steps a member may skip; the others need an answer.
OPTIONAL_STEPS = frozenset({Step.REGION, Step.TIMEZONE})


def answers_from_columns(columns: dict[str, Any]) -> Answers:
    """Answers from the onboarding_profiles columns (interests a JSON list, wants_mentor NULL, 0 or 1)."""
    wants = columns["wants_mentor"]
    return Answers(
        role=columns["role"],
        level=columns["level"],
        interests=tuple(json.loads(columns["interests"] or "[]")),
        region=columns["region"],
        timezone=columns["timezone"],
        wants_mentor=None if wants is None else bool(wants),
    )


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


def options_for(step: Step, settings: OnboardingSettings, answers: Answers) -> list[MenuOption]:
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
    return [MenuOption(option.key, shown(option.label), shown(option.description)) for option in chosen]


def apply_answer(step: Step, values: list[str], settings: OnboardingSettings, answers: Answers) -> dict[str, Any]:
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
    columns: dict[str, Any] = {
        "role": answers.role,
        "level": answers.level,
        "interests": json.dumps(list(answers.interests)),
        "region": answers.region,
        "timezone": answers.timezone,
        "wants_mentor": answers.wants_mentor,
    }
    return answers_from_columns({**columns, **updates})


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


def zone_offset_label(zone: str, when: datetime) -> str:
    """`UTC+05:30` for a zone at an instant, for menu descriptions."""
    offset = when.astimezone(ZoneInfo(zone)).utcoffset()
    minutes = int(offset.total_seconds() // 60) if offset else 0
    sign = "+" if minutes >= 0 else "-"
    return f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def first_step(profile: OnboardingProfile, steps: list[Step], *, resume_finished: bool) -> Step:
    """Where a flow message starts: the stored next question while it is still asked, else the first one."""
    # A finished member starts over (answers preselected), except in the welcome and the reminder, which only go to
    # members who have not finished and always resume.
    unfinished = resume_finished or profile.status != "finished"
    return Step(profile.step) if unfinished and profile.step in steps else steps[0]


def role_labels(settings: OnboardingSettings, answers: Answers) -> tuple[str | None, str | None, list[str]]:
    """The wording of a member's role, level and interests (the key itself when the settings dropped it)."""
    role = next((shown(o.label) for o in settings.roles if o.key == answers.role), answers.role)
    level = next((shown(o.label) for o in settings.levels if o.key == answers.level), answers.level)
    topics = [shown(o.label) for o in settings.topics if o.key in answers.interests]
    return role, level, topics


def region_label(settings: OnboardingSettings, answers: Answers) -> str | None:
    return next((shown(r.label) for r in settings.regions if r.key == answers.region), answers.region)


def start_channels(guild: discord.Guild, settings: OnboardingSettings, answers: Answers) -> StartChannels:
    """Channels for everyone, then for the member's role, level and interests; missing ones are listed apart."""
    refs: list[str] = list(settings.start_channels)
    for options, picked in (
        (settings.roles, [answers.role]),
        (settings.levels, [answers.level]),
        (settings.topics, list(answers.interests)),
    ):
        for option in options:
            if option.key in picked:
                refs.extend(option.channels)
    result = StartChannels()
    seen: set[int] = set()
    for ref in dict.fromkeys(refs):
        channel = find_channel(guild, ref, kinds=("text", "forum"))
        if channel is None:
            result.missing.append(ref)
        elif channel.id not in seen:
            seen.add(channel.id)
            result.found.append(channel)
    result.found = result.found[:MAX_START_CHANNELS]
    return result


def _known(vocabulary: Vocabulary, value: str | None) -> str | None:
    return value if value is not None and value in vocabulary else None


def member_profile(answers: Answers) -> MemberProfile:
    """What other features are told: only keys of the shared vocabulary (cogs/communities/vocabulary.py)."""
    # A key a server added to its own menus would mean nothing to a feature that does not know it.
    return MemberProfile(
        role=_known(ROLES, answers.role),
        level=_known(LEVELS, answers.level),
        interests=tuple(dict.fromkeys(key for key in answers.interests if key in TOPICS)),
        region=_known(REGIONS, answers.region),
        timezone=answers.timezone,
    )


def welcome_retry_after(attempts: int) -> float:
    """Seconds before a welcome that failed for a passing reason is tried again: 10, 20, 40 s... at most 5 min."""
    return min(300.0, 5.0 * 2.0**attempts)
