"""The values mentoring passes around: mentors, requests, offers, the outcomes of requests and answers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class MentorStatus(StrEnum):
    ACTIVE = "active"  # takes new mentees
    PAUSED = "paused"  # keeps current mentees, gets no new offers
    LEFT = "left"


@dataclass(frozen=True)
class Mentor:
    guild_id: int
    user_id: int
    topics: tuple[str, ...]
    capacity: int
    bio: str | None
    status: MentorStatus
    mentees: int  # active mentorships
    open_offers: int  # offers waiting for this mentor's answer (each holds a place)

    @property
    def free(self) -> int:
        return max(0, self.capacity - self.mentees - self.open_offers)


@dataclass(frozen=True)
class Offer:
    """A request put to one mentor, who has until due_at to answer."""

    id: int
    request_id: int
    guild_id: int
    mentor_id: int
    mentee_id: int
    topics: tuple[str, ...]
    due_at: datetime


class RequestOutcome(StrEnum):
    OFFERED = "offered"  # a mentor was asked
    WAITING = "waiting"  # nobody with a free place fits yet; the request waits
    ALREADY_OPEN = "already_open"  # the member already has a request being handled
    ALREADY_MATCHED = "already_matched"  # the member already has a mentor


@dataclass(frozen=True)
class RequestResult:
    outcome: RequestOutcome
    request_id: int | None = None
    offer: Offer | None = None
    mentor_id: int | None = None  # the current mentor (ALREADY_MATCHED) or the one asked (ALREADY_OPEN)


class AnswerOutcome(StrEnum):
    ACCEPTED = "accepted"
    DECLINED = "declined"
    FULL = "full"  # accepted, but the mentor has no place left (capacity lowered meanwhile): counts as a decline
    NOT_OPEN = "not_open"  # already answered, expired or withdrawn
    NOT_YOURS = "not_yours"


@dataclass(frozen=True)
class AnswerResult:
    outcome: AnswerOutcome
    offer: Offer | None = None
    next_offer: Offer | None = None  # after a decline: the next mentor asked (None: the request waits)


@dataclass(frozen=True)
class Ended:
    """A mentorship or request that ended, to tell the other person."""

    request_id: int
    guild_id: int
    mentee_id: int
    mentor_id: int | None


@dataclass(frozen=True)
class OpenRequest:
    """A member's request still being handled: waiting, offered (to `asked`) or matched (with `mentor_id`)."""

    id: int
    status: str  # "waiting", "offered", "matched"
    mentor_id: int | None
    asked: int | None  # the mentor whose answer is awaited


@dataclass(frozen=True)
class MentorNote:
    """What to tell a member about their mentor: matched, asked, or waiting for a free place."""

    state: str  # "matched", "asked", "waiting"
    mentor_id: int | None = None
    hours: int = 48


@dataclass(frozen=True)
class MentoringCounts:
    """The mentoring part of /onboarding stats."""

    active_mentors: int
    requests_waiting: int
