"""Onboarding and mentors: welcome DMs, questions, roles, channels to start in, and a mentor with room."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.client import CommunityBot


async def setup(bot: CommunityBot) -> None:
    # Imported here, not at the top: reading the feature's settings section (cogs.<feature>.settings) at start-up
    # must not import its cog and everything the cog needs.
    from cogs.onboarding.cog import OnboardingCog
    from cogs.onboarding.mentors.cog import MentorsCog
    from cogs.onboarding.store import OnboardingStore

    # The one place the two features meet: mentoring reads onboarding's profiles and closed-DM memory through the
    # shared store, and onboarding asks mentoring (the mentor question, requests, the mentor in the summary).
    store = OnboardingStore(bot.db, bot.dm_closed)
    mentors = MentorsCog(bot, store)
    await bot.add_cog(OnboardingCog(bot, store, mentors))
    await bot.add_cog(mentors)
