"""Benchmark: one member's export and forget on a big database, and a backup of a big database.

    python -m bench.privacy            # 1,000,000 questions, a member with 10,000 rows; a 1 GB backup
    python -m bench.privacy --quick    # 100,000 questions, 2,000 rows; a 100 MB backup

Export and forget go through the features' real code (each feature's `store_member.py` and bot/member_data.py,
over the bot's own Database, secure_delete on), on a SQLite database holding every migration, the questions of a
busy server and one member whose rows are spread over Q&A (questions asked, answers credited, marks), events
(RSVPs, reminder deliveries) and onboarding (history). Baselines, in the same run on a copy of the same file: a
bare SELECT of the same rows (export), and a bare DELETE of the same rows in one transaction (forget; the bot
keeps the questions and credits of others and anonymises, so it updates where the baseline deletes). Backup:
bot/backup.py's online backup with its checks against copying the file (shutil.copyfile + fsync).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import sqlite3
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.common import write_results
from bot.backup import backup
from bot.client import all_migrations
from bot.database import Database
from bot.discovery import feature_packages
from bot.member_data import export_core, forget_core, forget_rows
from cogs.communities.store_member import CommunitiesMemberData
from cogs.events.store_member import EventsMemberData
from cogs.onboarding.mentors.store_member import MentoringMemberData
from cogs.onboarding.store_member import OnboardingMemberData
from cogs.qa.store_member import QAMemberData

GUILD = 700000000000000001
MEMBER = 710000000000000042
OTHERS = 5000
SEED = 20250601


def share(rows: int) -> dict[str, int]:
    """The member's rows per kind: 40% questions asked, 20% answers credited, 10% marks, 15% RSVPs,
    10% reminder deliveries, 5% onboarding history."""
    return {"asked": rows * 40 // 100, "credited": rows * 20 // 100, "marks": rows * 10 // 100,
            "rsvps": rows * 15 // 100, "deliveries": rows * 10 // 100, "history": rows * 5 // 100}


def fill(path: Path, questions: int, rows: int) -> None:
    """Questions of many askers, the member's rows among them (plain sqlite3: filling is not what is measured)."""
    rng = random.Random(SEED)
    parts = share(rows)
    now = int(time.time())
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA synchronous=OFF")
        asked = set(rng.sample(range(questions), parts["asked"]))
        rest = [i for i in rng.sample(range(questions), parts["asked"] + parts["credited"]) if i not in asked]
        credited = set(rest[: parts["credited"]])

        def question(i: int) -> tuple[Any, ...]:
            asker = MEMBER if i in asked else 720000000000000000 + rng.randrange(OTHERS)
            author = MEMBER if i in credited else None
            return (1_200_000_000_000_000_000 + i, GUILD, 1, asker, f"question {i} about joins", "body text",
                    "direct", "solved" if author else "open", now - i, now - i, author, "answer text" if author else "")

        batch = 50_000
        for start in range(0, questions, batch):
            conn.executemany(
                "INSERT INTO qa_questions (thread_id, guild_id, channel_id, asker_id, title, body, source, state,"
                " created_at, last_activity_at, answer_author_id, answer_text) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                [question(i) for i in range(start, min(questions, start + batch))],
            )
        conn.executemany(
            "INSERT INTO qa_marks (thread_id, guild_id, action, author_id, by_id, at) VALUES (?, ?, 'mark', ?, ?, ?)",
            [(1_200_000_000_000_000_000 + i, GUILD, MEMBER, MEMBER, now) for i in range(parts["marks"])],
        )
        occurrences = []
        for e in range(max(1, parts["rsvps"] // 10)):
            event = conn.execute(
                "INSERT INTO events (guild_id, creator_id, title, tz, local_time, duration_s, state, created_at,"
                " updated_at) VALUES (?, ?, ?, 'UTC', '18:00', 3600, 'ended', ?, ?) RETURNING id",
                (GUILD, 730000000000000000, f"meetup {e}", now, now),
            ).fetchone()[0]
            for seq in range(10):
                occurrences.append(conn.execute(
                    "INSERT INTO event_occurrences (event_id, seq, starts_at, ends_at, state)"
                    " VALUES (?, ?, ?, ?, 'ended') RETURNING id", (event, seq, now - seq * 86400, now - seq * 86400),
                ).fetchone()[0])
        conn.executemany(
            "INSERT INTO event_rsvps (occurrence_id, user_id, status, updated_at) VALUES (?, ?, 'going', ?)",
            [(o, MEMBER, now) for o in occurrences[: parts["rsvps"]]]
            + [(o, 740000000000000000 + k, now) for o in occurrences for k in range(5)],
        )
        reminders = [conn.execute(
            "INSERT INTO event_reminders (occurrence_id, kind, due_at, state) VALUES (?, 'reminder', ?, 'sent')"
            " RETURNING id", (o, now)).fetchone()[0] for o in occurrences]
        conn.executemany(  # one reminder DM per occurrence for the member (there are more occurrences than DMs)
            "INSERT INTO event_deliveries (reminder_id, user_id, state) VALUES (?, ?, 'sent')",
            [(reminder, MEMBER) for reminder in reminders[: parts["deliveries"]]],
        )
        conn.executemany(
            "INSERT INTO onboarding_events (guild_id, user_id, event, at) VALUES (?, ?, 'started', ?)",
            [(GUILD, MEMBER, now - k) for k in range(parts["history"])],
        )


async def member_rows(db: Database) -> int:
    """The rows tied to the member, counted as the bare baselines see them."""
    total = 0
    for sql in BARE_SELECTS:
        total += len(await db.fetch(sql, (MEMBER,)))
    return total


BARE_SELECTS = [
    "SELECT * FROM qa_questions WHERE asker_id = ?",
    "SELECT * FROM qa_questions WHERE answer_author_id = ? AND asker_id != answer_author_id",
    "SELECT * FROM qa_marks WHERE by_id = ?",
    "SELECT * FROM event_rsvps WHERE user_id = ?",
    "SELECT * FROM event_deliveries WHERE user_id = ?",
    "SELECT * FROM onboarding_events WHERE user_id = ?",
]
BARE_DELETES = [
    "DELETE FROM qa_questions WHERE asker_id = ? OR answer_author_id = ?",
    "DELETE FROM qa_marks WHERE by_id = ? OR author_id = ?",
    "DELETE FROM event_rsvps WHERE user_id = ? AND ? = ?",
    "DELETE FROM event_deliveries WHERE user_id = ? AND ? = ?",
    "DELETE FROM onboarding_events WHERE user_id = ? AND ? = ?",
]


async def export_all(db: Database) -> int:
    data = {
        "qa": await QAMemberData(db).export(GUILD, MEMBER),
        "events": await EventsMemberData(db).export(GUILD, MEMBER),
        "onboarding": await OnboardingMemberData(db).export(GUILD, MEMBER),
        "mentors": await MentoringMemberData(db).export(GUILD, MEMBER),
        "communities": await CommunitiesMemberData(db).export(GUILD, MEMBER),
        "admin": await export_core(db, GUILD, MEMBER),
    }
    return len(json.dumps(data, default=str))


async def bare_export(db: Database) -> int:
    rows = [dict(r) for sql in BARE_SELECTS for r in await db.fetch(sql, (MEMBER,))]
    return len(json.dumps(rows, default=str))


async def forget_all(db: Database) -> int:
    from datetime import UTC, datetime

    now = datetime.now(UTC)
    touched = await QAMemberData(db).forget(GUILD, MEMBER, int(now.timestamp()))
    touched += await EventsMemberData(db).forget(GUILD, MEMBER)
    touched += await OnboardingMemberData(db).forget(GUILD, MEMBER, now)
    touched += (await MentoringMemberData(db).forget(GUILD, MEMBER, now)).rows
    touched += await CommunitiesMemberData(db).forget(GUILD, MEMBER)
    touched += await forget_rows(db, forget_core(GUILD, MEMBER))
    return touched


def bare_delete(path: Path) -> int:
    with sqlite3.connect(path, isolation_level=None) as conn:
        conn.execute("BEGIN")
        touched = sum(conn.execute(sql, (MEMBER, MEMBER, MEMBER)[: sql.count("?")]).rowcount for sql in BARE_DELETES)
        conn.execute("COMMIT")
    conn.close()
    return touched


async def timed(fn: Any, *args: Any) -> tuple[float, Any]:
    started = time.perf_counter()
    result = await fn(*args)
    return time.perf_counter() - started, result


async def member_figures(folder: Path, questions: int, rows: int, repeats: int) -> dict[str, Any]:
    base = folder / "base.db"
    db = await Database.open(base)
    await db.migrate(all_migrations(feature_packages()))
    await db.close()
    started = time.perf_counter()
    await asyncio.to_thread(fill, base, questions, rows)
    filled_s = time.perf_counter() - started
    db = await Database.open(base)
    counted = await member_rows(db)
    export_s, bare_export_s = [], []
    for _ in range(repeats):  # alternating, so a neighbour's burst of CPU falls on both alike
        seconds, size = await timed(export_all, db)
        export_s.append(seconds)
        seconds, _ = await timed(bare_export, db)
        bare_export_s.append(seconds)
    await db.close()
    forget_s, bare_delete_s = [], []
    touched = deleted = 0
    for _ in range(repeats):
        copy = folder / "forget.db"
        shutil.copyfile(base, copy)
        db = await Database.open(copy)
        seconds, touched = await timed(forget_all, db)
        forget_s.append(seconds)
        await db.close()
        shutil.copyfile(base, copy)
        started = time.perf_counter()
        deleted = await asyncio.to_thread(bare_delete, copy)
        bare_delete_s.append(time.perf_counter() - started)
    return {
        "questions": questions, "member_rows": counted, "fill_s": filled_s, "export_bytes": size,
        "export_s": min(export_s), "bare_select_s": min(bare_export_s),
        "forget_s": min(forget_s), "bare_delete_s": min(bare_delete_s),
        "forget_rows_touched": touched, "bare_rows_deleted": deleted,
        "db_bytes": base.stat().st_size,
    }


def backup_figures(folder: Path, size_bytes: int) -> dict[str, Any]:
    live = folder / "big.db"
    with sqlite3.connect(live) as conn:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("CREATE TABLE schema_migrations (namespace TEXT, version INTEGER)")
        conn.execute("CREATE TABLE filler (id INTEGER PRIMARY KEY, blob BLOB)")
        chunk = 4000
        for _ in range(size_bytes // (chunk * 1000) + 1):
            conn.executemany("INSERT INTO filler (blob) VALUES (?)", [(os.urandom(chunk),) for _ in range(1000)])
        conn.commit()
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # the whole database in the file the baseline copies
    copy_s, backup_s = [], []
    for _ in range(2):
        dest = folder / "copy.db"
        started = time.perf_counter()
        shutil.copyfile(live, dest)
        with dest.open("rb+") as file:
            os.fsync(file.fileno())
        copy_s.append(time.perf_counter() - started)
        dest.unlink()
        done = backup(live, folder / "backup.db")
        backup_s.append(done.seconds)
        (folder / "backup.db").unlink()
    started = time.perf_counter()  # what the backup spends on its check, for reading the ratio
    with sqlite3.connect(live) as conn:
        conn.execute("PRAGMA integrity_check").fetchone()
    check_s = time.perf_counter() - started
    return {"backup_db_bytes": live.stat().st_size, "backup_s": min(backup_s), "file_copy_s": min(copy_s),
            "integrity_check_s": check_s}


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    questions, rows, backup_size = (100_000, 2_000, 100 * 2**20) if args.quick else (1_000_000, 10_000, 2**30)
    with tempfile.TemporaryDirectory(prefix="bench-privacy-") as tmp:
        folder = Path(tmp)
        results = await member_figures(folder, questions, rows, repeats=3)
        for name in ("base.db", "forget.db"):
            (folder / name).unlink(missing_ok=True)
        results |= await asyncio.to_thread(backup_figures, folder, backup_size)
    export_ratio = results["export_s"] / results["bare_select_s"]
    forget_ratio = results["forget_s"] / results["bare_delete_s"]
    backup_ratio = results["backup_s"] / results["file_copy_s"]
    print(f"of the backup, integrity_check alone: {results['integrity_check_s']:.2f} s")
    results["headline"] = [
        {"figure": f"export of a member with {results['member_rows']:,} rows ({questions:,} questions)",
         "value": f"{results['export_s'] * 1000:.0f} ms", "baseline": f"{results['bare_select_s'] * 1000:.0f} ms"
         " bare SELECT", "ratio": export_ratio},
        {"figure": f"forget of a member with {results['member_rows']:,} rows ({questions:,} questions)",
         "value": f"{results['forget_s'] * 1000:.0f} ms", "baseline": f"{results['bare_delete_s'] * 1000:.0f} ms"
         " bare DELETE", "ratio": forget_ratio},
        {"figure": f"backup of a {results['backup_db_bytes'] / 2**20:,.0f} MiB database",
         "value": f"{results['backup_s']:.2f} s", "baseline": f"{results['file_copy_s']:.2f} s file copy",
         "ratio": backup_ratio},
    ]
    table = [("figure", "this bot", "baseline (same run)", "ratio")] + [
        (row["figure"], row["value"], row["baseline"], f"{row['ratio']:.2f}") for row in results["headline"]
    ]
    write_results("privacy", results, table, quick=args.quick)


if __name__ == "__main__":
    asyncio.run(main())
