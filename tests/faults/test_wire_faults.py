"""The real bot while Discord misbehaves: gateway drops and fresh identifies during traffic and during a join wave,
bursts of 429/500 on interaction replies."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from bot.settings import Settings, settings_model
from bot.times import unix
from loopback import InteractionRecord, LoopbackDiscord
from tests.harness import BotHarness


async def _about(loopback: LoopbackDiscord) -> InteractionRecord:
    guild = loopback.guild
    return await loopback.invoke_slash(guild.id, guild.channel("general").id, guild.owner_id, "about")


async def _traffic(loopback: LoopbackDiscord, count: int, every: float) -> list[InteractionRecord]:
    sent = []
    for _ in range(count):
        sent.append(await _about(loopback))
        await asyncio.sleep(every)
    return sent


async def test_a_gateway_drop_during_traffic_leaves_no_interaction_unanswered(loopback: LoopbackDiscord, bot) -> None:
    traffic = asyncio.create_task(_traffic(loopback, 60, 0.01))
    await asyncio.sleep(0.15)
    await loopback.drop_gateway()
    await asyncio.sleep(0.15)
    await loopback.drop_gateway(code=1006)
    sent = await traffic
    await asyncio.gather(*(ix.wait_response(timeout=10) for ix in sent))
    assert all("Gateway latency" in ix.content_text() for ix in sent)
    assert loopback.gateway.resume_count == 2 and loopback.gateway.identify_count == 1


async def test_a_fresh_identify_during_traffic_leaves_no_interaction_unanswered(loopback: LoopbackDiscord, bot) -> None:
    async def no_identify_delay(shard_id: int | None, *, initial: bool = False) -> None:
        """discord.py waits 5 s before re-identifying; the wait itself is not under test."""

    bot.before_identify_hook = no_identify_delay
    traffic = asyncio.create_task(_traffic(loopback, 40, 0.01))
    await asyncio.sleep(0.1)
    await loopback.invalidate_session(resumable=False)
    during = await traffic
    await loopback.wait_connected()
    after = await _traffic(loopback, 10, 0)
    # Between the old session and the new one Discord has nowhere to deliver an interaction (the member sees
    # it fail); everything that reached a session must be answered.
    delivered = [ix for ix in during + after if ix.delivered]
    assert all(ix.delivered for ix in after)
    await asyncio.gather(*(ix.wait_response(timeout=10) for ix in delivered))
    assert all("Gateway latency" in ix.content_text() for ix in delivered)
    assert loopback.gateway.identify_count == 2
    # The new session's on_ready re-checks commands; an unchanged set is not uploaded again.
    assert len(loopback.calls_to("PUT", r"/applications/\d+/guilds/\d+/commands$")) == 1


async def test_bursts_of_429_and_500_on_replies_lose_nothing(loopback: LoopbackDiscord, bot) -> None:
    loopback.interaction_deadline = None  # a 500 costs discord.py a 1 s back-off; the reply still arrives
    loopback.inject("POST", r"/interactions/\d+/[^/]+/callback", 429, times=10, retry_after=0.02)
    loopback.inject("POST", r"/interactions/\d+/[^/]+/callback", 500, times=2)
    sent = await _traffic(loopback, 20, 0)
    await asyncio.gather(*(ix.wait_response(timeout=20) for ix in sent))
    assert all("Gateway latency" in ix.content_text() for ix in sent)
    statuses = [c.status for c in loopback.calls_to("POST", r"/interactions/\d+/[^/]+/callback")]
    assert statuses.count(429) == 10 and statuses.count(500) == 2 and statuses.count(200) == 20


async def test_a_gateway_drop_and_a_fresh_identify_during_a_join_wave_welcome_everyone_once(
    loopback: LoopbackDiscord, harness: BotHarness, settings: Settings
) -> None:
    """Joins while the socket is down come back with the RESUME; joins between an invalidated session and the
    next READY never reach the bot (as on Discord) and are welcomed by the catch-up on that READY."""
    lb = loopback
    data = settings.model_dump()
    data["onboarding"]["welcome_dms_per_second"] = 50
    bot = await harness.start(settings=settings_model().model_validate(data))

    async def no_identify_delay(shard_id: int | None, *, initial: bool = False) -> None:
        """discord.py waits 5 s before re-identifying; the wait itself is not under test."""

    bot.before_identify_hook = no_identify_delay
    wave = [lb.add_user(f"wave{n}") for n in range(60)]
    delivered = []
    for n, user in enumerate(wave):
        if n == 15:
            await lb.drop_gateway()
        if n == 35:
            await lb.wait_connected()
            await lb.invalidate_session(resumable=False)
            invalidated = unix(datetime.now(UTC))
        delivered.append(lb.gateway.current is not None)
        await lb.join_member(lb.guild.id, user)
        await asyncio.sleep(0.005)
    assert delivered.count(False) > 0  # some joins fell between the sessions

    async def settled() -> bool:
        """The catch-up on the new READY is over (it marks the server seen last) and every welcome is out."""
        seen = await bot.db.fetchval("SELECT seen_at FROM onboarding_presence")
        rows = await bot.db.fetch("SELECT state, join_seq FROM onboarding_welcomes")
        caught_up = seen is not None and seen >= invalidated  # whole seconds
        return caught_up and len(rows) == len(wave) and all(r["state"] == "sent" for r in rows)

    for _ in range(1000):
        if await settled():
            break
        await asyncio.sleep(0.02)
    assert await settled()
    assert await bot.db.fetchval("SELECT MAX(join_seq) FROM onboarding_welcomes") == 1  # nobody recorded twice
    assert all(len(lb.dm_messages(u.id)) == 1 for u in wave)
    assert lb.gateway.resume_count >= 1 and lb.gateway.identify_count == 2
