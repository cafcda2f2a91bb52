"""Q&A: one thread per question, accepted answers, search, nudges and archiving."""

from bot.client import CommunityBot
from cogs.qa.cog import QACog


async def setup(bot: CommunityBot) -> None:
    await bot.add_cog(QACog(bot))
