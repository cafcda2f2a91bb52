"""Reading the server into plain facts for setup's rules: channels of each kind, roles, the bot's permissions."""

from __future__ import annotations

from collections.abc import Iterable

import discord

from bot.invite import NEEDED
from cogs.setup.models import ChannelFact, GuildFacts, RoleFact
from cogs.setup.rules import IN_FORUM, POSTING

KINDS = {
    discord.ChannelType.text: "text",
    discord.ChannelType.news: "text",
    discord.ChannelType.forum: "forum",
    discord.ChannelType.category: "category",
    discord.ChannelType.voice: "voice",
    discord.ChannelType.stage_voice: "voice",
}
CHANNEL_FLAGS = (*POSTING, *IN_FORUM, "create_public_threads", "manage_channels")


# Flag names and their aliases (`view_channel` is `read_messages`): iterating Permissions yields only the former.
ALL_FLAGS = frozenset(discord.Permissions.VALID_FLAGS) | {needed.flag for needed in NEEDED} | set(CHANNEL_FLAGS)


def _granted(permissions: discord.Permissions, flags: Iterable[str] = ALL_FLAGS) -> frozenset[str]:
    return frozenset(name for name in flags if getattr(permissions, name, False) is True)


def guild_facts(guild: discord.Guild, *, members_intent: bool) -> GuildFacts:
    """The server as setup's rules see it, read from discord.py's cache (no request to Discord)."""
    me = guild.me
    channels = []
    for channel in guild.channels:
        tags = tuple(t.name for t in channel.available_tags) if isinstance(channel, discord.ForumChannel) else ()
        channels.append(
            ChannelFact(
                id=channel.id,
                name=channel.name,
                kind=KINDS.get(channel.type, "other"),
                parent_id=channel.category_id,
                tags=tags,
                bot_can=_granted(channel.permissions_for(me), CHANNEL_FLAGS),
            )
        )
    roles = tuple(
        RoleFact(role.id, role.name, role.position, role.managed) for role in guild.roles if not role.is_default()
    )
    return GuildFacts(
        guild_id=guild.id,
        channels=tuple(channels),
        roles=roles,
        bot_top_position=me.top_role.position,
        bot_role_name=me.top_role.name,
        bot_permissions=_granted(me.guild_permissions),
        members_intent=members_intent,
    )
