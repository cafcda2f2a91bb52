"""The community directory: /communities recommend, list, info, suggest, add and remove."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.client import CommunityBot


async def setup(bot: CommunityBot) -> None:
    # Imported here, not at the top: reading the feature's settings section (cogs.<feature>.settings) at start-up
    # must not import its cog and everything the cog needs.
    from cogs.communities.cog import CommunitiesCog

    await bot.add_cog(CommunitiesCog(bot))
