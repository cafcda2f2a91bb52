"""Onboarding and mentors: welcome DMs, questions, roles, channels to start in, and a mentor with room."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.client import CommunityBot


async def setup(bot: CommunityBot) -> None:
    # Imported here, not at the top: reading the feature's settings section (cogs.<feature>.settings) at start-up
    # must not import its cog and everything the cog needs.
    from cogs.onboarding.cog import OnboardingCog
    from cogs.onboarding.mentor_cog import MentorCog

    await bot.add_cog(OnboardingCog(bot))
    await bot.add_cog(MentorCog(bot))
