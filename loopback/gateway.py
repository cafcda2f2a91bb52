"""Gateway v10 over a websocket: HELLO, heartbeats, IDENTIFY/RESUME, dispatch with sequence numbers, shards.

Sharding as on Discord: IDENTIFY may carry `shard: [shard_id, shard_count]` (none means `[0, 1]`); each shard has
its own session, and a guild's events go only to the session of shard `(guild_id >> 22) % shard_count`, DMs (and
anything else without a guild) to shard 0. Sessions of one shard replace each other; each shard resumes its own.
"""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
import time
from collections import deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aiohttp import WSMsgType, web

from . import payloads

if TYPE_CHECKING:
    from .server import LoopbackDiscord

log = logging.getLogger(__name__)

HEARTBEAT_INTERVAL_MS = 41250
CHUNK_SIZE = 1000
REPLAY_LOG_SIZE = 20000
IDENTIFY_WINDOW_S = 5.0  # Discord: max_concurrency IDENTIFYs per rate-limit bucket per 5 seconds
INVALID_SHARD = 4010
SHARDING_REQUIRED = 4011
_GUILD_ITSELF = ("GUILD_CREATE", "GUILD_UPDATE", "GUILD_DELETE")


def shard_of(guild_id: int, shard_count: int) -> int:
    """The shard a guild belongs to, by Discord's formula."""
    return (int(guild_id) >> 22) % shard_count


class Intent:
    """Gateway intent bits."""

    GUILDS = 1 << 0
    GUILD_MEMBERS = 1 << 1
    GUILD_PRESENCES = 1 << 8
    GUILD_MESSAGES = 1 << 9
    GUILD_MESSAGE_REACTIONS = 1 << 10
    DIRECT_MESSAGES = 1 << 12
    DIRECT_MESSAGE_REACTIONS = 1 << 13
    MESSAGE_CONTENT = 1 << 15
    GUILD_SCHEDULED_EVENTS = 1 << 16
    PRIVILEGED = GUILD_MEMBERS | GUILD_PRESENCES | MESSAGE_CONTENT


_GUILD_EVENTS = ("GUILD_CREATE", "GUILD_UPDATE", "GUILD_DELETE", "GUILD_ROLE_", "CHANNEL_", "THREAD_")


def required_intent(event: str, data: dict[str, Any]) -> int:
    """The intent a session needs to receive `event` (0 if none)."""
    in_guild = "guild_id" in data
    if event.startswith("GUILD_MEMBER_") or event == "THREAD_MEMBERS_UPDATE":
        return Intent.GUILD_MEMBERS
    if event.startswith("GUILD_SCHEDULED_EVENT_"):
        return Intent.GUILD_SCHEDULED_EVENTS
    if event.startswith("MESSAGE_REACTION_"):
        return Intent.GUILD_MESSAGE_REACTIONS if in_guild else Intent.DIRECT_MESSAGE_REACTIONS
    if event.startswith("MESSAGE_"):
        return Intent.GUILD_MESSAGES if in_guild else Intent.DIRECT_MESSAGES
    if event.startswith(_GUILD_EVENTS):
        return Intent.GUILDS
    return 0


def strip_content(data: dict[str, Any], bot_id: int) -> dict[str, Any]:
    """Blank a guild message's content the way Discord does without the message-content intent."""
    author = data.get("author", {}).get("id")
    mentioned = any(m.get("id") == str(bot_id) for m in data.get("mentions", []))
    if "guild_id" not in data or author == str(bot_id) or mentioned:
        return data
    return {**data, "content": "", "embeds": [], "attachments": [], "components": []}


@dataclass
class Session:
    """One gateway session: its shard, sequence, replay log and current socket."""

    id: str
    intents: int
    large_threshold: int
    shard_id: int = 0
    shard_count: int = 1
    seq: int = 0
    log: deque[tuple[int, str]] = field(default_factory=lambda: deque(maxlen=REPLAY_LOG_SIZE))
    ws: web.WebSocketResponse | None = None
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


