"""The playground's web page and its endpoints, on 127.0.0.1 only.

Every endpoint checks what it is given and answers a malformed request with 400 and `{"error": "..."}`; nothing
a request carries can stop the server. Actions are POSTs of JSON (a cross-site form cannot send that without a
preflight this server never grants) from a page whose Host is 127.0.0.1 or localhost (no DNS rebinding).
"""

from __future__ import annotations

import asyncio
import json
import logging
from datetime import timedelta
from importlib import resources
from typing import Any

from aiohttp import WSMsgType, web

from loopback import Channel, ChannelType
from loopback.interactions import InteractionRecord
from playground import view
from playground.app import Playground

log = logging.getLogger("playground")


class Holder:
    """The playground once it is open: the page is served (and its port taken) before the bot is ready."""

    def __init__(self) -> None:
        self.pg: Playground | None = None


HOLDER = web.AppKey("holder", Holder)
STATIC = {"app.js": "text/javascript", "style.css": "text/css", "index.html": "text/html"}
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
       "base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
ANSWER_WITHIN = 3.5  # Discord's 3 s for the first answer, and a little
TIME_STEPS = {1: "1 hour", 24: "1 day", 168: "1 week"}
MAX_BODY = 64 * 1024
LIVE_EVERY = 0.1


class BadRequest(Exception):
    """What was wrong with a request, said to the page as `{"error": ...}` with a status (400 unless told)."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


def fail(message: str, status: int = 400) -> BadRequest:
    return BadRequest(message, status)


# --- reading requests ------------------------------------------------------------------------------------------------


def as_id(value: Any, what: str) -> int:
    """A snowflake given as a string or a number."""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise fail(f"{what} must be an id (a string of digits)")
    text = str(value).strip()
    if not text.isdigit() or not 0 < len(text) <= 20:
        raise fail(f"{what} must be an id (a string of digits), not {text[:40]!r}")
    return int(text)


def text_field(body: dict[str, Any], key: str, *, limit: int, required: bool = True) -> str:
    value = body.get(key, "")
    if not isinstance(value, str):
        raise fail(f"{key} must be text")
    if required and not value.strip():
        raise fail(f"{key} is empty")
    if len(value) > limit:
        raise fail(f"{key} is longer than {limit} characters")
    return value


def acting(pg: Playground, raw: Any) -> int:
    """The member the page acts as: a human member of the server."""
    user_id = as_id(raw, "as")
    member = pg.guild.members.get(user_id)
    if member is None or member.user.bot:
        raise fail(f"{user_id} is not a member of the server one can act as", 404)
    return user_id


def channel_for(pg: Playground, me: int, raw: Any) -> Channel:
    """A channel `me` can see: one of the server's, a thread of one, or `me`'s DMs with the bot."""
    channel = pg.lb.world.channels.get(as_id(raw, "channel"))
    if channel is None:
        raise fail("no such channel", 404)
    if channel.type == ChannelType.DM:
        if channel.recipient_id != me:
            raise fail("that is someone else's DM channel", 403)
        return channel
    if channel.guild_id != pg.guild_id or channel.type in (ChannelType.CATEGORY, ChannelType.VOICE):
        raise fail("no such text channel in this server", 404)
    if not pg.guild.channel_permissions(me, channel):
        raise fail("this member cannot see that channel", 403)
    return channel


def message_for(pg: Playground, me: int, raw: Any) -> int:
    """A message `me` can see: in a channel they see, or an ephemeral answer to their own interaction."""
    msg = pg.lb.world.messages.get(as_id(raw, "message"))
    if msg is None or msg.deleted:
        raise fail("no such message", 404)
    if msg.ephemeral:
        mine = any(ix.user_id == me and (ix.original_message_id == msg.id or msg.id in ix.followup_ids)
                   for ix in pg.lb.interactions.values())
        if not mine:
            raise fail("that message was shown only to someone else", 403)
    else:
        channel_for(pg, me, msg.channel_id)
    return msg.id


async def json_body(request: web.Request) -> dict[str, Any]:
    if request.content_type != "application/json":
        raise fail("send JSON (Content-Type: application/json)", 415)
    raw = await request.read()
    if len(raw) > MAX_BODY:
        raise fail("request too large", 413)
    try:
        body = json.loads(raw or b"null")
    except (ValueError, UnicodeDecodeError):
        raise fail("the body is not valid JSON") from None
    if not isinstance(body, dict):
        raise fail("the body must be a JSON object")
    return body


# --- commands --------------------------------------------------------------------------------------------------------


def command_specs(pg: Playground, me: int, name: str, group: str | None, sub: str | None, kind: int = 1
                  ) -> list[dict[str, Any]]:
    """The option specs of `/name [group] [sub]` as registered and visible to `me`."""
    found = next((c for c in view.commands(pg, me) if c["name"] == name and int(c.get("type") or 1) == kind), None)
    if found is None:
        raise fail(f"no command {name!r} for this member", 404)
    specs = found.get("options") or []
    for part, part_kind in ((group, 2), (sub, 1)):
        if part is None:
            continue
        spec = next((s for s in specs if s["name"] == part and int(s["type"]) == part_kind), None)
        if spec is None:
            raise fail(f"/{name} has no {'group' if part_kind == 2 else 'subcommand'} {part!r}")
        specs = spec.get("options") or []
    if any(int(s["type"]) in (1, 2) for s in specs):
        raise fail(f"/{name} needs a subcommand")
    return specs


def coerce(spec: dict[str, Any], value: Any) -> Any:
    """A value from the page into the option's type; what cannot be converted is a 400 naming the option."""
    kind, name = int(spec["type"]), spec["name"]
    try:
        if kind == 5:
            if isinstance(value, bool):
                return value
            if str(value).lower() in ("true", "false"):
                return str(value).lower() == "true"
            raise ValueError
        if kind == 4:
            return int(str(value))
        if kind == 10:
            return float(str(value))
        if kind in (6, 7, 8, 9):
            return as_id(value, f"option {name}")
        if kind == 11:
            return str(value)
        if not isinstance(value, str):
            raise ValueError
        return value
    except (ValueError, TypeError):
        raise fail(f"option {name!r}: {str(value)[:40]!r} is not a valid {KINDS.get(kind, 'value')}") from None


