"""Which language a message nobody triggered is written in: the member's stored choice, else the server's.

An interaction is answered in its member's Discord language (set by the client before any feature code runs); a
welcome DM, a reminder, a channel post or a digest has no interaction, so its sender asks here and writes inside
`with i18n.using(language):`. The member's choice (onboarding's language step, `/language`) is kept per user in
`member_languages`; the server's is the `language` setting, where "auto" means the server's Discord language.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot import i18n
from bot.times import unix

if TYPE_CHECKING:
    from datetime import datetime

    from bot.client import CommunityBot
    from bot.database import Database

AUTO = "auto"


async def chosen(db: Database, user_id: int) -> str | None:
    """The language this member chose, or None (they follow the server's)."""
    found = await db.fetchval("SELECT language FROM member_languages WHERE user_id = ?", (user_id,))
    return str(found) if found and i18n.supported(str(found)) else None


async def choose(db: Database, user_id: int, language: str | None, now: datetime) -> None:
    """Store a member's choice; None forgets it (they follow the server's language again)."""
    if language is None:
        await db.execute("DELETE FROM member_languages WHERE user_id = ?", (user_id,))
        return
    await db.execute(
        "INSERT INTO member_languages (user_id, language, chosen_at) VALUES (?, ?, ?)"
        " ON CONFLICT (user_id) DO UPDATE SET language = excluded.language, chosen_at = excluded.chosen_at",
        (user_id, language, unix(now)),
    )


async def of_server(bot: CommunityBot, guild_id: int) -> str:
    """The server's language: its `language` setting, or with "auto" its Discord language, else English."""
    setting = (await bot.guild_config(guild_id)).language
    if setting != AUTO:
        return i18n.negotiate(setting)
    guild = bot.get_guild(guild_id)
    return i18n.negotiate(guild.preferred_locale.value if guild is not None else None)


async def of_member(bot: CommunityBot, guild_id: int | None, user_id: int) -> str:
    """The language to write to this member in when they did not ask: their choice, else the server's."""
    mine = await chosen(bot.db, user_id)
    if mine is not None:
        return mine
    return await of_server(bot, guild_id) if guild_id is not None else i18n.DEFAULT
