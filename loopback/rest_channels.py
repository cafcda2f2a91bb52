"""REST routes for channels, messages, threads, forum tags and reactions."""

from __future__ import annotations

import mimetypes
import time
from typing import TYPE_CHECKING, Any

from . import limits, payloads
from .rest_guilds import require
from .router import Reply, RestError, RestRequest, route
from .world import Channel, ChannelType, ForumTag, Message, Perm, now

if TYPE_CHECKING:
    from .server import LoopbackDiscord

MAX_FORUM_TAGS = 20
MAX_APPLIED_TAGS = 5


def channel_of(lb: LoopbackDiscord, req: RestRequest) -> Channel:
    """The channel named in the path (404 10003 if unknown)."""
    channel = lb.world.channels.get(req.int_param("channel_id"))
    if channel is None:
        raise RestError(404, "Unknown Channel", 10003)
    return channel


def message_of(lb: LoopbackDiscord, req: RestRequest, channel: Channel) -> Message:
    """The message named in the path, in that channel (404 10008 otherwise)."""
    msg = lb.world.messages.get(req.int_param("message_id"))
    if msg is None or msg.channel_id != channel.id or msg.deleted:
        raise RestError(404, "Unknown Message", 10008)
    return msg


def attachments_from(lb: LoopbackDiscord, req: RestRequest) -> list[dict[str, Any]]:
    """Attachment objects for the files uploaded with a multipart request; the bytes are kept in the world
    (`world.attachment_data`) so the playground can show an insight chart and a test can read it."""
    out = []
    for f in req.files:
        att_id = lb.world.ids.next()
        lb.world.attachment_data[att_id] = f.get("data") or b""
        # discord.py sends every file as application/octet-stream; Discord names the type from the file itself
        kind = f.get("content_type")
        if kind in (None, "application/octet-stream"):
            kind = mimetypes.guess_type(f["filename"])[0] or kind
        out.append(payloads.attachment(att_id, f["filename"], f["size"], kind))
    return out


def check_can_send(lb: LoopbackDiscord, channel: Channel) -> None:
    """Refuse a send the way Discord does: closed DMs, missing permission, locked thread."""
    if channel.type == ChannelType.DM:
        if lb.world.user(channel.recipient_id).dms_closed:
            raise RestError(403, "Cannot send messages to this user", 50007)
        return
    guild = lb.world.guild(channel.guild_id)
    perms = guild.channel_permissions(lb.bot_user.id, channel)  # a private channel's overwrites count
    needed = Perm.SEND_MESSAGES_IN_THREADS if channel.is_thread else Perm.SEND_MESSAGES
    if channel.type == ChannelType.FORUM:
        raise RestError(400, "Cannot send messages in a non-text channel", 50008)
    if not perms and channel.overwrites:
        raise RestError(403, "Missing Access", 50001)  # a private channel hidden from the bot
    if not perms & needed:
        raise RestError(403, "Missing Permissions", 50013)
    if channel.is_thread and channel.locked and not perms & Perm.MANAGE_THREADS:
        raise RestError(400, "Thread is locked", 160005)


async def unarchive_on_send(lb: LoopbackDiscord, channel: Channel) -> None:
    """Sending in an archived, unlocked thread unarchives it (THREAD_UPDATE), as on Discord."""
    if channel.is_thread and channel.archived:
        await lb.update_thread(channel.id, archived=False)


@route("GET", "/channels/{channel_id}")
async def get_channel(lb: LoopbackDiscord, req: RestRequest) -> Reply:
    """A channel, thread or DM channel."""
    return Reply(body=payloads.channel(channel_of(lb, req), lb.world))


def _tags_from(lb: LoopbackDiscord, forum: Channel, body_tags: list[dict[str, Any]]) -> list[ForumTag]:
    if len(body_tags) > MAX_FORUM_TAGS:
        raise RestError(400, "Invalid Form Body", 50035, {
            "available_tags": {"_errors": [{"code": "BASE_TYPE_MAX_LENGTH", "message": "Must be 20 or fewer."}]}})
    old = {t.id: t for t in forum.available_tags}
    tags = []
    for t in body_tags:
        tag_id = int(t["id"]) if t.get("id") and int(t["id"]) in old else lb.world.ids.next()
        limits_problem = not 1 <= len(t.get("name") or "") <= 20
        if limits_problem:
            raise RestError(400, "Invalid Form Body", 50035, {
                "available_tags": {"_errors": [{"message": "Tag names are 1-20 characters."}]}})
        tags.append(ForumTag(id=tag_id, name=t["name"], moderated=bool(t.get("moderated")),
                             emoji_name=t.get("emoji_name")))
    return tags


