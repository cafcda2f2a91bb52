"""Small Discord helpers shared by features: finding configured channels and roles, safe text."""

from __future__ import annotations

import re
from collections.abc import Iterable

import discord
from discord import app_commands

from bot import i18n
from bot.i18n import N_, _

# Users' text never pings anyone; code that means to ping passes its own AllowedMentions.
NO_PINGS = discord.AllowedMentions.none()

_CHANNEL_MENTION = re.compile(r"^<#(\d+)>$")
_ROLE_MENTION = re.compile(r"^<@&(\d+)>$")

CHANNEL_KINDS: dict[str, tuple[discord.ChannelType, ...]] = {
    "text": (discord.ChannelType.text, discord.ChannelType.news),
    "forum": (discord.ChannelType.forum,),
    "category": (discord.ChannelType.category,),
    "voice": (discord.ChannelType.voice, discord.ChannelType.stage_voice),
}
# Every kind, for a lookup that only wants to say what a name is ("General is a category").
ANY_KIND: tuple[str, ...] = tuple(CHANNEL_KINDS)

# How a channel of each kind is named in a sentence ("<#1> is a forum channel"), translated where shown.
CHANNEL_PHRASES: dict[str, str] = {
    "text": N_("a text channel"),
    "news": N_("a news channel"),
    "forum": N_("a forum channel"),
    "media": N_("a media channel"),
    "category": N_("a category channel"),
    "voice": N_("a voice channel"),
    "stage_voice": N_("a stage channel"),
}

# Permission names as Discord's client shows them (discord.py's flag name -> label), translated where shown.
PERMISSION_NAMES: dict[str, str] = {
    "administrator": N_("Administrator"),
    "manage_guild": N_("Manage Server"),
    "manage_roles": N_("Manage Roles"),
    "manage_channels": N_("Manage Channels"),
    "manage_threads": N_("Manage Threads"),
    "manage_messages": N_("Manage Messages"),
    "manage_events": N_("Manage Events"),
    "create_events": N_("Create Events"),
    "moderate_members": N_("Moderate Members"),
    "kick_members": N_("Kick Members"),
    "ban_members": N_("Ban Members"),
    "view_channel": N_("View Channel"),
    "send_messages": N_("Send Messages"),
    "send_messages_in_threads": N_("Send Messages In Threads"),
    "create_public_threads": N_("Create Public Threads"),
    "embed_links": N_("Embed Links"),
    "attach_files": N_("Attach Files"),
    "add_reactions": N_("Add Reactions"),
    "read_message_history": N_("Read Message History"),
    "mention_everyone": N_("Mention Everyone"),
}


def permission_name(flag: str) -> str:
    """A permission as members read it in their language: "manage_guild" -> "Manage Server"."""
    known = PERMISSION_NAMES.get(flag)
    return _(known) if known else flag.replace("_", " ").replace("guild", "server").title()


def channel_phrase(kind: str) -> str:
    """"a forum channel", in the current language."""
    known = CHANNEL_PHRASES.get(kind)
    return _(known) if known else f"a {kind} channel"


def normalise_channel_ref(text: str) -> str:
    """`<#123>`, `#name`, `name` or an ID, as the ID or bare name."""
    text = text.strip()
    match = _CHANNEL_MENTION.match(text)
    return match.group(1) if match else text.removeprefix("#")


def normalise_role_ref(text: str) -> str:
    """`<@&123>`, `@name`, `name` or an ID, as the ID or bare name."""
    text = text.strip()
    match = _ROLE_MENTION.match(text)
    return match.group(1) if match else text.removeprefix("@")


def channel_types(kinds: Iterable[str]) -> tuple[discord.ChannelType, ...]:
    """Discord's channel types for kinds such as ("forum", "text")."""
    return tuple(t for kind in kinds for t in CHANNEL_KINDS[kind])


def find_channel(
    guild: discord.Guild, ref: str | None, *, kinds: Iterable[str]
) -> discord.abc.GuildChannel | None:
    """A guild channel of one of `kinds` ("text", "forum", "category", "voice") by ID or by name (case-insensitive).

    The kind matters: a fresh server has a "General" category and a "General" voice channel besides #general, so
    a lookup of `general` for a text channel must not stop at the category. None when there is no such channel.
    """
    if not ref:
        return None
    wanted = channel_types(kinds)
    ref = normalise_channel_ref(str(ref))
    if ref.isdigit():
        channel = guild.get_channel(int(ref))
        return channel if channel is not None and channel.type in wanted else None
    lowered = ref.lower()
    return discord.utils.find(lambda c: c.type in wanted and c.name.lower() == lowered, guild.channels)


