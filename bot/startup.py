"""Running the bot: settings and files checked, Discord asked, then the client until a signal.

The order is the promise of the exit codes: everything the bot reads is validated first (exit 2 even when
Discord is down), then Discord is asked with a deadline (exit 3 when it cannot be reached), then discord.py logs
in and connects; from then on an outage is ridden out by discord.py's reconnects. SIGINT and SIGTERM stop the
bot at any of these steps with exit 0.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import TypeVar

import discord

from bot.client import CommunityBot
from bot.database import Database
from bot.discord_api import INTENTS_OFF, TOKEN_REJECTED, DiscordUnreachable, connection_problem, fetch_application
from bot.environment import Environment, point_discord_at
from bot.heap import HeapSettler
from bot.logging_setup import set_level
from bot.settings import ConfigError, FeatureSettings, Settings, load_settings

log = logging.getLogger("bot")

T = TypeVar("T")
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
AUTHENTICATION_FAILED = 4004  # gateway close code: the token was not accepted
INVALID_SHARD = 4010  # gateway close code: the shard sent at IDENTIFY does not exist
SHARDING_REQUIRED = 4011  # gateway close code: a shard would hold too many guilds (Discord: 2,500)
SHARD_PROBLEMS = {
    INVALID_SHARD: "Discord refused the shard this process asked for: check BOT_SHARD_COUNT and BOT_SHARD_IDS",
    SHARDING_REQUIRED: (
        "Discord requires more shards: the bot is in too many servers for BOT_SHARD_COUNT (at most 2,500 per shard);"
        " raise BOT_SHARD_COUNT (docs/scaling.md)"
    ),
}


def check_files(settings: Settings) -> None:
    """Run every settings section's `check_files`; all problems are reported together as one ConfigError."""
    problems = []
    for name in type(settings).model_fields:
        section = getattr(settings, name)
        if isinstance(section, FeatureSettings):
            try:
                section.check_files()
            except ConfigError as error:
                problems.append(str(error))
    if problems:
        raise ConfigError("\n".join(problems))


@contextlib.asynccontextmanager
async def stop_signals() -> AsyncIterator[asyncio.Event]:
    """An event set by SIGINT or SIGTERM while the block runs; afterwards both raise KeyboardInterrupt again."""
    loop = asyncio.get_running_loop()
    stopping = asyncio.Event()
    for sig in STOP_SIGNALS:
        loop.add_signal_handler(sig, stopping.set)
    try:
        yield stopping
    finally:
        for sig in STOP_SIGNALS:
            loop.remove_signal_handler(sig)  # restores SIGINT's default; SIGTERM needs ours back
        signal.signal(signal.SIGTERM, signal.default_int_handler)


class Stopped(Exception):
    """A stop signal arrived before the awaited step finished (the step was cancelled)."""


async def unless_stopped(stopping: asyncio.Event, step: Callable[[], Awaitable[T]]) -> T:
    """Run `step`; a stop signal meanwhile cancels it (waiting for its cleanup) and raises Stopped."""

    async def run() -> T:
        return await step()

    task = asyncio.create_task(run())
    waiter = asyncio.create_task(stopping.wait())
    try:
        await asyncio.wait({task, waiter}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        waiter.cancel()
    if not task.done():
        task.cancel()
        await asyncio.wait({task})  # its cleanup (a transaction's rollback, closing a socket) runs to the end
        if not task.cancelled():
            task.exception()  # told to stop, how it ended is moot; retrieved so asyncio does not log it
        raise Stopped
    return task.result()


def explain(error: BaseException) -> BaseException:
    """The exception main reports for what stopped discord.py's client: ConfigError (2), DiscordUnreachable (3),
    or the error itself (unexpected, 1)."""
    if isinstance(error, ConfigError):
        return error
    if isinstance(error, discord.LoginFailure):
        return ConfigError(TOKEN_REJECTED)
    if isinstance(error, discord.PrivilegedIntentsRequired):
        return ConfigError(INTENTS_OFF)
    if isinstance(error, discord.ConnectionClosed) and error.code == AUTHENTICATION_FAILED:
        return ConfigError(TOKEN_REJECTED)
    if isinstance(error, discord.ConnectionClosed) and error.code in SHARD_PROBLEMS:
        return ConfigError(SHARD_PROBLEMS[error.code])
    problem = connection_problem(error)
    if problem is not None:
        return DiscordUnreachable(discord.http.Route.BASE, problem)
    return error


async def run_bot(env: Environment, started: float | None = None) -> int:
    """Start the bot and run it until SIGINT/SIGTERM; returns the exit code or raises what main reports.

    `started` (a `time.monotonic()` instant, the process's start) is what `DISCORD_LOGIN_TIMEOUT` counts from.
    """
    settler = HeapSettler()
    settler.install()
    try:
        async with stop_signals() as stopping:
            return await start(env, load_settings(env.config_path), stopping, started)
    finally:
        settler.uninstall()


async def start(env: Environment, settings: Settings, stopping: asyncio.Event, started: float | None = None) -> int:
    """Check the files the settings name, ask Discord (with the deadline), then serve until `stopping`."""
    check_files(settings)
    set_level(settings.log_level)
    point_discord_at(env.api_base, env.gateway_url)
    try:
        await unless_stopped(
            stopping,
            lambda: fetch_application(discord.http.Route.BASE, env.token, seconds=env.login_timeout, since=started),
        )
    except Stopped:
        log.info("Signal received while waiting for Discord; stopped")
        return 0
    try:  # a wrong URL or password is exit 2, an unreachable PostgreSQL exit 3, before discord.py logs in
        database = await unless_stopped(stopping, lambda: Database.open(env.database))
    except Stopped:
        log.info("Signal received while opening the database; stopped")
        return 0
    shard_ids = list(env.shard_ids) if env.shard_ids is not None else None
    bot = CommunityBot(settings, database, shard_count=env.shard_count, shard_ids=shard_ids)
    return await serve(bot, env.token, stopping)


async def serve(bot: CommunityBot, token: str, stopping: asyncio.Event) -> int:
    """discord.py's login (with the bot's setup), then its connection until a signal or a fatal error."""
    try:
        await unless_stopped(stopping, lambda: bot.login(token))
    except Stopped:
        log.info("Signal received while logging in; shutting down")
        await bot.close()  # a migration cut short was rolled back; the database closes
        log.info("Stopped cleanly")
        return 0
    except Exception as error:
        await bot.close()
        raise explain(error) from None
    connection = asyncio.create_task(bot.connect(), name="bot")
    waiter = asyncio.create_task(stopping.wait(), name="signal")
    done, _ = await asyncio.wait({connection, waiter}, return_when=asyncio.FIRST_COMPLETED)
    waiter.cancel()
    if waiter in done:
        log.info("Signal received; shutting down")
    await bot.close()  # the connection's loop ends once the client is closed
    try:
        await connection
    except asyncio.CancelledError:
        pass
    except Exception as error:
        if waiter in done:  # an error on the way down after a signal changes nothing
            log.debug("The connection ended with %r after the signal", error)
        else:
            raise explain(error) from None
    log.info("Stopped cleanly")
    return 0
