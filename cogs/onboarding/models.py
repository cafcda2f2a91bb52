"""The values onboarding passes around: the questions, a member's answers and profile, welcomes, the stats."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import discord

    from cogs.onboarding.settings import OnboardingSettings


class Step(StrEnum):
    """The questions, in the order they are asked; DONE means every question was answered."""

    ROLE = "role"
    LEVEL = "level"
    INTERESTS = "interests"
    REGION = "region"
    TIMEZONE = "timezone"
    MENTOR = "mentor"
    DONE = "done"


@dataclass(frozen=True)
class Answers:
    """What a member answered so far."""

    role: str | None = None
    level: str | None = None
    interests: tuple[str, ...] = ()
    region: str | None = None
    timezone: str | None = None
    wants_mentor: bool | None = None


@dataclass(frozen=True)
class OnboardingProfile:
    """One row of onboarding_profiles: the answers, the next question, and where the member stands."""

    guild_id: int
    user_id: int
    answers: Answers
    step: str  # the next question (a Step value)
    status: str  # "new", "started", "finished"
    given_roles: tuple[int, ...]  # role IDs the bot gave for the answers
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


@dataclass(frozen=True)
class FlowContext:
    """What decides which questions are asked: the server's settings and whether anyone can mentor."""

    settings: OnboardingSettings
    mentors_available: bool = False
    skip_mentor: bool = field(default=False)  # the member already has a mentor or an open request


@dataclass(frozen=True)
class MenuOption:
    """One option of a step's menu."""

    value: str
    label: str
    description: str = ""


class WelcomeState(StrEnum):
    """Where the welcome of a member's latest join stands."""

    SCREENING = "screening"  # waiting for Discord's membership screening (pending member)
    PENDING = "pending"  # queued; no DM attempted for this join yet
    SENDING = "sending"  # a DM attempt is (or was, before a crash) in flight
    SENT = "sent"  # Discord accepted the DM
    FALLBACK = "fallback"  # DMs closed; waiting for the welcome-channel post
    DM_CLOSED = "dm_closed"  # DMs closed; greeted in the welcome channel
    LEFT = "left"  # left before being welcomed
    FAILED = "failed"  # gave up after repeated errors (logged)


class WelcomeKind(StrEnum):
    WELCOME = "welcome"
    WELCOME_BACK = "welcome_back"


@dataclass(frozen=True)
class Welcome:
    """One row of onboarding_welcomes: the welcome of a member's latest join."""

    guild_id: int
    user_id: int
    join_seq: int
    kind: WelcomeKind
    state: WelcomeState
    attempts: int
    queued_at: datetime


@dataclass
class StartChannels:
    """The channels a member is pointed to, and the configured ones this server lacks."""

    found: list[discord.abc.GuildChannel] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class RoleLine:
    role: str | None
    started: int
    finished: int


@dataclass(frozen=True)
class OnboardingStats:
    joined: int
    rejoined: int
    welcomed: int
    started: int
    finished: int
    dm_closed: int
    median_seconds_to_finish: float | None
    mentors_matched: int
    per_role: list[RoleLine] = field(default_factory=list)

    @property
    def finish_rate(self) -> float | None:
        return None if self.started == 0 else self.finished / self.started