KINDS = {3: "text", 4: "whole number", 5: "true or false", 6: "member", 7: "channel", 8: "role", 9: "mentionable",
         10: "number", 11: "file name"}


def options_of(body: dict[str, Any], specs: list[dict[str, Any]], focused: str | None = None) -> dict[str, Any]:
    raw = body.get("options") or {}
    if not isinstance(raw, dict):
        raise fail("options must be an object of name: value")
    by_name = {s["name"]: s for s in specs}
    out: dict[str, Any] = {}
    for key, value in raw.items():
        if key not in by_name:
            raise fail(f"unknown option {key!r}")
        if value is None or value == "":
            continue
        out[key] = str(value) if key == focused else coerce(by_name[key], value)
    return out


def part(body: dict[str, Any], key: str) -> str | None:
    value = body.get(key)
    if value in (None, ""):
        return None
    if not isinstance(value, str) or len(value) > 32:
        raise fail(f"{key} must be a name")
    return value


async def first_answer(ix: InteractionRecord) -> dict[str, Any]:
    """What the page needs right after an interaction: a modal to show, or that the bot has not answered yet."""
    if not ix.delivered:
        raise fail("the bot is not connected", 503)
    try:
        await ix.wait_response(timeout=ANSWER_WITHIN)
    except TimeoutError:
        return {"interaction": str(ix.id), "answered": False}
    return {"interaction": str(ix.id), "answered": True, "modal": ix.modal}


# --- actions ---------------------------------------------------------------------------------------------------------


