"""A backlog of interactions does not open a connection to Discord for each: the bot's HTTP connector has a limit
(discord.py's has none, and a burst left thousands of sockets open, past a host's usual file limit)."""

from __future__ import annotations

import asyncio

from bot.client import HTTP_CONNECTIONS
from loopback import LoopbackDiscord
from tests.harness import eventually

BACKLOG = HTTP_CONNECTIONS + 60


async def test_a_backlog_of_interactions_waits_for_a_connection_instead_of_opening_one_each(
    loopback: LoopbackDiscord, bot
) -> None:
    lb, guild = loopback, loopback.guild
    lb.interaction_deadline = None  # the answers are held on purpose
    held = lb.hold("POST", r"^/interactions/\d+/[^/]+/callback$", times=BACKLOG)
    general = guild.channel("general").id
    sent = await asyncio.gather(*(lb.invoke_slash(guild.id, general, guild.owner_id, "about") for _ in range(BACKLOG)))
    # every connection the bot may open is now waiting on a held answer (the gateway's socket takes one)
    await eventually(lambda: len(held.paths) >= HTTP_CONNECTIONS - 1)
    await asyncio.sleep(0.5)  # time for answers beyond the limit to arrive, were there connections for them
    assert len(held.paths) <= HTTP_CONNECTIONS
    held.release()
    for ix in sent:
        await ix.wait_response()
    assert len(held.paths) == BACKLOG  # the rest went out as connections came free
