"""Setup: /setup check (what this server lacks for the current settings) and /setup create (makes it)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.client import CommunityBot


async def setup(bot: CommunityBot) -> None:
    # Imported here: reading the feature's settings section at start-up must not import its cog.
    from cogs.setup.cog import SetupCog

    await bot.add_cog(SetupCog(bot))
