"""What the process reads from its environment (and `.env`): the token, file paths, endpoints."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import discord
import yarl

from bot.database import DatabaseTarget, parse_target, redact
from bot.settings import ConfigError

DEFAULT_LOGIN_TIMEOUT = 60.0
MAX_SHARDS = 4096  # far beyond any bot of this kind; a typo like 1000000 is caught, not tried


@dataclass(frozen=True)
class Environment:
    """Process-level configuration; secrets come only from here, never from the settings file."""

    token: str
    config_path: Path
    database: DatabaseTarget  # a SQLite file, or a postgresql:// URL
    api_base: str | None = None
    gateway_url: str | None = None
    login_timeout: float = DEFAULT_LOGIN_TIMEOUT  # seconds Discord has to answer at start
    shard_count: int = 1  # shards of the whole bot, over every process (BOT_SHARD_COUNT)
    shard_ids: tuple[int, ...] | None = None  # the shards this process runs; None: all of them (BOT_SHARD_IDS)

    @property
    def shards(self) -> tuple[int, ...]:
        """The shard ids this process runs."""
        return self.shard_ids if self.shard_ids is not None else tuple(range(self.shard_count))

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
    database = _database(env.get("BOT_DATABASE") or "data/community.db")
    return Environment(
        token=token,
        config_path=Path(env.get("BOT_CONFIG") or "data/config.yaml"),
        database=database,
        api_base=env.get("DISCORD_API_BASE") or None,
        gateway_url=env.get("DISCORD_GATEWAY_URL") or None,
        login_timeout=_seconds(env, "DISCORD_LOGIN_TIMEOUT", DEFAULT_LOGIN_TIMEOUT),
        **_shards(env, database),
    )


def load_database(env: dict[str, str] | None = None) -> DatabaseTarget:
    """BOT_DATABASE alone, for commands that need no token (migrate-db)."""
    env = dict(os.environ) if env is None else env
    return _database(env.get("BOT_DATABASE") or "data/community.db")


def _database(value: str) -> DatabaseTarget:
    try:
        return parse_target(value.strip())
    except ValueError as error:
        raise ConfigError(f"BOT_DATABASE: {error}") from None


def _shards(env: dict[str, str], database: DatabaseTarget) -> dict[str, Any]:
    """BOT_SHARD_COUNT (default 1) and BOT_SHARD_IDS (default: every shard), checked against each other."""
    raw_count = env.get("BOT_SHARD_COUNT", "").strip()
    count = 1
    if raw_count:
        count = int(raw_count) if raw_count.isdigit() else 0
        if not 1 <= count <= MAX_SHARDS:
            raise ConfigError(f"BOT_SHARD_COUNT: {raw_count!r} is not a whole number of shards from 1 to {MAX_SHARDS}")
    raw_ids = env.get("BOT_SHARD_IDS", "").strip()
    if not raw_ids:
        return {"shard_count": count, "shard_ids": None}
    ids: list[int] = []
    for part in raw_ids.split(","):
        part = part.strip()
        if not part.isdigit():
            raise ConfigError(
                f"BOT_SHARD_IDS: {part!r} is not a shard number: give shard numbers separated by commas, e.g. 0,1"
            )
        shard = int(part)
        if shard >= count:
            raise ConfigError(
                f"BOT_SHARD_IDS: shard {shard} does not exist with BOT_SHARD_COUNT={count} (shards are numbered"
                f" 0 to {count - 1}; BOT_SHARD_COUNT is the number of shards of all processes together)"
            )
        if shard in ids:
            raise ConfigError(f"BOT_SHARD_IDS: shard {shard} is named twice")
        ids.append(shard)
    if len(ids) < count and isinstance(database, Path):
        raise ConfigError(
            f"BOT_SHARD_IDS: this process runs {len(ids)} of {count} shards, so other processes share its database,"
            " which needs PostgreSQL: set BOT_DATABASE to a postgresql:// URL (see docs/scaling.md)"
        )
    return {"shard_count": count, "shard_ids": tuple(sorted(ids))}


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
