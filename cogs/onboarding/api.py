"""What other features may ask onboarding: a member's answers, as vocabulary keys shared with the directory."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar


@dataclass(frozen=True)
class MemberProfile:
    """What onboarding knows about a member; keys come from the shared vocabulary (cogs/communities/vocabulary.py)."""

    role: str | None = None
    level: str | None = None
    interests: tuple[str, ...] = ()
    region: str | None = None
    timezone: str | None = None  # IANA zone name


class OnboardingApi:
    """Implemented by the onboarding feature; found with `bot.optional_feature(OnboardingApi)`."""

    title: ClassVar[str] = "Onboarding"

    async def profile_of(self, guild_id: int, user_id: int) -> MemberProfile | None:
        """The member's answers in this server, or None when they have not answered any."""
        raise NotImplementedError