class Gateway:
    """Serves the bot's websockets and dispatches each event to the session of the shard it belongs to."""

    def __init__(self, lb: LoopbackDiscord) -> None:
        self.lb = lb
        self.sessions: dict[str, Session] = {}  # every session that may still RESUME
        self.shards: dict[int, Session] = {}  # the live session of each shard id (its latest IDENTIFY)
        self.sockets: set[web.WebSocketResponse] = set()
        self.identify_count = 0
        self.identified: list[tuple[int, int]] = []  # (shard_id, shard_count) of every accepted IDENTIFY
        self.identify_times: dict[int, list[float]] = {}  # rate-limit bucket -> monotonic times of its IDENTIFYs
        self.chunk_requests_served = 0  # op 8 requests answered in full (benchmarks wait on it)
        self.resume_count = 0
        self.received: list[dict[str, Any]] = []
        self.ready = asyncio.Event()  # every live shard has its socket (cleared by a drop)

    @property
    def current(self) -> Session | None:
        """Shard 0's session (an unsharded bot's only one), else the first live one; None between sessions."""
        return self.shards.get(0) or next(iter(self.shards.values()), None)

    @property
    def connected(self) -> bool:
        """Whether there is a live session and every live session has its socket."""
        return bool(self.shards) and all(s.ws is not None and not s.ws.closed for s in self.shards.values())

    def session_for(self, guild_id: int | None) -> Session | None:
        """The live session that receives this guild's events (shard 0's for None: DMs)."""
        for session in self.shards.values():
            wanted = 0 if guild_id is None else shard_of(guild_id, session.shard_count)
            if session.shard_id == wanted:
                return session
        return None

    def guild_of_event(self, event: str, data: dict[str, Any]) -> int | None:
        """The guild an event belongs to (its `guild_id`, the guild itself, or its channel's guild); None: a DM."""
        if event in _GUILD_ITSELF:
            return int(data["id"])
        if data.get("guild_id"):
            return int(data["guild_id"])
        channel = self.lb.world.channels.get(int(data.get("channel_id") or 0))
        return channel.guild_id if channel is not None else None

    def _refresh_ready(self) -> None:
        if self.connected:
            self.ready.set()
        else:
            self.ready.clear()

    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        """Serve one websocket connection from the bot."""
        if request.query.get("encoding", "json") != "json":
            raise web.HTTPBadRequest(text="loopback only speaks encoding=json")
        # Uncompressed text frames are fine even when the client asks for zlib-stream.
        ws = web.WebSocketResponse(max_msg_size=0, autoping=True)
        await ws.prepare(request)
        self.sockets.add(ws)
        await self._send(ws, {"op": 10, "d": {"heartbeat_interval": HEARTBEAT_INTERVAL_MS}, "s": None, "t": None})
        try:
            async for msg in ws:
                if msg.type != WSMsgType.TEXT:
                    continue
                await self._on_message(ws, json.loads(msg.data))
        except (ConnectionResetError, asyncio.CancelledError):
            pass
        finally:
            self.sockets.discard(ws)
            for session in self.sessions.values():
                if session.ws is ws:
                    session.ws = None
            self._refresh_ready()
        return ws

    async def _send(self, ws: web.WebSocketResponse, payload: dict[str, Any] | str) -> None:
        text = payload if isinstance(payload, str) else json.dumps(payload)
        if not ws.closed:
            try:
                await ws.send_str(text)
            except (ConnectionResetError, RuntimeError):
                log.debug("loopback gateway: send on a closing socket dropped")

    async def _on_message(self, ws: web.WebSocketResponse, msg: dict[str, Any]) -> None:
        op, data = msg.get("op"), msg.get("d")
        self.received.append(msg)
        if op == 1:
            await self._send(ws, {"op": 11, "d": None, "s": None, "t": None})
        elif op == 2:
            await self._identify(ws, data)
        elif op == 6:
            await self._resume(ws, data)
        elif op == 8:
            await self._request_members(data)
        elif op in (3, 4):
            return  # presence and voice updates: accepted, nothing to do
        else:
            log.warning("loopback gateway: unknown op %s", op)

    def guilds_of_shard(self, shard_id: int, shard_count: int) -> list[int]:
        """The guilds (the bot is in) that a session of this shard receives."""
        return [
            gid for gid, guild in self.lb.world.guilds.items()
            if self.lb.bot_user.id in guild.members and shard_of(gid, shard_count) == shard_id
        ]

    def _identify_allowed(self, shard_id: int) -> bool:
        """Discord's identify concurrency: max_concurrency IDENTIFYs per bucket (shard_id % max_concurrency) per 5 s;
        only checked when the test turns `lb.enforce_identify_concurrency` on."""
        bucket = shard_id % max(1, self.lb.max_concurrency)
        now = time.monotonic()
        recent = [t for t in self.identify_times.get(bucket, []) if now - t < IDENTIFY_WINDOW_S]
        if self.lb.enforce_identify_concurrency and recent:
            return False
        self.identify_times[bucket] = [*recent, now]
        return True

    async def _identify(self, ws: web.WebSocketResponse, data: dict[str, Any]) -> None:
        if data.get("token") != self.lb.token:
            await ws.close(code=4004, message=b"Authentication failed.")
            return
        intents = int(data.get("intents", 0))
        if intents & Intent.PRIVILEGED & ~self.lb.allowed_intents:
            await ws.close(code=4014, message=b"Disallowed intent(s).")
            return
        shard = data.get("shard")
        shard_id, shard_count = (int(shard[0]), int(shard[1])) if shard else (0, 1)
        if not 0 <= shard_id < shard_count:
            await ws.close(code=INVALID_SHARD, message=b"Invalid shard.")
            return
        lb = self.lb
        guild_ids = self.guilds_of_shard(shard_id, shard_count)
        if len(guild_ids) > lb.max_guilds_per_shard:
            await ws.close(code=SHARDING_REQUIRED, message=b"Sharding required.")
            return
        if not self._identify_allowed(shard_id):
            await self._send(ws, {"op": 9, "d": False, "s": None, "t": None})  # as Discord does: try again later
            return
        self.identify_count += 1
        self.identified.append((shard_id, shard_count))
        lb.session_starts_used += 1
        session = Session(
            id=secrets.token_hex(16), intents=intents, large_threshold=int(data.get("large_threshold", 50)),
            shard_id=shard_id, shard_count=shard_count,
        )
        # A new session of a shard replaces the old one, which can no longer resume.
        old = self.shards.get(shard_id)
        if old is not None:
            self.sessions.pop(old.id, None)
        self.sessions[session.id] = session
        self.shards[shard_id] = session
        async with session.lock:
            session.ws = ws
            ready = payloads.ready(
                bot=lb.bot_user,
                app_id=lb.application_id,
                guild_ids=guild_ids,
                session_id=session.id,
                resume_url=lb.gateway_url,
                shard=[shard_id, shard_count] if shard else None,
            )
            await self._emit(session, "READY", ready)
            for gid in guild_ids:
                data_ = payloads.guild_create(
                    lb.world.guilds[gid],
                    bot_id=lb.bot_user.id,
                    large_threshold=session.large_threshold,
                    members_intent=bool(intents & Intent.GUILD_MEMBERS),
                )
                await self._emit(session, "GUILD_CREATE", data_)
        self._refresh_ready()

    async def announce_guild(self, guild_id: int) -> bool:
        """Send GUILD_CREATE for one guild to the session of its shard (the bot was added to it)."""
        session = self.session_for(guild_id)
        if session is None:
            return False
        data = payloads.guild_create(
            self.lb.world.guild(guild_id), bot_id=self.lb.bot_user.id, large_threshold=session.large_threshold,
            members_intent=bool(session.intents & Intent.GUILD_MEMBERS),
        )
        # Without the key discord.py reports a join (on_guild_join), with it a guild becoming available.
        del data["unavailable"]
        return await self.dispatch("GUILD_CREATE", data)

    async def _resume(self, ws: web.WebSocketResponse, data: dict[str, Any]) -> None:
        session = self.sessions.get(data.get("session_id", ""))
        if data.get("token") != self.lb.token:
            await ws.close(code=4004, message=b"Authentication failed.")
            return
        if session is None or self.shards.get(session.shard_id) is not session:
            await self._send(ws, {"op": 9, "d": False, "s": None, "t": None})
            return
        self.resume_count += 1
        client_seq = int(data.get("seq") or 0)
        async with session.lock:
            session.ws = ws
            for seq, text in list(session.log):
                if seq > client_seq:
                    await self._send(ws, text)
            await self._emit(session, "RESUMED", {"_trace": ["loopback"]})
        self._refresh_ready()

    async def _emit(self, session: Session, event: str, data: dict[str, Any]) -> None:
        """Number and log one dispatch, and send it if the session has a socket (caller holds the lock)."""
        session.seq += 1
        text = json.dumps({"op": 0, "s": session.seq, "t": event, "d": data})
        session.log.append((session.seq, text))
        if session.ws is not None:
            await self._send(session.ws, text)

    async def dispatch(self, event: str, data: dict[str, Any]) -> bool:
        """Send an event to the session of its guild's shard (shard 0 for DMs), if its intents allow; False if
        filtered or that shard has no session."""
        session = self.session_for(self.guild_of_event(event, data))
        if session is None:
            return False
        need = required_intent(event, data)
        if need and not session.intents & need:
            return False
        if event in ("MESSAGE_CREATE", "MESSAGE_UPDATE") and not session.intents & Intent.MESSAGE_CONTENT:
            data = strip_content(data, self.lb.bot_user.id)
        async with session.lock:
            await self._emit(session, event, data)
        return True

    async def _request_members(self, data: dict[str, Any]) -> None:
        guild_ids = data.get("guild_id")
        for gid in guild_ids if isinstance(guild_ids, list) else [guild_ids]:
            await self._send_chunks(int(gid), data)

    async def _send_chunks(self, guild_id: int, data: dict[str, Any]) -> None:
        guild = self.lb.world.guilds.get(guild_id)
        if guild is None:
            return
        not_found: list[str] = []
        if data.get("user_ids"):
            wanted = [int(u) for u in data["user_ids"]]
            found = [guild.members[u] for u in wanted if u in guild.members]
            not_found = [str(u) for u in wanted if u not in guild.members]
        else:
            query = (data.get("query") or "").lower()
            found = [
                m for m in guild.members.values()
                if m.user.username.lower().startswith(query) or (m.nick or "").lower().startswith(query)
            ]
            limit = int(data.get("limit") or 0)
            if limit:
                found = found[:limit]
        chunks = [found[i : i + CHUNK_SIZE] for i in range(0, len(found), CHUNK_SIZE)] or [[]]
        for index, chunk in enumerate(chunks):
            body: dict[str, Any] = {
                "guild_id": str(guild_id),
                "members": [payloads.member(m) for m in chunk],
                "chunk_index": index,
                "chunk_count": len(chunks),
            }
            if data.get("nonce") is not None:
                body["nonce"] = data["nonce"]
            if not_found and index == 0:
                body["not_found"] = not_found
            if data.get("presences"):
                body["presences"] = []
            await self.dispatch("GUILD_MEMBERS_CHUNK", body)
        self.chunk_requests_served += 1

    def _chosen(self, shard_id: int | None) -> list[Session]:
        if shard_id is None:
            return list(self.shards.values())
        return [self.shards[shard_id]] if shard_id in self.shards else []

    async def drop(self, code: int = 4000, shard_id: int | None = None) -> None:
        """Close the socket of one shard (None: every shard); events until it resumes go to the replay log."""
        for session in self._chosen(shard_id):
            ws, session.ws = session.ws, None
            self.ready.clear()
            if ws is not None:
                await ws.close(code=code, message=b"loopback drop")

    async def send_op(self, op: int, d: Any = None, shard_id: int | None = None) -> None:
        """Send a raw non-dispatch opcode to one shard's socket (None: every shard's)."""
        for session in self._chosen(shard_id):
            if session.ws is not None:
                await self._send(session.ws, {"op": op, "d": d, "s": None, "t": None})

    async def invalidate(self, resumable: bool = False, shard_id: int | None = None) -> None:
        """Send op 9; a non-resumable invalidation forgets the session so the bot must IDENTIFY."""
        self.ready.clear()
        sessions = self._chosen(shard_id)
        await self.send_op(9, resumable, shard_id)
        if not resumable:
            for session in sessions:
                self.sessions.pop(session.id, None)
                self.shards.pop(session.shard_id, None)

    async def close_all(self) -> None:
        """Close every socket (server shutdown)."""
        for ws in list(self.sockets):
            await ws.close(code=1001, message=b"loopback stopping")
