"""The live bot the fuzz tests share within a module (a bot per example would cost a start each)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.faults.fuzzing import command_paths
from tests.faults.live_bot import LiveBot


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveBot]:
    """The real bot on its own loop against a loopback guild with 22 extra members."""
    bot = LiveBot(Path(tmp_path_factory.mktemp("fuzz")) / "community.db")
    bot.start()
    guild = bot.loopback.guild
    for name in ("alice", "bob"):  # members to pick as option values and as invokers
        bot.loopback.add_member(guild.id, bot.loopback.add_user(name))
    bot.loopback.add_members(guild.id, 20, prefix="fuzzer")  # enough askers for /ask's per-member cooldown
    bot.loopback.interaction_deadline = None  # under hypothesis load the machine may be slow; answers still count
    bot.paths = list(command_paths(bot.loopback.commands_registered(guild.id)))
    yield bot
    bot.stop()
