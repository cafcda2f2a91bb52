"""`community-bot backup DEST` and `community-bot restore FILE` as an operator runs them: no Discord token needed
(nothing logs in), one `error:` line and no file named like a good backup when it fails, a bad file refused before
anything is replaced."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from bot.backup import check_backup
from bot.database import DatabaseTarget
from tests.core.test_entrypoint import run_bot

pytestmark = pytest.mark.sqlite_only


def rows(path: Path) -> int:
    with sqlite3.connect(path) as conn:
        return int(conn.execute("SELECT COUNT(*) FROM schema_migrations").fetchone()[0])


def test_backup_writes_a_checked_copy_without_logging_in(migrated_target: DatabaseTarget, tmp_path: Path) -> None:
    assert isinstance(migrated_target, Path)
    dest = tmp_path / "backups" / "community.db"
    dest.parent.mkdir()

    done = run_bot(tmp_path, {"BOT_DATABASE": str(migrated_target)}, "backup", str(dest))  # no DISCORD_TOKEN

    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"{dest}: ") and "integrity_check ok" in done.stdout
    check_backup(dest)
    assert rows(dest) == rows(migrated_target)


def test_backup_to_a_missing_folder_is_one_error_line_and_no_file(
    migrated_target: DatabaseTarget, tmp_path: Path
) -> None:
    dest = tmp_path / "nowhere" / "community.db"

    done = run_bot(tmp_path, {"BOT_DATABASE": str(migrated_target)}, "backup", str(dest))

    assert done.returncode == 2
    assert done.stderr.splitlines() == [f"error: {dest.parent}: no such folder"]
    assert not dest.parent.exists()


def test_restore_refuses_a_file_that_is_not_a_backup_and_replaces_nothing(
    migrated_target: DatabaseTarget, tmp_path: Path
) -> None:
    assert isinstance(migrated_target, Path)
    before = migrated_target.read_bytes()
    junk = tmp_path / "notes.db"
    junk.write_text("not a database\n" * 200)

    done = run_bot(tmp_path, {"BOT_DATABASE": str(migrated_target)}, "restore", str(junk))

    assert done.returncode == 2
    [line] = done.stderr.splitlines()
    assert line.startswith(f"error: {junk}: not a SQLite database") and "nothing was replaced" in line
    assert migrated_target.read_bytes() == before


def test_restore_puts_a_backup_in_place_and_keeps_the_old_file(
    migrated_target: DatabaseTarget, tmp_path: Path
) -> None:
    assert isinstance(migrated_target, Path)
    copy = tmp_path / "copy.db"
    assert run_bot(tmp_path, {"BOT_DATABASE": str(migrated_target)}, "backup", str(copy)).returncode == 0
    with sqlite3.connect(migrated_target) as conn:  # a change after the backup, which the restore takes back
        conn.execute("DELETE FROM schema_migrations")

    done = run_bot(tmp_path, {"BOT_DATABASE": str(migrated_target)}, "restore", str(copy))

    assert done.returncode == 0, done.stderr
    assert rows(migrated_target) == rows(copy) > 0
    assert Path(f"{migrated_target}.before-restore").exists()