def _check_applied(parent: Channel, applied: list[int]) -> None:
    if len(applied) > MAX_APPLIED_TAGS:
        raise RestError(400, "Invalid Form Body", 50035, {
            "applied_tags": {"_errors": [{"code": "BASE_TYPE_MAX_LENGTH", "message": "Must be 5 or fewer."}]}})
    known = {t.id for t in parent.available_tags}
    if any(t not in known for t in applied):
        raise RestError(400, "Invalid Form Body", 50035, {
            "applied_tags": {"_errors": [{"message": "Unknown tag for this forum."}]}})


@route("PATCH", "/channels/{channel_id}")
async def edit_channel(lb: LoopbackDiscord, req: RestRequest) -> Reply:
    """Edit a channel (CHANNEL_UPDATE) or a thread (THREAD_UPDATE)."""
    channel = channel_of(lb, req)
    body = req.body
    guild = lb.world.guild(channel.guild_id) if channel.guild_id else None
    if guild is None:
        raise RestError(403, "Missing Access", 50001)
    if channel.is_thread:
        is_owner = channel.owner_id == lb.bot_user.id
        if not is_owner or {"locked", "applied_tags"} & set(body):
            require(lb, guild, Perm.MANAGE_THREADS)
        if "applied_tags" in body:
            applied = [int(t) for t in body["applied_tags"] or []]
            _check_applied(lb.world.channel(channel.parent_id), applied)
            channel.applied_tags = applied
        for key in ("name", "archived", "locked", "auto_archive_duration"):
            if key in body:
                setattr(channel, key, body[key])
        if "archived" in body:
            channel.archive_timestamp = now()
        await lb.gateway.dispatch("THREAD_UPDATE", payloads.thread(channel))
        return Reply(body=payloads.thread(channel))
    require(lb, guild, Perm.MANAGE_CHANNELS)
    for key in ("name", "topic", "position"):
        if key in body:
            setattr(channel, key, body[key])
    if "available_tags" in body:
        channel.available_tags = _tags_from(lb, channel, body["available_tags"] or [])
    await lb.gateway.dispatch("CHANNEL_UPDATE", payloads.channel(channel))
    return Reply(body=payloads.channel(channel))


@route("DELETE", "/channels/{channel_id}")
async def delete_channel(lb: LoopbackDiscord, req: RestRequest) -> Reply:
    """Delete a channel or thread: CHANNEL_DELETE / THREAD_DELETE."""
    channel = channel_of(lb, req)
    guild = lb.world.guild(channel.guild_id)
    require(lb, guild, Perm.MANAGE_THREADS if channel.is_thread else Perm.MANAGE_CHANNELS)
    data = payloads.channel(channel)
    del lb.world.channels[channel.id]
    del guild.channels[channel.id]
    if channel.is_thread:
        event = {"id": str(channel.id), "guild_id": str(guild.id), "parent_id": str(channel.parent_id),
                 "type": channel.type}
        await lb.gateway.dispatch("THREAD_DELETE", event)
    else:
        await lb.gateway.dispatch("CHANNEL_DELETE", data)
    return Reply(body=data)


