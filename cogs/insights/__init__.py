"""Insights: how the community is doing, in charts and numbers inside Discord, a weekly digest and CSV export."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.client import CommunityBot


async def setup(bot: CommunityBot) -> None:
    # Imported here, not at the top: reading the feature's settings section (cogs.<feature>.settings) at start-up
    # must not import its cog, and matplotlib with it.
    from cogs.insights.cog import InsightsCog

    await bot.add_cog(InsightsCog(bot))
