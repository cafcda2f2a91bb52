"""Events: meetups with RSVPs, announcements, reminders that survive restarts, and calendar export."""

from bot.client import CommunityBot
from cogs.events.cog import EventsCog


async def setup(bot: CommunityBot) -> None:
    await bot.add_cog(EventsCog(bot))
