"""What other features may ask the community directory: outside communities that fit a member."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from bot.i18n import N_
from cogs.onboarding.api import MemberProfile


@dataclass(frozen=True)
class CommunityPick:
    """One outside community recommended to a member, with why it fits."""

    name: str
    url: str | None
    why: str


class CommunitiesApi:
    """Implemented by the communities feature; found with `bot.optional_feature(CommunitiesApi)`."""

    title: ClassVar[str] = N_("The community directory")

    async def recommend_for(self, guild_id: int, profile: MemberProfile, limit: int) -> list[CommunityPick]:
        """The best `limit` communities of this server's directory for a member's answers, best first."""
        raise NotImplementedError
