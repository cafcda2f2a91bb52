"""Reports to a guild's moderators' log channel, optionally only once per problem.

Nobody triggered a report, so its text is written in the server's language by the caller:
`with i18n.using(await languages.of_server(bot, guild.id)): text = _("...")`, then `report(...)`.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import discord

from bot.database import Database
from bot.discord_helpers import NO_PINGS, clip, find_channel
from bot.times import unix

log = logging.getLogger(__name__)


async def report(
    db: Database, guild: discord.Guild, mod_log_ref: str, text: str, *, once_key: str | None = None
) -> bool:
    """Post to the moderators' log; with `once_key`, only the first report of that problem is posted."""
    if once_key is not None:
        cursor = await db.execute(
            "INSERT INTO mod_log_once (guild_id, key, reported_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
            (guild.id, once_key, unix(datetime.now(UTC))),
        )
        if cursor.rowcount == 0:
            return False
    channel = find_channel(guild, mod_log_ref, kinds=("text",))
    if not isinstance(channel, discord.TextChannel):
        log.warning("Guild %s has no moderators' log channel %r; report was: %s", guild.id, mod_log_ref, text)
        return False
    try:
        await channel.send(clip(text, 2000), allowed_mentions=NO_PINGS)
    except discord.HTTPException:
        log.warning("Could not post to the moderators' log of guild %s: %s", guild.id, text, exc_info=True)
        if once_key is not None:  # not delivered, so let the next occurrence try again
            await db.execute("DELETE FROM mod_log_once WHERE guild_id = ? AND key = ?", (guild.id, once_key))
        return False
    return True
