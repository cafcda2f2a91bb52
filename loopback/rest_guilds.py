"""REST routes for the session, guilds, members, roles and scheduled events."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from . import payloads
from .router import Reply, RestError, RestRequest, route
from .world import (
    MAX_CATEGORY_CHANNELS,
    MAX_GUILD_CHANNELS,
    MAX_GUILD_ROLES,
    Channel,
    ChannelType,
    Guild,
    Member,
    Overwrite,
    Perm,
    Role,
    now,
)

if TYPE_CHECKING:
    from .server import LoopbackDiscord


def guild_of(lb: LoopbackDiscord, req: RestRequest) -> Guild:
    """The guild named in the path (404 10004 if unknown)."""
    guild = lb.world.guilds.get(req.int_param("guild_id"))
    if guild is None:
        raise RestError(404, "Unknown Guild", 10004)
    return guild


def member_of(guild: Guild, req: RestRequest) -> Member:
    """The member named in the path (404 10007 if not in the guild)."""
    member = guild.members.get(req.int_param("user_id"))
    if member is None:
        raise RestError(404, "Unknown Member", 10007)
    return member


def role_of(guild: Guild, req: RestRequest) -> Role:
    """The role named in the path (404 10011 if unknown)."""
    role = guild.roles.get(req.int_param("role_id"))
    if role is None:
        raise RestError(404, "Unknown Role", 10011)
    return role


def require(lb: LoopbackDiscord, guild: Guild, permission: int) -> None:
    """403 50013 unless the bot has `permission` in the guild."""
    if not guild.base_permissions(lb.bot_user.id) & permission:
        raise RestError(403, "Missing Permissions", 50013)


def require_role_manageable(lb: LoopbackDiscord, guild: Guild, role: Role) -> None:
    """The bot needs Manage Roles and a top role above the role it hands out, as on Discord."""
    require(lb, guild, Perm.MANAGE_ROLES)
    if role.managed or role.id == guild.id or role.position >= guild.top_position(lb.bot_user.id):
        raise RestError(403, "Missing Permissions", 50013)


@route("GET", "/users/@me")
async def get_me(lb: LoopbackDiscord, req: RestRequest) -> Reply:
    """The bot user (login)."""
    return Reply(body=payloads.me_user(lb.bot_user))


@route("GET", "/users/{user_id}")
async def get_user(lb: LoopbackDiscord, req: RestRequest) -> Reply:
    """Any user."""
    u = lb.world.users.get(req.int_param("user_id"))
    if u is None:
        raise RestError(404, "Unknown User", 10013)
    return Reply(body=payloads.user(u))


@route("GET", "/oauth2/applications/@me")
@route("GET", "/applications/@me")
async def get_application(lb: LoopbackDiscord, req: RestRequest) -> Reply:
    """The bot's application (discord.py reads its id at login)."""
    return Reply(body=payloads.application(lb.application_id, lb.bot_user, lb.app_owner))


@route("GET", "/gateway", auth=False)
async def get_gateway(lb: LoopbackDiscord, req: RestRequest) -> Reply:
    """Where the gateway is (no token needed)."""
    return Reply(body={"url": lb.gateway_url})


