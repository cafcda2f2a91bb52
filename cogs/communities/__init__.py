"""The community directory: /communities recommend, list, info, suggest, add and remove."""

from bot.client import CommunityBot
from cogs.communities.cog import CommunitiesCog


async def setup(bot: CommunityBot) -> None:
    await bot.add_cog(CommunitiesCog(bot))
