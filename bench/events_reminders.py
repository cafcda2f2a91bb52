"""Events at scale: start-up time and RSS with 100,000 pending reminders, and how late reminders fire under load.

Three measurements, each against a baseline run in the same process tree:

1. Start-up: the real bot (`python -m bot`) against the loopback Discord, on a database holding 10,000 future
   events with 100,000 pending reminders, versus the same bot on a database whose events tables are empty.
   Start-up is spawn -> first answered `/about`; RSS is read after a second idle.
2. Arming the scheduler: the bot's core scheduler (`bot/scheduler.py`) with the events' due work, as the bot
   starts it (one job for the earliest due instant from an indexed query, one for housekeeping, however many
   are pending), versus the naive way (one APScheduler job per pending reminder), in this process: jobs held,
   time and Python memory (tracemalloc peak).
3. Lateness: `--burst` reminders fall due at the same second (each for its own event, one member going, so a
   channel post and a DM each) on top of the 100,000 pending. Lateness is when the loopback received each
   message minus the due time. Baseline: a bare discord.py client that sends the same messages at the same
   kind of instant with the same concurrency, i.e. what the wire and the library cost without our bookkeeping.

    python -m bench.events_reminders [--quick] [--events N] [--per-event N] [--burst N] [--runs N]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import sqlite3
import sys
import tempfile
import time
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path

from bench.common import first_answer, median, now, percentile, process_env, rss_mib, terminate, write_results
from loopback import Guild, LoopbackDiscord

OFFSETS = (7 * 86400, 3 * 86400, 2 * 86400, 86400, 43200, 21600, 10800, 3600, 1800, 600)


# ---------------------------------------------------------------- data


async def migrate(path: Path) -> None:
    from bot.client import all_migrations
    from bot.database import Database
    from bot.discovery import feature_packages

    db = await Database.open(path)
    await db.migrate(all_migrations(feature_packages()))
    await db.close()


def fill(path: Path, guild: Guild, events: int, per_event: int, start: float) -> int:
    """Future events spread over 90 days, each with `per_event` pending reminders; returns the reminder count."""
    channel = guild.channel("events").id
    now_s = int(start)
    con = sqlite3.connect(path)
    with con:
        span = 90 * 86400 - OFFSETS[0]
        event_rows, occurrence_rows, reminder_rows = [], [], []
        for i in range(1, events + 1):
            starts = now_s + OFFSETS[0] + 600 + (i * 7919) % span
            event_rows.append(
                (
                    i,
                    guild.id,
                    guild.owner_id,
                    f"Meetup {i}",
                    "Europe/Berlin",
                    "18:00",
                    3600,
                    ",".join(map(str, OFFSETS[:per_event])),
                    channel,
                    "active",
                    now_s,
                    now_s,
                )
            )
            occurrence_rows.append((i, i, 1, starts, starts + 3600, "upcoming", 10**17 + i))
            reminder_rows += [(i, "reminder", o, starts - o, "pending") for o in OFFSETS[:per_event]]
        _insert(con, event_rows, occurrence_rows, reminder_rows)
    con.close()
    return len(reminder_rows)


def add_burst(path: Path, guild: Guild, count: int, due: int, going: list[int]) -> None:
    """`count` events whose 10-minute reminder falls due at the same second, one member going to each."""
    channel = guild.channel("events").id
    con = sqlite3.connect(path)
    with con:
        first = (con.execute("SELECT COALESCE(MAX(id), 0) FROM events").fetchone()[0]) + 1
        starts = due + 600
        event_rows, occurrence_rows, reminder_rows, rsvps = [], [], [], []
        for n, i in enumerate(range(first, first + count)):
            event_rows.append(
                (i, guild.id, guild.owner_id, f"Burst {n}", "UTC", "18:00", 3600, "600", channel, "active", due, due)
            )
            occurrence_rows.append((i, i, 1, starts, starts + 3600, "upcoming", 10**17 + i))
            reminder_rows.append((i, "reminder", 600, due, "pending"))
            rsvps.append((i, going[n % len(going)], "going", due))
        _insert(con, event_rows, occurrence_rows, reminder_rows)
        con.executemany("INSERT INTO event_rsvps (occurrence_id, user_id, status, updated_at) VALUES (?,?,?,?)", rsvps)
    con.close()


def _insert(con: sqlite3.Connection, events: list, occurrences: list, reminders: list) -> None:
    con.executemany(
        "INSERT INTO events (id, guild_id, creator_id, title, tz, local_time, duration_s, reminder_offsets,"
        " channel_id, state, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
        events,
    )
    con.executemany(
        "INSERT INTO event_occurrences (id, event_id, seq, starts_at, ends_at, state, message_id)"
        " VALUES (?,?,?,?,?,?,?)",
        occurrences,
    )
    con.executemany(
        "INSERT INTO event_reminders (occurrence_id, kind, offset_s, due_at, state) VALUES (?,?,?,?,?)", reminders
    )


# ---------------------------------------------------------------- processes


async def spawn_logged(module: str, env: dict[str, str], cwd: Path, log: Path) -> asyncio.subprocess.Process:
    handle = log.open("wb")
    try:
        return await asyncio.create_subprocess_exec(
            sys.executable, "-m", *module.split(), cwd=cwd, env=env, stdout=handle, stderr=handle
        )
    finally:
        handle.close()


async def start_run(lb: LoopbackDiscord, guild: Guild, database: Path) -> tuple[float, float]:
    """(seconds to first answer, RSS MiB after a second idle)."""
    log = database.with_suffix(".log")
    env = process_env(lb, BOT_DATABASE=str(database))
    before = lb.gateway.identify_count
    started = now()
    proc = await spawn_logged("bot", env, database.parent, log)
    try:
        await asyncio.wait_for(first_answer(lb, guild, before, within=60), timeout=120)
        elapsed = now() - started
        await asyncio.sleep(1.0)
        rss = rss_mib(proc.pid)
    finally:
        await terminate(proc)
        await asyncio.sleep(0.2)
    return elapsed, rss


# ---------------------------------------------------------------- 2: arming the scheduler in-process


async def scheduler_loading(database: Path, naive_limit: int) -> dict[str, float]:
    """Core due work (what the bot does) vs naive (a job per pending reminder): time without tracing, then
    Python memory with tracemalloc in a second, identical load."""
    from apscheduler.schedulers.asyncio import AsyncIOScheduler

    from bot.clock import SystemClock
    from bot.database import Database
    from bot.scheduler import Scheduler
    from cogs.events.due import REMINDERS, EventReminders
    from cogs.events.planner import EventPlanner
    from cogs.events.store import EventStore

    async def noop() -> None:
        return None

    db = await Database.open(database)
    clock = SystemClock()
    # Arming reads only the store (next_due); the bot and the publisher are used by a pass, which never runs here.
    reminders = EventReminders(None, EventPlanner(EventStore(db), clock), None)  # type: ignore[arg-type]

    async def load(label: str) -> int:
        if label == "due_work":
            core = Scheduler(clock, noop)
            for work in reminders.work():
                core.register("events", work)
            await core.start()  # arms each work from the database, as at the bot's start
            count = core.job_count()
            assert core.armed_for(REMINDERS) is not None, "the reminders were not armed"
            core.shutdown()
            return count
        scheduler = AsyncIOScheduler(timezone=UTC)
        scheduler.start(paused=True)
        sql = "SELECT id, due_at FROM event_reminders WHERE state = 'pending' LIMIT ?"
        for reminder_id, due_at in await db.fetch(sql, (naive_limit,)):
            scheduler.add_job(noop, "date", run_date=datetime.fromtimestamp(due_at, UTC), id=f"r{reminder_id}")
        count = len(scheduler.get_jobs())
        scheduler.shutdown(wait=False)
        return count

    out: dict[str, float] = {}
    for label in ("due_work", "naive"):
        started = now()
        out[f"{label}_jobs"] = await load(label)
        out[f"{label}_s"] = now() - started
        tracemalloc.start()
        await load(label)
        out[f"{label}_peak_mib"] = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
    await db.close()
    return out


# ---------------------------------------------------------------- 3: lateness


def lateness(lb: LoopbackDiscord, since: int, due: float, clock_offset: float, prefix: str) -> list[float]:
    return [
        c.at + clock_offset - due
        for c in lb.calls[since:]
        if c.method == "POST" and c.status == 200 and (c.body.get("content") or "").startswith(prefix)
    ]


async def burst_run(lb: LoopbackDiscord, guild: Guild, base_db: Path, burst: int, going: list[int]) -> dict:
    database = base_db.with_name("burst.db")
    shutil.copy(base_db, database)
    due = int(time.time()) + 15
    add_burst(database, guild, burst, due, going)
    offset = time.time() - time.monotonic()
    since = len(lb.calls)
    env = process_env(lb, BOT_DATABASE=str(database))
    before = lb.gateway.identify_count
    proc = await spawn_logged("bot", env, database.parent, database.with_suffix(".log"))
    try:
        await asyncio.wait_for(first_answer(lb, guild, before, within=60), timeout=120)
        channel_rx = re.compile(rf"^/channels/{guild.channel('events').id}/messages$")

        def delivered() -> bool:
            posts = [c for c in lb.calls[since:] if c.method == "POST" and channel_rx.match(c.path)]
            return len(posts) >= burst and len(lateness(lb, since, due, offset, "⏰ Reminder")) >= burst

        await lb.wait_until(delivered, timeout=120, interval=0.05)
    finally:
        await terminate(proc)
        await asyncio.sleep(0.2)
    channel = lateness(lb, since, due, offset, "⏰ **Burst")
    dms = lateness(lb, since, due, offset, "⏰ Reminder")
    return {"channel": channel, "dm": dms, "all": channel + dms}


async def bare_run(lb: LoopbackDiscord, guild: Guild, burst: int, going: list[int], workdir: Path) -> dict:
    due = int(time.time()) + 8
    offset = time.time() - time.monotonic()
    since = len(lb.calls)
    env = process_env(
        lb,
        BENCH_DUE=str(due),
        BENCH_COUNT=str(burst),
        BENCH_CHANNEL=str(guild.channel("events").id),
        BENCH_USERS=",".join(map(str, going)),
    )
    proc = await spawn_logged("bench.events_reminders --bare-sender", env, workdir, workdir / "bare.log")
    try:
        await lb.wait_until(lambda: len(lateness(lb, since, due, offset, "⏰ Reminder")) >= burst, timeout=120)
    finally:
        await terminate(proc)
        await asyncio.sleep(0.2)
    channel = lateness(lb, since, due, offset, "⏰ **Burst")
    dms = lateness(lb, since, due, offset, "⏰ Reminder")
    return {"channel": channel, "dm": dms, "all": channel + dms}


async def bare_sender() -> None:
    """Child process: a plain discord.py client that sends the burst's messages itself at the due second."""
    import discord

    from bot.environment import point_discord_at
    from cogs.events.due import CONCURRENCY

    point_discord_at(os.environ["DISCORD_API_BASE"], os.environ["DISCORD_GATEWAY_URL"])
    due, count = int(os.environ["BENCH_DUE"]), int(os.environ["BENCH_COUNT"])
    users = [int(u) for u in os.environ["BENCH_USERS"].split(",")]
    client = discord.Client(intents=discord.Intents.default())
    done = asyncio.Event()

    @client.event
    async def on_ready() -> None:
        channel = client.get_channel(int(os.environ["BENCH_CHANNEL"]))
        gate = asyncio.Semaphore(CONCURRENCY)
        await asyncio.sleep(max(0.0, due - time.time()))

        async def one(n: int) -> None:
            async with gate:
                await channel.send(f"⏰ **Burst {n}** starts soon", allowed_mentions=discord.AllowedMentions.none())
                dm = await client.create_dm(discord.Object(users[n % len(users)]))
                await dm.send(f"⏰ Reminder: Burst {n}", allowed_mentions=discord.AllowedMentions.none())

        await asyncio.gather(*(one(n) for n in range(count)))
        done.set()

    runner = asyncio.create_task(client.start(os.environ["DISCORD_TOKEN"]))
    await done.wait()
    await asyncio.sleep(0.5)
    await client.close()
    await runner


