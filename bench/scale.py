"""Several processes on PostgreSQL against one process on SQLite, and the store operations on both engines.

Part 1, the fleet: one loopback Discord with `--guilds` servers (1,000), an event announcement with RSVP buttons in
each, five members each. The bot runs as 1 process on SQLite (the baseline), then 1, 2 and 4 processes on one
PostgreSQL database (BOT_SHARD_COUNT = the processes, one shard each, `python -m bot` as in production; each
configuration on a fresh database). The same load goes to each: RSVP clicks spread over every server (each a write:
the answer, the counts, the announcement's edit), members in turn switching between Going and Maybe.
Figures: p50/p99 at a steady 200 clicks/s, the highest sustained rate (bench/load.py: 99% answered within 250 ms),
and the resident memory of each process after the runs. The load generator and the loopback share this process:
their own ceiling is bench/interactions.py's "harness" row, and a rate marked "(generator-bound)" is theirs.

Part 2, the store operations, on a fresh SQLite file and a fresh PostgreSQL database side by side: record a question
(QAStore.add_question, one transaction each), search `--questions` stored questions (1,000,000; quick 20,000) with
QuestionSearch.search on distinct queries, and claim 1,000 due reminders the way the reminder pass does (due_batch +
claim_many in batches of 200, each claim writing its deliveries). Ratios PostgreSQL / SQLite.

    python -m bench.scale [--quick] [--guilds N] [--questions N] [--part fleet|store]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import discord
import yaml

from bench.common import percentile, rss_mib, write_results
from bench.load import Janitor, highest_sustained, run_rate
from bench.qa_search import Corpus, bulk_load
from bot.client import all_migrations
from bot.database import Database
from bot.discovery import feature_packages
from cogs.events.models import NewEvent, Rsvp, RsvpCounts
from cogs.events.recurrence import Recurrence
from cogs.events.store import EventStore
from cogs.events.views import rsvp_view
from cogs.qa.models import NewQuestion
from cogs.qa.rules import Timing
from cogs.qa.search import QuestionSearch, match_expression
from cogs.qa.settings import QASettings
from cogs.qa.store import QAStore
from loopback import InteractionRecord, LoopbackDiscord
from tests.databases import blank_postgres, drop_postgres, postgres_problem, postgres_url
from tests.harness import SHIPPED_CONFIG
from tests.scale.fleet import Fleet

STEADY_RATE = 200.0
MEMBERS_PER_GUILD = 5
CONFIGS = (("SQLite, 1 process", "sqlite", 1), ("PostgreSQL, 1 process", "postgresql", 1),
           ("PostgreSQL, 2 processes", "postgresql", 2), ("PostgreSQL, 4 processes", "postgresql", 4))
BASELINE = CONFIGS[0][0]
CLAIMED = 1000  # due reminders claimed in part 2
CLAIM_BATCH = 200  # cogs/events/due.py BATCH
Send = Callable[[int], Awaitable[InteractionRecord]]


# ---------------------------------------------------------------- part 1: the fleet


@dataclass
class Announcements:
    """Per guild: the announcement message and its Going / Maybe custom_ids; who clicks next."""

    by_guild: list[tuple[int, str, str, list[int]]] = field(default_factory=list)
    sent: int = 0
    choice: dict[int, int] = field(default_factory=dict)

    def send(self, lb: LoopbackDiscord) -> Send:
        async def click(i: int) -> InteractionRecord:
            n = self.sent
            self.sent += 1
            message_id, going, maybe, members = self.by_guild[(n * 7919) % len(self.by_guild)]
            member = members[(n // len(self.by_guild)) % len(members)]
            choice = self.choice[member] = 1 - self.choice.get(member, 1)
            return await lb.click_button(message_id, (going, maybe)[choice], member)

        return click


def fleet_config(workdir: Path) -> Path:
    """The shipped settings with global command sync: 1,000 per-server uploads per configuration are start-up work
    this benchmark does not measure (bench/startup.py does)."""
    data = yaml.safe_load(SHIPPED_CONFIG.read_text())
    data["sync"] = "global"
    path = workdir / "config.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


async def seed_events(lb: LoopbackDiscord, db: Database) -> Announcements:
    """An active event in every guild, its announcement posted as the bot would (with the RSVP buttons)."""
    await db.migrate(all_migrations(feature_packages()))
    store = EventStore(db)
    now = int(time.time())
    starts = now + 3 * 86400
    out = Announcements()
    for guild in lb.world.guilds.values():
        channel = guild.channel("events")
        new = NewEvent(guild.id, guild.owner_id, "Benchmark meetup", "", "Room 1", "UTC", "18:00", 3600,
                       Recurrence.NONE, 1, (), None, starts)  # fmt: skip
        event_id, occurrence_id = await store.insert_draft(new, now)
        assert await store.activate(event_id, channel.id, now)
        seq = int(await db.fetchval("SELECT seq FROM event_occurrences WHERE id = ?", (occurrence_id,)))
        components = rsvp_view(event_id, seq, RsvpCounts()).to_components()
        message = await lb.send_message(channel.id, lb.bot_user.id, "", components=components)
        await store.set_message(occurrence_id, message.id)
        members = [m.user.id for m in guild.members.values() if m.user.id not in (lb.bot_user.id, guild.owner_id)]
        out.by_guild.append((message.id, f"ev:rsvp:{event_id}:{seq}:{Rsvp.GOING.code}",
                             f"ev:rsvp:{event_id}:{seq}:{Rsvp.MAYBE.code}", members))
    return out


async def measure_fleet(lb: LoopbackDiscord, workdir: Path, engine: str, processes: int, quick: bool,
                        janitor: Janitor) -> dict[str, Any]:
    name = None
    target: Path | str = workdir / f"fleet-{processes}.db"  # a Path is SQLite, a URL PostgreSQL
    if engine == "postgresql":
        name = await blank_postgres()
        target = postgres_url(name)
    try:
        db = await Database.open(target)
        try:
            announcements = await seed_events(lb, db)
        finally:
            await db.close()
        run = workdir / f"{engine}-{processes}"
        run.mkdir()
        started = time.perf_counter()
        async with Fleet(lb, run, str(target), processes, config=fleet_config(run)) as fleet:
            await fleet.start(timeout=600)
            start_s = time.perf_counter() - started
            await asyncio.sleep(2.0)  # member chunks and on_ready work settle
            send = announcements.send(lb)
            await run_rate(lb, send, 20, 2, janitor=janitor)  # warm-up: caches, prepared statements
            steady = []
            for _ in range(1 if quick else 3):
                steady.append((await run_rate(lb, send, STEADY_RATE, 3 if quick else 5, janitor=janitor)).as_dict())
                await asyncio.sleep(0.5)
            ceiling = await highest_sustained(lb, send, start=2 * STEADY_RATE, seconds=2 if quick else 4,
                                              top=1600 if quick else 3200, refine=1 if quick else 2, janitor=janitor)
            rss = [rss_mib(p.proc.pid) for p in fleet.processes if p.proc is not None]
            codes = await fleet.stop()
        assert set(codes.values()) == {0}, fleet.logs()[-3000:]
    finally:
        if name is not None:
            await drop_postgres(name)
    return {
        "processes": processes, "engine": engine, "start_s": start_s,
        "p50_ms": statistics.median(s["p50_ms"] for s in steady),
        "p99_ms": statistics.median(s["p99_ms"] for s in steady),
        "within_3s": sum(s["within_3s"] for s in steady), "sent": sum(s["sent"] for s in steady),
        "max_sustained_rate": ceiling.rate, "limited_by": ceiling.limited_by, "ramp": ceiling.steps,
        "rss_mib": rss, "steady": steady,
    }


async def fleet_part(guilds: int, quick: bool) -> dict[str, Any]:
    async with LoopbackDiscord(token="bench-token") as lb:
        lb.interaction_deadline = None  # measure lateness instead of failing it
        lb.max_concurrency = 4
        for n in range(guilds):
            guild = lb.add_guild(f"Community {n}")
            lb.add_members(guild.id, MEMBERS_PER_GUILD, prefix=f"m{n}-")
        janitor = Janitor(lb)
        out = {}
        with tempfile.TemporaryDirectory() as tmp:
            for label, engine, processes in CONFIGS:
                print(f"   fleet: {label}", flush=True)
                out[label] = await measure_fleet(lb, Path(tmp), engine, processes, quick, janitor)
    return out


# ---------------------------------------------------------------- part 2: store operations


async def record_questions(db: Database, corpus: Corpus, n: int, now: int) -> dict[str, float]:
    store, timing = QAStore(db), Timing.from_settings(QASettings())
    base = 1_300_000_000_000_000_000
    rows = [corpus.row(i, now) for i in range(n)]
    times = []
    for i, r in enumerate(rows):
        question = NewQuestion(base + i, r[1], r[2], r[3], r[4], r[5], [t for t in r[6].split("\n") if t], "ask", now)
        started = time.perf_counter()
        await store.add_question(question, timing)
        times.append(time.perf_counter() - started)
    return {"per_s": n / sum(times), "p50_ms": percentile(times, 50) * 1000, "p99_ms": percentile(times, 99) * 1000}


async def search_questions(db: Database, queries: list[str], guild: int) -> dict[str, float]:
    search = QuestionSearch(db)
    for q in queries[:50]:  # warm: page cache, prepared statements, word counts
        await search.search(guild, q)
    times = []
    for q in queries[50:]:
        started = time.perf_counter()
        await search.search(guild, q)
        times.append(time.perf_counter() - started)
    return {"p50_ms": percentile(times, 50) * 1000, "p99_ms": percentile(times, 99) * 1000,
            "mean_ms": statistics.fmean(times) * 1000, "queries": len(times)}


async def claim_reminders(db: Database, repeats: int) -> dict[str, float]:
    """Claim CLAIMED due reminders (each with a channel post and two DMs) as the reminder pass does; `repeats`
    times, each on reminders put back to pending with their deliveries removed."""
    store = EventStore(db, lease_s=180 if db.backend == "postgresql" else 0)
    now = int(time.time())
    guild = 800_000_000_000_000_001
    members = (810_000_000_000_000_001, 810_000_000_000_000_002)
    starts = now + 3600
    events = CLAIMED // 10
    for n in range(events):
        new = NewEvent(guild, members[0], f"Meetup {n}", "", "Room", "UTC", "18:00", 3600, Recurrence.NONE, 1, (),
                       None, starts)
        event_id, occurrence_id = await store.insert_draft(new, now - 7200)
        assert await store.activate(event_id, 820_000_000_000_000_001, now - 7200)
        # ten reminders per event, due over the last ten minutes
        await store.add_reminders(occurrence_id, starts, [3600 + 60 * k for k in range(1, 11)], now - 7200)
        for user_id in members:
            await store.set_rsvp(occurrence_id, user_id, Rsvp.GOING, now - 7200, user_id)
    times = []
    for _ in range(repeats):
        await db.execute("DELETE FROM event_deliveries")
        await db.execute("UPDATE event_reminders SET state = 'pending', claimed_by = NULL, claimed_at = NULL,"
                         " retry_at = NULL, finished_at = NULL")
        started = time.perf_counter()
        claimed, position = 0, (0, 0)
        while batch := await store.due_batch(guild, now, CLAIM_BATCH, position):
            position = (batch[-1].due_at, batch[-1].id)
            claimed += len(await store.claim_many(batch, now, dm_reminders=True))
        times.append(time.perf_counter() - started)
        assert claimed == CLAIMED, claimed
    deliveries = await db.fetchval("SELECT COUNT(*) FROM event_deliveries")
    return {"seconds": statistics.median(times), "per_s": CLAIMED / statistics.median(times), "deliveries": deliveries}


async def store_part(questions: int, quick: bool) -> dict[str, Any]:
    corpus = Corpus(20250303)
    typed = [q for q in Corpus(99).queries(400 if quick else 1200) if match_expression(q)]
    out: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for engine in ("sqlite", "postgresql"):
            name = None
            target: Path | str = Path(tmp) / "store.db"
            if engine == "postgresql":
                name = await blank_postgres()
                target = postgres_url(name)
            db = await Database.open(target)
            try:
                await db.migrate(all_migrations(feature_packages()))
                now = int(time.time())
                print(f"   store: {engine}: loading {questions:,} questions", flush=True)
                loaded = await bulk_load(db, corpus, questions, now - 86400)
                if engine == "postgresql":
                    await db.execute("ANALYZE")
                result = {"load_per_s": loaded,
                          "search": await search_questions(db, typed, corpus.guild),
                          "record": await record_questions(db, corpus, 200 if quick else 1000, now),
                          "claim": await claim_reminders(db, 3 if quick else 5)}
                out[engine] = result
                print(f"   store: {engine}: {result}", flush=True)
            finally:
                await db.close()
                if name is not None:
                    await drop_postgres(name)
    return out


# ---------------------------------------------------------------- results


def summarise(r: dict[str, Any]) -> tuple[list[tuple[str, ...]], list[dict[str, Any]]]:
    table: list[tuple[str, ...]] = [("figure", "configuration", "value", "baseline (same run)", "ratio")]
    headline: list[dict[str, Any]] = []
    fleet = r.get("fleet") or {}
    if fleet:
        base = fleet[BASELINE]
        for label, x in fleet.items():
            rows = [
                ("p99 at 200 clicks/s", f"{x['p99_ms']:.1f} ms (p50 {x['p50_ms']:.1f})", f"{base['p99_ms']:.1f} ms",
                 x["p99_ms"] / base["p99_ms"], False),
                ("highest sustained clicks/s", _rate(x), _rate(base),
                 x["max_sustained_rate"] / max(base["max_sustained_rate"], 1), True),
                ("RSS per process", " / ".join(f"{m:.0f}" for m in x["rss_mib"]) + " MiB",
                 f"{base['rss_mib'][0]:.0f} MiB", statistics.fmean(x["rss_mib"]) / base["rss_mib"][0], False),
            ]
            for figure, value, baseline, ratio, higher in rows:
                table.append((figure, label, value, f"{baseline} ({BASELINE})", f"{ratio:.2f}"))
                if label != BASELINE:
                    headline.append({"figure": f"{label}: {figure}", "value": value, "baseline": f"{baseline} (SQLite)",
                                     "ratio": ratio, **({"higher_is_better": True} if higher else {})})
    store = r.get("store") or {}
    if store:
        sq, pg = store["sqlite"], store["postgresql"]
        ops = [
            ("record a question (p50)", f"{pg['record']['p50_ms']:.2f} ms", f"{sq['record']['p50_ms']:.2f} ms",
             pg["record"]["p50_ms"] / sq["record"]["p50_ms"]),
            (f"search {r['questions']:,} questions (p50)", f"{pg['search']['p50_ms']:.2f} ms",
             f"{sq['search']['p50_ms']:.2f} ms", pg["search"]["p50_ms"] / sq["search"]["p50_ms"]),
            (f"search {r['questions']:,} questions (p99)", f"{pg['search']['p99_ms']:.2f} ms",
             f"{sq['search']['p99_ms']:.2f} ms", pg["search"]["p99_ms"] / sq["search"]["p99_ms"]),
            (f"claim {CLAIMED:,} due reminders", f"{pg['claim']['seconds'] * 1000:.0f} ms",
             f"{sq['claim']['seconds'] * 1000:.0f} ms", pg["claim"]["seconds"] / sq["claim"]["seconds"]),
        ]
        for figure, value, baseline, ratio in ops:
            table.append((figure, "PostgreSQL store", value, f"{baseline} (SQLite)", f"{ratio:.2f}"))
            headline.append({"figure": f"PostgreSQL: {figure}", "value": value, "baseline": f"{baseline} (SQLite)",
                             "ratio": ratio})
    return table, headline


def _rate(x: dict[str, Any]) -> str:
    mark = {"generator": " (generator-bound)", "ceiling": "+"}.get(x["limited_by"], "")
    return f"{x['max_sustained_rate']:.0f}/s{mark}"


async def main(args: argparse.Namespace) -> dict[str, Any]:
    problem = postgres_problem()
    if problem is not None:
        raise SystemExit(f"error: this benchmark needs PostgreSQL: {problem}")
    guilds = args.guilds or 1000
    questions = args.questions or (20_000 if args.quick else 1_000_000)
    out: dict[str, Any] = {"quick": args.quick, "guilds": guilds, "questions": questions,
                           "steady_rate": STEADY_RATE, "members_per_guild": MEMBERS_PER_GUILD}
    if args.part in (None, "store"):
        out["store"] = await store_part(questions, args.quick)
    if args.part in (None, "fleet"):
        out["fleet"] = await fleet_part(guilds, args.quick)
    return out


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="20,000 questions, one 3 s run at 200/s, 2 s ramp steps")
    parser.add_argument("--guilds", type=int, default=None)
    parser.add_argument("--questions", type=int, default=None)
    parser.add_argument("--part", choices=("fleet", "store"), default=None)
    parsed = parser.parse_args()
    discord.utils.setup_logging(level=40)  # the loopback's and the client's warnings only
    result = asyncio.run(main(parsed))
    table, headline = summarise(result)
    result["headline"] = headline
    write_results("scale", result, table, quick=parsed.quick)
