"""Server administration: per-guild settings and the bot's own status."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.client import CommunityBot


async def setup(bot: CommunityBot) -> None:
    # Imported here, not at the top: reading the feature's settings section (cogs.<feature>.settings) at start-up
    # must not import its cog and everything the cog needs.
    from cogs.admin.cog import AdminCog

    await bot.add_cog(AdminCog(bot))
