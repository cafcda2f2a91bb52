"""What the process reads from its environment (and `.env`): the token, file paths, endpoints."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import discord
import yarl

from bot.database import DatabaseTarget, parse_target, redact
from bot.settings import ConfigError

DEFAULT_LOGIN_TIMEOUT = 60.0


@dataclass(frozen=True)
class Environment:
    """Process-level configuration; secrets come only from here, never from the settings file."""

    token: str
    config_path: Path
    database: DatabaseTarget  # a SQLite file, or a postgresql:// URL
    api_base: str | None = None
    gateway_url: str | None = None
    login_timeout: float = DEFAULT_LOGIN_TIMEOUT  # seconds Discord has to answer at start

    def __repr__(self) -> str:  # never show the token, even in a debugger or a log line
        database = redact(self.database) if isinstance(self.database, str) else self.database
        return f"Environment(config_path={self.config_path}, database={database})"


def load_environment(env: dict[str, str] | None = None) -> Environment:
    """Read the environment; a missing token is a ConfigError pointing at `.env.example`."""
    env = dict(os.environ) if env is None else env
    token = env.get("DISCORD_TOKEN", "").strip()
    if not token:
        raise ConfigError(
            "DISCORD_TOKEN is not set: put your bot token in a .env file (see .env.example) or the environment."
        )
    return Environment(
        token=token,
        config_path=Path(env.get("BOT_CONFIG") or "data/config.yaml"),
        database=_database(env.get("BOT_DATABASE") or "data/community.db"),
        api_base=env.get("DISCORD_API_BASE") or None,
        gateway_url=env.get("DISCORD_GATEWAY_URL") or None,
        login_timeout=_seconds(env, "DISCORD_LOGIN_TIMEOUT", DEFAULT_LOGIN_TIMEOUT),
    )


def _database(value: str) -> DatabaseTarget:
    try:
        return parse_target(value.strip())
    except ValueError as error:
        raise ConfigError(f"BOT_DATABASE: {error}") from None


def _seconds(env: dict[str, str], name: str, default: float) -> float:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not 0 < value < float("inf"):
        raise ConfigError(f"{name}: {raw!r} is not a positive number of seconds")
    return value


def point_discord_at(api_base: str | None, gateway_url: str | None) -> None:
    """Send discord.py's REST and gateway traffic to a Discord-compatible server instead of discord.com."""
    if api_base:
        discord.http.Route.BASE = api_base.rstrip("/")
    if gateway_url:
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway_url)
