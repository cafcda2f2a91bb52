"""Language: `/language`, a member's choice of the language the bot writes to them in when they did not ask."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.client import CommunityBot


async def setup(bot: CommunityBot) -> None:
    from cogs.language.cog import LanguageCog

    await bot.add_cog(LanguageCog(bot))
