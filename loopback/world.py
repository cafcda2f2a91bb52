"""The loopback Discord's world: users, guilds, channels, roles, members, messages."""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

DISCORD_EPOCH_MS = 1420070400000


class Perm:
    """Permission bits the harness uses (values from Discord's documentation)."""

    CREATE_INSTANT_INVITE = 1 << 0
    KICK_MEMBERS = 1 << 1
    BAN_MEMBERS = 1 << 2
    ADMINISTRATOR = 1 << 3
    MANAGE_CHANNELS = 1 << 4
    MANAGE_GUILD = 1 << 5
    ADD_REACTIONS = 1 << 6
    VIEW_CHANNEL = 1 << 10
    SEND_MESSAGES = 1 << 11
    MANAGE_MESSAGES = 1 << 13
    EMBED_LINKS = 1 << 14
    ATTACH_FILES = 1 << 15
    READ_MESSAGE_HISTORY = 1 << 16
    MENTION_EVERYONE = 1 << 17
    USE_EXTERNAL_EMOJIS = 1 << 18
    CONNECT = 1 << 20
    SPEAK = 1 << 21
    CHANGE_NICKNAME = 1 << 26
    MANAGE_ROLES = 1 << 28
    USE_APPLICATION_COMMANDS = 1 << 31
    MANAGE_EVENTS = 1 << 33
    MANAGE_THREADS = 1 << 34
    CREATE_PUBLIC_THREADS = 1 << 35
    CREATE_PRIVATE_THREADS = 1 << 36
    SEND_MESSAGES_IN_THREADS = 1 << 38
    CREATE_EVENTS = 1 << 44
    ALL = (1 << 51) - 1


EVERYONE_PERMISSIONS = (
    Perm.CREATE_INSTANT_INVITE | Perm.ADD_REACTIONS | Perm.VIEW_CHANNEL | Perm.SEND_MESSAGES
    | Perm.EMBED_LINKS | Perm.ATTACH_FILES | Perm.READ_MESSAGE_HISTORY | Perm.USE_EXTERNAL_EMOJIS
    | Perm.CONNECT | Perm.SPEAK | Perm.CHANGE_NICKNAME | Perm.USE_APPLICATION_COMMANDS
    | Perm.CREATE_PUBLIC_THREADS | Perm.SEND_MESSAGES_IN_THREADS
)
MODERATOR_PERMISSIONS = Perm.MANAGE_GUILD | Perm.MANAGE_THREADS | Perm.MANAGE_MESSAGES
# Broad but not ADMINISTRATOR, so a feature that needs a permission the bot lacks can be tested by removing it.
DEFAULT_BOT_PERMISSIONS = (
    EVERYONE_PERMISSIONS | Perm.MANAGE_CHANNELS | Perm.MANAGE_MESSAGES | Perm.MANAGE_ROLES
    | Perm.MANAGE_THREADS | Perm.MANAGE_EVENTS | Perm.CREATE_EVENTS | Perm.CREATE_PRIVATE_THREADS
    | Perm.MENTION_EVERYONE | Perm.KICK_MEMBERS
)
DEFAULT_FORUM_TAGS = ("python", "sql", "ml", "career")
BOT_ROLE_POSITION = 1000
# Discord's documented maximums for one guild.
MAX_GUILD_CHANNELS = 500  # every channel and category, threads excluded (400 / 30013 past it)
MAX_GUILD_ROLES = 250  # @everyone included (400 / 30005 past it)
MAX_CATEGORY_CHANNELS = 50  # channels under one category (400 / 50035 past it)


class ChannelType:
    """Channel type numbers."""

    TEXT = 0
    DM = 1
    VOICE = 2
    CATEGORY = 4
    NEWS = 5
    NEWS_THREAD = 10
    PUBLIC_THREAD = 11
    PRIVATE_THREAD = 12
    FORUM = 15
    THREADS = (10, 11, 12)


def now() -> datetime:
    """Current time, timezone-aware UTC."""
    return datetime.now(UTC)


def iso(value: datetime | None) -> str | None:
    """Discord's ISO-8601 timestamp form."""
    return None if value is None else value.isoformat()


