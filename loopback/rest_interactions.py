"""REST routes for application commands, interaction callbacks and interaction webhooks."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from . import limits, payloads
from .rest_channels import attachments_from
from .router import Reply, RestError, RestRequest, route
from .world import Message

if TYPE_CHECKING:
    from .interactions import InteractionRecord
    from .server import LoopbackDiscord

# Message types Discord gives interaction responses: chat input, context menu, anything else.
RESPONSE_MESSAGE_TYPE = {1: 20, 2: 23, 3: 23}


def _check_app(lb: LoopbackDiscord, req: RestRequest, key: str = "application_id") -> None:
    if req.params.get(key) != str(lb.application_id):
        raise RestError(404, "Unknown Application", 10002)


def _normalise(lb: LoopbackDiscord, cmd: dict[str, Any], guild_id: int | None, old: dict[tuple, int]) -> dict:
    kind = int(cmd.get("type", 1))
    # Discord keeps a command's id when a bulk overwrite re-sends the same name and type.
    cmd_id = old.get((cmd["name"], kind)) or lb.world.ids.next()
    out = {
        "id": str(cmd_id), "application_id": str(lb.application_id), "version": str(lb.world.ids.next()),
        "type": kind, "name": cmd["name"], "description": cmd.get("description") or "",
        "options": cmd.get("options") or [], "default_member_permissions": cmd.get("default_member_permissions"),
        "dm_permission": cmd.get("dm_permission", True), "nsfw": bool(cmd.get("nsfw")),
        "contexts": cmd.get("contexts"), "integration_types": cmd.get("integration_types") or [0],
        "name_localizations": cmd.get("name_localizations"),
        "description_localizations": cmd.get("description_localizations"),
    }
    if guild_id is not None:
        out["guild_id"] = str(guild_id)
    return out


async def _put_commands(lb: LoopbackDiscord, req: RestRequest, guild_id: int | None) -> Reply:
    body = req.json if isinstance(req.json, list) else []
    limits.check_commands(body)
    old = {(c["name"], int(c["type"])): int(c["id"]) for c in lb.commands.get(guild_id, [])}
    lb.commands[guild_id] = [_normalise(lb, c, guild_id, old) for c in body]
    return Reply(body=lb.commands[guild_id])


@route("PUT", "/applications/{application_id}/commands")
async def put_global_commands(lb: LoopbackDiscord, req: RestRequest) -> Reply:
    """Bulk-overwrite global commands (tree.sync())."""
    _check_app(lb, req)
    return await _put_commands(lb, req, None)


@route("PUT", "/applications/{application_id}/guilds/{guild_id}/commands")
async def put_guild_commands(lb: LoopbackDiscord, req: RestRequest) -> Reply:
    """Bulk-overwrite a guild's commands (tree.sync(guild=...))."""
    _check_app(lb, req)
    return await _put_commands(lb, req, req.int_param("guild_id"))


@route("GET", "/applications/{application_id}/commands")
async def get_global_commands(lb: LoopbackDiscord, req: RestRequest) -> Reply:
    """Registered global commands."""
    _check_app(lb, req)
    return Reply(body=lb.commands.get(None, []))


@route("GET", "/applications/{application_id}/guilds/{guild_id}/commands")
async def get_guild_commands(lb: LoopbackDiscord, req: RestRequest) -> Reply:
    """Registered guild commands."""
    _check_app(lb, req)
    return Reply(body=lb.commands.get(req.int_param("guild_id"), []))


@route("GET", "/applications/{application_id}/guilds/{guild_id}/commands/permissions")
async def get_command_permissions(lb: LoopbackDiscord, req: RestRequest) -> Reply:
    """No per-command permission overrides in the loopback."""
    _check_app(lb, req)
    return Reply(body=[])


def _ix_by_id(lb: LoopbackDiscord, req: RestRequest) -> InteractionRecord:
    ix = lb.interactions.get(req.int_param("interaction_id"))
    if ix is None or ix.token != req.params["token"]:
        raise RestError(404, "Unknown interaction", 10062)
    return ix


def _ix_by_token(lb: LoopbackDiscord, req: RestRequest) -> InteractionRecord:
    _check_app(lb, req, "webhook_id")
    ix = lb.interaction_by_token(req.params["webhook_token"])
    if ix is None:
        raise RestError(404, "Unknown Webhook", 10015)
    return ix


def _metadata(lb: LoopbackDiscord, ix: InteractionRecord, original_id: int | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": str(ix.id), "type": ix.type, "user": payloads.user(lb.world.user(ix.user_id)),
        "authorizing_integration_owners": ix.payload.get("authorizing_integration_owners", {}),
    }
    if ix.type == 2:
        data["name"] = ix.payload["data"]["name"]
        data["command_type"] = ix.payload["data"].get("type", 1)
    if ix.type == 3 and ix.source_message_id:
        data["interacted_message_id"] = str(ix.source_message_id)
    if original_id is not None:
        data["original_response_message_id"] = str(original_id)
    return data


async def _new_message(lb: LoopbackDiscord, ix: InteractionRecord, body: dict[str, Any], req: RestRequest,
                       *, original_id: int | None = None, extra_flags: int = 0) -> Message:
    channel = lb.world.channel(ix.channel_id)
    cmd_type = int(ix.payload.get("data", {}).get("type", 1)) if ix.type == 2 else 0
    body = {**body, "flags": int(body.get("flags") or 0) | extra_flags}
    return await lb.post_message(
        channel, lb.bot_user, body, attachments=attachments_from(lb, req),
        type=RESPONSE_MESSAGE_TYPE.get(cmd_type, 0), webhook_id=lb.application_id,
        application_id=lb.application_id, interaction_metadata=_metadata(lb, ix, original_id),
    )