@route("GET", "/gateway/bot")
async def get_gateway_bot(lb: LoopbackDiscord, req: RestRequest) -> Reply:
    """Where the gateway is, the shards Discord recommends (one per 1,000 guilds) and the session start limit
    (the sharded client asks when it is not told its shard count)."""
    guilds = sum(1 for g in lb.world.guilds.values() if lb.bot_user.id in g.members)
    shards = lb.recommended_shards or max(1, -(-guilds // 1000))
    limit = {
        "total": lb.session_start_limit,
        "remaining": max(0, lb.session_start_limit - lb.session_starts_used),
        "reset_after": 86_400_000 if lb.session_starts_used else 0,  # ms until the daily limit resets
        "max_concurrency": lb.max_concurrency,
    }
    return Reply(body={"url": lb.gateway_url, "shards": shards, "session_start_limit": limit})


@route("GET", "/guilds/{guild_id}")
async def get_guild(lb: LoopbackDiscord, req: RestRequest) -> Reply:
    """A guild without its members and channels."""
    return Reply(body=payloads.rest_guild(guild_of(lb, req)))


@route("GET", "/guilds/{guild_id}/channels")
async def get_channels(lb: LoopbackDiscord, req: RestRequest) -> Reply:
    """A guild's channels (threads excluded, as on Discord)."""
    guild = guild_of(lb, req)
    return Reply(body=[payloads.channel(c) for c in guild.channels.values() if not c.is_thread])


CREATABLE_CHANNEL_TYPES = (ChannelType.TEXT, ChannelType.VOICE, ChannelType.CATEGORY, ChannelType.NEWS,
                           ChannelType.FORUM)


def _form_error(field: str, message: str, code: str = "BASE_TYPE_BAD_LENGTH") -> RestError:
    return RestError(400, "Invalid Form Body", 50035, {field: {"_errors": [{"code": code, "message": message}]}})


def _overwrites_from(lb: LoopbackDiscord, guild: Guild, body: list[dict[str, Any]]) -> list[Overwrite]:
    """Overwrites of a create body; only permissions the bot has in the guild may be allowed or denied."""
    mine = guild.base_permissions(lb.bot_user.id)
    found = []
    for item in body:
        target, kind = int(item["id"]), int(item.get("type", 0))
        if (kind == Overwrite.ROLE and target not in guild.roles) or (
                kind == Overwrite.MEMBER and target not in guild.members):
            raise _form_error("permission_overwrites", f"Unknown overwrite target {target}")
        allow, deny = int(item.get("allow") or 0), int(item.get("deny") or 0)
        if mine != Perm.ALL and (allow | deny) & ~mine:
            raise RestError(403, "Missing Permissions", 50013)
        found.append(Overwrite(id=target, type=kind, allow=allow, deny=deny))
    return found


def _channel_name(kind: int, name: Any) -> str:
    """Discord's form of a new channel's name: text, news and forum names are lower case, without spaces."""
    if not isinstance(name, str) or not 1 <= len(name.strip()) <= 100:
        raise _form_error("name", "Must be between 1 and 100 in length.")
    name = name.strip()
    if kind in (ChannelType.TEXT, ChannelType.NEWS, ChannelType.FORUM):
        name = "-".join(name.lower().split())
    return name


@route("POST", "/guilds/{guild_id}/channels")
async def create_channel(lb: LoopbackDiscord, req: RestRequest) -> Reply:
    """Create a text, voice, news or forum channel or a category (Manage Channels): CHANNEL_CREATE.

    Within Discord's limits (500 channels, 50 under one category, 20 forum tags); `permission_overwrites` may
    only allow or deny what the bot itself has; a channel created in a category without overwrites of its own
    takes the category's (it is synced)."""
    from .rest_channels import _tags_from  # rest_channels imports this module

    guild = guild_of(lb, req)
    require(lb, guild, Perm.MANAGE_CHANNELS)
    body = req.body
    kind = int(body.get("type") or 0)
    if kind not in CREATABLE_CHANNEL_TYPES:
        raise _form_error("type", "Value must be one of the channel types a guild can create.", "BASE_TYPE_CHOICES")
    name = _channel_name(kind, body.get("name"))
    channels = [c for c in guild.channels.values() if not c.is_thread]
    if len(channels) >= MAX_GUILD_CHANNELS:
        raise RestError(400, f"Maximum number of guild channels reached ({MAX_GUILD_CHANNELS})", 30013)
    parent = None
    if body.get("parent_id"):
        parent = guild.channels.get(int(body["parent_id"]))
        if parent is None or parent.type != ChannelType.CATEGORY or kind == ChannelType.CATEGORY:
            raise _form_error("parent_id", "Invalid category", "CHANNEL_PARENT_INVALID")
        if sum(1 for c in channels if c.parent_id == parent.id) >= MAX_CATEGORY_CHANNELS:
            raise _form_error("parent_id", f"Maximum number of channels in category reached ({MAX_CATEGORY_CHANNELS})",
                              "CHANNEL_PARENT_MAX_CHANNELS")
    topic = body.get("topic")
    if topic is not None and len(topic) > (4096 if kind == ChannelType.FORUM else 1024):
        raise _form_error("topic", "Must be 1024 or fewer in length.")
    if "permission_overwrites" in body:
        overwrites = _overwrites_from(lb, guild, body["permission_overwrites"] or [])
    else:
        overwrites = [Overwrite(o.id, o.type, o.allow, o.deny) for o in (parent.overwrites if parent else [])]
    ch = Channel(id=lb.world.ids.next(), type=kind, name=name, guild_id=guild.id, position=len(channels),
                 parent_id=parent.id if parent else None, topic=topic, overwrites=overwrites)
    if kind == ChannelType.FORUM:
        ch.available_tags = _tags_from(lb, ch, body.get("available_tags") or [])
    lb.world.add_channel(ch)
    await lb.gateway.dispatch("CHANNEL_CREATE", payloads.channel(ch))
    return Reply(201, payloads.channel(ch))


@route("GET", "/guilds/{guild_id}/threads/active")
async def active_threads(lb: LoopbackDiscord, req: RestRequest) -> Reply:
    """Active (not archived) threads of a guild."""
    guild = guild_of(lb, req)
    threads = [t for t in guild.threads if not t.archived]
    members = [payloads.thread_member(t, lb.bot_user.id) for t in threads if lb.bot_user.id in t.member_ids]
    return Reply(body={"threads": [payloads.thread(t) for t in threads], "members": members})


@route("GET", "/guilds/{guild_id}/roles")
async def get_roles(lb: LoopbackDiscord, req: RestRequest) -> Reply:
    """A guild's roles."""
    return Reply(body=[payloads.role(r) for r in guild_of(lb, req).roles.values()])


@route("POST", "/guilds/{guild_id}/roles")
async def create_role(lb: LoopbackDiscord, req: RestRequest) -> Reply:
    """Create a role (Manage Roles) at the bottom, just above @everyone, as Discord does: the roles above move up one
    (GUILD_ROLE_UPDATE each), then GUILD_ROLE_CREATE. Only permissions the bot has may be given; 250 roles at most."""
    guild = guild_of(lb, req)
    require(lb, guild, Perm.MANAGE_ROLES)
    body = req.body
    name = body.get("name") or "new role"
    if len(name) > 100:
        raise _form_error("name", "Must be between 1 and 100 in length.")
    permissions = int(body.get("permissions") or 0)
    mine = guild.base_permissions(lb.bot_user.id)
    if mine != Perm.ALL and permissions & ~mine:
        raise RestError(403, "Missing Permissions", 50013)
    if len(guild.roles) >= MAX_GUILD_ROLES:
        raise RestError(400, f"Maximum number of server roles reached ({MAX_GUILD_ROLES})", 30005)
    moved = sorted((r for r in guild.roles.values() if r.id != guild.id), key=lambda r: r.position)
    for other in moved:
        other.position += 1
    role = Role(id=lb.world.ids.next(), guild_id=guild.id, name=name, permissions=permissions, position=1,
                color=int(body.get("color") or 0), hoist=bool(body.get("hoist")),
                mentionable=bool(body.get("mentionable")))
    guild.roles[role.id] = role
    for other in moved:
        await lb.gateway.dispatch("GUILD_ROLE_UPDATE", {"guild_id": str(guild.id), "role": payloads.role(other)})
    await lb.gateway.dispatch("GUILD_ROLE_CREATE", {"guild_id": str(guild.id), "role": payloads.role(role)})
    return Reply(body=payloads.role(role))


@route("PATCH", "/guilds/{guild_id}/roles/{role_id}")
async def edit_role(lb: LoopbackDiscord, req: RestRequest) -> Reply:
    """Edit a role: GUILD_ROLE_UPDATE."""
    guild = guild_of(lb, req)
    role = role_of(guild, req)
    require_role_manageable(lb, guild, role)
    body = req.body
    for key in ("name", "color", "hoist", "mentionable"):
        if key in body:
            setattr(role, key, body[key])
    if "permissions" in body:
        role.permissions = int(body["permissions"])
    await lb.gateway.dispatch("GUILD_ROLE_UPDATE", {"guild_id": str(guild.id), "role": payloads.role(role)})
    return Reply(body=payloads.role(role))


@route("DELETE", "/guilds/{guild_id}/roles/{role_id}")
async def delete_role(lb: LoopbackDiscord, req: RestRequest) -> Reply:
    """Delete a role: GUILD_ROLE_DELETE."""
    guild = guild_of(lb, req)
    role = role_of(guild, req)
    require_role_manageable(lb, guild, role)
    del guild.roles[role.id]
    for m in guild.members.values():
        if role.id in m.roles:
            m.roles.remove(role.id)
    await lb.gateway.dispatch("GUILD_ROLE_DELETE", {"guild_id": str(guild.id), "role_id": str(role.id)})
    return Reply()


@route("GET", "/guilds/{guild_id}/members/{user_id}")
async def get_member(lb: LoopbackDiscord, req: RestRequest) -> Reply:
    """One member."""
    guild = guild_of(lb, req)
    return Reply(body=payloads.member(member_of(guild, req)))


@route("GET", "/guilds/{guild_id}/members")
async def list_members(lb: LoopbackDiscord, req: RestRequest) -> Reply:
    """Members by ascending id after `after`, at most `limit` (1000)."""
    guild = guild_of(lb, req)
    limit = min(int(req.query.get("limit", 1)), 1000)
    after = int(req.query.get("after", 0))
    found = sorted((m for m in guild.members.values() if m.id > after), key=lambda m: m.id)[:limit]
    return Reply(body=[payloads.member(m) for m in found])


@route("GET", "/guilds/{guild_id}/members/search")
async def search_members(lb: LoopbackDiscord, req: RestRequest) -> Reply:
    """Members whose username or nick starts with `query`."""
    guild = guild_of(lb, req)
    query = req.query.get("query", "").lower()
    limit = min(int(req.query.get("limit", 1)), 1000)
    found = [
        m for m in guild.members.values()
        if m.user.username.lower().startswith(query) or (m.nick or "").lower().startswith(query)
    ][:limit]
    return Reply(body=[payloads.member(m) for m in found])


@route("PATCH", "/guilds/{guild_id}/members/{user_id}")
async def edit_member(lb: LoopbackDiscord, req: RestRequest) -> Reply:
    """Edit roles or nick: GUILD_MEMBER_UPDATE."""
    guild = guild_of(lb, req)
    member = member_of(guild, req)
    body = req.body
    if "roles" in body:
        new = [int(r) for r in body["roles"] or []]
        for rid in set(new) ^ set(member.roles):
            if rid not in guild.roles:
                raise RestError(400, "Invalid Form Body", 50035, {"roles": {"_errors": [{"message": "Unknown role"}]}})
            require_role_manageable(lb, guild, guild.roles[rid])
        member.roles = new
    if "nick" in body:
        member.nick = body["nick"]
    await lb.member_updated(member)
    return Reply(body=payloads.member(member))


@route("PUT", "/guilds/{guild_id}/members/{user_id}/roles/{role_id}")
async def add_member_role(lb: LoopbackDiscord, req: RestRequest) -> Reply:
    """Give a role: GUILD_MEMBER_UPDATE."""
    guild = guild_of(lb, req)
    member, role = member_of(guild, req), role_of(guild, req)
    require_role_manageable(lb, guild, role)
    if role.id not in member.roles:
        member.roles.append(role.id)
        await lb.member_updated(member)
    return Reply()


@route("DELETE", "/guilds/{guild_id}/members/{user_id}/roles/{role_id}")
async def remove_member_role(lb: LoopbackDiscord, req: RestRequest) -> Reply:
    """Take a role away: GUILD_MEMBER_UPDATE."""
    guild = guild_of(lb, req)
    member, role = member_of(guild, req), role_of(guild, req)
    require_role_manageable(lb, guild, role)
    if role.id in member.roles:
        member.roles.remove(role.id)
        await lb.member_updated(member)
    return Reply()


@route("DELETE", "/guilds/{guild_id}/members/{user_id}")
async def kick_member(lb: LoopbackDiscord, req: RestRequest) -> Reply:
    """Kick: GUILD_MEMBER_REMOVE."""
    guild = guild_of(lb, req)
    require(lb, guild, Perm.KICK_MEMBERS)
    member = member_of(guild, req)
    await lb.remove_member(guild.id, member.id)
    return Reply()


def _parse_time(value: Any, field: str) -> datetime | None:
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        parsed = None
    if parsed is None or parsed.tzinfo is None:
        raise RestError(400, "Invalid Form Body", 50035, {field: {"_errors": [{"message": "Invalid ISO8601 time"}]}})
    return parsed


def _apply_event_fields(event: dict[str, Any], body: dict[str, Any], creating: bool) -> None:
    for key in ("name", "description", "privacy_level", "entity_type", "entity_metadata", "image",
                "recurrence_rule", "status"):
        if key in body:
            event[key] = body[key]
    if "channel_id" in body:
        event["channel_id"] = str(body["channel_id"]) if body["channel_id"] else None
    start = _parse_time(body.get("scheduled_start_time"), "scheduled_start_time")
    end = _parse_time(body.get("scheduled_end_time"), "scheduled_end_time")
    if start is not None:
        if creating and start < now():
            raise RestError(400, "Invalid Form Body", 50035, {
                "scheduled_start_time": {"_errors": [{"message": "Cannot schedule event in the past."}]}})
        event["scheduled_start_time"] = start.isoformat()
    if end is not None or "scheduled_end_time" in body:
        event["scheduled_end_time"] = end.isoformat() if end else None
    if event.get("entity_type") == 3:
        location = (event.get("entity_metadata") or {}).get("location")
        if not location or not event.get("scheduled_end_time"):
            raise RestError(400, "Invalid Form Body", 50035, {
                "entity_metadata": {"_errors": [{"message": "External events need a location and an end time."}]}})
    elif not event.get("channel_id"):
        raise RestError(400, "Invalid Form Body", 50035, {"channel_id": {"_errors": [{"message": "Required"}]}})


def event_of(guild: Guild, req: RestRequest) -> dict[str, Any]:
    """The scheduled event named in the path (404 10070 if unknown)."""
    event = guild.scheduled_events.get(req.int_param("event_id"))
    if event is None:
        raise RestError(404, "Unknown Guild Scheduled Event", 10070)
    return event


@route("GET", "/guilds/{guild_id}/scheduled-events")
async def list_events(lb: LoopbackDiscord, req: RestRequest) -> Reply:
    """A guild's scheduled events."""
    return Reply(body=list(guild_of(lb, req).scheduled_events.values()))


@route("POST", "/guilds/{guild_id}/scheduled-events")
async def create_event(lb: LoopbackDiscord, req: RestRequest) -> Reply:
    """Create a native scheduled event: GUILD_SCHEDULED_EVENT_CREATE."""
    guild = guild_of(lb, req)
    require(lb, guild, Perm.MANAGE_EVENTS | Perm.CREATE_EVENTS)
    if not req.body.get("name") or not req.body.get("scheduled_start_time"):
        raise RestError(400, "Invalid Form Body", 50035, {"name": {"_errors": [{"message": "Required"}]}})
    event_id = lb.world.ids.next()
    event: dict[str, Any] = {
        "id": str(event_id), "guild_id": str(guild.id), "channel_id": None, "creator_id": str(lb.bot_user.id),
        "creator": payloads.user(lb.bot_user), "name": "", "description": None, "scheduled_start_time": None,
        "scheduled_end_time": None, "privacy_level": 2, "status": 1, "entity_type": 3, "entity_id": None,
        "entity_metadata": None, "user_count": 0, "image": None, "recurrence_rule": None, "auto_start": False,
    }
    _apply_event_fields(event, req.body, creating=True)
    guild.scheduled_events[event_id] = event
    await lb.gateway.dispatch("GUILD_SCHEDULED_EVENT_CREATE", dict(event))
    return Reply(body=dict(event))


@route("GET", "/guilds/{guild_id}/scheduled-events/{event_id}")
async def get_event(lb: LoopbackDiscord, req: RestRequest) -> Reply:
    """One scheduled event."""
    return Reply(body=dict(event_of(guild_of(lb, req), req)))


@route("PATCH", "/guilds/{guild_id}/scheduled-events/{event_id}")
async def edit_event(lb: LoopbackDiscord, req: RestRequest) -> Reply:
    """Edit a scheduled event: GUILD_SCHEDULED_EVENT_UPDATE."""
    guild = guild_of(lb, req)
    require(lb, guild, Perm.MANAGE_EVENTS)
    event = event_of(guild, req)
    _apply_event_fields(event, req.body, creating=False)
    await lb.gateway.dispatch("GUILD_SCHEDULED_EVENT_UPDATE", dict(event))
    return Reply(body=dict(event))


@route("DELETE", "/guilds/{guild_id}/scheduled-events/{event_id}")
async def delete_event(lb: LoopbackDiscord, req: RestRequest) -> Reply:
    """Delete a scheduled event: GUILD_SCHEDULED_EVENT_DELETE."""
    guild = guild_of(lb, req)
    require(lb, guild, Perm.MANAGE_EVENTS)
    event = guild.scheduled_events.pop(int(event_of(guild, req)["id"]))
    await lb.gateway.dispatch("GUILD_SCHEDULED_EVENT_DELETE", dict(event))
    return Reply()


@route("POST", "/users/@me/channels")
async def open_dm(lb: LoopbackDiscord, req: RestRequest) -> Reply:
    """Open (or reuse) the DM channel with a user; Discord sends no gateway event for this."""
    recipient = lb.world.users.get(int(req.body.get("recipient_id", 0)))
    if recipient is None:
        raise RestError(400, "Invalid Form Body", 50035, {"recipient_id": {"_errors": [{"message": "Unknown user"}]}})
    channel = lb.world.dm_channel(recipient.id)
    return Reply(body=payloads.channel(channel, lb.world))
