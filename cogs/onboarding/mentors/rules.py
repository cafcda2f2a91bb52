"""Mentoring decisions without I/O: how long a mentor has to answer, and what a request's outcome tells the member."""

from __future__ import annotations

from datetime import timedelta

from cogs.onboarding.mentors.models import MentorNote, Offer, OpenRequest, RequestOutcome, RequestResult
from cogs.onboarding.settings import OnboardingSettings


def answer_window(settings: OnboardingSettings) -> timedelta:
    """How long a mentor has to accept before the request goes to the next one."""
    return timedelta(hours=settings.mentor_answer_hours)


def note_for_request(result: RequestResult, hours: int) -> tuple[MentorNote, Offer | None]:
    """What a new request means for the member, and the offer to send when a mentor was just asked."""
    if result.outcome is RequestOutcome.ALREADY_MATCHED:
        return MentorNote("matched", result.mentor_id, hours), None
    if result.outcome is RequestOutcome.OFFERED and result.offer is not None:
        return MentorNote("asked", result.offer.mentor_id, hours), result.offer
    if result.outcome is RequestOutcome.ALREADY_OPEN and result.mentor_id is not None:
        return MentorNote("asked", result.mentor_id, hours), None
    return MentorNote("waiting", None, hours), None


def note_for_open(request: OpenRequest, hours: int) -> MentorNote:
    """Where a member's open request stands."""
    if request.status == "matched":
        return MentorNote("matched", request.mentor_id, hours)
    if request.asked is not None:
        return MentorNote("asked", request.asked, hours)
    return MentorNote("waiting", None, hours)
