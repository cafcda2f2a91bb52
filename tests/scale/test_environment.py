"""BOT_SHARD_COUNT and BOT_SHARD_IDS: what a process runs by default, and one `error:` line (exit 2) for a bad value."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.environment import load_environment
from bot.settings import ConfigError
from loopback import LoopbackDiscord
from tests.core.test_entrypoint import run_bot
from tests.faults.bot_process import BotProcess

PG = "postgresql://bot@db.example/community"


def test_by_default_one_process_runs_every_shard_of_one() -> None:
    env = load_environment({"DISCORD_TOKEN": "t"})
    assert (env.shard_count, env.shard_ids, env.shards) == (1, None, (0,))
    env = load_environment({"DISCORD_TOKEN": "t", "BOT_SHARD_COUNT": " 4 "})
    assert (env.shard_count, env.shard_ids, env.shards) == (4, None, (0, 1, 2, 3))


def test_a_process_runs_the_shards_it_is_given_on_a_shared_database() -> None:
    env = load_environment({"DISCORD_TOKEN": "t", "BOT_DATABASE": PG, "BOT_SHARD_COUNT": "3", "BOT_SHARD_IDS": "2, 0"})
    assert (env.shard_count, env.shard_ids, env.shards) == (3, (0, 2), (0, 2))
    # every shard named: SQLite is fine, there is no other process
    env = load_environment({"DISCORD_TOKEN": "t", "BOT_SHARD_COUNT": "2", "BOT_SHARD_IDS": "0,1"})
    assert env.shards == (0, 1)


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"BOT_SHARD_COUNT": "0"}, "BOT_SHARD_COUNT: '0' is not a whole number of shards from 1 to 4096"),
        ({"BOT_SHARD_COUNT": "two"}, "BOT_SHARD_COUNT: 'two' is not a whole number of shards from 1 to 4096"),
        ({"BOT_SHARD_COUNT": "-1"}, "BOT_SHARD_COUNT: '-1' is not a whole number of shards from 1 to 4096"),
        ({"BOT_SHARD_COUNT": "1e9"}, "BOT_SHARD_COUNT: '1e9' is not a whole number of shards from 1 to 4096"),
        ({"BOT_SHARD_COUNT": "2", "BOT_SHARD_IDS": "0;1"},
         "BOT_SHARD_IDS: '0;1' is not a shard number: give shard numbers separated by commas, e.g. 0,1"),
        ({"BOT_SHARD_COUNT": "2", "BOT_SHARD_IDS": "0,,1"},
         "BOT_SHARD_IDS: '' is not a shard number: give shard numbers separated by commas, e.g. 0,1"),
        ({"BOT_SHARD_IDS": "1"},
         "BOT_SHARD_IDS: shard 1 does not exist with BOT_SHARD_COUNT=1 (shards are numbered 0 to 0;"
         " BOT_SHARD_COUNT is the number of shards of all processes together)"),
        ({"BOT_SHARD_COUNT": "2", "BOT_SHARD_IDS": "1,1"}, "BOT_SHARD_IDS: shard 1 is named twice"),
        ({"BOT_SHARD_COUNT": "2", "BOT_SHARD_IDS": "1", "BOT_DATABASE": "data/community.db"},
         "BOT_SHARD_IDS: this process runs 1 of 2 shards, so other processes share its database, which needs"
         " PostgreSQL: set BOT_DATABASE to a postgresql:// URL (see docs/scaling.md)"),
    ],
)
def test_bad_shard_settings_are_named(values: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError) as raised:
        load_environment({"DISCORD_TOKEN": "t", "BOT_DATABASE": values.pop("BOT_DATABASE", PG), **values})
    assert str(raised.value) == message


def test_a_bad_shard_setting_is_one_error_line_and_exit_2(tmp_path: Path) -> None:
    result = run_bot(tmp_path, {"DISCORD_TOKEN": "secret-token-value", "BOT_SHARD_COUNT": "3", "BOT_SHARD_IDS": "3"})
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "error: BOT_SHARD_IDS: shard 3 does not exist with BOT_SHARD_COUNT=3 (shards are numbered 0 to 2;"
        " BOT_SHARD_COUNT is the number of shards of all processes together)"
    ]


async def test_too_many_servers_for_the_shards_is_exit_2_with_what_to_do(loopback: LoopbackDiscord,
                                                                         tmp_path: Path) -> None:
    loopback.max_guilds_per_shard = 1  # the loopback's stand-in for Discord's 2,500
    loopback.add_guild("Second community")
    bot = BotProcess(loopback, tmp_path)
    try:
        await bot.start()
        assert await asyncio.wait_for(bot.proc.wait(), 60) == 2, bot.log()
    finally:
        await bot.cleanup()
    assert bot.log().splitlines()[-1] == (
        "error: Discord requires more shards: the bot is in too many servers for BOT_SHARD_COUNT (at most 2,500 per"
        " shard); raise BOT_SHARD_COUNT (docs/scaling.md)"
    )
