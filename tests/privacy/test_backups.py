"""Scheduled backups: when they fall due, rotation, a failure reported to the moderators' log, the schedule kept
across a restart; and a bot started on a restored backup."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.backup import backup, check_backup, restore
from bot.clock import ManualClock
from bot.settings import Settings
from cogs.privacy.backups import BackupsCog
from cogs.privacy.rules import backup_name, next_backup_at, to_remove
from cogs.privacy.settings import BackupsSettings
from loopback import LoopbackDiscord
from tests.harness import BotHarness, eventually
from tests.privacy.helpers import privacy, scan_for, seed_member

DAY1 = datetime(2025, 6, 1, 4, 0, tzinfo=UTC)


def test_the_next_backup_is_the_first_daily_time_after_the_last_one() -> None:
    assert next_backup_at(None, DAY1, "03:30") == DAY1  # the first one as soon as backups are on
    last = datetime(2025, 6, 1, 3, 30, tzinfo=UTC)
    assert next_backup_at(last, DAY1, "03:30") == datetime(2025, 6, 2, 3, 30, tzinfo=UTC)
    # the bot was off for days: one backup at once, not one per missed day
    assert next_backup_at(last, DAY1 + timedelta(days=5), "03:30") == datetime(2025, 6, 2, 3, 30, tzinfo=UTC)


def test_rotation_keeps_the_newest_and_only_touches_backups() -> None:
    names = [backup_name(DAY1 + timedelta(days=d), postgres=False) for d in (2, 0, 1)] + ["notes.txt"]
    assert to_remove(names, 2) == [backup_name(DAY1, postgres=False)]
    assert to_remove(names, 5) == []


def test_an_unquoted_yaml_time_is_read_as_the_time_it_looks_like() -> None:
    assert BackupsSettings.model_validate({"at": 210}).at == "03:30"  # what YAML 1.1 makes of 03:30
    with pytest.raises(ValueError, match="HH:MM"):
        BackupsSettings.model_validate({"at": "25:00"})


def with_backups(settings: Settings, folder: Path, keep: int = 2) -> Settings:
    return settings.model_copy(update={"backups": BackupsSettings(directory=str(folder), keep=keep, at="03:30")})


@pytest.mark.sqlite_only
async def test_daily_backups_rotate_and_survive_a_restart(
    loopback: LoopbackDiscord, harness: BotHarness, settings: Settings, tmp_path: Path
) -> None:
    folder = tmp_path / "backups"
    folder.mkdir()
    clock = ManualClock(DAY1)
    bot = await harness.start(clock=clock, settings=with_backups(settings, folder))
    backups = bot.feature(BackupsCog)
    await backups.run_due()
    assert [p.name for p in folder.iterdir()] == [backup_name(DAY1, postgres=False)]  # the first one at once
    clock.advance(timedelta(hours=23))
    await backups.run_due()
    assert len(list(folder.iterdir())) == 1  # the next one is not due before 03:30 tomorrow
    clock.advance(timedelta(hours=-23))

    for _ in range(3):
        clock.advance(timedelta(days=1))
        await backups.run_due()
    kept = sorted(p.name for p in folder.iterdir())
    assert kept == [backup_name(DAY1 + timedelta(days=d), postgres=False) for d in (2, 3)]
    for name in kept:
        check_backup(folder / name)

    await harness.stop()
    clock.advance(timedelta(days=1))
    await harness.start(clock=clock, settings=with_backups(settings, folder))  # the scheduler runs the due one

    async def taken() -> bool:
        return (folder / backup_name(DAY1 + timedelta(days=4), postgres=False)).exists()

    assert await eventually(taken)
    assert len(list(folder.iterdir())) == 2


@pytest.mark.sqlite_only
async def test_a_failed_backup_is_reported_to_the_moderators_log(
    loopback: LoopbackDiscord, harness: BotHarness, settings: Settings
) -> None:
    clock = ManualClock(DAY1)
    mod_log = loopback.guild.channel("mod-log")
    # a folder that exists but cannot be written (even by root); the first backup is due at start
    bot = await harness.start(clock=clock, settings=with_backups(settings, Path("/proc")))

    await loopback.wait_until(lambda: loopback.channel_messages(mod_log.id), timeout=5)
    [report] = loopback.channel_messages(mod_log.id)
    assert "daily backup failed" in report.text() and "/proc: cannot write there" in report.text()
    assert await bot.feature(BackupsCog).next_due() == DAY1 + timedelta(hours=1)  # tried again later, not in a loop


@pytest.mark.sqlite_only
async def test_a_backup_under_200_writes_a_second_restores_into_a_database_the_bot_starts_on(
    loopback: LoopbackDiscord, harness: BotHarness, tmp_path: Path
) -> None:
    bot = await harness.start()
    ana, bo = loopback.add_user("ana"), loopback.add_user("bo")
    await loopback.join_member(loopback.guild.id, ana)
    await seed_member(bot.db, loopback.guild.id, ana.id, bo.id)
    committed: list[int] = []
    stop = asyncio.Event()

    async def writer() -> None:  # the running bot's own connection, one transaction per write, 200 a second
        n = 0
        while not stop.is_set():
            n += 1
            await bot.db.execute("INSERT INTO mod_log_once (guild_id, key, reported_at) VALUES (1, ?, 0)", (f"w{n}",))
            committed.append(n)
            await asyncio.sleep(1 / 200)

    task = asyncio.create_task(writer())
    try:
        # A second of writes at that pace before the backup begins (waited for, not slept: with the suite's two
        # workers on two cores, a fixed second held fewer than 150 writes once).
        await loopback.wait_until(lambda: len(committed) >= 200, timeout=30)
        before = len(committed)
        assert before >= 200  # the load really ran
        assert isinstance(harness.database, Path)
        copy = (await asyncio.to_thread(backup, harness.database, tmp_path / "copy.db")).path
        await asyncio.sleep(0.3)
    finally:
        stop.set()
        await task
    check_backup(copy)  # integrity_check ok
    await harness.stop()

    restored = tmp_path / "restored" / "community.db"
    restore(copy, restored)
    harness.database = restored
    bot = await harness.start()  # migrations, features, commands: the bot starts on it

    keys = {row[0] for row in await bot.db.fetch("SELECT key FROM mod_log_once WHERE guild_id = 1")}
    assert {f"w{n}" for n in range(1, before + 1)} <= keys  # every write committed before the backup began
    shown = await privacy(loopback, ana.id, "show")
    assert "Q&A" in shown.content_text()
    assert "onboarding_profiles" in await scan_for(bot.db, ana.id)
