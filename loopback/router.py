"""A small REST route table: templates like `/channels/{channel_id}` mapped to handlers."""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aiohttp import web

if TYPE_CHECKING:
    from .server import LoopbackDiscord

MAJOR_PARAMS = ("channel_id", "guild_id", "webhook_id", "webhook_token")


@dataclass
class RestRequest:
    """A parsed REST request as handlers see it."""

    method: str
    path: str
    params: dict[str, str]
    query: dict[str, str]
    json: Any
    files: list[dict[str, Any]] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)

    def int_param(self, name: str) -> int:
        """A path parameter as an int (404 if it is not a snowflake)."""
        try:
            return int(self.params[name])
        except ValueError:
            raise RestError(404, f"Unknown {name}", 10003) from None

    @property
    def body(self) -> dict[str, Any]:
        """The JSON body as a dict (empty when there was none)."""
        return self.json if isinstance(self.json, dict) else {}


@dataclass
class Reply:
    """A handler's answer; body None means 204 No Content."""

    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


class RestError(Exception):
    """Raised by handlers to answer a Discord-shaped error."""

    def __init__(self, status: int, message: str, code: int = 0, errors: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.code, self.errors = status, message, code, errors

    def reply(self) -> Reply:
        """The JSON error reply."""
        body: dict[str, Any] = {"message": self.message, "code": self.code}
        if self.errors:
            body["errors"] = self.errors
        return Reply(self.status, body)


Handler = Callable[["LoopbackDiscord", RestRequest], Awaitable[Reply]]


@dataclass
class RouteDef:
    """One route: method, template, compiled regex and handler."""

    method: str
    template: str
    regex: re.Pattern[str]
    handler: Handler
    auth: bool

    def bucket(self, params: dict[str, str]) -> str:
        """The rate-limit bucket key: route template plus its major parameters."""
        major = "+".join(params[k] for k in MAJOR_PARAMS if k in params)
        return f"{self.method} {self.template}:{major}"


ROUTES: list[RouteDef] = []


def _compile(template: str) -> re.Pattern[str]:
    parts = re.split(r"\{(\w+)\}", template)
    # re.split alternates literal text and placeholder names.
    pattern = "".join(re.escape(p) if i % 2 == 0 else f"(?P<{p}>[^/]+)" for i, p in enumerate(parts))
    return re.compile(f"^{pattern}$")


def route(method: str, template: str, *, auth: bool = True) -> Callable[[Handler], Handler]:
    """Register a handler for `method template`; `auth=False` for token-in-URL webhook routes."""

    def decorate(handler: Handler) -> Handler:
        ROUTES.append(RouteDef(method, template, _compile(template), handler, auth))
        return handler

    return decorate


def match(method: str, path: str) -> tuple[RouteDef, dict[str, str]] | None:
    """Find the route for a request; literal segments win over placeholders (e.g. `@me`)."""
    candidates = []
    for r in ROUTES:
        if r.method != method:
            continue
        m = r.regex.match(path)
        if m:
            candidates.append((r.template.count("{"), r, m.groupdict()))
    if not candidates:
        return None
    candidates.sort(key=lambda c: c[0])
    return candidates[0][1], candidates[0][2]


def json_response(reply: Reply) -> web.Response:
    """Encode a reply; the content type must be exactly `application/json` for discord.py to parse it."""
    if reply.body is None:
        return web.Response(status=204 if reply.status == 200 else reply.status, headers=reply.headers)
    # body= (bytes) rather than text= keeps aiohttp from appending "; charset=utf-8".
    return web.Response(
        status=reply.status, body=json.dumps(reply.body).encode(), content_type="application/json",
        headers=reply.headers,
    )
