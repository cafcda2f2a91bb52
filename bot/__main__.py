"""`python -m bot` / `community-bot`: read the environment and settings, then run until a signal."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys

import discord
from dotenv import load_dotenv

from bot.client import CommunityBot
from bot.environment import Environment, load_environment, point_discord_at
from bot.logging_setup import setup_logging
from bot.settings import ConfigError, load_settings

log = logging.getLogger("bot")

EXIT_CONFIG = 2


async def run(env: Environment) -> int:
    """Start the bot and stop it cleanly on SIGINT/SIGTERM; returns the exit code."""
    settings = load_settings(env.config_path)
    setup_logging(settings.log_level, [env.token])
    point_discord_at(env.api_base, env.gateway_url)
    bot = CommunityBot(settings, env.database_path)

    loop = asyncio.get_running_loop()
    stopping = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stopping.set)

    runner = asyncio.create_task(bot.start(env.token), name="bot")
    waiter = asyncio.create_task(stopping.wait(), name="signal")
    done, _ = await asyncio.wait({runner, waiter}, return_when=asyncio.FIRST_COMPLETED)
    if waiter in done:
        log.info("Signal received; shutting down")
    await bot.close()
    waiter.cancel()
    if runner in done and runner.exception() is not None:
        error = runner.exception()
        if isinstance(error, ConfigError):
            raise error
        if isinstance(error, discord.LoginFailure):
            raise ConfigError("Discord rejected DISCORD_TOKEN: copy the bot token again from the Developer Portal")
        if isinstance(error, discord.PrivilegedIntentsRequired):
            raise ConfigError(
                "the Server Members intent is off: enable it under Bot > Privileged Gateway Intents in the"
                " Developer Portal"
            )
        log.error("The bot stopped: %s", error, exc_info=error)
        return 1
    with contextlib.suppress(asyncio.CancelledError):
        await runner
    log.info("Stopped cleanly")
    return 0


def main() -> None:
    """Console entry point."""
    load_dotenv(".env")  # from the folder the bot is started in, not next to this file
    try:
        env = load_environment()
        code = asyncio.run(run(env))
    except ConfigError as error:
        print(f"error: {error}", file=sys.stderr)
        sys.exit(EXIT_CONFIG)
    except KeyboardInterrupt:
        code = 0
    sys.exit(code)


if __name__ == "__main__":
    main()
