"""One DM to a member: sent with a stable nonce, its outcome classified, and found again after a crash."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

import discord

from bot.discord_helpers import NO_PINGS, clip

log = logging.getLogger(__name__)


class DmOutcome(StrEnum):
    SENT = "sent"
    CLOSED = "closed"  # 403 / 50007: the member does not accept DMs from this server's members
    GONE = "gone"  # unknown user
    FAILED = "failed"  # a server error or rate limit that outlasted discord.py's own retries


@dataclass(frozen=True)
class DmResult:
    outcome: DmOutcome
    message: discord.Message | None = None
    error: str | None = None


def nonce(*parts: object) -> str:
    """A stable message nonce (Discord dedupes a repeated nonce from the same author for a few minutes)."""
    return hashlib.sha256(":".join(map(str, parts)).encode()).hexdigest()[:25]


async def send_dm(user: discord.abc.Messageable, *, nonce_value: str, **fields: Any) -> DmResult:
    """Send a DM and classify the outcome; never raises for a Discord error."""
    try:
        message = await user.send(nonce=nonce_value, allowed_mentions=NO_PINGS, **fields)
    except discord.Forbidden as error:
        # 50007 is the documented code; any 403 on a DM means the same for us: do not try again.
        return DmResult(DmOutcome.CLOSED, error=f"{error.status} {error.code}")
    except discord.NotFound as error:
        return DmResult(DmOutcome.GONE, error=f"{error.status} {error.code}")
    except discord.HTTPException as error:
        return DmResult(DmOutcome.FAILED, error=f"{error.status} {error.code} {clip(str(error.text), 200)}")
    return DmResult(DmOutcome.SENT, message)


def custom_ids(message: discord.Message) -> list[str]:
    """Every custom_id on a message's components (to recognise our own messages after a crash)."""
    found: list[str] = []

    def walk(component: Any) -> None:
        custom_id = getattr(component, "custom_id", None)
        if custom_id:
            found.append(custom_id)
        for child in getattr(component, "children", []) or []:
            walk(child)

    for component in message.components:
        walk(component)
    return found


async def find_own_dm(
    bot_user_id: int, user: discord.User | discord.Member, guild_id: int, surface: str, *, after: datetime
) -> discord.Message | None:
    """Our onboarding DM for this server and surface (the custom_id's last part) sent after `after`, if any."""
    try:
        channel = user.dm_channel or await user.create_dm()
        # Instants are stored in whole seconds, and Discord's clock is not ours: look a little earlier.
        async for message in channel.history(limit=10, after=after - timedelta(seconds=5)):
            if message.author.id != bot_user_id:
                continue
            for custom_id in custom_ids(message):
                parts = custom_id.split(":")
                if parts[0] in ("onb", "onbb") and parts[1] == str(guild_id) and parts[-1] == surface:
                    return message
    except discord.HTTPException:
        log.warning("Could not read the DM history of %s; sending again", user.id, exc_info=True)
    return None