class Snowflakes:
    """Generates increasing snowflakes whose timestamp part is the current time."""

    def __init__(self) -> None:
        self._counter = itertools.count()
        self._last = 0

    def next(self) -> int:
        """A new snowflake, strictly greater than every earlier one."""
        ms = int(time.time() * 1000) - DISCORD_EPOCH_MS
        value = (ms << 22) | (next(self._counter) & 0xFFF)
        # Keep ids increasing even when the 12-bit counter wraps within one millisecond.
        self._last = value = max(value, self._last + 1)
        return value

    def next_on_shard(self, shard_id: int, shard_count: int) -> int:
        """A new snowflake whose guild would be on this shard: `(id >> 22) % shard_count == shard_id` (the
        timestamp part is moved up to a few milliseconds ahead)."""
        value = self.next()
        ms = value >> 22
        ms += (shard_id - ms) % shard_count
        self._last = value = max((ms << 22) | (value & 0xFFF), value)
        return value


@dataclass
class User:
    """A Discord user (human or bot)."""

    id: int
    username: str
    global_name: str | None = None
    bot: bool = False
    avatar: str | None = None
    dms_closed: bool = False
    locale: str = "en-US"  # the member's Discord client language; interactions carry it

    @property
    def mention(self) -> str:
        """The `<@id>` mention text."""
        return f"<@{self.id}>"


@dataclass
class Role:
    """A guild role."""

    id: int
    guild_id: int
    name: str
    permissions: int = 0
    position: int = 0
    color: int = 0
    hoist: bool = False
    mentionable: bool = False
    managed: bool = False
    bot_id: int | None = None


@dataclass
class Member:
    """A user's membership in a guild."""

    guild_id: int
    user: User
    roles: list[int] = field(default_factory=list)
    joined_at: datetime = field(default_factory=now)
    nick: str | None = None
    pending: bool = False

    def __repr__(self) -> str:
        return f"Member(guild_id={self.guild_id}, user={self.user.username!r}, roles={self.roles})"

    @property
    def id(self) -> int:
        """The member's user id."""
        return self.user.id


@dataclass
class ForumTag:
    """A forum channel tag."""

    id: int
    name: str
    moderated: bool = False
    emoji_name: str | None = None


@dataclass
class Overwrite:
    """A channel permission overwrite: for a role (type 0) or a member (type 1)."""

    id: int
    type: int = 0
    allow: int = 0
    deny: int = 0

    ROLE = 0
    MEMBER = 1


@dataclass
class Channel:
    """A guild channel, thread or DM channel."""

    id: int
    type: int
    name: str = ""
    guild_id: int | None = None
    position: int = 0
    parent_id: int | None = None
    topic: str | None = None
    last_message_id: int | None = None
    available_tags: list[ForumTag] = field(default_factory=list)
    overwrites: list[Overwrite] = field(default_factory=list)
    # Thread fields.
    owner_id: int | None = None
    archived: bool = False
    locked: bool = False
    applied_tags: list[int] = field(default_factory=list)
    auto_archive_duration: int = 1440
    message_count: int = 0
    total_message_sent: int = 0
    member_ids: set[int] = field(default_factory=set)
    created_at: datetime = field(default_factory=now)
    archive_timestamp: datetime = field(default_factory=now)
    flags: int = 0
    # DM field.
    recipient_id: int | None = None

    @property
    def is_thread(self) -> bool:
        """Whether this channel is a thread."""
        return self.type in ChannelType.THREADS

    def tag(self, name: str) -> ForumTag:
        """A forum tag by name."""
        for tag in self.available_tags:
            if tag.name == name:
                return tag
        raise KeyError(f"no tag {name!r} in channel {self.name!r}")


