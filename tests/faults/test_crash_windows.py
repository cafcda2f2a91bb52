"""Crash windows the kill tests cannot hit on purpose, written into the file as a crash leaves it."""

from __future__ import annotations

import asyncio
import re
from collections import Counter

from bot.database import Database
from loopback import LoopbackDiscord
from tests.harness import BotHarness


async def test_a_crash_while_recording_a_welcome_channel_greeting_does_not_greet_twice(
    loopback: LoopbackDiscord, harness: BotHarness
) -> None:
    """The greeting of members with closed DMs was posted, and the bot died while marking them greeted one by
    one: those left unmarked must not be greeted again (their new batch is another set, with another nonce)."""
    lb = loopback
    guild = lb.guild
    welcome = guild.channel("welcome").id
    await harness.start()
    trio = [lb.add_user(name) for name in ("ana", "ben", "cai")]
    for user in trio:
        lb.close_dms(user.id)
        await lb.join_member(guild.id, user)
    await lb.wait_until(lambda: lb.channel_messages(welcome), timeout=10)
    [greeting] = lb.channel_messages(welcome)
    assert all(f"<@{u.id}>" in greeting.content for u in trio)
    await harness.stop()
    # As the file is when the process died after marking cai, before ana and ben.
    db = await Database.open(harness.database)
    unmarked = (trio[0].id, trio[1].id)
    await db.execute("UPDATE onboarding_welcomes SET state = 'fallback' WHERE user_id IN (?, ?)", unmarked)
    await db.close()

    bot = await harness.start()

    async def states() -> set[str]:
        return {r["state"] for r in await bot.db.fetch("SELECT state FROM onboarding_welcomes")}

    for _ in range(300):  # marking follows any posting, so once all are marked nothing more is coming
        if await states() == {"dm_closed"}:
            break
        await asyncio.sleep(0.02)
    assert await states() == {"dm_closed"}
    mentioned = Counter(int(u) for m in lb.channel_messages(welcome) for u in re.findall(r"<@!?(\d+)>", m.content))
    assert mentioned == Counter(u.id for u in trio), mentioned
    assert len(lb.calls_to("GET", rf"^/channels/{welcome}/messages$")) == 1  # the history said who was greeted
