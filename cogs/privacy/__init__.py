"""Member data: /privacy show, export and forget, retention of the data of members who left, and backups."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.client import CommunityBot


async def setup(bot: CommunityBot) -> None:
    from cogs.privacy.backups import BackupsCog
    from cogs.privacy.cog import PrivacyCog

    await bot.add_cog(PrivacyCog(bot))
    await bot.add_cog(BackupsCog(bot))
