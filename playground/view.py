"""What the page shows, as JSON, for the member the page acts as.

Members' text goes out as it is (content, embeds, components as Discord's JSON): the page renders it with
textContent, never as HTML. Ephemeral answers are included only for the member whose interaction caused them.
"""

from __future__ import annotations

from typing import Any

from loopback import Channel, ChannelType, Message
from loopback.interactions import InteractionRecord
from playground.app import Playground

DEMO_ORDER = ("owner", "moderator", "mentor", "member", "newcomer")
MESSAGES_SHOWN = 200  # the newest of a channel; the demo never gets near it


def member_name(pg: Playground, user_id: int) -> str:
    user = pg.lb.world.users.get(user_id)
    if user is None:
        return "unknown-user"
    member = pg.guild.members.get(user_id)
    return (member.nick if member and member.nick else None) or user.global_name or user.username


def state(pg: Playground, me: int) -> dict[str, Any]:
    """The server as `me` sees it: channels, forum posts and tags, events, members, commands, the clock."""
    guild, world = pg.guild, pg.lb.world
    keys = {uid: key for key, uid in pg.members.items()}
    members: list[dict[str, Any]] = []
    for member in guild.members.values():
        if member.user.bot:
            continue
        members.append({
            "id": str(member.id), "name": member_name(pg, member.id), "demo": keys.get(member.id),
            "roles": [guild.roles[r].name for r in member.roles if r in guild.roles],
        })
    order = {k: i for i, k in enumerate(DEMO_ORDER)}
    members.sort(key=lambda m: (order.get(str(m["demo"] or ""), 99), str(m["name"]).lower()))
    channels = []
    for ch in sorted(guild.channels.values(), key=lambda c: (c.position, c.id)):
        if ch.is_thread or ch.type == ChannelType.VOICE:
            continue
        if ch.type != ChannelType.CATEGORY and not guild.channel_permissions(me, ch):
            continue  # private to others (the moderators' log)
        channels.append({
            "id": str(ch.id), "name": ch.name, "type": ch.type, "parent_id": str(ch.parent_id or ""),
            "topic": ch.topic or "", "tags": [{"id": str(t.id), "name": t.name, "emoji": t.emoji_name or ""}
                                              for t in ch.available_tags],
        })
    visible_parents = {c["id"] for c in channels}
    threads = [
        {"id": str(t.id), "name": t.name, "parent_id": str(t.parent_id), "archived": t.archived, "locked": t.locked,
         "tags": [str(x) for x in t.applied_tags], "owner_id": str(t.owner_id or "")}
        for t in sorted(guild.threads, key=lambda t: -t.id) if str(t.parent_id) in visible_parents
    ]
    events = [
        {"id": str(e.get("id")), "name": e.get("name") or "", "start": e.get("scheduled_start_time"),
         "location": (e.get("entity_metadata") or {}).get("location") or "", "status": e.get("status"),
         "description": e.get("description") or ""}
        for e in guild.scheduled_events.values()
    ]
    dm = world.dm_channel_by_user.get(me)
    return {
        "me": str(me), "locale": world.user(me).locale, "now": pg.clock.now().isoformat(), "version": pg.version,
        "guild": {"id": str(guild.id), "name": guild.name},
        "bot": {"id": str(pg.lb.bot_user.id), "name": pg.lb.bot_user.global_name or pg.lb.bot_user.username},
        "members": members, "channels": channels, "threads": threads, "events": events,
        "dm_channel_id": str(dm) if dm else None,
        "commands": commands(pg, me),
        # for mentions: <@id>, <@&id>, <#id> are shown as names
        "names": {
            "users": {str(u.id): member_name(pg, u.id) for u in world.users.values()},
            "roles": {str(r.id): r.name for r in guild.roles.values()},
            "channels": {str(c.id): c.name for c in guild.channels.values()},
        },
    }


def commands(pg: Playground, me: int) -> list[dict[str, Any]]:
    """The commands the bot registered, guild ones first, without those `me` may not see (default permissions)."""
    perms = pg.guild.base_permissions(me)
    out, seen = [], set()
    for cmd in pg.lb.commands_registered(pg.guild_id) + pg.lb.commands_registered(None):
        key = (cmd["name"], int(cmd.get("type", 1)))
        if key in seen:
            continue
        seen.add(key)
        needed = cmd.get("default_member_permissions")
        if needed is not None and int(needed) & perms != int(needed):
            continue
        shown = ("name", "type", "description", "options", "name_localizations", "description_localizations")
        out.append({k: cmd.get(k) for k in shown})
    return out


def messages(pg: Playground, channel: Channel, me: int) -> list[dict[str, Any]]:
    """A channel's messages and the ephemeral answers `me` was given in it, oldest first."""
    # On Discord a deferred answer's "thinking…" is replaced by the first follow-up; the loopback keeps both.
    replaced = {ix.original.id for ix in pg.lb.interactions.values()
                if ix.followup_ids and ix.original is not None and ix.original.flags & 128}
    shown = [message(pg, m) for m in pg.lb.channel_messages(channel.id)[-MESSAGES_SHOWN:] if m.id not in replaced]
    seen: set[int] = set(replaced)
    for ix in pg.lb.interactions.values():
        if ix.user_id != me or ix.channel_id != channel.id:
            continue
        for m in _ephemeral(ix):
            if m.id not in seen:  # a button's answer may update the very message that carried it
                seen.add(m.id)
                shown.append(message(pg, m, ephemeral=True))
    shown.sort(key=lambda m: int(m["id"]))
    return shown


def _ephemeral(ix: InteractionRecord) -> list[Message]:
    found = [ix.original] if ix.original is not None else []
    found += ix.followups
    return [m for m in found if m.ephemeral and not m.deleted]


def message(pg: Playground, msg: Message, *, ephemeral: bool = False) -> dict[str, Any]:
    thread = pg.lb.world.channels.get(msg.thread_id) if msg.thread_id else None
    return {
        "id": str(msg.id), "channel_id": str(msg.channel_id),
        "author": {"id": str(msg.author.id), "name": member_name(pg, msg.author.id), "bot": msg.author.bot},
        "content": msg.content, "embeds": msg.embeds, "components": msg.components,
        "attachments": [{"id": str(a["id"]), "filename": a["filename"], "content_type": a.get("content_type") or "",
                         "size": a.get("size", 0)} for a in msg.attachments],
        "timestamp": msg.timestamp.isoformat(), "edited": msg.edited_timestamp is not None,
        "ephemeral": ephemeral, "loading": bool(msg.flags & 128),
        "thread": {"id": str(thread.id), "name": thread.name, "count": thread.message_count} if thread else None,
        "reactions": {emoji: len(users) for emoji, users in msg.reactions.items()},
        "reply_to": (msg.message_reference or {}).get("message_id"),
    }