@dataclass
class Message:
    """A stored message."""

    id: int
    channel_id: int
    author: User
    content: str = ""
    guild_id: int | None = None
    embeds: list[dict[str, Any]] = field(default_factory=list)
    components: list[dict[str, Any]] = field(default_factory=list)
    attachments: list[dict[str, Any]] = field(default_factory=list)
    flags: int = 0
    type: int = 0
    timestamp: datetime = field(default_factory=now)
    edited_timestamp: datetime | None = None
    mention_ids: list[int] = field(default_factory=list)
    mention_roles: list[int] = field(default_factory=list)
    mention_everyone: bool = False
    message_reference: dict[str, Any] | None = None
    webhook_id: int | None = None
    application_id: int | None = None
    interaction_metadata: dict[str, Any] | None = None
    thread_id: int | None = None
    pinned: bool = False
    reactions: dict[str, set[int]] = field(default_factory=dict)
    deleted: bool = False
    allowed_mentions: dict[str, Any] | None = None

    @property
    def ephemeral(self) -> bool:
        """Whether the message is ephemeral (flag 64)."""
        return bool(self.flags & 64)

    def __repr__(self) -> str:
        return (
            f"Message(id={self.id}, channel_id={self.channel_id}, author={self.author.username!r}, "
            f"content={self.content[:60]!r}, flags={self.flags})"
        )

    def text(self) -> str:
        """Content, embed texts and text displays joined by newlines, for assertions."""
        parts = [self.content]
        for embed in self.embeds:
            parts.extend(embed_texts(embed))
        for row in self.components:
            parts.extend(component_texts(row))
        return "\n".join(p for p in parts if p)


def embed_texts(embed: dict[str, Any]) -> list[str]:
    """The text pieces of one embed dict."""
    parts = [embed.get("title"), embed.get("description")]
    for f in embed.get("fields", []):
        parts += [f.get("name"), f.get("value")]
    parts.append((embed.get("footer") or {}).get("text"))
    parts.append((embed.get("author") or {}).get("name"))
    return [p for p in parts if p]


def component_texts(component: dict[str, Any]) -> list[str]:
    """Text displays (type 10) in a component tree: a components-v2 message's content lives there."""
    out = [component.get("content")] if component.get("type") == 10 else []
    for child in component.get("components", []):
        out.extend(component_texts(child))
    for key in ("accessory", "component"):
        if isinstance(component.get(key), dict):
            out.extend(component_texts(component[key]))
    return [p for p in out if p]


@dataclass
class Guild:
    """A guild and everything in it."""

    id: int
    name: str
    owner_id: int
    roles: dict[int, Role] = field(default_factory=dict)
    channels: dict[int, Channel] = field(default_factory=dict)
    members: dict[int, Member] = field(default_factory=dict)
    scheduled_events: dict[int, dict[str, Any]] = field(default_factory=dict)
    bot_role_id: int | None = None
    locale: str = "en-US"  # the server's language (preferred_locale; interactions carry it as guild_locale)

    def __repr__(self) -> str:
        return f"Guild(id={self.id}, name={self.name!r}, members={len(self.members)}, channels={len(self.channels)})"

    def channel(self, name: str) -> Channel:
        """A non-thread channel by name."""
        for ch in self.channels.values():
            if ch.name == name and not ch.is_thread:
                return ch
        raise KeyError(f"no channel {name!r} in guild {self.name!r}")

    def thread(self, name: str) -> Channel:
        """A thread by name (the newest with that name)."""
        found = [ch for ch in self.channels.values() if ch.is_thread and ch.name == name]
        if not found:
            raise KeyError(f"no thread {name!r} in guild {self.name!r}")
        return found[-1]

    def role(self, name: str) -> Role:
        """A role by name."""
        for role in self.roles.values():
            if role.name == name:
                return role
        raise KeyError(f"no role {name!r} in guild {self.name!r}")

    @property
    def everyone(self) -> Role:
        """The @everyone role (its id is the guild id)."""
        return self.roles[self.id]

    @property
    def threads(self) -> list[Channel]:
        """All threads of the guild."""
        return [ch for ch in self.channels.values() if ch.is_thread]

    def base_permissions(self, user_id: int) -> int:
        """Guild-level permissions of a member, from @everyone and their roles."""
        if user_id == self.owner_id:
            return Perm.ALL
        member = self.members.get(user_id)
        perms = self.everyone.permissions
        for role_id in member.roles if member else []:
            role = self.roles.get(role_id)
            if role:
                perms |= role.permissions
        return Perm.ALL if perms & Perm.ADMINISTRATOR else perms

    def channel_permissions(self, user_id: int, channel: Channel) -> int:
        """A member's permissions in a channel: guild permissions, then the channel's overwrites for @everyone,
        the member's roles and the member, in Discord's order; a thread follows its parent's overwrites."""
        perms = self.base_permissions(user_id)
        if perms == Perm.ALL:
            return perms
        if channel.is_thread and channel.parent_id in self.channels:
            channel = self.channels[channel.parent_id]
        by_id = {(o.type, o.id): o for o in channel.overwrites}
        everyone = by_id.get((Overwrite.ROLE, self.id))
        if everyone is not None:
            perms = (perms & ~everyone.deny) | everyone.allow
        member = self.members.get(user_id)
        allow = deny = 0
        for role_id in member.roles if member else []:
            found = by_id.get((Overwrite.ROLE, role_id))
            if found is not None:
                allow, deny = allow | found.allow, deny | found.deny
        perms = (perms & ~deny) | allow
        own = by_id.get((Overwrite.MEMBER, user_id))
        if own is not None:
            perms = (perms & ~own.deny) | own.allow
        return perms if perms & Perm.VIEW_CHANNEL else 0

    def top_position(self, user_id: int) -> int:
        """Highest role position of a member (0 for @everyone only)."""
        member = self.members.get(user_id)
        positions = [self.roles[r].position for r in (member.roles if member else []) if r in self.roles]
        return max(positions, default=0)


