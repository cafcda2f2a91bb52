"""The real bot while Discord misbehaves: gateway drops and fresh identifies during traffic, bursts of 429/500."""

from __future__ import annotations

import asyncio

from tests.loopback import InteractionRecord, LoopbackDiscord


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