async def act_slash(pg: Playground, me: int, body: dict[str, Any]) -> dict[str, Any]:
    channel = channel_for(pg, me, body.get("channel"))
    name = text_field(body, "command", limit=32)
    group, sub = part(body, "group"), part(body, "subcommand")
    specs = command_specs(pg, me, name, group, sub)
    guild_id = pg.guild_id if channel.type != ChannelType.DM else None
    ix = await pg.lb.invoke_slash(guild_id, channel.id, me, name, options_of(body, specs), subcommand=sub, group=group)
    return await first_answer(ix)


async def act_autocomplete(pg: Playground, me: int, body: dict[str, Any]) -> dict[str, Any]:
    channel = channel_for(pg, me, body.get("channel"))
    name = text_field(body, "command", limit=32)
    group, sub = part(body, "group"), part(body, "subcommand")
    focused = text_field(body, "focused", limit=32)
    specs = command_specs(pg, me, name, group, sub)
    spec = next((s for s in specs if s["name"] == focused), None)
    if spec is None or not spec.get("autocomplete"):
        raise fail(f"option {focused!r} has no autocomplete")
    options = options_of(body, specs, focused)
    options.setdefault(focused, "")
    guild_id = pg.guild_id if channel.type != ChannelType.DM else None
    ix = await pg.lb.autocomplete(guild_id, channel.id, me, name, options, focused, subcommand=sub, group=group)
    try:
        await ix.wait_response(timeout=ANSWER_WITHIN)
    except TimeoutError:
        return {"choices": []}
    return {"choices": ix.choices or []}


async def act_context(pg: Playground, me: int, body: dict[str, Any]) -> dict[str, Any]:
    message_id = message_for(pg, me, body.get("message"))
    name = text_field(body, "command", limit=32)
    command_specs(pg, me, name, None, None, kind=3)
    msg = pg.lb.message(message_id)
    guild_id = pg.guild_id if msg.guild_id else None
    ix = await pg.lb.invoke_message_command(guild_id, msg.channel_id, me, name, message_id)
    return await first_answer(ix)


async def act_button(pg: Playground, me: int, body: dict[str, Any]) -> dict[str, Any]:
    message_id = message_for(pg, me, body.get("message"))
    custom_id = text_field(body, "custom_id", limit=100)
    return await first_answer(await pg.lb.click_button(message_id, custom_id, me))


async def act_select(pg: Playground, me: int, body: dict[str, Any]) -> dict[str, Any]:
    message_id = message_for(pg, me, body.get("message"))
    custom_id = text_field(body, "custom_id", limit=100)
    values = body.get("values")
    if not isinstance(values, list) or not all(isinstance(v, str) and len(v) <= 100 for v in values):
        raise fail("values must be a list of texts")
    return await first_answer(await pg.lb.select(message_id, custom_id, me, values))


async def act_modal(pg: Playground, me: int, body: dict[str, Any]) -> dict[str, Any]:
    ix_id = as_id(body.get("interaction"), "interaction")
    from_ix = pg.lb.interactions.get(ix_id)
    if from_ix is None or from_ix.user_id != me or from_ix.modal is None:
        raise fail("no form was opened for this member by that interaction", 404)
    if ix_id in pg.submitted:
        raise fail("that form was already sent")
    values = body.get("values")
    if not isinstance(values, dict) or not all(isinstance(v, (str, list)) for v in values.values()):
        raise fail("values must be an object of input id: text")
    answer = await first_answer(await pg.lb.submit_modal(from_ix, values=values, user_id=me))
    pg.submitted.add(ix_id)
    return answer