class World:
    """Everything the loopback Discord knows; survives bot restarts."""

    def __init__(self) -> None:
        self.ids = Snowflakes()
        self.users: dict[int, User] = {}
        self.guilds: dict[int, Guild] = {}
        self.channels: dict[int, Channel] = {}
        self.messages: dict[int, Message] = {}
        self.channel_message_ids: dict[int, list[int]] = {}
        self.dm_channel_by_user: dict[int, int] = {}
        self.attachment_data: dict[int, bytes] = {}  # uploaded files' bytes by attachment id
        # (channel id, author id, nonce) -> (message id, monotonic time) for enforce_nonce on message create
        self.nonces: dict[tuple[int, int, str], tuple[int, float]] = {}

    def user(self, user_id: int) -> User:
        """A user by id."""
        return self.users[int(user_id)]

    def guild(self, guild_id: int) -> Guild:
        """A guild by id."""
        return self.guilds[int(guild_id)]

    def channel(self, channel_id: int) -> Channel:
        """A channel, thread or DM channel by id."""
        return self.channels[int(channel_id)]

    def add_channel(self, channel: Channel) -> Channel:
        """Index a channel in the world and its guild."""
        self.channels[channel.id] = channel
        self.channel_message_ids.setdefault(channel.id, [])
        if channel.guild_id is not None:
            self.guilds[channel.guild_id].channels[channel.id] = channel
        return channel

    def store_message(self, message: Message) -> Message:
        """Store a message; ephemeral ones are kept by id only, not in the channel's history."""
        self.messages[message.id] = message
        if not message.ephemeral:
            self.channel_message_ids.setdefault(message.channel_id, []).append(message.id)
            channel = self.channels.get(message.channel_id)
            if channel is not None:
                channel.last_message_id = message.id
                if channel.is_thread and message.id != channel.id:
                    channel.message_count += 1
                    channel.total_message_sent += 1
        return message

    def channel_messages(self, channel_id: int) -> list[Message]:
        """Non-deleted, non-ephemeral messages of a channel, oldest first."""
        ids = self.channel_message_ids.get(int(channel_id), [])
        return [self.messages[i] for i in ids if not self.messages[i].deleted]

    def dm_channel(self, user_id: int) -> Channel:
        """The DM channel with a user, created on first use (Discord keeps one per pair)."""
        channel_id = self.dm_channel_by_user.get(user_id)
        if channel_id is None:
            channel = self.add_channel(Channel(id=self.ids.next(), type=ChannelType.DM, recipient_id=user_id))
            self.dm_channel_by_user[user_id] = channel_id = channel.id
        return self.channels[channel_id]