def find_role(guild: discord.Guild, ref: str | None) -> discord.Role | None:
    """A role by ID or by name (case-insensitive); None when absent."""
    if not ref:
        return None
    ref = normalise_role_ref(str(ref))
    if ref.isdigit():
        return guild.get_role(int(ref))
    lowered = ref.lower()
    return discord.utils.find(lambda r: r.name.lower() == lowered, guild.roles)


def channel_problem(
    guild: discord.Guild, ref: str, kinds: tuple[str, ...], *, needs_threads: bool = False
) -> str | None:
    """Why a configured channel cannot be used (in the current language), or None when it can."""
    channel = find_channel(guild, ref, kinds=kinds)
    if channel is None:
        other = find_channel(guild, ref, kinds=ANY_KIND)
        if other is None:
            return _("no channel named or with ID `{ref}` in this server").format(ref=ref)
        wanted = i18n.join([channel_phrase(kind) for kind in kinds], alternatives=True)
        return _("{channel} is {kind}, but this setting needs {wanted}").format(
            channel=other.mention, kind=channel_phrase(other.type.name), wanted=wanted
        )
    perms = channel.permissions_for(guild.me)
    missing = [name for name in ("view_channel", "send_messages", "embed_links") if not getattr(perms, name)]
    if needs_threads or channel.type is discord.ChannelType.forum:
        missing += [n for n in ("send_messages_in_threads",) if not getattr(perms, n)]
    if missing:
        return _("the bot lacks {permissions} in {channel}").format(
            permissions=i18n.join([permission_name(p) for p in missing]), channel=channel.mention
        )
    return None


def is_moderator(member: discord.abc.User, moderator_role_ref: str, permission: str = "manage_guild") -> bool:
    """Manage Server (or the feature's more specific permission) or the configured moderator role."""
    if not isinstance(member, discord.Member):
        return False
    if member.guild_permissions.administrator or getattr(member.guild_permissions, permission):
        return True
    role = find_role(member.guild, moderator_role_ref)
    return role is not None and role in member.roles


def clip(text: str, limit: int, ellipsis: str = "…") -> str:
    """Shorten to at most `limit` characters, marking the cut."""
    return text if len(text) <= limit else text[: limit - len(ellipsis)] + ellipsis


def escape(text: str) -> str:
    """Markdown-escaped user text (mentions stay inert through NO_PINGS, not escaping)."""
    return discord.utils.escape_markdown(text)


_MARKDOWN = re.compile(r"([\\*_~`|>#\[\]<])")


def inert(text: str) -> str:
    """User or directory text to embed inside the bot's own formatting, shown literally."""
    # Pings are already impossible (every message goes out with allowed_mentions none); this keeps a title like
    # `# **@everyone** [link](x) <@123>` from changing how the bot's message looks: markdown, masked links,
    # headings, quotes and mention or emoji syntax are escaped, mass mentions broken. Every markup character is
    # escaped on its own, in one pass (a third of discord.py's escape_markdown, which parses links and URLs).
    return discord.utils.escape_mentions(_MARKDOWN.sub(r"\\\1", text))


def jump_url(guild_id: int, channel_id: int, message_id: int | None = None) -> str:
    """A link to a channel or message that works without the objects in cache."""
    base = f"https://discord.com/channels/{guild_id}/{channel_id}"
    return base if message_id is None else f"{base}/{message_id}"


def guild_of(interaction: discord.Interaction) -> discord.Guild:
    """The server of a guild-only command or component (Discord sends those only from servers)."""
    if interaction.guild is None:
        raise app_commands.NoPrivateMessage()
    return interaction.guild


def member_of(interaction: discord.Interaction) -> discord.Member:
    """The member behind a guild-only interaction."""
    if not isinstance(interaction.user, discord.Member):
        raise app_commands.NoPrivateMessage()
    return interaction.user