async def act_post(pg: Playground, me: int, body: dict[str, Any]) -> dict[str, Any]:
    channel = channel_for(pg, me, body.get("channel"))
    content = text_field(body, "content", limit=2000)
    if channel.type == ChannelType.DM:
        msg = await pg.lb.send_dm(me, content)
        return {"message": str(msg.id)}
    if channel.type == ChannelType.FORUM:
        title = text_field(body, "title", limit=100)
        tags = body.get("tags") or []
        if not isinstance(tags, list):
            raise fail("tags must be a list of tag ids")
        known = {t.id for t in channel.available_tags}
        tag_ids = [as_id(t, "tag") for t in tags]
        if any(t not in known for t in tag_ids) or len(tag_ids) > 5:
            raise fail("tags must be up to 5 of the forum's tags")
        thread = await pg.lb.create_forum_post(channel.id, me, title, content, tag_ids)
        return {"channel": str(thread.id)}
    if channel.is_thread and channel.locked:
        raise fail("this thread is locked", 403)
    msg = await pg.lb.send_message(channel.id, me, content)
    return {"message": str(msg.id)}


async def act_join(pg: Playground, body: dict[str, Any]) -> dict[str, Any]:
    raw = body.get("name")
    count = sum(1 for m in pg.guild.members.values() if not m.user.bot)
    name = f"newbie-{count + 1}" if raw in (None, "") else text_field(body, "name", limit=32)
    name = " ".join(name.split())
    if len(name) < 2:
        raise fail("name must be 2-32 characters")
    user = pg.lb.add_user(name.lower().replace(" ", "_"), name)
    await pg.lb.join_member(pg.guild_id, user)
    return {"member": str(user.id)}


# The language of the acting member's Discord app: Discord sends it with every interaction (German: one the bot
# does not speak, answered in English).
APP_LOCALES = ("en-US", "fr", "zh-CN", "de")


async def act_locale(pg: Playground, me: int, body: dict[str, Any]) -> dict[str, Any]:
    locale = body.get("locale")
    if locale not in APP_LOCALES:
        raise fail(f"locale must be one of {list(APP_LOCALES)}")
    pg.lb.world.user(me).locale = locale
    return {"locale": locale}


async def act_time(pg: Playground, body: dict[str, Any]) -> dict[str, Any]:
    hours = body.get("hours")
    if isinstance(hours, bool) or hours not in TIME_STEPS:
        raise fail(f"hours must be one of {sorted(TIME_STEPS)}")
    now = await pg.time.advance(timedelta(hours=hours))
    return {"now": now.isoformat()}


ACTIONS = {"slash": act_slash, "autocomplete": act_autocomplete, "context": act_context, "button": act_button,
           "select": act_select, "modal": act_modal, "post": act_post, "locale": act_locale}


# --- handlers --------------------------------------------------------------------------------------------------------


def current(request: web.Request) -> Playground:
    pg = request.app[HOLDER].pg
    if pg is None:
        raise fail("the playground is still starting", 503)
    return pg



async def act(request: web.Request) -> web.Response:
    pg = current(request)
    body = await json_body(request)
    action = body.get("action")
    if not isinstance(action, str) or action not in {*ACTIONS, "join", "time"}:
        raise fail(f"action must be one of {sorted({*ACTIONS, 'join', 'time'})}")
    try:
        if action == "join":
            result = await act_join(pg, body)
        elif action == "time":
            result = await act_time(pg, body)
        else:
            result = await ACTIONS[action](pg, acting(pg, body.get("as")), body)
    except ValueError as error:  # the loopback refuses what a member could not do in Discord's client
        raise fail(str(error)) from None
    finally:
        pg.version += 1
    return web.json_response({"ok": True, **result})


async def get_state(request: web.Request) -> web.Response:
    pg = current(request)
    raw = request.query.get("as")
    me = pg.members["owner"] if raw is None else acting(pg, raw)  # the page starts as the owner
    return web.json_response(view.state(pg, me))


async def get_messages(request: web.Request) -> web.Response:
    pg = current(request)
    me = acting(pg, request.query.get("as"))
    channel = channel_for(pg, me, request.query.get("channel"))
    return web.json_response({"channel": str(channel.id), "messages": view.messages(pg, channel, me)})


