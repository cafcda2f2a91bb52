"""The loopback Discord: an aiohttp server speaking enough REST v10 and Gateway v10 for discord.py."""

from __future__ import annotations

# ASYNC109 is silenced where `timeout=` is part of the harness's public API.
import asyncio
import json
import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from . import rest_channels, rest_guilds, rest_interactions, router  # noqa: F401  (modules register routes)
from .actions import Actions
from .gateway import Gateway, shard_of
from .interactions import InteractionActions, InteractionRecord
from .ratelimit import Faults, Hold, Injection, RateLimiter, error
from .router import Reply, RestError, RestRequest
from .waiting import Waiters
from .world import User, World

log = logging.getLogger(__name__)
API_PREFIX = "/api/v10"
ALL_INTENTS = (1 << 26) - 1


@dataclass
class RecordedCall:
    """One REST request the bot made, and the status it got."""

    method: str
    path: str
    query: dict[str, str]
    json: Any
    status: int = 0
    files: list[dict[str, Any]] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)
    at: float = field(default_factory=time.monotonic)
    response: Any = None

    @property
    def body(self) -> dict[str, Any]:
        """The JSON body as a dict (empty when there was none)."""
        return self.json if isinstance(self.json, dict) else {}


class LoopbackDiscord(Actions, InteractionActions):
    """A fake Discord on 127.0.0.1 for an unmodified discord.py client; the world outlives bot restarts."""

    def __init__(self, token: str = "test-token", *, bot_name: str = "Community Bot") -> None:
        self.token = token
        self.world = World()
        self.waiters = Waiters()
        self.gateway = Gateway(self)
        self.faults = Faults()
        self.ratelimiter = RateLimiter()
        self.calls: list[RecordedCall] = []
        self.unknown_routes: list[RecordedCall] = []
        self.handler_errors: list[str] = []
        self.commands: dict[int | None, list[dict[str, Any]]] = {}
        self.interactions: dict[int, InteractionRecord] = {}
        self._ix_tokens: dict[str, InteractionRecord] = {}
        self.interaction_deadline: float | None = 3.0
        self.allowed_intents = ALL_INTENTS
        # GET /gateway/bot and sharding: Discord's numbers for a small bot, changeable by a test
        self.max_concurrency = 1  # IDENTIFYs per 5 s per bucket (shard_id % max_concurrency)
        self.enforce_identify_concurrency = False  # True: a too-early IDENTIFY gets op 9, as on Discord
        self.max_guilds_per_shard = 2500  # more on one shard: close 4011 "Sharding required"
        self.recommended_shards: int | None = None  # None: one per 1,000 guilds, as Discord recommends
        self.session_start_limit = 1000  # IDENTIFYs per day
        self.session_starts_used = 0
        self.app_owner = User(id=self.world.ids.next(), username="app-owner", global_name="App Owner")
        self.world.users[self.app_owner.id] = self.app_owner
        self.bot_user = User(id=self.world.ids.next(), username=bot_name.lower().replace(" ", "-"),
                             global_name=bot_name, bot=True)
        self.world.users[self.bot_user.id] = self.bot_user
        self.application_id = self.bot_user.id
        self._runner: web.AppRunner | None = None
        self.port = 0

    # ---- lifecycle

    async def start(self) -> LoopbackDiscord:
        """Start serving on a free port of 127.0.0.1."""
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_get("/gateway", self.gateway.handle)
        app.router.add_route("*", API_PREFIX + "/{tail:.*}", self._handle_rest)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = self._runner.addresses[0][1]
        return self

    async def stop(self) -> None:
        """Close sockets and stop the server."""
        await self.gateway.close_all()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> LoopbackDiscord:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def api_base(self) -> str:
        """Value for `discord.http.Route.BASE`."""
        return f"http://127.0.0.1:{self.port}{API_PREFIX}"

    @property
    def gateway_url(self) -> str:
        """Value for `discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY` (wrap in yarl.URL)."""
        return f"ws://127.0.0.1:{self.port}/gateway"

    # ---- REST plumbing

    async def _read_body(self, request: web.Request) -> tuple[Any, list[dict[str, Any]]]:
        files: list[dict[str, Any]] = []
        if request.content_type.startswith("multipart/"):
            body: Any = None
            reader = await request.multipart()
            async for part in reader:
                if part.name == "payload_json":
                    body = json.loads(await part.text())
                elif part.filename is not None:
                    data = await part.read()
                    files.append({"field": part.name, "filename": part.filename, "size": len(data),
                                  "content_type": part.headers.get("Content-Type"), "data": data})
            return body, files
        raw = await request.read()
        return (json.loads(raw) if raw else None), files

    async def _handle_rest(self, request: web.Request) -> web.Response:
        path = "/" + request.match_info["tail"]
        method = request.method
        body, files = await self._read_body(request)
        call = RecordedCall(method, path, dict(request.query), body, files=files, headers=dict(request.headers))
        reply = await self._answer(call, request)
        call.status, call.response = reply.status, reply.body
        self.calls.append(call)
        self.waiters.notify()
        return router.json_response(reply)

    async def _answer(self, call: RecordedCall, request: web.Request) -> Reply:
        found = router.match(call.method, call.path)
        if found is None:
            log.warning("loopback: unknown route %s %s", call.method, call.path)
            self.unknown_routes.append(call)
            return Reply(404, {"message": "Unknown route (loopback)", "code": 0})
        rdef, params = found
        if rdef.auth and request.headers.get("Authorization") != f"Bot {self.token}":
            return error(401)
        injected = self.faults.take_injection(call.method, call.path)
        if injected is not None and not injected.after:
            return injected.reply()
        # Interaction callbacks and webhooks are exempt from the global limit on Discord.
        counts_globally = rdef.auth
        limited, headers = self.ratelimiter.check(rdef.bucket(params), rdef.template, counts_globally=counts_globally)
        if limited is not None:
            return limited
        req = RestRequest(call.method, call.path, params, call.query, call.json, call.files, call.headers)
        try:
            reply = await rdef.handler(self, req)
        except RestError as exc:
            reply = exc.reply()
        except Exception as exc:
            # A loopback bug: answer 400 (a 500 would make discord.py retry for ~16 s) and keep it visible.
            log.exception("loopback handler failed for %s %s", call.method, call.path)
            self.handler_errors.append(f"{call.method} {call.path}: {exc!r}")
            reply = Reply(400, {"message": f"loopback handler error: {exc!r}", "code": 0})
        if injected is not None and reply.status < 300:
            return injected.reply()  # the work is done (and its gateway events sent), the answer is lost
        hold = self.faults.take_hold(call.method, call.path) if reply.status < 300 else None
        if hold is not None:
            hold.reached.set()
            self.waiters.notify()
            await hold.released.wait()
        reply.headers.update(headers)
        return reply

    # ---- recording and waiting

    def calls_to(self, method: str, pattern: str) -> list[RecordedCall]:
        """Recorded calls with this method (or "*") whose path matches the regex."""
        rx = re.compile(pattern)
        return [c for c in self.calls if method in (c.method, "*") and rx.search(c.path)]

    async def wait_for_call(self, method: str, pattern: str, count: int = 1, timeout: float = 5) -> list[RecordedCall]:  # noqa: ASYNC109
        """Wait until at least `count` matching calls have completed; returns all matches."""
        rx = re.compile(pattern)
        found: list[RecordedCall] = []
        scanned = 0

        def enough() -> list[RecordedCall] | None:
            # Scan only calls recorded since the last check: benchmarks make thousands of calls.
            nonlocal scanned
            new, scanned = self.calls[scanned:], len(self.calls)
            found.extend(c for c in new if method in (c.method, "*") and rx.search(c.path))
            return found if len(found) >= count else None
        return await self.waiters.wait(enough, timeout, f"{count} x {method} {pattern}")

    async def wait_until(self, predicate: Callable[[], Any], timeout: float = 5, interval: float = 0.01) -> Any:  # noqa: ASYNC109
        """Poll `predicate` (it may look at the bot's own state) until truthy."""
        deadline = time.monotonic() + timeout
        while True:
            value = predicate()
            if value:
                return value
            if time.monotonic() >= deadline:
                raise TimeoutError(f"loopback: condition not met within {timeout}s: {predicate!r}")
            await asyncio.sleep(interval)

    def commands_registered(self, guild_id: int | None = None) -> list[dict[str, Any]]:
        """Commands the bot registered: one guild's, or every scope's when `guild_id` is None."""
        if guild_id is not None:
            return list(self.commands.get(int(guild_id), []))
        return [c for scope in self.commands.values() for c in scope]

    def interaction_by_token(self, token: str) -> InteractionRecord | None:
        """The interaction a webhook token belongs to."""
        return self._ix_tokens.get(token)

    # ---- faults and limits

    def inject(
        self, method: str, pattern: str, status: int, times: int = 1, code: int | None = None,
        retry_after: float = 0.05, global_: bool = False, message: str | None = None, after: bool = False,
    ) -> Injection:
        """The next `times` REST calls matching method (or "*") and path regex answer with `status`; with
        `after=True` the request is carried out first and only its answer is replaced (the answer was lost)."""
        injection = Injection(method, re.compile(pattern), status, times, code, retry_after, global_, message, after)
        return self.faults.add(injection)

    def hold(self, method: str, pattern: str, times: int = 1) -> Hold:
        """The next `times` REST calls matching method (or "*") and path regex are carried out, and their answers
        wait until `hold.release()` (kill the bot meanwhile to leave Discord ahead of the bot's records)."""
        hold = Hold(method, re.compile(pattern), times)
        self.faults.holds.append(hold)
        return hold

    def rate_limits(
        self, enabled: bool = True, per_route: int = 5, per_seconds: float = 1.0, global_per_second: int = 50,
    ) -> None:
        """Enforce Discord-like buckets: per route (and major parameter) and global, 429 when exceeded."""
        self.ratelimiter.configure(enabled, per_route, per_seconds, global_per_second)

    # ---- gateway control

    @property
    def connected(self) -> bool:
        """Whether the bot has a live gateway session."""
        return self.gateway.connected

    async def wait_connected(self, timeout: float = 10) -> None:  # noqa: ASYNC109
        """Wait until every live session (one per shard) is identified or resumed and has its socket."""
        try:
            await asyncio.wait_for(self.gateway.ready.wait(), timeout)
        except TimeoutError:
            raise TimeoutError(f"loopback: bot did not (re)connect within {timeout}s") from None

    async def wait_shards(self, shard_count: int, timeout: float = 10) -> None:  # noqa: ASYNC109
        """Wait until every shard of `shard_count` has a live session with its socket (several processes)."""
        def all_there() -> bool:
            return self.gateway.connected and all(
                (s := self.gateway.shards.get(n)) is not None and s.shard_count == shard_count
                for n in range(shard_count)
            )

        await self.wait_until(all_there, timeout=timeout)

    def shard_of(self, guild_id: int, shard_count: int) -> int:
        """The shard that receives this guild's events: `(guild_id >> 22) % shard_count`."""
        return shard_of(guild_id, shard_count)

    async def drop_gateway(self, code: int = 4000, shard_id: int | None = None) -> None:
        """Close the bot's websocket (one shard's, or every shard's); it should RESUME and get the events it missed."""
        await self.gateway.drop(code, shard_id)

    async def send_reconnect(self, shard_id: int | None = None) -> None:
        """Send op 7 RECONNECT (to one shard, or every shard)."""
        self.gateway.ready.clear()
        await self.gateway.send_op(7, shard_id=shard_id)

    async def invalidate_session(self, resumable: bool = False, shard_id: int | None = None) -> None:
        """Send op 9 (to one shard, or every shard); with `resumable=False` the bot must IDENTIFY afresh."""
        await self.gateway.invalidate(resumable, shard_id)

    async def dispatch(self, event: str, data: dict[str, Any]) -> bool:
        """Send any gateway event to the bot (escape hatch for events without a helper)."""
        return await self.gateway.dispatch(event, data)


__all__ = ["LoopbackDiscord", "RecordedCall"]
