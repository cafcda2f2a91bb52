"""The loopback world saved next to the playground's database, so `--database PATH` brings back the same server.

The bot's database holds the server's ids (settings, questions, events); without the world they belong to, a
second run would start a new server with new ids. The file is the playground's own (written by it, read by it),
so pickle is fine here; it never reads a file it did not make (`PATH.world`, next to the database).
"""

from __future__ import annotations

import pickle
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from loopback import LoopbackDiscord
from loopback.world import World

FORMAT = 1


@dataclass
class Saved:
    world: World
    commands: dict[int | None, list[dict[str, Any]]]
    bot_user_id: int
    app_owner_id: int
    guild_id: int
    now: datetime
    members: dict[str, int]


def world_file(database: Path) -> Path:
    return database.with_name(database.name + ".world")


def save(path: Path, lb: LoopbackDiscord, guild_id: int, now: datetime, members: dict[str, int]) -> None:
    """Write the world atomically (a crash mid-write leaves the previous file)."""
    state = {
        "format": FORMAT, "world": lb.world, "commands": lb.commands, "bot_user_id": lb.bot_user.id,
        "app_owner_id": lb.app_owner.id, "guild_id": guild_id, "now": now, "members": members,
    }
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(pickle.dumps(state, protocol=pickle.HIGHEST_PROTOCOL))
    tmp.replace(path)


def load(path: Path) -> Saved | None:
    """The saved world, or None when there is none (or it is from another format)."""
    if not path.exists():
        return None
    state = pickle.loads(path.read_bytes())
    if not isinstance(state, dict) or state.get("format") != FORMAT:
        return None
    return Saved(state["world"], state["commands"], state["bot_user_id"], state["app_owner_id"], state["guild_id"],
                 state["now"], state["members"])


def restore(lb: LoopbackDiscord, saved: Saved) -> None:
    """Put a saved world into a loopback that has not served a bot yet."""
    lb.world = saved.world
    lb.commands = saved.commands
    lb.bot_user = saved.world.user(saved.bot_user_id)
    lb.app_owner = saved.world.user(saved.app_owner_id)
    lb.application_id = lb.bot_user.id
