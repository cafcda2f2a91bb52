"""Answering within Discord's three seconds when the work behind the answer may take longer.

Discord drops an interaction with no response 3 s after it was created, and the member sees "The
application did not respond". Work that is usually fast but can queue when the bot is busy (a
full-text search while hundreds of others run) goes through `in_time`: if it is not done shortly before
the deadline, the interaction is deferred (the member sees "thinking…") and `reply` then sends the
answer as the follow-up that replaces it. Fast work is answered directly, with no extra request.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any, TypeVar

import discord

T = TypeVar("T")

# Seconds after the interaction was created (by Discord's clock, from its ID) at which the bot defers:
# a second is left for the deferral itself to reach Discord when the bot or Discord is slow.
DEFER_AT = 2.0


async def in_time(interaction: discord.Interaction, work: Awaitable[T], *, ephemeral: bool) -> T:
    """The result of `work`, deferring the interaction first if that result is not ready by DEFER_AT."""
    task = asyncio.ensure_future(work)
    age = (discord.utils.utcnow() - interaction.created_at).total_seconds()
    patience = min(DEFER_AT, max(0.0, DEFER_AT - age))  # an interaction that queued in the bot has less left
    try:
        done, _ = await asyncio.wait({task}, timeout=patience)
        if not done:
            await interaction.response.defer(ephemeral=ephemeral, thinking=True)
        return await task
    except BaseException:
        task.cancel()  # no-op once the work is done; stops it when the interaction itself was abandoned
        raise


async def reply(interaction: discord.Interaction, content: str | None = None, **message: Any) -> None:
    """Send the answer: as the response, or after a deferral as the follow-up that replaces "thinking…"."""
    if content is not None:
        message["content"] = content
    if interaction.response.is_done():
        await interaction.followup.send(**message)
    else:
        await interaction.response.send_message(**message)
