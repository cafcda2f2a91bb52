"""World setup and what users do, plus the write operations REST handlers share."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from . import payloads
from .world import (
    BOT_ROLE_POSITION,
    DEFAULT_BOT_PERMISSIONS,
    DEFAULT_FORUM_TAGS,
    EVERYONE_PERMISSIONS,
    MODERATOR_PERMISSIONS,
    Channel,
    ChannelType,
    ForumTag,
    Guild,
    Member,
    Message,
    Role,
    User,
    World,
    now,
)

if TYPE_CHECKING:
    from .gateway import Gateway

USER_MENTION = re.compile(r"<@!?(\d+)>")
ROLE_MENTION = re.compile(r"<@&(\d+)>")
DEFAULT_CHANNELS = (("welcome", 0), ("questions", 15), ("events", 0), ("mod-log", 0), ("general", 0))


def _ids(values: Iterable[Any]) -> list[int]:
    return [int(getattr(v, "id", v)) for v in values]


class Actions:
    """Mixin for LoopbackDiscord: world building, user actions and shared write operations."""

    world: World
    gateway: Gateway
    bot_user: User

    # ---- world setup: no events, for building the world before (or between) bot runs

    def add_user(self, username: str, global_name: str | None = None, *, bot: bool = False) -> User:
        """Create a user."""
        u = User(id=self.world.ids.next(), username=username, global_name=global_name or username.title(), bot=bot)
        self.world.users[u.id] = u
        return u

    def add_guild(
        self, name: str, owner: User | None = None, *, bot_permissions: int = DEFAULT_BOT_PERMISSIONS,
        default_channels: bool = True, on_shard: tuple[int, int] | None = None,
    ) -> Guild:
        """Create a guild with @everyone, Moderators and Bot roles, the owner, the bot and default channels;
        `on_shard=(shard_id, shard_count)` picks an id that puts it on that shard."""
        owner = owner or self.add_user(f"owner-{len(self.world.guilds) + 1}", "Guild Owner")
        gid = self.world.ids.next() if on_shard is None else self.world.ids.next_on_shard(*on_shard)
        guild = Guild(id=gid, name=name, owner_id=owner.id)
        self.world.guilds[gid] = guild
        guild.roles[gid] = Role(id=gid, guild_id=gid, name="@everyone", permissions=EVERYONE_PERMISSIONS)
        self.add_role(gid, "Moderators", MODERATOR_PERMISSIONS)
        bot_role = self.add_role(gid, "Bot", bot_permissions)
        bot_role.position, bot_role.managed, bot_role.bot_id = BOT_ROLE_POSITION, True, self.bot_user.id
        guild.bot_role_id = bot_role.id
        self.add_member(gid, owner)
        self.add_member(gid, self.bot_user, roles=[bot_role.id])
        if default_channels:
            for ch_name, ch_type in DEFAULT_CHANNELS:
                tags = list(DEFAULT_FORUM_TAGS) if ch_type == ChannelType.FORUM else None
                self.add_channel(gid, ch_name, type=ch_type, available_tags=tags)
        return guild

    def add_channel(
        self, guild_id: int, name: str, type: int = 0, parent_id: int | None = None,
        available_tags: Iterable[str] | None = None, topic: str | None = None,
    ) -> Channel:
        """Create a guild channel (text 0, category 4, news 5, forum 15...)."""
        guild = self.world.guild(guild_id)
        tags = [ForumTag(id=self.world.ids.next(), name=t) for t in available_tags or []]
        position = sum(1 for c in guild.channels.values() if not c.is_thread)
        ch = Channel(
            id=self.world.ids.next(), type=type, name=name, guild_id=guild.id, position=position,
            parent_id=parent_id, available_tags=tags, topic=topic,
        )
        return self.world.add_channel(ch)

    def add_role(self, guild_id: int, name: str, permissions: int = 0, **fields: Any) -> Role:
        """Create a role below the bot's role."""
        guild = self.world.guild(guild_id)
        position = max((r.position for r in guild.roles.values() if r.position < BOT_ROLE_POSITION), default=0) + 1
        role = Role(id=self.world.ids.next(), guild_id=guild.id, name=name, permissions=permissions,
                    position=position, **fields)
        guild.roles[role.id] = role
        return role

    def add_member(self, guild_id: int, user: User, roles: Iterable[Any] = ()) -> Member:
        """Add a member silently (no event)."""
        guild = self.world.guild(guild_id)
        self.world.users.setdefault(user.id, user)
        member = Member(guild_id=guild.id, user=user, roles=_ids(roles))
        guild.members[user.id] = member
        return member

    def add_members(self, guild_id: int, count: int, prefix: str = "member") -> list[Member]:
        """Add many generated members silently (for chunking and join-wave tests)."""
        return [self.add_member(guild_id, self.add_user(f"{prefix}{i}")) for i in range(count)]

    def set_bot_permissions(self, guild_id: int, permissions: int) -> Role:
        """Change the Bot role's permissions silently; use `update_role` to tell a running bot."""
        guild = self.world.guild(guild_id)
        role = guild.roles[guild.bot_role_id]
        role.permissions = permissions
        return role

    def close_dms(self, user_id: int, closed: bool = True) -> None:
        """Make DMs to this user fail with 403/50007, as when they closed DMs from server members."""
        self.world.user(user_id).dms_closed = closed

    # ---- read helpers

    def channel_messages(self, channel_id: int) -> list[Message]:
        """Stored messages of a channel or thread, oldest first (the bot's included)."""
        return self.world.channel_messages(channel_id)

    def dm_messages(self, user_id: int) -> list[Message]:
        """Messages in the DM channel with a user."""
        channel_id = self.world.dm_channel_by_user.get(int(user_id))
        return self.world.channel_messages(channel_id) if channel_id else []

    def member(self, guild_id: int, user_id: int) -> Member:
        """A member of a guild."""
        return self.world.guild(guild_id).members[int(user_id)]

    def message(self, message_id: int) -> Message:
        """A stored message by id (ephemeral ones included)."""
        return self.world.messages[int(message_id)]

    # ---- live user actions: each dispatches the gateway events Discord would

    async def announce_guild(self, guild_id: int) -> bool:
        """The bot is added to a guild built with add_guild while it runs: GUILD_CREATE."""
        return await self.gateway.announce_guild(guild_id)

    async def join_member(self, guild_id: int, user: User, roles: Iterable[Any] = ()) -> Member:
        """A user joins: GUILD_MEMBER_ADD."""
        member = self.add_member(guild_id, user, roles)
        await self.gateway.dispatch("GUILD_MEMBER_ADD", {**payloads.member(member), "guild_id": str(guild_id)})
        return member

    async def remove_member(self, guild_id: int, user_id: int) -> None:
        """A member leaves: GUILD_MEMBER_REMOVE."""
        member = self.world.guild(guild_id).members.pop(int(user_id))
        await self.gateway.dispatch(
            "GUILD_MEMBER_REMOVE", {"guild_id": str(guild_id), "user": payloads.user(member.user)}
        )

    async def set_member_roles(self, guild_id: int, user_id: int, roles: Iterable[Any]) -> Member:
        """Someone (a moderator, Discord onboarding) sets a member's roles: GUILD_MEMBER_UPDATE."""
        member = self.member(guild_id, user_id)
        member.roles = _ids(roles)
        await self.member_updated(member)
        return member

    async def update_role(self, guild_id: int, role_id: int, **fields: Any) -> Role:
        """Change a role: GUILD_ROLE_UPDATE."""
        role = self.world.guild(guild_id).roles[int(role_id)]
        for key, value in fields.items():
            setattr(role, key, value)
        await self.gateway.dispatch("GUILD_ROLE_UPDATE", {"guild_id": str(guild_id), "role": payloads.role(role)})
        return role

    async def send_message(self, channel_id: int, author_id: int, content: str, **fields: Any) -> Message:
        """A user posts a message: MESSAGE_CREATE."""
        channel = self.world.channel(channel_id)
        return await self.post_message(channel, self.world.user(author_id), {"content": content, **fields})

    async def send_dm(self, user_id: int, content: str) -> Message:
        """A user writes to the bot in DMs: MESSAGE_CREATE without guild_id."""
        channel = self.world.dm_channel(int(user_id))
        return await self.post_message(channel, self.world.user(user_id), {"content": content})

    async def create_forum_post(
        self, forum_id: int, author_id: int, title: str, content: str, applied_tags: Iterable[Any] = (),
    ) -> Channel:
        """A user opens a forum post: THREAD_CREATE then MESSAGE_CREATE of the starter message."""
        forum = self.world.channel(forum_id)
        tags = [forum.tag(t).id if isinstance(t, str) else int(getattr(t, "id", t)) for t in applied_tags]
        thread, _ = await self.create_thread(
            forum, self.world.user(author_id), title, message_body={"content": content}, applied_tags=tags
        )
        return thread

    async def update_thread(self, thread_id: int, **fields: Any) -> Channel:
        """Someone edits a thread (archive, lock, rename, tags): THREAD_UPDATE."""
        thread = self.world.channel(thread_id)
        for key, value in fields.items():
            setattr(thread, key, value)
        if "archived" in fields:
            thread.archive_timestamp = now()
        await self.gateway.dispatch("THREAD_UPDATE", payloads.thread(thread))
        return thread

    async def delete_message(self, message_id: int) -> None:
        """A user deletes a message: MESSAGE_DELETE."""
        await self.remove_message(self.world.messages[int(message_id)])

    async def add_reaction(self, message_id: int, user_id: int, emoji: str) -> None:
        """A user reacts with a unicode emoji: MESSAGE_REACTION_ADD."""
        msg = self.world.messages[int(message_id)]
        msg.reactions.setdefault(emoji, set()).add(int(user_id))
        data: dict[str, Any] = {
            "user_id": str(user_id), "channel_id": str(msg.channel_id), "message_id": str(msg.id),
            "emoji": {"id": None, "name": emoji}, "message_author_id": str(msg.author.id),
            "burst": False, "burst_colors": [], "type": 0,
        }
        if msg.guild_id:
            data["guild_id"] = str(msg.guild_id)
            data["member"] = payloads.member(self.member(msg.guild_id, user_id))
        await self.gateway.dispatch("MESSAGE_REACTION_ADD", data)

    # ---- shared write operations (used by REST handlers too)

    async def member_updated(self, member: Member) -> None:
        """Dispatch GUILD_MEMBER_UPDATE for a changed member."""
        data = {**payloads.member(member), "guild_id": str(member.guild_id)}
        await self.gateway.dispatch("GUILD_MEMBER_UPDATE", data)

    def _mentions(self, content: str, guild: Guild | None, allowed: dict[str, Any] | None) -> tuple:
        users = [int(u) for u in USER_MENTION.findall(content)]
        roles = [int(r) for r in ROLE_MENTION.findall(content)]
        everyone = "@everyone" in content or "@here" in content
        if allowed is not None:
            # allowed_mentions decides who is pinged, and Discord lists only the pinged in `mentions`.
            parse = allowed.get("parse") or []
            allowed_users = {int(u) for u in allowed.get("users") or []}
            allowed_roles = {int(r) for r in allowed.get("roles") or []}
            users = [u for u in users if "users" in parse or u in allowed_users]
            roles = [r for r in roles if "roles" in parse or r in allowed_roles]
            everyone = everyone and "everyone" in parse
        users = list(dict.fromkeys(u for u in users if u in self.world.users))
        roles = list(dict.fromkeys(r for r in roles if guild and r in guild.roles))
        return users, roles, everyone

    async def post_message(
        self, channel: Channel, author: User, body: dict[str, Any], *, attachments: list | None = None,
        message_id: int | None = None, dispatch: bool = True, **extra: Any,
    ) -> Message:
        """Store a message built from a REST-style body and dispatch MESSAGE_CREATE (unless ephemeral)."""
        guild = self.world.guilds.get(channel.guild_id) if channel.guild_id else None
        content = body.get("content") or ""
        allowed = body.get("allowed_mentions")
        mention_ids, mention_roles, everyone = self._mentions(content, guild, allowed)
        msg = Message(
            id=message_id or self.world.ids.next(), channel_id=channel.id, author=author, content=content,
            guild_id=channel.guild_id, embeds=list(body.get("embeds") or []),
            components=list(body.get("components") or []), attachments=attachments or [],
            flags=int(body.get("flags") or 0), mention_ids=mention_ids, mention_roles=mention_roles,
            mention_everyone=everyone, allowed_mentions=allowed, **extra,
        )
        ref = body.get("message_reference")
        if ref:
            msg.message_reference = {"type": 0, "channel_id": str(channel.id), **ref}
            msg.type = 19 if msg.type == 0 else msg.type
        self.world.store_message(msg)
        if dispatch and not msg.ephemeral:
            await self.gateway.dispatch("MESSAGE_CREATE", payloads.message(self.world, msg))
        return msg

    async def edit_message(self, msg: Message, body: dict[str, Any], *, attachments: list | None = None) -> Message:
        """Apply an edit body to a message and dispatch MESSAGE_UPDATE (unless ephemeral)."""
        guild = self.world.guilds.get(msg.guild_id) if msg.guild_id else None
        if "content" in body:
            msg.content = body["content"] or ""
            msg.mention_ids, msg.mention_roles, msg.mention_everyone = self._mentions(
                msg.content, guild, body.get("allowed_mentions", msg.allowed_mentions)
            )
        for key in ("embeds", "components"):
            if key in body:
                setattr(msg, key, list(body[key] or []))
        if "flags" in body and body["flags"] is not None:
            # Only the suppress-embeds bit is editable; keep ephemeral/v2 bits, and clear "loading" (128).
            msg.flags = (msg.flags & ~(4 | 128)) | (int(body["flags"]) & (4 | (1 << 15)))
        else:
            msg.flags &= ~128
        if attachments is not None or "attachments" in body:
            keep = {str(a.get("id")) for a in body.get("attachments") or []}
            msg.attachments = [a for a in msg.attachments if a["id"] in keep] + (attachments or [])
        msg.edited_timestamp = now()
        if not msg.ephemeral:
            await self.gateway.dispatch("MESSAGE_UPDATE", payloads.message(self.world, msg))
        return msg

    async def remove_message(self, msg: Message) -> None:
        """Mark a message deleted and dispatch MESSAGE_DELETE (unless ephemeral)."""
        msg.deleted = True
        if msg.ephemeral:
            return
        data = {"id": str(msg.id), "channel_id": str(msg.channel_id)}
        if msg.guild_id:
            data["guild_id"] = str(msg.guild_id)
        await self.gateway.dispatch("MESSAGE_DELETE", data)

    async def create_thread(
        self, parent: Channel, owner: User, name: str, *, message_body: dict[str, Any] | None = None,
        from_message: Message | None = None, applied_tags: Iterable[int] = (), auto_archive_duration: int = 1440,
        type: int = ChannelType.PUBLIC_THREAD, attachments: list | None = None,
    ) -> tuple[Channel, Message | None]:
        """Create a thread: THREAD_CREATE, then the starter message's MESSAGE_CREATE for forum posts."""
        # A thread started from a message (and a forum post's starter message) shares that message's id.
        thread_id = from_message.id if from_message else self.world.ids.next()
        thread = Channel(
            id=thread_id, type=type, name=name, guild_id=parent.guild_id, parent_id=parent.id, owner_id=owner.id,
            applied_tags=list(applied_tags), auto_archive_duration=auto_archive_duration, member_ids={owner.id},
        )
        self.world.add_channel(thread)
        if from_message is not None:
            from_message.thread_id = thread.id
            from_message.flags |= 32
        data = payloads.thread(thread, newly_created=True)
        if owner.id == self.bot_user.id:
            data["member"] = payloads.thread_member(thread, owner.id)
        await self.gateway.dispatch("THREAD_CREATE", data)
        starter = None
        if message_body is not None:
            starter = await self.post_message(thread, owner, message_body, attachments=attachments,
                                              message_id=thread.id)
        return thread, starter
