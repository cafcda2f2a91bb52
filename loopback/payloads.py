"""Complete JSON payload builders for the pinned discord.py (2.7.1)."""

from __future__ import annotations

from typing import Any

from .world import Channel, ChannelType, ForumTag, Guild, Member, Message, Overwrite, Role, User, World, iso

Payload = dict[str, Any]


def user(u: User) -> Payload:
    """A user object."""
    return {
        "id": str(u.id),
        "username": u.username,
        "discriminator": "0",
        "global_name": u.global_name,
        "avatar": u.avatar,
        "bot": u.bot,
        "system": False,
        "public_flags": 0,
        "banner": None,
        "accent_color": None,
        "avatar_decoration_data": None,
        "collectibles": None,
        "primary_guild": None,
    }


def me_user(u: User) -> Payload:
    """The `/users/@me` form of a user: adds the private account fields."""
    return {**user(u), "verified": True, "mfa_enabled": False, "flags": 0, "locale": "en-US", "email": None}


def role(r: Role) -> Payload:
    """A role object."""
    data: Payload = {
        "id": str(r.id),
        "name": r.name,
        "color": r.color,
        "colors": {"primary_color": r.color, "secondary_color": None, "tertiary_color": None},
        "hoist": r.hoist,
        "icon": None,
        "unicode_emoji": None,
        "position": r.position,
        "permissions": str(r.permissions),
        "managed": r.managed,
        "mentionable": r.mentionable,
        "flags": 0,
    }
    if r.bot_id is not None:
        data["tags"] = {"bot_id": str(r.bot_id)}
    return data


def member(m: Member, *, with_user: bool = True, permissions: int | None = None) -> Payload:
    """A guild member object; `permissions` is added for interaction payloads."""
    data: Payload = {
        "nick": m.nick,
        "avatar": None,
        "banner": None,
        "roles": [str(r) for r in m.roles],
        "joined_at": iso(m.joined_at),
        "premium_since": None,
        "deaf": False,
        "mute": False,
        "flags": 0,
        "pending": m.pending,
        "communication_disabled_until": None,
        "avatar_decoration_data": None,
    }
    if with_user:
        data["user"] = user(m.user)
    if permissions is not None:
        data["permissions"] = str(permissions)
    return data


def forum_tag(t: ForumTag) -> Payload:
    """A forum tag object."""
    return {"id": str(t.id), "name": t.name, "moderated": t.moderated, "emoji_id": None, "emoji_name": t.emoji_name}


def overwrite(o: Overwrite) -> Payload:
    """A permission overwrite object."""
    return {"id": str(o.id), "type": o.type, "allow": str(o.allow), "deny": str(o.deny)}


def thread(ch: Channel, *, newly_created: bool = False, member_ids: bool = True) -> Payload:
    """A thread channel object."""
    data: Payload = {
        "id": str(ch.id),
        "guild_id": str(ch.guild_id),
        "parent_id": str(ch.parent_id),
        "owner_id": str(ch.owner_id),
        "name": ch.name,
        "type": ch.type,
        "last_message_id": str(ch.last_message_id) if ch.last_message_id else None,
        "last_pin_timestamp": None,
        "message_count": ch.message_count,
        "member_count": min(len(ch.member_ids), 50),
        "total_message_sent": ch.total_message_sent,
        "rate_limit_per_user": 0,
        "flags": ch.flags,
        "applied_tags": [str(t) for t in ch.applied_tags],
        "nsfw": False,
        "thread_metadata": {
            "archived": ch.archived,
            "auto_archive_duration": ch.auto_archive_duration,
            "archive_timestamp": iso(ch.archive_timestamp),
            "locked": ch.locked,
            "invitable": True,
            "create_timestamp": iso(ch.created_at),
        },
    }
    if newly_created:
        data["newly_created"] = True
    return data


def thread_member(ch: Channel, user_id: int) -> Payload:
    """A thread member object."""
    return {"id": str(ch.id), "user_id": str(user_id), "join_timestamp": iso(ch.created_at), "flags": 1}


