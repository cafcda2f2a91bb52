"""Onboarding and mentors: welcome DMs, questions, roles, channels to start in, and a mentor with room."""

from bot.client import CommunityBot
from cogs.onboarding.cog import OnboardingCog
from cogs.onboarding.mentor_cog import MentorCog


async def setup(bot: CommunityBot) -> None:
    await bot.add_cog(OnboardingCog(bot))
    await bot.add_cog(MentorCog(bot))
