"""Backups of the live database and restoring one, for operators (`community-bot backup` / `restore`, docs/backups.md).

SQLite: SQLite's online backup copies every page of the database in one step, inside one read transaction, so
the copy is consistent while the bot keeps writing (WAL lets the bot write meanwhile), and holds everything
committed before the copy began. It is written under a temporary name beside the destination, checked with
`integrity_check`, switched to a journal mode that needs no `-wal` file beside it, flushed to disk, and only then
renamed to the destination: a failed backup (a full disk, an unwritable folder) never leaves a file named like a
good one. PostgreSQL: the server's own tool, pg_dump, in its custom format, under the same temporary-name rule.

No Discord connection is made: a second gateway session would take interactions away from the running bot.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from bot.database import DatabaseTarget

PG_DUMP_TIMEOUT_S = 6 * 3600


class BackupError(Exception):
    """A backup or restore that could not be done, worded for the operator (the message names the file)."""


@dataclass(frozen=True)
class BackupResult:
    path: Path
    size_bytes: int
    seconds: float


def backup(source: DatabaseTarget, dest: Path) -> BackupResult:
    """Copy the live database `source` into the file `dest`; see the module docstring."""
    started = time.perf_counter()
    dest = dest.expanduser()
    if dest.is_dir():
        raise BackupError(f"{dest}: is a folder; give the backup file's name, e.g. {dest / 'community.db'}")
    folder = dest.parent if str(dest.parent) else Path(".")
    if not folder.is_dir():
        raise BackupError(f"{folder}: no such folder")
    if isinstance(source, Path):
        _backup_sqlite(source, dest, folder)
    else:
        _backup_postgres(source, dest, folder)
    return BackupResult(dest, dest.stat().st_size, time.perf_counter() - started)


def _temporary(folder: Path, dest: Path) -> Path:
    """An empty file beside `dest`, named so that nobody takes it for a finished backup."""
    try:
        handle, name = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".partial", dir=folder)
    except OSError as error:
        raise BackupError(f"{folder}: cannot write there ({error.strerror or error})") from None
    os.close(handle)
    return Path(name)


def _backup_sqlite(source: Path, dest: Path, folder: Path) -> None:
    if not source.is_file():
        raise BackupError(f"{source}: no database file there (BOT_DATABASE)")
    partial = _temporary(folder, dest)
    try:
        # read-only: a backup must never create or change the live file
        with contextlib.closing(sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=30)) as live, \
                contextlib.closing(sqlite3.connect(partial)) as copy:
            live.backup(copy, pages=-1)  # one step: one consistent snapshot, however busy the bot is
            copy.execute("PRAGMA journal_mode=DELETE")  # stands alone: no -wal file beside it is needed
            problem = copy.execute("PRAGMA integrity_check").fetchone()[0]
            if problem != "ok":
                raise BackupError(f"{dest}: copy failed its integrity check ({problem}); the live file is untouched")
        _flush(partial)
        partial.replace(dest)
        _flush_folder(folder)
    except sqlite3.Error as error:
        raise BackupError(f"{dest}: {_reason(error)}") from None
    except OSError as error:
        raise BackupError(f"{dest}: {error.strerror or error}") from None
    finally:
        partial.unlink(missing_ok=True)


def _backup_postgres(url: str, dest: Path, folder: Path) -> None:
    pg_dump = shutil.which("pg_dump")
    if pg_dump is None:
        raise BackupError(
            "pg_dump was not found: install PostgreSQL's client tools (Debian: postgresql-client), or run "
            f"`pg_dump --format=custom --file={dest} '<BOT_DATABASE>'` yourself"
        )
    partial = _temporary(folder, dest)
    try:
        done = subprocess.run(
            [pg_dump, "--format=custom", "--no-owner", f"--file={partial}", f"--dbname={url}"],
            capture_output=True, text=True, timeout=PG_DUMP_TIMEOUT_S, check=False,
        )
        if done.returncode != 0:
            reason = (done.stderr.strip().splitlines() or ["no detail"])[-1].removeprefix("pg_dump: error: ")
            raise BackupError(f"{dest}: pg_dump of {_host(url)} failed: {reason}")
        _flush(partial)
        partial.replace(dest)
        _flush_folder(folder)
    except OSError as error:
        raise BackupError(f"{dest}: {error.strerror or error}") from None
    finally:
        partial.unlink(missing_ok=True)


def restore(backup_file: Path, target: DatabaseTarget) -> None:
    """Put a SQLite backup in place of the database file `target`; the bot must be stopped.

    The backup is checked before anything is replaced: it must be a SQLite database that passes integrity_check
    and holds the bot's tables. The old file is kept beside it as `<name>.before-restore`.
    """
    if not isinstance(target, Path):
        raise BackupError(
            "restoring into PostgreSQL uses its own tool: "
            f"pg_restore --clean --if-exists --no-owner --dbname='<BOT_DATABASE>' {backup_file}"
        )
    check_backup(backup_file)
    _refuse_if_in_use(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = _temporary(target.parent, target)
    try:
        shutil.copyfile(backup_file, partial)
        _flush(partial)
        if target.exists():
            target.replace(target.with_name(target.name + ".before-restore"))
        for suffix in ("-wal", "-shm"):  # the old file's log must not be replayed into the restored one
            Path(f"{target}{suffix}").unlink(missing_ok=True)
        partial.replace(target)
        _flush_folder(target.parent)
    except OSError as error:
        raise BackupError(f"{target}: {error.strerror or error}") from None
    finally:
        partial.unlink(missing_ok=True)


def check_backup(backup_file: Path) -> None:
    """Refuse a file that is not a sound backup of the bot's database."""
    if not backup_file.is_file():
        raise BackupError(f"{backup_file}: no such file")
    try:
        with contextlib.closing(sqlite3.connect(f"file:{backup_file}?mode=ro", uri=True)) as conn:
            problem = conn.execute("PRAGMA integrity_check").fetchone()[0]
            if problem != "ok":
                raise BackupError(f"{backup_file}: not a sound database ({problem}); nothing was replaced")
            if conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'schema_migrations'").fetchone() is None:
                raise BackupError(f"{backup_file}: a SQLite database, but not the bot's; nothing was replaced")
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{backup_file}: not a SQLite database ({_reason(error)}); nothing was replaced") from None


def _refuse_if_in_use(target: Path) -> None:
    if not target.exists():
        return
    try:
        with contextlib.closing(sqlite3.connect(target, timeout=0.5)) as conn:
            conn.execute("BEGIN EXCLUSIVE")  # fails while the bot (or anyone) has it open for writing
            conn.execute("ROLLBACK")
    except sqlite3.OperationalError:
        raise BackupError(f"{target}: in use (is the bot running?); stop it before restoring") from None


def _flush(path: Path) -> None:
    with path.open("rb+") as file:
        os.fsync(file.fileno())


def _flush_folder(folder: Path) -> None:
    """The rename itself reaches the disk (a crash right after must not bring back the old name)."""
    with contextlib.suppress(OSError):  # not every file system lets a folder be opened for this
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _reason(error: sqlite3.Error) -> str:
    text = str(error)
    return "the disk is full" if "full" in text.lower() else text


def _host(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.hostname or 'localhost'}:{parts.port or 5432}{parts.path}"
