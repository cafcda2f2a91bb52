"""`recommend` over a directory of 10,000 communities, against baselines measured in the same run.

- ranking: `recommend(entries, prefs, 5)` per query, against a bare scan that only tests each entry's roles
  (the least any ranking must touch) and a naive ranking that explains and sorts every match;
- loading: the store's `active_directory` with a cold cache (parse 10,000 JSON rows) and warm (served from the
  process's cache: no statement), against a bare `SELECT data` of the same rows;
- end to end: `/communities recommend` on the loopback Discord with that directory, by members who finished
  onboarding (their profiles seeded as rows of onboarding's table, so the command reads one profile each time
  and fills in what they did not type), against `/about`; with the statements each recommend ran, counted by
  wrapping the running bot's Database (tests/communities/round_trips.py).

    python -m bench.communities_recommend [--quick] [--entries N] [--postgres URL]

`--postgres URL` runs the end-to-end part on that PostgreSQL database instead of a SQLite file (an empty
database the bench may fill: the bot migrates it and loads the directory into it).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

import yaml

from bench.common import median, now, percentile, write_results
from bot.client import all_migrations
from bot.database import Database, DatabaseTarget
from bot.discovery import feature_packages
from bot.settings import load_settings
from cogs.communities.models import CommunityEntry, Preferences
from cogs.communities.rules import recommend
from cogs.communities.store import DirectoryStore
from cogs.communities.vocabulary import LEVEL_KEYS, PLATFORMS, REGION_KEYS, ROLE_KEYS, TOPIC_KEYS
from loopback import LoopbackDiscord
from tests.communities.round_trips import counting
from tests.harness import SHIPPED_CONFIG, BotHarness

WORDS = ["airflow", "spark", "kubernetes", "podcast", "bootcamp", "mentoring", "hackathon", "lagos", "berlin"]


def synthetic_data(count: int, seed: int = 7) -> list[dict]:
    """Directory entries with random but realistic vocabulary, as the YAML file would hold them."""
    rnd = random.Random(seed)
    entries = []
    for index in range(count):
        words = " ".join(rnd.sample(WORDS, rnd.randint(0, 2)))
        entries.append(
            {
                "key": f"community-{index:05d}",
                "name": f"Community {index:05d}",
                "website": f"https://c{index}.example.org/",
                "join": {"platform": rnd.choice(PLATFORMS.keys), "url": f"https://c{index}.example.org/join"},
                "description": f"A synthetic community number {index} for the benchmark {words}.",
                "topics": rnd.sample(TOPIC_KEYS, rnd.randint(1, 5)),
                "roles": rnd.sample(ROLE_KEYS, rnd.randint(1, 5)),
                "regions": rnd.sample(REGION_KEYS, rnd.randint(1, 2)),
                "levels": rnd.sample(LEVEL_KEYS, rnd.randint(1, 3)),
                "resources": [{"name": "Free course"}] if rnd.random() < 0.3 else [],
                "last_checked": date(2026, 1, 1),
            }
        )
    return entries


def queries(count: int, seed: int = 11) -> list[Preferences]:
    rnd = random.Random(seed)
    return [
        Preferences(
            role=rnd.choice(ROLE_KEYS),
            interests=tuple(rnd.sample(TOPIC_KEYS, rnd.randint(1, 3))),
            region=rnd.choice(REGION_KEYS),
            level=rnd.choice(LEVEL_KEYS),
            keywords=(rnd.choice(WORDS),) if rnd.random() < 0.25 else (),
        )
        for _ in range(count)
    ]


def bare_scan(entries: list[CommunityEntry], prefs: Preferences) -> int:
    """The floor: look at every entry once, test one criterion."""
    return sum(1 for entry in entries if prefs.role in entry.roles)


def naive_recommend(entries: list[CommunityEntry], prefs: Preferences, limit: int) -> list:
    """Explain and sort every matching entry, then cut: what a first implementation would do."""
    return recommend(entries, prefs, limit=len(entries))[:limit]


def time_calls(func, entries, prefs_list, *args) -> list[float]:
    times = []
    for prefs in prefs_list:
        started = now()
        func(entries, prefs, *args)
        times.append((now() - started) * 1000)
    return times


async def loading(data: list[dict], workdir: Path, rounds: int) -> dict[str, list[float]]:
    db = await Database.open(workdir / "load.db")
    await db.migrate(all_migrations(["communities"]))
    store = DirectoryStore(db)
    entries = [CommunityEntry.model_validate(item) for item in data]
    await store.sync_shipped(entries, datetime.now(UTC))
    result: dict[str, list[float]] = {"bare_select_ms": [], "cold_ms": [], "warm_ms": []}
    for _ in range(rounds):
        started = now()
        rows = await db.fetch("SELECT data FROM community_entries WHERE guild_id = 0 AND status = 'active'")
        result["bare_select_ms"].append((now() - started) * 1000)
        assert len(rows) == len(entries)
        store.close()
        store = DirectoryStore(db)  # a fresh cache
        started = now()
        await store.active_directory(1)
        result["cold_ms"].append((now() - started) * 1000)
        started = now()
        assert len(await store.active_directory(1)) == len(entries)
        result["warm_ms"].append((now() - started) * 1000)
    await db.close()
    return result


def profile_rows(guild_id: int, members: list[int], prefs: list[Preferences], stamp: int) -> list[tuple]:
    """onboarding_profiles rows of members who finished onboarding, one set of answers each (member i: prefs[i])."""
    return [
        (guild_id, member, p.role, p.level, json.dumps(list(p.interests)), p.region, stamp, stamp, stamp, stamp)
        for member, p in zip(members, prefs, strict=True)
    ]


async def seed_profiles(db: Database, guild_id: int, members: list[int], prefs: list[Preferences]) -> None:
    """Onboarding profiles as a finished onboarding leaves them (its table, cogs/onboarding/migrations)."""
    await db.executemany(
        "INSERT INTO onboarding_profiles (guild_id, user_id, role, level, interests, region, status, created_at,"
        " started_at, finished_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 'finished', ?, ?, ?, ?)"
        " ON CONFLICT (guild_id, user_id) DO NOTHING",
        profile_rows(guild_id, members, prefs, int(time.time())),
    )


def write_config(workdir: Path, data: list[dict]) -> Path:
    """A settings file for a bot process (BOT_CONFIG): the shipped one, with `data` as the directory file."""
    directory = workdir / "communities.yaml"
    directory.write_text(yaml.safe_dump({"version": 1, "communities": data}, sort_keys=False))
    config = yaml.safe_load(SHIPPED_CONFIG.read_text()) or {}
    config.setdefault("communities", {})["directory_file"] = str(directory)
    path = workdir / "config.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path


async def end_to_end(data: list[dict], workdir: Path, runs: int, postgres: str | None) -> dict[str, list[float]]:
    settings = load_settings(write_config(workdir, data))
    target: DatabaseTarget = postgres or workdir / "e2e.db"
    async with LoopbackDiscord(token="bench-token") as loopback:
        loopback.guild = guild = loopback.add_guild("Bench Community")
        members = [member.user.id for member in loopback.add_members(guild.id, runs, prefix="bench")]
        prefs = queries(runs, seed=5)
        db = await Database.open(target)  # migrated and seeded before the bot starts, as a running server is
        try:
            await db.migrate(all_migrations(feature_packages()))
            await seed_profiles(db, guild.id, members, prefs)
        finally:
            await db.close()
        harness = BotHarness(loopback, target, settings)
        started = now()
        bot = await harness.start()
        start_s = now() - started
        general = guild.channel("general").id
        result: dict[str, list[float]] = {
            "about_ms": [], "recommend_ms_e2e": [], "start_s": [start_s], "recommend_statements": [],
        }
        try:
            for n, member in enumerate(members):  # interleaved, so noise hits both alike
                # Every other member types a region; the profile fills in the rest (and all of it for the others).
                options = {"region": prefs[n].region} if n % 2 else {}
                for name, kind, opts, sub in (
                    ("about", "about_ms", {}, None),
                    ("communities", "recommend_ms_e2e", options, "recommend"),
                ):
                    with counting(bot.db) as trips:
                        t0 = now()
                        ix = await loopback.invoke_slash(guild.id, general, member, name, opts, sub)
                        await ix.wait_response(timeout=30)
                        result[kind].append((now() - t0) * 1000)
                    if sub == "recommend":
                        result["recommend_statements"].append(float(len(trips.statements)))
                        assert "Communities for you" in json.dumps(ix.responses[0]), ix.content_text()
                    assert "Something went wrong" not in ix.content_text()
        finally:
            await harness.stop()
    return result


async def main(count: int, query_count: int, rounds: int, runs: int, postgres: str | None) -> dict:
    data = synthetic_data(count)
    with tempfile.TemporaryDirectory() as tmp:
        # Loading first: with the ranking's 10,000 parsed entries alive, every garbage collection during the
        # bare SELECT would walk them too and blur the baseline.
        load = await loading(data, Path(tmp), rounds)
        started = now()
        entries = [CommunityEntry.model_validate(item) for item in data]
        validate_s = now() - started
        prefs = queries(query_count)
        for p in prefs[:5]:  # warm up: regex compile caches, cached masks and texts
            recommend(entries, p, 5)
        ranking = {
            "bare_scan_ms": time_calls(bare_scan, entries, prefs),
            "recommend_ms": time_calls(recommend, entries, prefs, 5),
            "naive_ms": time_calls(naive_recommend, entries, prefs, 5),
        }
        del entries
        e2e = await end_to_end(data, Path(tmp), runs, postgres)
    engine = "postgresql" if postgres else "sqlite"
    return {"entries": count, "queries": query_count, "validate_file_s": validate_s, "e2e_engine": engine, **ranking,
            **load, **e2e}


def summarise(raw: dict) -> tuple[dict, list[tuple[str, ...]]]:
    def ms(key: str) -> float:
        return median(raw[key])

    summary = {
        "entries": raw["entries"],
        "queries": raw["queries"],
        "recommend_median_ms": ms("recommend_ms"),
        "recommend_p95_ms": percentile(raw["recommend_ms"], 95),
        "recommend_vs_bare_scan": ms("recommend_ms") / ms("bare_scan_ms"),
        "naive_vs_recommend": ms("naive_ms") / ms("recommend_ms"),
        "load_cold_vs_bare_select": ms("cold_ms") / ms("bare_select_ms"),
        "load_warm_vs_bare_select": ms("warm_ms") / ms("bare_select_ms"),
        "e2e_recommend_vs_about": ms("recommend_ms_e2e") / ms("about_ms"),
        "raw": raw,
    }
    table = [
        ("measure", "median", "p95", "ratio"),
        ("recommend (top 5)", f"{ms('recommend_ms'):.2f} ms", f"{percentile(raw['recommend_ms'], 95):.2f} ms", "1"),
        (
            "bare scan (baseline)",
            f"{ms('bare_scan_ms'):.2f} ms",
            f"{percentile(raw['bare_scan_ms'], 95):.2f} ms",
            f"recommend = {summary['recommend_vs_bare_scan']:.1f}x",
        ),
        (
            "naive: explain+sort all",
            f"{ms('naive_ms'):.2f} ms",
            f"{percentile(raw['naive_ms'], 95):.2f} ms",
            f"{summary['naive_vs_recommend']:.1f}x recommend",
        ),
        ("bare SELECT data (baseline)", f"{ms('bare_select_ms'):.1f} ms", "", "1"),
        ("active_directory, cold cache", f"{ms('cold_ms'):.1f} ms", "", f"{summary['load_cold_vs_bare_select']:.1f}x"),
        ("active_directory, warm cache", f"{ms('warm_ms'):.2f} ms", "", f"{summary['load_warm_vs_bare_select']:.3f}x"),
        ("statements per /communities recommend", f"{ms('recommend_statements'):.0f}", "",
         f"max {max(raw['recommend_statements']):.0f}"),
        (
            f"/about on loopback, {raw['e2e_engine']} (baseline)",
            f"{ms('about_ms'):.1f} ms",
            f"{percentile(raw['about_ms'], 95):.1f} ms",
            "1",
        ),
        (
            "/communities recommend on loopback",
            f"{ms('recommend_ms_e2e'):.1f} ms",
            f"{percentile(raw['recommend_ms_e2e'], 95):.1f} ms",
            f"{summary['e2e_recommend_vs_about']:.1f}x",
        ),
        ("bot start with the file (validate + sync)", f"{raw['start_s'][0]:.2f} s", "", ""),
    ]
    return summary, table


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer queries and rounds (under a minute)")
    parser.add_argument("--entries", type=int, default=10_000)
    parser.add_argument("--postgres", help="run the end-to-end part on this PostgreSQL database (postgresql://...)")
    args = parser.parse_args()
    query_count, rounds, runs = (50, 3, 20) if args.quick else (300, 10, 100)
    raw = asyncio.run(main(args.entries, query_count, rounds, runs, args.postgres))
    summary, table = summarise(raw)
    entries = f"{summary['entries']:,}"
    summary["headline"] = [
        {"figure": f"recommend over {entries} communities (top 5), median", "value":
         f"{summary['recommend_median_ms']:.2f} ms", "baseline": "a bare scan of every entry's roles",
         "ratio": summary["recommend_vs_bare_scan"]},
        {"figure": f"recommend over {entries} vs a naive ranking", "value": f"{summary['recommend_median_ms']:.2f} ms",
         "baseline": "explain and sort every match", "ratio": 1 / summary["naive_vs_recommend"]},
        {"figure": f"/communities recommend end to end ({entries} entries)", "value":
         f"{median(raw['recommend_ms_e2e']):.1f} ms", "baseline": "/about on the same bot",
         "ratio": summary["e2e_recommend_vs_about"]},
    ]
    write_results("communities_recommend", summary, table, quick=args.quick)
