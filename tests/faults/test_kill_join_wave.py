"""SIGKILL the real bot process in the middle of a join wave, start it again on the same file: every member has
exactly one welcome (a DM, or one mention in the welcome channel when their DMs are closed), the file is sound.

Two crash windows are opened on purpose with the loopback's holds: a welcome DM and a welcome-channel post that
Discord has accepted while the process is killed before it hears so. Members who join while the bot is down are
welcomed at the next start.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections import Counter
from pathlib import Path

import yaml

from loopback import LoopbackDiscord
from tests.faults.bot_process import BotProcess
from tests.harness import SHIPPED_CONFIG
from tests.onboarding.helpers import assert_welcomed_once

WAVE = 300
CLOSED = range(10, 35)  # positions in the wave whose DMs are closed: greeted in the welcome channel
HELD_DM = 5  # the position whose welcome DM is accepted by Discord while the process dies
WHILE_DOWN = 20  # members who join while no bot is connected
PACE = 50  # welcome DMs per second: the most the settings allow (the shipped 20 would take 15 s for this wave)


def fast_config(folder: Path) -> Path:
    """The shipped settings with a faster welcome pace."""
    data = yaml.safe_load(SHIPPED_CONFIG.read_text())
    data["onboarding"]["welcome_dms_per_second"] = PACE
    path = folder / "config.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


def welcome_rows(database: Path) -> dict[int, str]:
    with sqlite3.connect(database) as conn:
        return dict(conn.execute("SELECT user_id, state FROM onboarding_welcomes").fetchall())


async def test_sigkill_during_a_join_wave_gives_everyone_exactly_one_welcome(
    loopback: LoopbackDiscord, tmp_path: Path
) -> None:
    lb = loopback
    guild = lb.guild
    welcome_channel = guild.channel("welcome").id
    wave = [lb.add_user(f"newcomer{n}") for n in range(WAVE)]
    late = [lb.add_user(f"latecomer{n}") for n in range(WHILE_DOWN)]
    closed = {wave[n].id for n in CLOSED}
    for user_id in closed:
        lb.close_dms(user_id)
    bot = BotProcess(lb, tmp_path, config=fast_config(tmp_path))
    try:
        await bot.start()
        await lb.wait_until(lambda: lb.commands_registered(guild.id), timeout=30)
        held_dm = lb.hold("POST", rf"^/channels/{lb.world.dm_channel(wave[HELD_DM].id).id}/messages$")
        held_post = lb.hold("POST", rf"^/channels/{welcome_channel}/messages$")
        for user in wave:
            await lb.join_member(guild.id, user)
        # The first welcome-channel post (the first 20 closed DMs) is accepted; the process dies before the answer.
        await asyncio.wait_for(held_post.reached.wait(), 30)
        await bot.kill()
        held_dm.release()
        held_post.release()
        states = Counter(welcome_rows(bot.database).values())
        assert bot.integrity() == "ok"
        # The kill landed mid-wave: some welcomed, some not yet, the held DM still 'sending' in the file.
        sent_before = sum(1 for u in wave if lb.dm_messages(u.id))
        assert 0 < sent_before < WAVE - len(closed), sent_before
        assert states["sent"] > 0 and states["pending"] > 0 and states["sending"] >= 1, states
        assert welcome_rows(bot.database)[wave[HELD_DM].id] == "sending"
        assert len(lb.dm_messages(wave[HELD_DM].id)) == 1  # ... though Discord has the DM

        for user in late:  # nobody is connected: these joins are not delivered, as on Discord
            await lb.join_member(guild.id, user)
        await bot.start()
        everyone = {u.id for u in wave + late}

        def done() -> bool:
            rows = welcome_rows(bot.database)
            return set(rows) == everyone and set(rows.values()) <= {"sent", "dm_closed"}

        await lb.wait_until(done, timeout=60, interval=0.05)
        assert await bot.stop() == 0, bot.log()
    finally:
        await bot.cleanup()

    rows = welcome_rows(bot.database)
    greetings = assert_welcomed_once(lb, rows, everyone, closed, welcome_channel)
    assert bot.integrity() == "ok"
    print(f"join wave {WAVE} + {WHILE_DOWN} while down: DMs before the kill {sent_before}, "
          f"welcome-channel posts {greetings}, states {Counter(rows.values())}")
