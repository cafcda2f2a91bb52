"""Commands are uploaded once per guild (and once globally) however many processes start together on one database:
bots on two shards of one PostgreSQL database and one loopback Discord."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import AsyncIterator

import pytest

from bot.settings import Settings
from loopback import LoopbackDiscord
from tests.scale.inprocess import ShardBots

COUNT = 2
FEATURES = ["admin"]  # the upload is core's; the feature set only changes what is uploaded


class ReadyLines(logging.Handler):
    """Counts the "Ready as ..." lines: a bot logs it when its on_ready (and so its syncing) is over."""

    def __init__(self) -> None:
        super().__init__()
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        if record.getMessage().startswith("Ready as "):
            self.count += 1


@pytest.fixture
def ready_lines() -> AsyncIterator[ReadyLines]:
    handler = ReadyLines()
    logger = logging.getLogger("bot.client")
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    yield handler
    logger.removeHandler(handler)
    logger.setLevel(level)


@pytest.fixture
async def bots(loopback: LoopbackDiscord, shared_postgres: str, settings: Settings) -> AsyncIterator[ShardBots]:
    loopback.max_concurrency = COUNT  # a bucket per shard: they identify at once (tests/scale/test_identify.py)
    fleet = ShardBots(loopback, shared_postgres, settings)
    try:
        yield fleet
    finally:
        await fleet.stop()


def puts(lb: LoopbackDiscord) -> Counter[str]:
    return Counter(c.path for c in lb.calls_to("PUT", r"/commands$") if c.status == 200)


async def test_each_guilds_commands_are_put_once_by_bots_on_two_shards(
    loopback: LoopbackDiscord, bots: ShardBots, ready_lines: ReadyLines
) -> None:
    lb = loopback
    guilds = [lb.guild] + [lb.add_guild(f"Shard {n % COUNT} community {n}", on_shard=(n % COUNT, COUNT))
                           for n in range(4)]
    zero, one = await bots.start(COUNT, [0], [1], features=FEATURES)
    await lb.wait_until(lambda: ready_lines.count == 2, timeout=10)
    app = lb.application_id
    assert puts(lb) == Counter({f"/applications/{app}/guilds/{g.id}/commands": 1 for g in guilds})
    assert {g.id for g in zero.guilds} | {g.id for g in one.guilds} == {g.id for g in guilds}
    assert not {g.id for g in zero.guilds} & {g.id for g in one.guilds}
    for guild in guilds:
        assert {c["name"] for c in lb.commands_registered(guild.id)} >= {"about", "config"}

    # both start again together: the stored hashes say every set is there already
    await bots.stop()
    await bots.start(COUNT, [0], [1], features=FEATURES)
    await lb.wait_until(lambda: ready_lines.count == 4, timeout=10)
    assert sum(puts(lb).values()) == len(guilds)


async def test_global_commands_are_put_once_when_several_processes_start_together(
    loopback: LoopbackDiscord, bots: ShardBots, ready_lines: ReadyLines, settings: Settings
) -> None:
    lb = loopback
    lb.add_guild("Second community", on_shard=(1, COUNT))
    global_sync = settings.model_copy(update={"sync": "global"})
    await bots.start(COUNT, [0], [1], features=FEATURES, settings=global_sync)
    await lb.wait_until(lambda: ready_lines.count == 2, timeout=10)
    assert puts(lb) == Counter({f"/applications/{lb.application_id}/commands": 1})
