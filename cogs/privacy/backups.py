"""Scheduled backups: a daily copy of the database into `backups.directory`, the newest `backups.keep` kept; a
failure is reported to every server's moderators' log. The files themselves say when the last one was taken, so
the schedule survives restarts with nothing else stored."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from bot import i18n, languages, mod_log
from bot.backup import BackupError, backup
from bot.database import DatabaseTarget, SQLiteDatabase
from bot.feature import Feature
from bot.i18n import N_, _
from bot.scheduler import DueWork
from cogs.privacy.rules import backup_name, next_backup_at, taken_at, to_remove
from cogs.privacy.settings import BackupsSettings

if TYPE_CHECKING:
    from bot.client import CommunityBot

log = logging.getLogger(__name__)

DAILY = "backups:daily"
RETRY_AFTER = timedelta(hours=1)  # a failed backup is tried again this much later (and reported each time)


class BackupsCog(Feature):
    """The daily backup (the `community-bot backup` command is the same copy, run by hand)."""

    name = "backups"
    title = N_("Backups")
    settings_section = BackupsSettings

    def __init__(self, bot: CommunityBot) -> None:
        super().__init__(bot)
        self.settings = bot.settings.section(BackupsSettings)
        self._retry_at: datetime | None = None
        # One backup at a time: the scheduler runs one pass at a time, but a direct call (a test, a command) could
        # overlap it and both would copy the same day's backup, one finding the other's half-written file.
        self._taking = asyncio.Lock()

    def due_work(self) -> list[DueWork]:
        return [DueWork(DAILY, self.next_due, self.run_due)] if self.settings.directory else []

    async def export_member(self, guild_id: int, user_id: int) -> dict[str, object]:
        """Backups hold copies of everything; they go as they are rotated out (docs/privacy.md)."""
        return {}

    async def forget_member(self, guild_id: int, user_id: int) -> int:
        return 0

    @property
    def folder(self) -> Path:
        return Path(self.settings.directory).expanduser()

    def target(self) -> DatabaseTarget:
        database = self.bot.database
        if isinstance(database, Path | str):
            return database
        if isinstance(database, SQLiteDatabase):
            return database.path
        return str(getattr(database, "url"))  # noqa: B009  (PostgresDatabase; imported only with asyncpg)

    async def next_due(self) -> datetime | None:
        names = await asyncio.to_thread(lambda: [p.name for p in self.folder.glob("community-*")])
        taken = [t for t in map(taken_at, names) if t is not None]
        due = next_backup_at(max(taken, default=None), self.bot.clock.now(), self.settings.at)
        return max(due, self._retry_at) if self._retry_at else due

    async def run_due(self) -> None:
        async with self._taking:  # a second caller waits, then finds the backup taken and nothing due
            now = self.bot.clock.now()
            due = await self.next_due()
            if due is None or due > now:
                return
            await self.take(now)

    async def take(self, now: datetime) -> Path | None:
        """One backup now, then the rotation; None (reported) when it failed."""
        target = self.target()
        dest = self.folder / backup_name(now, postgres=isinstance(target, str))
        try:
            done = await asyncio.to_thread(backup, target, dest)
        except BackupError as error:
            self._retry_at = now + RETRY_AFTER
            log.error("Scheduled backup failed: %s", error)
            await self._report(error)
            return None
        self._retry_at = None
        log.info("Backup %s: %s bytes in %.1f s", done.path, done.size_bytes, done.seconds)
        names = await asyncio.to_thread(lambda: [p.name for p in self.folder.iterdir()])
        for name in to_remove(names, self.settings.keep):
            await asyncio.to_thread((self.folder / name).unlink, True)
        return done.path

    async def _report(self, error: BackupError) -> None:
        """Tell every server's moderators, each in the server's language (the error itself is the system's, English)."""
        for guild in self.bot.guilds:
            config = await self.guild_config(guild.id)
            with i18n.using(await languages.of_server(self.bot, guild.id)):
                text = _("⚠️ The daily backup failed: {error}. I try again in an hour.").format(error=error)
            await mod_log.report(self.bot.db, guild, config.channels.mod_log, text)