def channel(ch: Channel, world: World | None = None) -> Payload:
    """Any channel object: guild channel, thread or DM channel."""
    if ch.is_thread:
        return thread(ch)
    if ch.type == ChannelType.DM:
        recipients = [user(world.user(ch.recipient_id))] if world and ch.recipient_id else []
        return {
            "id": str(ch.id),
            "type": 1,
            "name": None,
            "last_message_id": str(ch.last_message_id) if ch.last_message_id else None,
            "flags": 0,
            "recipients": recipients,
        }
    data: Payload = {
        "id": str(ch.id),
        "type": ch.type,
        "guild_id": str(ch.guild_id),
        "name": ch.name,
        "position": ch.position,
        "permission_overwrites": [overwrite(o) for o in ch.overwrites],
        "nsfw": False,
        "parent_id": str(ch.parent_id) if ch.parent_id else None,
        "flags": ch.flags,
    }
    if ch.type in (ChannelType.TEXT, ChannelType.NEWS, ChannelType.FORUM, ChannelType.VOICE):
        data.update(
            topic=ch.topic,
            last_message_id=str(ch.last_message_id) if ch.last_message_id else None,
            last_pin_timestamp=None,
            rate_limit_per_user=0,
            default_auto_archive_duration=1440,
            default_thread_rate_limit_per_user=0,
        )
    if ch.type == ChannelType.VOICE:
        data.update(bitrate=64000, user_limit=0, rtc_region=None, video_quality_mode=1)
    if ch.type == ChannelType.FORUM:
        data.update(
            available_tags=[forum_tag(t) for t in ch.available_tags],
            default_reaction_emoji=None,
            default_sort_order=None,
            default_forum_layout=0,
        )
    return data


def partial_channel(ch: Channel, permissions: int, world: World | None = None) -> Payload:
    """The channel object inside an interaction: the channel plus the user's permissions in it."""
    return {**channel(ch, world), "permissions": str(permissions)}


def message(world: World, msg: Message) -> Payload:
    """A message object as REST and MESSAGE_CREATE send it."""
    guild = world.guilds.get(msg.guild_id) if msg.guild_id else None
    mentions = []
    for uid in msg.mention_ids:
        entry = user(world.users[uid]) if uid in world.users else None
        if entry is None:
            continue
        if guild and uid in guild.members:
            entry["member"] = member(guild.members[uid], with_user=False)
        mentions.append(entry)
    data: Payload = {
        "id": str(msg.id),
        "channel_id": str(msg.channel_id),
        "type": msg.type,
        "author": user(msg.author),
        "content": msg.content,
        "timestamp": iso(msg.timestamp),
        "edited_timestamp": iso(msg.edited_timestamp),
        "tts": False,
        "mention_everyone": msg.mention_everyone,
        "mentions": mentions,
        "mention_roles": [str(r) for r in msg.mention_roles],
        "mention_channels": [],
        "attachments": list(msg.attachments),
        "embeds": list(msg.embeds),
        "reactions": [
            {
                "count": len(users),
                "count_details": {"burst": 0, "normal": len(users)},
                "me": world_bot_reacted(world, users),
                "me_burst": False,
                "burst_colors": [],
                "emoji": {"id": None, "name": emoji},
            }
            for emoji, users in msg.reactions.items()
            if users
        ],
        "pinned": msg.pinned,
        "flags": msg.flags,
        "components": list(msg.components),
        "sticker_items": [],
    }
    if guild is not None:
        data["guild_id"] = str(guild.id)
        author_member = guild.members.get(msg.author.id)
        if author_member is not None and msg.webhook_id is None:
            data["member"] = member(author_member, with_user=False)
    if msg.webhook_id is not None:
        data["webhook_id"] = str(msg.webhook_id)
    if msg.application_id is not None:
        data["application_id"] = str(msg.application_id)
    if msg.interaction_metadata is not None:
        data["interaction_metadata"] = msg.interaction_metadata
    if msg.message_reference is not None:
        data["message_reference"] = msg.message_reference
    if msg.thread_id is not None and msg.thread_id in world.channels:
        data["thread"] = thread(world.channels[msg.thread_id])
    ch = world.channels.get(msg.channel_id)
    if ch is not None and ch.is_thread:
        data["position"] = max(ch.message_count - 1, 0)
    return data


def world_bot_reacted(world: World, users: set[int]) -> bool:
    """Whether any bot user is among the reacting users (the loopback has one bot)."""
    return any(world.users[u].bot for u in users if u in world.users)


def scheduled_event(event: Payload) -> Payload:
    """A scheduled event object (stored already in payload form)."""
    return dict(event)


