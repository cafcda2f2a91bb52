"""Interaction latency and throughput: the community bot against a bare discord.py bot, same loopback, same run.

Three things members really do, each sent the same way to both bots:

- `/communities recommend` over a directory of 10,000 communities, by members of whom 80% finished onboarding:
  a quarter give every option, the others one or none (the rest comes from their profile); no member sends the
  same options twice in a run;
- `/qa search` over `--questions` stored questions (100,000 quick, 1,000,000 full), with distinct queries that
  never repeat within a run (Corpus.queries: common and rare words, sentences, misses, typos);
- a click on an RSVP button of an event announcement the real bot made (`/event create` + Confirm), members in
  turn, each switching between Going and Maybe at every click, so every click changes the answer and the counts.

For each: a steady 200/s for a few seconds, three times (the medians of p50 and p99; the share answered within
Discord's 3 s over all three), then the highest sustained rate (bench/load.py: 99% answered within 250 ms).
The bare bot (bench/bare_bot.py) registers the same commands with the same options and answers each with a fixed
ephemeral text from its command callback, and every button click from `on_interaction`: the floor for discord.py
on this machine, doing the same dispatch work per interaction as the community bot. A third client,
bench/null_client.py (no discord.py at all), gives the harness's own ceiling: the loopback and the load
generator share one process, so no bot can show a higher rate than that client does.

Questions are seeded before the bot starts: the history (archived, 40% solved) in bulk through the real table
and its triggers (the full-text index fills itself, as in bench/qa_search.py), then merged into one segment as the
bot's daily upkeep leaves it (`qa:search-index`), and the last 1,000 through QAStore.add_question and mark_answer,
as the bot stores them (a busy day's questions since the last merge: the index is in several segments again).

    python -m bench.interactions [--quick] [--questions N] [--seconds S]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bench.common import first_answer, now, process_env, spawn, terminate, write_results
from bench.communities_recommend import queries as preference_queries
from bench.communities_recommend import synthetic_data
from bench.load import Janitor, highest_sustained, run_rate
from bench.qa_search import Corpus, bulk_load
from bot.client import all_migrations
from bot.database import Database
from bot.discovery import feature_packages
from cogs.communities.vocabulary import LEVEL_KEYS, REGION_KEYS, ROLE_KEYS, TOPIC_KEYS
from cogs.qa.models import NewQuestion
from cogs.qa.rules import Timing
from cogs.qa.search import QuestionSearch, match_expression
from cogs.qa.settings import QASettings
from cogs.qa.store import QAStore
from loopback import Guild, InteractionRecord, LoopbackDiscord
from tests.harness import SHIPPED_CONFIG

STEADY_RATE = 200.0
SEARCH_QUERIES = 60_000  # distinct; more than a full run sends, so none repeats
DIRECTORY_ENTRIES = 10_000
PROFILED_SHARE = 0.8  # members who finished onboarding: recommend fills what they leave out from their profile
STEADY_REPEATS = 3
PAIR_STRIDE = 7919  # a prime, so coprime with the number of pairs (500 option sets x members) unless a multiple of it
RECENT_QUESTIONS = 1000
Send = Callable[[int], Awaitable[InteractionRecord]]


@dataclass
class World:
    """What the scenarios need: the loopback, the guild, members, and the RSVP message made by the bot."""

    lb: LoopbackDiscord
    guild: Guild
    members: list[int]
    search_queries: list[str]
    recommend_options: list[dict[str, str]]
    rsvp_message_id: int = 0
    rsvp_ids: tuple[str, str] = ("", "")
    # Counters that run across every step of a run (the load generator's `i` starts again at each step), so no
    # search query repeats and each member's RSVP alternates whenever they click.
    sent: dict[str, int] = field(default_factory=dict)
    rsvp_choice: dict[int, int] = field(default_factory=dict)

    def next(self, scenario: str) -> int:
        n = self.sent.get(scenario, 0)
        self.sent[scenario] = n + 1
        return n


def scenarios(w: World) -> dict[str, Send]:
    general = w.guild.channel("general").id

    async def recommend(i: int) -> InteractionRecord:
        # Every (options, member) pair at most once per run (a stride coprime with the number of pairs walks all of
        # them), so an answer repeats only where members really ask the same: same options and profile.
        pair = (w.next("recommend") * PAIR_STRIDE) % (len(w.recommend_options) * len(w.members))
        options = w.recommend_options[pair % len(w.recommend_options)]
        return await w.lb.invoke_slash(w.guild.id, general, w.members[pair // len(w.recommend_options)], "communities",
                                       options, "recommend")

    async def search(i: int) -> InteractionRecord:
        n = w.next("search")  # distinct queries, none repeated within a run (see Corpus.queries)
        query = w.search_queries[n % len(w.search_queries)]
        return await w.lb.invoke_slash(w.guild.id, general, w.members[n % len(w.members)], "qa", {"query": query},
                                       "search")

    async def rsvp(i: int) -> InteractionRecord:
        # Members in turn, each switching between Going and Maybe at every click of theirs: every click changes
        # the stored answer and the counts, and consecutive clicks take both paths.
        member = w.members[(w.next("rsvp") * 7) % len(w.members)]
        choice = w.rsvp_choice[member] = 1 - w.rsvp_choice.get(member, 1)
        return await w.lb.click_button(w.rsvp_message_id, w.rsvp_ids[choice], member)

    return {"/communities recommend": recommend, "/qa search": search, "RSVP click": rsvp}


# ---------------------------------------------------------------- setting up


def recommend_options(prefs: list[Any]) -> list[dict[str, str]]:
    """What members type into /communities recommend: everything, or only some options (the rest from the profile)."""
    out = []
    for n, p in enumerate(prefs):
        full = {"role": p.role, "interests": ", ".join(p.interests), "region": p.region, "level": p.level}
        keep = [("role", "interests", "region", "level"), ("region",), ("interests",), ()][n % 4]
        out.append({key: full[key] for key in keep})
    return out


def write_directory(workdir: Path) -> Path:
    """A settings file whose directory holds DIRECTORY_ENTRIES communities (the shipped one has 18)."""
    directory = workdir / "communities.yaml"
    entries = synthetic_data(DIRECTORY_ENTRIES)
    directory.write_text(yaml.safe_dump({"version": 1, "communities": entries}, allow_unicode=True))
    config = workdir / "config.yaml"
    settings = yaml.safe_load(SHIPPED_CONFIG.read_text())
    settings.setdefault("communities", {})["directory_file"] = str(directory)
    config.write_text(yaml.safe_dump(settings, allow_unicode=True))
    return config


async def seed_profiles(db: Database, guild: Guild, members: list[int]) -> int:
    """Finished onboarding profiles for most members, written as onboarding's table holds them."""
    rng = random.Random(17)
    stamp = int(time.time()) - 86400
    rows = [
        (guild.id, member, rng.choice(ROLE_KEYS), rng.choice(LEVEL_KEYS),
         json.dumps(rng.sample(TOPIC_KEYS, rng.randint(1, 3))), rng.choice(REGION_KEYS), "finished", stamp, stamp)
        for member in members if rng.random() < PROFILED_SHARE
    ]
    await db.executemany(
        "INSERT INTO onboarding_profiles (guild_id, user_id, role, level, interests, region, status, created_at,"
        " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    return len(rows)


async def seed_database(path: Path, guild: Guild, questions: int, members: list[int]) -> dict[str, float]:
    """Every feature's tables, `questions` questions of which the newest 1,000 go through the Q&A store."""
    db = await Database.open(path)
    try:
        await db.migrate(all_migrations(feature_packages()))
        forum = guild.channel("questions").id
        corpus = Corpus(20250303, guild=guild.id, other_guild=guild.id + 1, forum=forum)
        started, stamp = now(), int(time.time())
        history = max(0, questions - RECENT_QUESTIONS)
        await bulk_load(db, corpus, history, stamp - 86400)
        await QuestionSearch(db).merge_index()
        store, timing = QAStore(db), Timing.from_settings(QASettings())
        base = 1_300_000_000_000_000_000
        rng = random.Random(5)
        for n in range(questions - history):
            row = corpus.row(n, stamp)
            thread = base + n
            tags = [t for t in row[6].split("\n") if t]
            await store.add_question(NewQuestion(thread, guild.id, forum, rng.choice(members), row[4], row[5], tags,
                                                 "ask", stamp - 3600), timing)
            if n % 5 < 2:
                await store.mark_answer(thread, message_id=thread + 7, author_id=rng.choice(members),
                                        text=corpus.text(8, 40), by_id=members[0], at=stamp - 600, timing=timing)
        profiles = await seed_profiles(db, guild, members)
        await db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        stored = await db.fetchval("SELECT COUNT(*) FROM qa_questions WHERE guild_id = ?", (guild.id,))
        return {"questions": await db.fetchval("SELECT COUNT(*) FROM qa_questions"), "in_guild": stored,
                "index_segments": await QuestionSearch(db).index_segments(),
                "profiles": profiles, "directory_entries": DIRECTORY_ENTRIES,
                "seed_s": now() - started, "database_mib": await db.size_bytes() / 2**20}
    finally:
        await db.close()


async def create_event(w: World) -> None:
    """The owner runs /event create and presses Confirm: the announcement with RSVP buttons is the bot's own."""
    lb, guild = w.lb, w.guild
    preview = await lb.invoke_slash(guild.id, guild.channel("general").id, guild.owner_id, "event",
                                    {"title": "Benchmark meetup", "when": "in 3 days"}, "create")
    await preview.wait_response(timeout=30)
    message = await preview.wait_original(timeout=30)
    confirm = next(c["custom_id"] for row in message.components for c in row["components"]
                   if c.get("custom_id", "").startswith("ev:confirm:"))
    events = guild.channel("events").id
    click = await lb.click_button(message.id, confirm, guild.owner_id)
    await click.wait_response(timeout=30)
    announcement = await lb.wait_until(
        lambda: next((m for m in lb.channel_messages(events) if m.components), None), timeout=30)
    ids = [c["custom_id"] for row in announcement.components for c in row["components"]]
    w.rsvp_message_id = announcement.id
    w.rsvp_ids = (next(i for i in ids if i.endswith(":g")), next(i for i in ids if i.endswith(":m")))


# ---------------------------------------------------------------- measuring


@dataclass
class Plan:
    seconds: float
    ramp_seconds: float
    top: float
    refine: int
    scenarios: tuple[str, ...] = ()  # all when empty
    clients: tuple[str, ...] = ("community", "bare", "harness")
    rounds: int = 2


async def measure_client(w: World, label: str, proc: asyncio.subprocess.Process, plan: Plan,
                         janitor: Janitor, *, steady: bool = True) -> dict[str, Any]:
    out: dict[str, Any] = {}
    try:
        for name, send in scenarios(w).items():
            if plan.scenarios and name not in plan.scenarios:
                continue
            print(f"   {label}: {name}", flush=True)
            await run_rate(w.lb, send, 20, 1, janitor=janitor)  # warm-up: caches, prepared statements
            result: dict[str, Any] = {}
            if steady:
                repeats = []
                for _ in range(STEADY_REPEATS):
                    repeats.append((await run_rate(w.lb, send, STEADY_RATE, plan.seconds, janitor=janitor)).as_dict())
                    await asyncio.sleep(0.5)
                result["steady"] = steady_summary(repeats)
            ceiling = await highest_sustained(w.lb, send, start=2 * STEADY_RATE, seconds=plan.ramp_seconds,
                                              top=plan.top, refine=plan.refine, janitor=janitor)
            result["max_sustained_rate"] = ceiling.rate
            result["limited_by"] = ceiling.limited_by
            result["ramp"] = ceiling.steps
            out[name] = result
    finally:
        await terminate(proc)
        await asyncio.sleep(0.3)
    return out


def steady_summary(repeats: list[dict[str, Any]]) -> dict[str, Any]:
    """The median p50 and p99 of the repeats (a neighbour's burst of CPU spoils one, not the figure); counts summed."""
    out = {key: sum(r[key] for r in repeats) for key in ("sent", "answered", "on_time", "within_3s")}
    out.update({key: statistics.median(r[key] for r in repeats) for key in ("p50_ms", "p99_ms", "achieved_rate")})
    out.update(rate=STEADY_RATE, seconds=sum(r["seconds"] for r in repeats), max_ms=max(r["max_ms"] for r in repeats),
               repeats=repeats)
    return out


async def start_client(w: World, module: str, workdir: Path, **env: str) -> asyncio.subprocess.Process:
    identified = w.lb.gateway.identify_count
    env.setdefault("BOT_CONFIG", str(workdir / "config.yaml"))
    proc = await spawn(module, process_env(w.lb, BOT_DATABASE=str(workdir / "bench.db"), **env), workdir)
    await asyncio.wait_for(first_answer(w.lb, w.guild, identified, within=120), timeout=360)
    await asyncio.sleep(1.0)  # member chunks and on_ready work settle before measuring
    return proc


async def main(quick: bool, questions: int, plan: Plan, member_count: int) -> dict:
    async with LoopbackDiscord(token="bench-token") as lb:
        lb.interaction_deadline = None  # measure lateness instead of failing it
        guild = lb.add_guild("Bench Community")
        members = [m.user.id for m in lb.add_members(guild.id, member_count)]
        corpus = Corpus(99)
        typed = [q for q in corpus.queries(SEARCH_QUERIES) if match_expression(q)]
        options = recommend_options(preference_queries(500, seed=5))
        w = World(lb, guild, members, typed, options)
        janitor = Janitor(lb)
        with tempfile.TemporaryDirectory() as tmp:
            workdir = Path(tmp)
            print(f"   seeding {questions:,} questions", flush=True)
            seeded = await seed_database(workdir / "bench.db", guild, questions, members)
            write_directory(workdir)
            # Community, bare, then bare, community (with --rounds 2, the default): the machine's speed drifts over
            # minutes (neighbours; runs of the same build differed by 2x in a bare bot's rate), and in this order each
            # bot runs once early and once late; the figures are the means of its rounds.
            runs: dict[str, list[dict[str, Any]]] = {"community": [], "bare": []}
            for round_no in range(plan.rounds):
                order = [c for c in ("community", "bare") if c in plan.clients]
                for label in order if round_no % 2 == 0 else order[::-1]:
                    if label == "community":
                        proc = await start_client(w, "bot", workdir)
                        if not w.rsvp_message_id:
                            await create_event(w)
                    else:
                        proc = await start_client(w, "bench.bare_bot", workdir, BARE_ANSWER_ALL="1")
                    runs[label].append(await measure_client(w, label, proc, plan, janitor))
            ours = mean_of(runs["community"])
            bare = mean_of(runs["bare"]) if runs["bare"] else {}
            harness = {}
            if "harness" in plan.clients:
                proc = await start_client(w, "bench.null_client", workdir)
                harness = await measure_client(w, "harness", proc, plan, janitor, steady=False)
    return {"quick": quick, "steady_rate": STEADY_RATE, "plan": plan.__dict__, "members": member_count,
            "seeded": seeded, "community": ours, "bare": bare, "harness": harness, "rounds": runs}


def mean_of(rounds: list[dict[str, Any]]) -> dict[str, Any]:
    """Each scenario's figures over a bot's rounds: p50, p99 and highest sustained rate averaged, counts summed."""
    out: dict[str, Any] = {}
    for name in (key for key, value in rounds[0].items() if isinstance(value, dict)):  # scenarios, not start-up
        runs = [r[name] for r in rounds]
        steady = {key: sum(r["steady"][key] for r in runs) for key in ("sent", "answered", "on_time", "within_3s")}
        steady.update({key: statistics.mean(r["steady"][key] for r in runs) for key in ("p50_ms", "p99_ms")})
        limits = {r["limited_by"] for r in runs}
        out[name] = {"steady": steady, "max_sustained_rate": statistics.mean(r["max_sustained_rate"] for r in runs),
                     "limited_by": limits.pop() if len(limits) == 1 else "bot",
                     "rates": [r["max_sustained_rate"] for r in runs]}
    return out


def summarise(r: dict) -> tuple[list[tuple[str, ...]], list[dict[str, Any]]]:
    table = [("scenario", "bot", "p50 ms @200/s", "p99 ms @200/s", "within 3 s", "max sustained /s",
              "p50 ratio", "p99 ratio", "max-rate ratio")]
    headline = []
    for name, ours in r["community"].items():
        bare, harness = r["bare"][name], r["harness"][name]
        b = bare["steady"]
        for label, x in (("community", ours), ("bare", bare)):
            s = x["steady"]
            table.append((name, label, f"{s['p50_ms']:.1f}", f"{s['p99_ms']:.1f}",
                          f"{s['within_3s']}/{s['sent']}", _rate(x),
                          f"{s['p50_ms'] / b['p50_ms']:.2f}", f"{s['p99_ms'] / b['p99_ms']:.2f}",
                          f"{x['max_sustained_rate'] / max(bare['max_sustained_rate'], 1):.2f}"))
        table.append((name, "harness ceiling (null client)", "", "", "", _rate(harness), "", "", ""))
        s = ours["steady"]
        headline += [
            {"figure": f"{name}: p50 at 200/s", "value": f"{s['p50_ms']:.1f} ms",
             "baseline": f"{b['p50_ms']:.1f} ms (bare bot)", "ratio": s["p50_ms"] / b["p50_ms"]},
            {"figure": f"{name}: p99 at 200/s", "value": f"{s['p99_ms']:.1f} ms",
             "baseline": f"{b['p99_ms']:.1f} ms (bare bot)", "ratio": s["p99_ms"] / b["p99_ms"]},
            {"figure": f"{name}: highest sustained rate", "value": _rate(ours, "/s"),
             "baseline": f"{_rate(bare, '/s')} (bare bot); harness {_rate(harness, '/s')}",
             "ratio": ours["max_sustained_rate"] / max(bare["max_sustained_rate"], 1), "higher_is_better": True},
        ]
    return table, headline


def _rate(x: dict, unit: str = "") -> str:
    mark = {"generator": " (generator-bound)", "ceiling": "+"}.get(x["limited_by"], "")
    return f"{x['max_sustained_rate']:.0f}{unit}{mark}"


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="100,000 questions, 3 x 2 s at 200/s, 2 s ramp steps")
    parser.add_argument("--questions", type=int, default=None)
    parser.add_argument("--seconds", type=float, default=None, help="seconds of each of the three runs at 200/s")
    parser.add_argument("--members", type=int, default=2000)
    parser.add_argument("--scenarios", nargs="*", default=(), help="only these (e.g. '/qa search'), for profiling")
    parser.add_argument("--community-only", action="store_true", help="no baselines (profiling; no table)")
    parser.add_argument("--rounds", type=int, default=2, help="community, bare, then bare, community (1: once each)")
    args = parser.parse_args()
    count = args.questions or (100_000 if args.quick else 1_000_000)
    plan = Plan(seconds=args.seconds or (2.0 if args.quick else 5.0), ramp_seconds=2.0 if args.quick else 4.0,
                top=3200.0 if args.quick else 6400.0, refine=1 if args.quick else 3, scenarios=tuple(args.scenarios),
                clients=("community",) if args.community_only else ("community", "bare", "harness"), rounds=args.rounds)
    result = asyncio.run(main(args.quick, count, plan, args.members))
    if args.community_only:
        for name, x in result["community"].items():
            print(name, {k: round(v, 2) for k, v in x["steady"].items() if isinstance(v, float)},
                  "max sustained", x["max_sustained_rate"])
        raise SystemExit(0)
    table, headline = summarise(result)
    result["headline"] = headline
    write_results("interactions", result, table, quick=args.quick)