async def get_attachment(request: web.Request) -> web.Response:
    pg = current(request)
    att_id = as_id(request.match_info["id"], "attachment")
    data = pg.lb.world.attachment_data.get(att_id)
    if data is None:
        raise fail("no such attachment", 404)
    kind = next((a.get("content_type") for m in pg.lb.world.messages.values() for a in m.attachments
                 if str(a.get("id")) == str(att_id)), None) or "application/octet-stream"
    image = kind in ("image/png", "image/jpeg", "image/gif", "image/webp")
    return web.Response(body=data, content_type=kind if image else "application/octet-stream", headers={
        "Content-Security-Policy": "default-src 'none'; sandbox", "X-Content-Type-Options": "nosniff",
        **({} if image else {"Content-Disposition": "attachment"})})


async def static(request: web.Request) -> web.Response:
    name = request.match_info.get("name", "index.html")
    if name not in STATIC:
        raise fail("not found", 404)
    data = resources.files("playground").joinpath("static", name).read_bytes()
    return web.Response(body=data, content_type=STATIC[name], headers={
        "Content-Security-Policy": CSP, "X-Content-Type-Options": "nosniff", "Cache-Control": "no-store",
        "Referrer-Policy": "no-referrer"})


async def live(request: web.Request) -> web.WebSocketResponse:
    """A websocket that says when anything changed; the page then fetches what it shows."""
    pg = current(request)
    ws = web.WebSocketResponse(heartbeat=20)
    await ws.prepare(request)
    last = None

    async def reader() -> None:
        async for msg in ws:
            if msg.type in (WSMsgType.ERROR, WSMsgType.CLOSE):
                break

    reading = asyncio.create_task(reader())
    try:
        while not ws.closed and not reading.done():
            mark = (len(pg.lb.calls), len(pg.lb.world.messages), len(pg.lb.interactions), pg.version,
                    pg.clock.now())
            if mark != last:
                last = mark
                await ws.send_json({"changed": True, "version": pg.version, "now": pg.clock.now().isoformat()})
            await asyncio.sleep(LIVE_EVERY)
    except (ConnectionResetError, RuntimeError):
        pass
    finally:
        reading.cancel()
    return ws


@web.middleware
async def guard(request: web.Request, handler: Any) -> web.StreamResponse:
    """Only this machine's own page; every problem as JSON, and the server keeps running."""
    host = (request.host or "").rsplit(":", 1)[0]
    if host not in ("127.0.0.1", "localhost"):
        return web.json_response({"error": "the playground answers only on 127.0.0.1"}, status=403)
    try:
        response: web.StreamResponse = await handler(request)
        return response
    except BadRequest as error:
        return web.json_response({"error": str(error)}, status=error.status)
    except web.HTTPException as error:
        if error.status < 400:
            raise
        return web.json_response({"error": error.reason}, status=error.status)
    except TimeoutError as error:
        return web.json_response({"error": f"the bot did not answer in time ({error})"}, status=504)
    except Exception as error:
        log.exception("Playground request failed: %s %s", request.method, request.path)
        return web.json_response({"error": f"the playground failed: {type(error).__name__}"}, status=500)


def make_app(holder: Holder) -> web.Application:
    app = web.Application(middlewares=[guard], client_max_size=MAX_BODY)
    app[HOLDER] = holder
    app.router.add_get("/", static)
    app.router.add_get("/static/{name}", static)
    app.router.add_get("/api/state", get_state)
    app.router.add_get("/api/messages", get_messages)
    app.router.add_post("/api/act", act)
    app.router.add_get("/attachments/{id}", get_attachment)
    app.router.add_get("/live", live)
    return app


async def serve(holder: Holder, port: int) -> tuple[web.AppRunner, str]:
    """Serve the page on 127.0.0.1:`port` (0: any free port); returns the runner and the URL."""
    runner = web.AppRunner(make_app(holder), access_log=None, handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", port)
    await site.start()
    bound = runner.addresses[0][1]
    return runner, f"http://127.0.0.1:{bound}/"
