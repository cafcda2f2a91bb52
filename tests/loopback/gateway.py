"""Gateway v10 over a websocket: HELLO, heartbeats, IDENTIFY/RESUME, dispatch with sequence numbers."""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
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
    """One gateway session: its sequence, replay log and current socket."""

    id: str
    intents: int
    large_threshold: int
    seq: int = 0
    log: deque[tuple[int, str]] = field(default_factory=lambda: deque(maxlen=REPLAY_LOG_SIZE))
    ws: web.WebSocketResponse | None = None
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


class Gateway:
    """Serves the bot's websocket and dispatches events to its session."""

    def __init__(self, lb: LoopbackDiscord) -> None:
        self.lb = lb
        self.sessions: dict[str, Session] = {}
        self.current: Session | None = None
        self.sockets: set[web.WebSocketResponse] = set()
        self.identify_count = 0
        self.chunk_requests_served = 0  # op 8 requests answered in full (benchmarks wait on it)
        self.resume_count = 0
        self.received: list[dict[str, Any]] = []
        self.ready = asyncio.Event()

    @property
    def connected(self) -> bool:
        """Whether a session currently has a live socket."""
        return self.current is not None and self.current.ws is not None and not self.current.ws.closed

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

    async def _identify(self, ws: web.WebSocketResponse, data: dict[str, Any]) -> None:
        if data.get("token") != self.lb.token:
            await ws.close(code=4004, message=b"Authentication failed.")
            return
        intents = int(data.get("intents", 0))
        if intents & Intent.PRIVILEGED & ~self.lb.allowed_intents:
            await ws.close(code=4014, message=b"Disallowed intent(s).")
            return
        self.identify_count += 1
        session = Session(
            id=secrets.token_hex(16), intents=intents, large_threshold=int(data.get("large_threshold", 50))
        )
        self.sessions = {session.id: session}
        self.current = session
        lb = self.lb
        async with session.lock:
            session.ws = ws
            ready = payloads.ready(
                bot=lb.bot_user,
                app_id=lb.application_id,
                guild_ids=list(lb.world.guilds),
                session_id=session.id,
                resume_url=lb.gateway_url,
            )
            await self._emit(session, "READY", ready)
            for guild in list(lb.world.guilds.values()):
                if lb.bot_user.id not in guild.members:
                    continue
                data_ = payloads.guild_create(
                    guild,
                    bot_id=lb.bot_user.id,
                    large_threshold=session.large_threshold,
                    members_intent=bool(intents & Intent.GUILD_MEMBERS),
                )
                await self._emit(session, "GUILD_CREATE", data_)
        self.ready.set()

    async def announce_guild(self, guild_id: int) -> bool:
        """Send GUILD_CREATE for one guild to the live session (the bot was added to it)."""
        session = self.current
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
        if session is None or session is not self.current:
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
        self.ready.set()

    async def _emit(self, session: Session, event: str, data: dict[str, Any]) -> None:
        """Number and log one dispatch, and send it if the session has a socket (caller holds the lock)."""
        session.seq += 1
        text = json.dumps({"op": 0, "s": session.seq, "t": event, "d": data})
        session.log.append((session.seq, text))
        if session.ws is not None:
            await self._send(session.ws, text)

    async def dispatch(self, event: str, data: dict[str, Any]) -> bool:
        """Send an event to the current session, if its intents allow; False if filtered or no session."""
        session = self.current
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

    async def drop(self, code: int = 4000) -> None:
        """Close the bot's socket; events until it resumes go to the replay log."""
        session = self.current
        self.ready.clear()
        ws = session.ws if session else None
        if session is not None:
            session.ws = None
        if ws is not None:
            await ws.close(code=code, message=b"loopback drop")

    async def send_op(self, op: int, d: Any = None) -> None:
        """Send a raw non-dispatch opcode to the bot's socket."""
        session = self.current
        if session is not None and session.ws is not None:
            await self._send(session.ws, {"op": op, "d": d, "s": None, "t": None})

    async def invalidate(self, resumable: bool = False) -> None:
        """Send op 9; a non-resumable invalidation forgets the session so the bot must IDENTIFY."""
        self.ready.clear()
        session = self.current
        await self.send_op(9, resumable)
        if not resumable and session is not None:
            self.sessions.pop(session.id, None)
            self.current = None

    async def close_all(self) -> None:
        """Close every socket (server shutdown)."""
        for ws in list(self.sockets):
            await ws.close(code=1001, message=b"loopback stopping")
