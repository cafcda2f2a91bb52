"""Asking Discord before discord.py's client starts: can it be reached, does it take the token, which application.

`run` asks once before logging in and `invite` asks for the application ID, both with a deadline
(`DISCORD_LOGIN_TIMEOUT`), so an unreachable or silent Discord becomes one sentence and exit code 3 instead of a
traceback after discord.py's 300 s.
"""

from __future__ import annotations

import asyncio
import json
import re
import ssl
import time
from dataclasses import dataclass
from typing import Any

import aiohttp
import discord

import bot
from bot.settings import ConfigError

TOKEN_REJECTED = "Discord rejected DISCORD_TOKEN: copy the bot token again from the Developer Portal"
INTENTS_OFF = (
    "the Server Members intent is off: enable it under Bot > Privileged Gateway Intents in the Developer Portal"
)
APPLICATION_ROUTE = "/oauth2/applications/@me"
# Discord's own trouble: asked again (1, 2, 4, 8 s apart) until the deadline, as discord.py retries them.
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504, 524})
MIN_WAIT = 1.0
NO_CLIENT_TIMEOUT = aiohttp.ClientTimeout(total=None)  # the deadline above is the only one
USER_AGENT = f"DiscordBot (https://github.com/Rapptz/discord.py {discord.__version__}) community-bot/{bot.__version__}"


class DiscordUnreachable(Exception):
    """Discord could not be reached or did not work (network, DNS, TLS, no answer, its errors): exit code 3."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"Discord could not be reached at {url}: {reason}")
        self.url = url
        self.reason = reason


@dataclass(frozen=True)
class Application:
    """The bot's application as Discord describes it."""

    id: int
    name: str


def _ssl_text(error: BaseException) -> str:
    text = getattr(error, "verify_message", None) or str(error) or type(error).__name__
    return re.sub(r"\s*\(_ssl\.c:\d+\)", "", text)


def _os_text(error: OSError) -> str:
    return error.strerror or str(error) or type(error).__name__


def connection_problem(error: BaseException) -> str | None:
    """Why a request never got an answer, in a few words; None when `error` is not about reaching a server."""
    if isinstance(error, TimeoutError):  # also asyncio's and aiohttp's (checked first: TimeoutError is an OSError)
        return "no answer in time"
    if isinstance(error, aiohttp.ClientConnectorCertificateError):
        return f"its TLS certificate was not accepted ({_ssl_text(error.certificate_error)})"
    if isinstance(error, aiohttp.ClientSSLError):
        return f"the TLS handshake failed ({_ssl_text(error.os_error)})"
    if isinstance(error, aiohttp.ClientConnectorDNSError):
        return f"the host name {error.host} could not be resolved ({_os_text(error.os_error)})"
    if isinstance(error, aiohttp.ClientConnectorError):
        if isinstance(error.os_error, ConnectionRefusedError):
            return "connection refused"
        return f"cannot connect to {error.host}:{error.port} ({_os_text(error.os_error)})"
    if isinstance(error, aiohttp.ServerDisconnectedError):
        return "the server closed the connection without answering"
    if isinstance(error, ssl.SSLError):
        return f"the TLS handshake failed ({_ssl_text(error)})"
    if isinstance(error, aiohttp.ClientError):
        return str(error) or type(error).__name__
    if isinstance(error, OSError):
        return _os_text(error)
    if isinstance(error, discord.GatewayNotFound):
        return "the gateway address could not be found"
    if isinstance(error, discord.HTTPException):  # not 401: that one is discord.LoginFailure
        return f"it answered HTTP {error.status} {error.response.reason}"
    return None


async def fetch_application(api_base: str, token: str, *, seconds: float, since: float | None = None) -> Application:
    """GET /oauth2/applications/@me with the bot token, answered at most `seconds` after `since`.

    `since` is a `time.monotonic()` instant, the process's start so that the whole start-up keeps the promise
    (default: now); Discord is given at least `MIN_WAIT` seconds however slow the start was. Raises ConfigError
    when Discord rejects the token and DiscordUnreachable for everything that is Discord's (or the network's)
    trouble.
    """
    base = api_base.rstrip("/")
    headers = {"Authorization": f"Bot {token}", "User-Agent": USER_AGENT}
    now = time.monotonic()
    wait = max((now if since is None else since) + seconds - now, min(seconds, MIN_WAIT))
    last_answer: str | None = None
    try:
        async with asyncio.timeout(wait), aiohttp.ClientSession(timeout=NO_CLIENT_TIMEOUT) as http:
            delay = 1.0
            while True:
                async with http.get(base + APPLICATION_ROUTE, headers=headers) as response:
                    if response.status == 401:
                        raise ConfigError(TOKEN_REJECTED)
                    answer = f"it answered HTTP {response.status} {response.reason} to GET {APPLICATION_ROUTE}"
                    if response.status in RETRY_STATUSES:
                        last_answer = answer
                    elif response.status != 200:
                        raise DiscordUnreachable(base, answer)
                    else:
                        return _application(base, await response.read())
                await asyncio.sleep(delay)
                delay = min(delay * 2, 8.0)
    except TimeoutError:
        reason = f"{last_answer} (still after {seconds:g} s)" if last_answer else f"no answer within {seconds:g} s"
        raise DiscordUnreachable(base, reason) from None
    except (aiohttp.ClientError, OSError) as error:
        raise DiscordUnreachable(base, connection_problem(error) or repr(error)) from None


def _application(base: str, body: bytes) -> Application:
    try:
        data: Any = json.loads(body)
        return Application(id=int(data["id"]), name=str(data.get("name", "")))
    except (ValueError, TypeError, KeyError):
        raise DiscordUnreachable(base, f"its answer to GET {APPLICATION_ROUTE} is not Discord's") from None
