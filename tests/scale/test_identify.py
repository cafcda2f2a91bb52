"""Processes of one bot take turns to IDENTIFY through the shared database: one per rate-limit bucket
(`shard_id % max_concurrency`, from GET /gateway/bot) per interval, so none is refused by Discord for identifying
too early, however many start at once; shards in different buckets identify together."""

from __future__ import annotations

import itertools
import logging
from collections.abc import AsyncIterator

import pytest

import bot.identify
import loopback.gateway as loopback_gateway  # the module; `loopback` below is the fixture
from bot.settings import Settings
from loopback import LoopbackDiscord
from tests.scale.inprocess import ShardBots

COUNT = 3
WINDOW = 0.5  # Discord's 5 s, shortened for the test
INTERVAL = 0.9  # the bot's turns, with their margin (5.5 s), shortened alike


@pytest.fixture
async def bots(loopback: LoopbackDiscord, shared_postgres: str, settings: Settings,
               monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[ShardBots]:
    monkeypatch.setattr(bot.identify, "IDENTIFY_INTERVAL_S", INTERVAL)
    monkeypatch.setattr(loopback_gateway, "IDENTIFY_WINDOW_S", WINDOW)
    loopback.enforce_identify_concurrency = True  # an IDENTIFY too early is refused, as on Discord
    fleet = ShardBots(loopback, shared_postgres, settings)
    try:
        yield fleet
    finally:
        await fleet.stop()


def identify_times(lb: LoopbackDiscord) -> list[float]:
    return sorted(t for times in lb.gateway.identify_times.values() for t in times)


async def test_processes_starting_together_identify_one_after_another(
    loopback: LoopbackDiscord, bots: ShardBots, caplog: pytest.LogCaptureFixture
) -> None:
    lb = loopback
    caplog.set_level(logging.INFO, "bot")
    await bots.start(COUNT, [0], [1], [2], features=["admin"])  # three processes, max_concurrency 1
    await lb.wait_shards(COUNT)
    sent = [m for m in lb.gateway.received if m["op"] == 2]
    assert len(sent) == lb.gateway.identify_count == COUNT  # not one refused and tried again
    times = identify_times(lb)
    assert all(b - a >= WINDOW for a, b in itertools.pairwise(times)), times
    assert len(lb.calls_to("GET", r"^/gateway/bot$")) == COUNT  # each asked Discord for the concurrency
    assert "allows 1 identifies per 5 s" in caplog.text


async def test_shards_in_different_buckets_identify_at_once(loopback: LoopbackDiscord, bots: ShardBots) -> None:
    lb = loopback
    lb.max_concurrency = COUNT
    await bots.start(COUNT, [0, 1, 2], features=["admin"])  # one process, every shard, a bucket each
    times = identify_times(lb)
    assert lb.gateway.identify_count == COUNT and times[-1] - times[0] < WINDOW, times


async def test_discord_recommending_more_shards_is_warned_about(
    loopback: LoopbackDiscord, bots: ShardBots, caplog: pytest.LogCaptureFixture
) -> None:
    loopback.recommended_shards = 4
    loopback.max_concurrency = COUNT
    await bots.start(COUNT, [0, 1, 2], features=["admin"])
    assert "Discord recommends 4 shards, more than BOT_SHARD_COUNT=3" in caplog.text