# ---------------------------------------------------------------- main


def summary(values: list[float]) -> dict[str, float]:
    return {"n": len(values), "p50_ms": percentile(values, 50) * 1000, "p99_ms": percentile(values, 99) * 1000,
            "max_ms": max(values) * 1000 if values else float("nan")}  # fmt: skip


async def main(events: int, per_event: int, burst: int, runs: int, naive_limit: int, quick: bool) -> dict:
    async with LoopbackDiscord(token="bench-token") as lb:
        guild = lb.add_guild("Bench Community")
        going = [lb.add_user(f"going{i}").id for i in range(50)]
        for user_id in going:
            lb.add_member(guild.id, lb.world.user(user_id))
        with tempfile.TemporaryDirectory() as tmp:
            workdir = Path(tmp)
            empty, loaded = workdir / "empty.db", workdir / "loaded.db"
            await migrate(empty)
            shutil.copy(empty, loaded)
            started = now()
            pending = fill(loaded, guild, events, per_event, time.time())
            fill_s = now() - started
            await start_run(lb, guild, workdir / "warmup.db")  # registers the commands once
            raw: dict[str, dict[str, list[float]]] = {k: {"start_s": [], "rss_mib": []}
                                                      for k in ("empty", "loaded")}  # fmt: skip
            for i in range(runs):  # interleaved, so machine noise hits both alike
                for label, source in (("empty", empty), ("loaded", loaded)):
                    database = workdir / f"{label}-{i}.db"
                    shutil.copy(source, database)
                    elapsed, rss = await start_run(lb, guild, database)
                    for key, value in (("start_s", elapsed), ("rss_mib", rss)):
                        raw[label][key].append(value)
            loading = await scheduler_loading(loaded, naive_limit)
            ours = await burst_run(lb, guild, loaded, burst, going)
            bare = await bare_run(lb, guild, burst, going, workdir)
    med = {k: {m: median(v) for m, v in d.items()} for k, d in raw.items()}
    late = {"bot": {k: summary(v) for k, v in ours.items()}, "bare": {k: summary(v) for k, v in bare.items()}}
    results = {
        "events": events, "pending_reminders": pending, "fill_s": fill_s, "runs": runs, "burst": burst,
        "raw": raw, "median": med, "scheduler_loading": loading, "lateness": late,
        "ratio_start_loaded_vs_empty": med["loaded"]["start_s"] / med["empty"]["start_s"],
        "ratio_rss_loaded_vs_empty": med["loaded"]["rss_mib"] / med["empty"]["rss_mib"],
        "ratio_p50_bot_vs_bare": late["bot"]["all"]["p50_ms"] / late["bare"]["all"]["p50_ms"],
        "ratio_p99_bot_vs_bare": late["bot"]["all"]["p99_ms"] / late["bare"]["all"]["p99_ms"],
    }  # fmt: skip
    e, lo = med["empty"], med["loaded"]
    naive_note = "" if loading["naive_jobs"] >= pending else f", first {loading['naive_jobs']:,.0f} only"
    bot_all, bare_all = late["bot"]["all"], late["bare"]["all"]
    table = [
        ("measure", "baseline", "events bot", "ratio"),
        (f"start-up to first answer, s (median of {runs})", f"{e['start_s']:.2f} (empty tables)",
         f"{lo['start_s']:.2f} ({pending:,} pending)", f"{lo['start_s'] / e['start_s']:.2f}"),
        ("RSS after start, MiB", f"{e['rss_mib']:.1f}", f"{lo['rss_mib']:.1f}", f"{lo['rss_mib'] / e['rss_mib']:.2f}"),
        (f"scheduler jobs held (naive: one per reminder{naive_note}; bot: core due work)",
         f"{loading['naive_jobs']:,.0f}", f"{loading['due_work_jobs']:,.0f}",
         f"{loading['due_work_jobs'] / max(1, loading['naive_jobs']):.5f}"),
        ("arm scheduler: s (naive vs core due work)", f"{loading['naive_s']:.2f}", f"{loading['due_work_s']:.3f}",
         f"{loading['due_work_s'] / loading['naive_s']:.4f}"),
        ("arm scheduler: peak MiB (naive vs core due work)", f"{loading['naive_peak_mib']:.1f}",
         f"{loading['due_work_peak_mib']:.2f}", f"{loading['due_work_peak_mib'] / loading['naive_peak_mib']:.4f}"),
        (f"lateness p50, ms ({burst} due at once: post + DM each)", f"{bare_all['p50_ms']:.0f} (bare client)",
         f"{bot_all['p50_ms']:.0f}", f"{bot_all['p50_ms'] / bare_all['p50_ms']:.2f}"),
        ("lateness p99, ms", f"{bare_all['p99_ms']:.0f}", f"{bot_all['p99_ms']:.0f}",
         f"{bot_all['p99_ms'] / bare_all['p99_ms']:.2f}"),
        ("lateness max, ms", f"{bare_all['max_ms']:.0f}", f"{bot_all['max_ms']:.0f}",
         f"{bot_all['max_ms'] / bare_all['max_ms']:.2f}"),
    ]  # fmt: skip
    results["headline"] = [
        {"figure": f"start-up with {pending:,} pending reminders", "value": f"{lo['start_s']:.2f} s",
         "baseline": "same bot, empty events tables", "ratio": results["ratio_start_loaded_vs_empty"]},
        {"figure": f"RSS with {pending:,} pending reminders", "value": f"{lo['rss_mib']:.0f} MiB",
         "baseline": "same bot, empty events tables", "ratio": results["ratio_rss_loaded_vs_empty"]},
        {"figure": f"reminder lateness p99, {burst} due at once", "value": f"{bot_all['p99_ms']:.0f} ms",
         "baseline": "a bare client sending the same messages", "ratio": results["ratio_p99_bot_vs_bare"]},
    ]
    write_results("events_reminders", results, table, quick=quick)
    return results


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--quick", action="store_true", help="2 runs, 200 at once, naive loading of 20,000 (still 100,000 pending)"
    )
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--per-event", type=int, default=10)
    parser.add_argument("--burst", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--bare-sender", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.bare_sender:
        asyncio.run(bare_sender())
    else:
        runs, burst, naive = (2, 200, 20_000) if args.quick else (args.runs, args.burst, 10**9)
        asyncio.run(main(args.events, args.per_event, burst, runs, naive, args.quick))
