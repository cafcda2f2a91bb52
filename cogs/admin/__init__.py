"""Server administration: per-guild settings and the bot's own status."""

from bot.client import CommunityBot
from cogs.admin.cog import AdminCog


async def setup(bot: CommunityBot) -> None:
    await bot.add_cog(AdminCog(bot))