@route("GET", "/channels/{channel_id}/messages")
async def list_messages(lb: LoopbackDiscord, req: RestRequest) -> Reply:
    """History, newest first, with limit/before/after/around like Discord."""
    channel = channel_of(lb, req)
    msgs = lb.world.channel_messages(channel.id)
    limit = max(1, min(int(req.query.get("limit", 50)), 100))
    if "before" in req.query:
        msgs = [m for m in msgs if m.id < int(req.query["before"])][-limit:]
    elif "after" in req.query:
        msgs = [m for m in msgs if m.id > int(req.query["after"])][:limit]
    elif "around" in req.query:
        pivot = int(req.query["around"])
        idx = next((i for i, m in enumerate(msgs) if m.id >= pivot), len(msgs))
        start = max(0, idx - limit // 2)
        msgs = msgs[start:start + limit]
    else:
        msgs = msgs[-limit:]
    return Reply(body=[payloads.message(lb.world, m) for m in reversed(msgs)])


@route("POST", "/channels/{channel_id}/messages")
async def create_message(lb: LoopbackDiscord, req: RestRequest) -> Reply:
    """Send a message: MESSAGE_CREATE."""
    channel = channel_of(lb, req)
    limits.check_message(req.body, creating=True, has_files=bool(req.files))
    check_can_send(lb, channel)
    ref = req.body.get("message_reference")
    if ref and ref.get("message_id") and ref.get("fail_if_not_exists", True):
        target = lb.world.messages.get(int(ref["message_id"]))
        if target is None or target.deleted:
            raise RestError(400, "Invalid Form Body", 50035, {
                "message_reference": {"_errors": [{"code": "MESSAGE_REFERENCE_UNKNOWN_MESSAGE",
                                                   "message": "Unknown message"}]}})
    nonce_key = _nonce_key(lb, channel, req.body)
    if nonce_key is not None:
        earlier = lb.world.nonces.get(nonce_key)
        if earlier is not None and time.monotonic() - earlier[1] < NONCE_WINDOW_S:
            msg = lb.world.messages[earlier[0]]
            if not msg.deleted:  # Discord answers with the message already created, and creates nothing
                return Reply(body=payloads.message(lb.world, msg))
    await unarchive_on_send(lb, channel)
    msg = await lb.post_message(channel, lb.bot_user, req.body, attachments=attachments_from(lb, req))
    if nonce_key is not None:
        lb.world.nonces[nonce_key] = (msg.id, time.monotonic())
    return Reply(body=payloads.message(lb.world, msg))


# Discord checks an enforced nonce "for uniqueness in the past few minutes".
NONCE_WINDOW_S = 5 * 60


def _nonce_key(lb: LoopbackDiscord, channel: Channel, body: dict[str, Any]) -> tuple[int, int, str] | None:
    nonce = body.get("nonce")
    if not body.get("enforce_nonce") or nonce is None:
        return None
    return channel.id, lb.bot_user.id, str(nonce)


@route("GET", "/channels/{channel_id}/messages/{message_id}")
async def get_message(lb: LoopbackDiscord, req: RestRequest) -> Reply:
    """One message."""
    channel = channel_of(lb, req)
    return Reply(body=payloads.message(lb.world, message_of(lb, req, channel)))


@route("PATCH", "/channels/{channel_id}/messages/{message_id}")
async def edit_message(lb: LoopbackDiscord, req: RestRequest) -> Reply:
    """Edit the bot's own message: MESSAGE_UPDATE."""
    channel = channel_of(lb, req)
    msg = message_of(lb, req, channel)
    if msg.author.id != lb.bot_user.id or msg.webhook_id is not None:
        raise RestError(403, "Cannot edit a message authored by another user", 50005)
    limits.check_message(req.body, creating=False)
    msg = await lb.edit_message(msg, req.body, attachments=attachments_from(lb, req) if req.files else None)
    return Reply(body=payloads.message(lb.world, msg))


@route("DELETE", "/channels/{channel_id}/messages/{message_id}")
async def delete_message(lb: LoopbackDiscord, req: RestRequest) -> Reply:
    """Delete a message (others' need Manage Messages): MESSAGE_DELETE."""
    channel = channel_of(lb, req)
    msg = message_of(lb, req, channel)
    if msg.author.id != lb.bot_user.id and channel.guild_id:
        require(lb, lb.world.guild(channel.guild_id), Perm.MANAGE_MESSAGES)
    await lb.remove_message(msg)
    return Reply()


@route("POST", "/channels/{channel_id}/threads")
async def create_thread(lb: LoopbackDiscord, req: RestRequest) -> Reply:
    """A forum post (body has `message`) or a thread without a starter message."""
    parent = channel_of(lb, req)
    body = req.body
    guild = lb.world.guild(parent.guild_id)
    name = body.get("name") or ""
    if not 1 <= len(name) <= 100:
        raise RestError(400, "Invalid Form Body", 50035, {"name": {"_errors": [{"message": "1-100 characters."}]}})
    archive = int(body.get("auto_archive_duration") or 1440)
    if parent.type == ChannelType.FORUM:
        require(lb, guild, Perm.SEND_MESSAGES)
        message_body = body.get("message") or {}
        limits.check_message(message_body, creating=True, has_files=bool(req.files))
        applied = [int(t) for t in body.get("applied_tags") or []]
        _check_applied(parent, applied)
        thread, starter = await lb.create_thread(
            parent, lb.bot_user, name, message_body=message_body, applied_tags=applied,
            auto_archive_duration=archive, attachments=attachments_from(lb, req),
        )
        return Reply(201, {**payloads.thread(thread), "message": payloads.message(lb.world, starter)})
    kind = int(body.get("type") or ChannelType.PRIVATE_THREAD)
    private = kind == ChannelType.PRIVATE_THREAD
    require(lb, guild, Perm.CREATE_PRIVATE_THREADS if private else Perm.CREATE_PUBLIC_THREADS)
    thread, _ = await lb.create_thread(parent, lb.bot_user, name, type=kind, auto_archive_duration=archive)
    return Reply(201, payloads.thread(thread))


@route("POST", "/channels/{channel_id}/messages/{message_id}/threads")
async def create_thread_from_message(lb: LoopbackDiscord, req: RestRequest) -> Reply:
    """A public thread on a message; the thread's id is the message's id."""
    parent = channel_of(lb, req)
    msg = message_of(lb, req, parent)
    if msg.thread_id is not None:
        raise RestError(400, "A thread has already been created for this message", 160004)
    require(lb, lb.world.guild(parent.guild_id), Perm.CREATE_PUBLIC_THREADS)
    thread, _ = await lb.create_thread(
        parent, lb.bot_user, req.body.get("name") or "thread", from_message=msg,
        auto_archive_duration=int(req.body.get("auto_archive_duration") or 1440),
    )
    return Reply(201, payloads.thread(thread))


@route("GET", "/channels/{channel_id}/threads/archived/public")
async def archived_threads(lb: LoopbackDiscord, req: RestRequest) -> Reply:
    """Archived public threads of a channel or forum, newest first."""
    parent = channel_of(lb, req)
    guild = lb.world.guild(parent.guild_id)
    threads = [t for t in guild.threads if t.parent_id == parent.id and t.archived]
    threads.sort(key=lambda t: t.archive_timestamp, reverse=True)
    limit = int(req.query.get("limit", 50))
    return Reply(body={"threads": [payloads.thread(t) for t in threads[:limit]], "members": [],
                       "has_more": len(threads) > limit})


@route("PUT", "/channels/{channel_id}/thread-members/{user_id}")
async def join_thread(lb: LoopbackDiscord, req: RestRequest) -> Reply:
    """Add a member (or the bot, `@me`) to a thread."""
    thread = channel_of(lb, req)
    uid = lb.bot_user.id if req.params["user_id"] == "@me" else req.int_param("user_id")
    thread.member_ids.add(uid)
    return Reply()


@route("DELETE", "/channels/{channel_id}/thread-members/{user_id}")
async def leave_thread(lb: LoopbackDiscord, req: RestRequest) -> Reply:
    """Remove a member (or the bot) from a thread."""
    thread = channel_of(lb, req)
    uid = lb.bot_user.id if req.params["user_id"] == "@me" else req.int_param("user_id")
    thread.member_ids.discard(uid)
    return Reply()


@route("POST", "/channels/{channel_id}/typing")
async def typing(lb: LoopbackDiscord, req: RestRequest) -> Reply:
    """Typing indicator: accepted."""
    channel_of(lb, req)
    return Reply()


async def _reaction_event(lb: LoopbackDiscord, event: str, msg: Message, emoji: str) -> None:
    data: dict[str, Any] = {"user_id": str(lb.bot_user.id), "channel_id": str(msg.channel_id),
                            "message_id": str(msg.id), "emoji": {"id": None, "name": emoji},
                            "burst": False, "type": 0}
    if msg.guild_id:
        data["guild_id"] = str(msg.guild_id)
    if event == "MESSAGE_REACTION_ADD":
        data["message_author_id"] = str(msg.author.id)
        data["burst_colors"] = []
        if msg.guild_id:
            data["member"] = payloads.member(lb.member(msg.guild_id, lb.bot_user.id))
    await lb.gateway.dispatch(event, data)


@route("PUT", "/channels/{channel_id}/messages/{message_id}/reactions/{emoji}/@me")
async def add_reaction(lb: LoopbackDiscord, req: RestRequest) -> Reply:
    """The bot reacts: MESSAGE_REACTION_ADD."""
    channel = channel_of(lb, req)
    msg = message_of(lb, req, channel)
    emoji = req.params["emoji"]
    msg.reactions.setdefault(emoji, set()).add(lb.bot_user.id)
    await _reaction_event(lb, "MESSAGE_REACTION_ADD", msg, emoji)
    return Reply()


@route("DELETE", "/channels/{channel_id}/messages/{message_id}/reactions/{emoji}/@me")
async def remove_reaction(lb: LoopbackDiscord, req: RestRequest) -> Reply:
    """The bot removes its reaction: MESSAGE_REACTION_REMOVE."""
    channel = channel_of(lb, req)
    msg = message_of(lb, req, channel)
    emoji = req.params["emoji"]
    msg.reactions.get(emoji, set()).discard(lb.bot_user.id)
    await _reaction_event(lb, "MESSAGE_REACTION_REMOVE", msg, emoji)
    return Reply()


@route("PUT", "/channels/{channel_id}/messages/pins/{message_id}")
@route("PUT", "/channels/{channel_id}/pins/{message_id}")
async def pin(lb: LoopbackDiscord, req: RestRequest) -> Reply:
    """Pin a message (Manage Messages)."""
    channel = channel_of(lb, req)
    msg = message_of(lb, req, channel)
    if channel.guild_id:
        require(lb, lb.world.guild(channel.guild_id), Perm.MANAGE_MESSAGES)
    msg.pinned = True
    return Reply()


@route("DELETE", "/channels/{channel_id}/messages/pins/{message_id}")
@route("DELETE", "/channels/{channel_id}/pins/{message_id}")
async def unpin(lb: LoopbackDiscord, req: RestRequest) -> Reply:
    """Unpin a message."""
    channel = channel_of(lb, req)
    message_of(lb, req, channel).pinned = False
    return Reply()


@route("GET", "/channels/{channel_id}/messages/pins")
async def list_pins(lb: LoopbackDiscord, req: RestRequest) -> Reply:
    """Pinned messages, newest first, in the 2.7 paginated shape."""
    channel = channel_of(lb, req)
    pinned = [m for m in lb.world.channel_messages(channel.id) if m.pinned][::-1]
    items = [{"pinned_at": m.timestamp.isoformat(), "message": payloads.message(lb.world, m)} for m in pinned]
    return Reply(body={"items": items, "has_more": False})


@route("POST", "/channels/{channel_id}/messages/bulk-delete")
async def bulk_delete(lb: LoopbackDiscord, req: RestRequest) -> Reply:
    """Delete 2-100 messages at once (Manage Messages): MESSAGE_DELETE_BULK."""
    channel = channel_of(lb, req)
    ids = [int(i) for i in req.body.get("messages") or []]
    if not 2 <= len(ids) <= 100:
        raise RestError(400, "Invalid Form Body", 50035, {"messages": {"_errors": [{"message": "2-100 ids."}]}})
    require(lb, lb.world.guild(channel.guild_id), Perm.MANAGE_MESSAGES)
    found = [m for i in ids if (m := lb.world.messages.get(i)) and m.channel_id == channel.id and not m.deleted]
    for m in found:
        m.deleted = True
    data = {"ids": [str(m.id) for m in found], "channel_id": str(channel.id), "guild_id": str(channel.guild_id)}
    await lb.gateway.dispatch("MESSAGE_DELETE_BULK", data)
    return Reply()