def guild_base(g: Guild) -> Payload:
    """The guild fields shared by GUILD_CREATE and `GET /guilds/{id}`."""
    return {
        "id": str(g.id),
        "name": g.name,
        "icon": None,
        "icon_hash": None,
        "splash": None,
        "discovery_splash": None,
        "banner": None,
        "description": None,
        "owner_id": str(g.owner_id),
        "region": None,
        "afk_channel_id": None,
        "afk_timeout": 300,
        "widget_enabled": False,
        "widget_channel_id": None,
        "verification_level": 1,
        "default_message_notifications": 1,
        "explicit_content_filter": 2,
        "roles": [role(r) for r in g.roles.values()],
        "emojis": [],
        "stickers": [],
        "features": ["COMMUNITY", "NEWS"],
        "mfa_level": 0,
        "application_id": None,
        "system_channel_id": None,
        "system_channel_flags": 0,
        "rules_channel_id": None,
        "public_updates_channel_id": None,
        "safety_alerts_channel_id": None,
        "max_presences": None,
        "max_members": 500000,
        "vanity_url_code": None,
        "premium_tier": 0,
        "premium_subscription_count": 0,
        "preferred_locale": g.locale,
        "max_video_channel_users": 25,
        "max_stage_video_channel_users": 50,
        "nsfw": False,
        "nsfw_level": 0,
        "premium_progress_bar_enabled": False,
        "incidents_data": None,
    }


def guild_create(g: Guild, *, bot_id: int, large_threshold: int = 250, members_intent: bool = True) -> Payload:
    """A GUILD_CREATE payload; large guilds carry only the bot and owner, like Discord's offline-less list."""
    count = len(g.members)
    large = count >= large_threshold
    if not members_intent:
        shown = [m for uid, m in g.members.items() if uid == bot_id]
    elif large:
        shown = [m for uid, m in g.members.items() if uid in (bot_id, g.owner_id)]
    else:
        shown = list(g.members.values())
    live_threads = [ch for ch in g.channels.values() if ch.is_thread and not ch.archived]
    thread_payloads = []
    for ch in live_threads:
        data = thread(ch)
        if bot_id in ch.member_ids:
            data["member"] = thread_member(ch, bot_id)
        thread_payloads.append(data)
    return {
        **guild_base(g),
        "joined_at": iso(g.members[bot_id].joined_at) if bot_id in g.members else None,
        "large": large,
        "unavailable": False,
        "member_count": count,
        "voice_states": [],
        "members": [member(m) for m in shown],
        "channels": [channel(ch) for ch in g.channels.values() if not ch.is_thread],
        "threads": thread_payloads,
        "presences": [],
        "stage_instances": [],
        "guild_scheduled_events": [scheduled_event(e) for e in g.scheduled_events.values()],
        "soundboard_sounds": [],
        "lazy": True,
        "embedded_activities": [],
        "application_command_counts": {},
        "hub_type": None,
        "latest_onboarding_question_id": None,
        "home_header": None,
        "version": 0,
    }


def rest_guild(g: Guild) -> Payload:
    """The `GET /guilds/{id}` form of a guild."""
    return {**guild_base(g), "approximate_member_count": len(g.members), "approximate_presence_count": 0}


def application(app_id: int, bot: User, owner: User) -> Payload:
    """The `/oauth2/applications/@me` application object."""
    return {
        "id": str(app_id),
        "name": bot.username,
        "icon": None,
        "description": "Loopback test application",
        "summary": "",
        "type": None,
        "rpc_origins": [],
        "bot_public": True,
        "bot_require_code_grant": False,
        "bot": user(bot),
        "owner": user(owner),
        "team": None,
        "verify_key": "0" * 64,
        "flags": (1 << 15) | (1 << 19),
        "hook": True,
        "is_monetized": False,
        "interactions_endpoint_url": None,
        "role_connections_verification_url": None,
        "redirect_uris": [],
        "tags": [],
        "approximate_guild_count": 0,
        "integration_types_config": {"0": {}},
    }


def ready(
    *, bot: User, app_id: int, guild_ids: list[int], session_id: str, resume_url: str, shard: list[int] | None = None
) -> Payload:
    """The READY dispatch payload; `shard` ([shard_id, shard_count]) when the IDENTIFY named one."""
    data: Payload = {
        "v": 10,
        "user": me_user(bot),
        "user_settings": {},
        "guilds": [{"id": str(gid), "unavailable": True} for gid in guild_ids],
        "session_id": session_id,
        "session_type": "normal",
        "resume_gateway_url": resume_url,
        "private_channels": [],
        "relationships": [],
        "presences": [],
        "guild_join_requests": [],
        "geo_ordered_rtc_regions": ["loopback"],
        "auth": {},
        "application": {"id": str(app_id), "flags": (1 << 15) | (1 << 19)},
        "_trace": ["loopback"],
    }
    if shard is not None:
        data["shard"] = list(shard)
    return data


def attachment(att_id: int, filename: str, size: int, content_type: str | None) -> Payload:
    """An attachment object for an uploaded file."""
    url = f"https://cdn.loopback.invalid/attachments/{att_id}/{filename}"
    return {
        "id": str(att_id),
        "filename": filename,
        "size": size,
        "url": url,
        "proxy_url": url,
        "content_type": content_type or "application/octet-stream",
        "flags": 0,
    }
