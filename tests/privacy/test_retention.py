"""Retention: the data of a member who left is forgotten `privacy.forget_left_after_days` later, as due work that
survives restarts (the bot's clock is moved across them); a member who comes back is kept."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.client import CommunityBot
from bot.clock import ManualClock
from cogs.privacy.cog import PrivacyCog
from loopback import LoopbackDiscord
from tests.harness import BotHarness, eventually
from tests.privacy.helpers import scan_for, seed_member


async def departures(bot: CommunityBot, user_id: int) -> int:
    return int(await bot.db.fetchval("SELECT COUNT(*) FROM privacy_departures WHERE user_id = ?", (user_id,)))


async def test_a_departed_members_data_is_forgotten_after_the_retention_across_restarts(
    loopback: LoopbackDiscord, harness: BotHarness
) -> None:
    guild = loopback.guild
    clock = ManualClock(datetime.now(UTC).replace(microsecond=0))
    bot = await harness.start(clock=clock)
    ana, bo = loopback.add_user("ana"), loopback.add_user("bo")
    await loopback.join_member(guild.id, ana)
    await seed_member(bot.db, guild.id, ana.id, bo.id, departed=False)
    await loopback.remove_member(guild.id, ana.id)
    assert await eventually(lambda: departures(bot, ana.id))
    due = await bot.db.fetchval("SELECT due_at FROM privacy_departures WHERE user_id = ?", (ana.id,))
    assert due == int(clock.now().timestamp()) + 180 * 86400  # the shipped privacy.forget_left_after_days

    await harness.stop()
    clock.advance(timedelta(days=179))
    bot = await harness.start(clock=clock)
    await bot.feature(PrivacyCog).forget_departed()  # a pass a day early forgets nothing
    assert await bot.db.fetchval("SELECT COUNT(*) FROM onboarding_profiles WHERE user_id = ?", (ana.id,)) == 1

    await harness.stop()
    clock.advance(timedelta(days=1, seconds=1))
    bot = await harness.start(clock=clock)  # the scheduler runs what fell due while the bot was off

    async def forgotten() -> bool:
        return await scan_for(bot.db, ana.id) == {}

    assert await eventually(forgotten)
    # bo's data stays (their mentorship with ana ended when ana left; the record is bo's)
    assert await bot.db.fetchval("SELECT COUNT(*) FROM mentor_requests WHERE mentee_id = ?", (bo.id,)) == 1


async def test_a_member_who_comes_back_is_not_forgotten(loopback: LoopbackDiscord, bot: CommunityBot) -> None:
    guild = loopback.guild
    ana = loopback.add_user("ana")
    await loopback.join_member(guild.id, ana)
    await loopback.remove_member(guild.id, ana.id)
    assert await eventually(lambda: departures(bot, ana.id))

    await loopback.join_member(guild.id, ana)

    async def kept() -> bool:
        return await departures(bot, ana.id) == 0

    assert await eventually(kept)
