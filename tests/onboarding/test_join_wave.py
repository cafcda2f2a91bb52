"""A wave of joins: paced DMs through a bounded queue, 429s survived, exactly one welcome each, across a restart."""

from __future__ import annotations

import asyncio
from collections import Counter

from bot.database import Database
from bot.settings import Settings, settings_model
from bot.times import unix
from cogs.onboarding.models import WelcomeState
from loopback import LoopbackDiscord
from tests.harness import BotHarness

WAVE = 300


def fast(settings: Settings) -> Settings:
    """The shipped settings with the pacer at its ceiling, so the test waits less."""
    data = settings.model_dump()
    data["onboarding"]["welcome_dms_per_second"] = 50
    data["onboarding"]["dm_workers"] = 8
    return settings_model().model_validate(data)


def welcomes_per_user(lb: LoopbackDiscord, user_ids: list[int]) -> Counter[int]:
    return Counter({uid: len(lb.dm_messages(uid)) for uid in user_ids})


async def states_settle_at(harness: BotHarness, expected: dict[str, int], within: float = 10) -> dict[str, int]:
    """The welcome states once they equal `expected` (or the last seen). The DM reaches the loopback a moment
    before the bot records it `sent`, so a check right after the last DM would race that write."""
    seen: dict[str, int] = {}
    for _ in range(int(within / 0.02)):
        rows = await harness.bot.db.fetch("SELECT state, COUNT(*) AS n FROM onboarding_welcomes GROUP BY state")
        seen = {row["state"]: row["n"] for row in rows}
        if seen == expected:
            break
        await asyncio.sleep(0.02)
    return seen


async def join_wave(lb: LoopbackDiscord, count: int) -> list[int]:
    users = [lb.add_user(f"wave{i}") for i in range(count)]
    for user in users:
        await lb.join_member(lb.guild.id, user)
    return [u.id for u in users]


async def test_a_wave_with_injected_429s_gets_exactly_one_welcome_each(
    loopback: LoopbackDiscord, harness: BotHarness, settings: Settings
) -> None:
    await harness.start(settings=fast(settings))
    loopback.inject("POST", r"^/channels/\d+/messages$", 429, times=25, retry_after=0.05)
    loopback.inject("POST", r"^/users/@me/channels$", 429, times=10, retry_after=0.05)
    ids = await join_wave(loopback, WAVE)

    await loopback.wait_until(lambda: all(loopback.dm_messages(uid) for uid in ids), timeout=30)
    assert set(welcomes_per_user(loopback, ids).values()) == {1}
    limited = [c for c in loopback.calls if c.status == 429]
    assert len(limited) == 35  # every injected 429 was met and retried
    expected = {WelcomeState.SENT.value: WAVE}
    assert await states_settle_at(harness, expected) == expected


async def test_a_restart_in_the_middle_of_a_wave_still_welcomes_everyone_once(
    loopback: LoopbackDiscord, harness: BotHarness, settings: Settings
) -> None:
    await harness.start(settings=fast(settings))
    ids = await join_wave(loopback, WAVE)
    await loopback.wait_until(lambda: sum(1 for uid in ids if loopback.dm_messages(uid)) >= WAVE // 3, timeout=30)
    await harness.stop()  # cancels the workers mid-send, as a stop does
    halfway = sum(1 for uid in ids if loopback.dm_messages(uid))
    assert halfway < WAVE

    await harness.start(settings=fast(settings))
    await loopback.wait_until(lambda: all(loopback.dm_messages(uid) for uid in ids), timeout=30)
    assert set(welcomes_per_user(loopback, ids).values()) == {1}
    expected = {WelcomeState.SENT.value: WAVE}
    assert await states_settle_at(harness, expected) == expected


async def test_a_crash_after_discord_accepted_the_dm_does_not_send_it_again(
    loopback: LoopbackDiscord, harness: BotHarness
) -> None:
    await harness.start()
    eve, fay = loopback.add_user("eve"), loopback.add_user("fay")
    await loopback.join_member(loopback.guild.id, eve)
    await loopback.wait_until(lambda: loopback.dm_messages(eve.id))
    await harness.stop()
    # As if the bot died between Discord's 200 and writing `sent` (eve), or right after claiming fay's welcome.
    joined = unix(loopback.add_member(loopback.guild.id, fay).joined_at)
    db = await Database.open(harness.database)
    try:
        async with db.transaction() as tx:
            await tx.execute("UPDATE onboarding_welcomes SET state = 'sending' WHERE user_id = ?", (eve.id,))
            await tx.execute(
                "INSERT INTO onboarding_welcomes (guild_id, user_id, join_seq, joined_at, kind, state, attempts,"
                " queued_at, updated_at) SELECT guild_id, ?, 1, ?, 'welcome', 'sending', 1, queued_at,"
                " updated_at FROM onboarding_welcomes WHERE user_id = ?",
                (fay.id, joined, eve.id),
            )
    finally:
        await db.close()
    bot = await harness.start()

    async def states() -> dict[int, str]:
        rows = await bot.db.fetch("SELECT user_id, state FROM onboarding_welcomes")
        return {row["user_id"]: row["state"] for row in rows}

    for _ in range(200):
        if await states() == {eve.id: "sent", fay.id: "sent"}:
            break
        await asyncio.sleep(0.02)
    assert await states() == {eve.id: "sent", fay.id: "sent"}
    assert len(loopback.dm_messages(eve.id)) == 1
    assert len(loopback.dm_messages(fay.id)) == 1
    # Both in-flight welcomes were checked against the DM history before anything was sent again.
    assert len(loopback.calls_to("GET", r"^/channels/\d+/messages$")) == 2


async def test_members_who_joined_while_the_bot_was_offline_are_welcomed_at_start(
    loopback: LoopbackDiscord, harness: BotHarness
) -> None:
    guild = loopback.guild
    early = loopback.add_user("early")
    loopback.add_member(guild.id, early)  # there before the bot's first start: not a newcomer
    await harness.start()
    await harness.stop()
    late = loopback.add_user("late")
    loopback.add_member(guild.id, late)  # joined while the bot was down: no gateway event will tell it

    await harness.start()
    await loopback.wait_until(lambda: loopback.dm_messages(late.id))
    assert "What do you do?" in loopback.dm_messages(late.id)[0].text()
    assert loopback.dm_messages(early.id) == []
    assert loopback.dm_messages(guild.owner_id) == []