@route("POST", "/interactions/{interaction_id}/{token}/callback", auth=False)
async def interaction_callback(lb: LoopbackDiscord, req: RestRequest) -> Reply:
    """The bot's initial response; answers like Discord to `?with_response=true`."""
    ix = _ix_by_id(lb, req)
    if ix.responses:
        raise RestError(400, "Interaction has already been acknowledged.", 40060)
    elapsed = time.monotonic() - ix.created
    if lb.interaction_deadline is not None and elapsed > lb.interaction_deadline:
        ix.expired = True
        raise RestError(404, "Unknown interaction", 10062)
    body = req.body
    kind, data = int(body.get("type", 0)), body.get("data") or {}
    message: Message | None = None
    if kind == 4:
        limits.check_message(data, creating=True, has_files=bool(req.files))
        message = await _new_message(lb, ix, data, req)
    elif kind == 5:
        message = await _new_message(lb, ix, {"content": "", "flags": int(data.get("flags") or 0)}, req,
                                     extra_flags=128)
    elif kind in (6, 7):
        if ix.source_message_id is None:
            raise RestError(400, "Interaction response type is only valid for component interactions", 50035)
        message = lb.world.messages[ix.source_message_id]
        if kind == 7:
            limits.check_message(data, creating=False)
            message = await lb.edit_message(message, data, attachments=attachments_from(lb, req) or None)
    elif kind == 8:
        if ix.type != 4:
            raise RestError(400, "Autocomplete results answer only autocomplete interactions", 50035)
        limits.check_choices(data)
    elif kind == 9:
        if ix.type in (4, 5):
            raise RestError(400, "A modal cannot answer this interaction", 50035)
        limits.check_modal(data)
    else:
        raise RestError(400, f"Unsupported interaction response type {kind}", 50035)
    ix.responses.append(body)
    ix.response_latency = elapsed
    if kind != 5:
        ix.answer_latency = elapsed
    if message is not None:
        ix.original_message_id = message.id
    info: dict[str, Any] = {"id": str(ix.id), "type": ix.type}
    resource: dict[str, Any] = {"type": kind}
    if message is not None:
        info.update(response_message_id=str(message.id), response_message_loading=kind == 5,
                    response_message_ephemeral=message.ephemeral)
        resource["message"] = payloads.message(lb.world, message)
    return Reply(body={"interaction": info, "resource": resource})


def _webhook_message(lb: LoopbackDiscord, ix: InteractionRecord, req: RestRequest) -> Message:
    ref = req.params["message_id"]
    msg_id = ix.original_message_id if ref == "@original" else int(ref)
    msg = lb.world.messages.get(msg_id) if msg_id else None
    allowed = {ix.original_message_id, *ix.followup_ids}
    if msg is None or msg.deleted or msg.id not in allowed:
        raise RestError(404, "Unknown Message", 10008)
    return msg


@route("POST", "/webhooks/{webhook_id}/{webhook_token}", auth=False)
async def followup(lb: LoopbackDiscord, req: RestRequest) -> Reply:
    """A follow-up message (allowed only after the interaction was acknowledged)."""
    ix = _ix_by_token(lb, req)
    if not ix.responses:
        raise RestError(404, "Unknown Webhook", 10015)
    limits.check_message(req.body, creating=True, has_files=bool(req.files))
    msg = await _new_message(lb, ix, req.body, req, original_id=ix.original_message_id)
    ix.followup_ids.append(msg.id)
    _answered(ix)
    if req.query.get("wait", "").lower() not in ("true", "1"):
        return Reply()
    return Reply(body=payloads.message(lb.world, msg))


@route("GET", "/webhooks/{webhook_id}/{webhook_token}/messages/{message_id}", auth=False)
async def get_webhook_message(lb: LoopbackDiscord, req: RestRequest) -> Reply:
    """The original response or a follow-up."""
    ix = _ix_by_token(lb, req)
    return Reply(body=payloads.message(lb.world, _webhook_message(lb, ix, req)))


@route("PATCH", "/webhooks/{webhook_id}/{webhook_token}/messages/{message_id}", auth=False)
async def edit_webhook_message(lb: LoopbackDiscord, req: RestRequest) -> Reply:
    """Edit the original response (ends a deferral) or a follow-up: MESSAGE_UPDATE."""
    ix = _ix_by_token(lb, req)
    msg = _webhook_message(lb, ix, req)
    limits.check_message(req.body, creating=False)
    msg = await lb.edit_message(msg, req.body, attachments=attachments_from(lb, req) if req.files else None)
    _answered(ix)
    return Reply(body=payloads.message(lb.world, msg))


def _answered(ix: InteractionRecord) -> None:
    """A follow-up or an edit of the response: the answer, if a deferral was all the member had so far."""
    if ix.answer_latency is None:
        ix.answer_latency = time.monotonic() - ix.created


@route("DELETE", "/webhooks/{webhook_id}/{webhook_token}/messages/{message_id}", auth=False)
async def delete_webhook_message(lb: LoopbackDiscord, req: RestRequest) -> Reply:
    """Delete the original response or a follow-up: MESSAGE_DELETE."""
    ix = _ix_by_token(lb, req)
    await lb.remove_message(_webhook_message(lb, ix, req))
    return Reply()
