"""Start-up time and idle RSS of the community bot, against a bare discord.py bot in the same run.

Both are real processes against one loopback Discord with a guild of `--members` members (100,000 by
default, in quick mode too: the memory figure is RSS with a 100,000-member server). Start-up is
the time from spawning the process to the first answered `/about` (the moment a member can use the bot);
"cold" starts on an empty database (migrations, first command sync), "warm" on an existing one. RSS is
read once every member is in the bot's cache and it has been idle for a second.

    python -m bench.startup [--quick] [--members N] [--runs N]
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
from pathlib import Path

from bench.common import first_answer, median, now, process_env, rss_mib, spawn, terminate, write_results
from loopback import Guild, LoopbackDiscord


async def one_run(loopback: LoopbackDiscord, guild: Guild, module: str, database: Path) -> tuple[float, float]:
    env = process_env(loopback, BOT_DATABASE=str(database))
    identified_before = loopback.gateway.identify_count
    chunked_before = loopback.gateway.chunk_requests_served
    started = now()
    proc = await spawn(module, env, database.parent)
    try:
        await asyncio.wait_for(first_answer(loopback, guild, identified_before, within=60), timeout=120)
        elapsed = now() - started
        # RSS counts once every member is in the cache: the gateway is ordered, so an answer to a command
        # sent after the last member chunk means the bot has taken in all of them.
        await loopback.wait_until(lambda: loopback.gateway.chunk_requests_served > chunked_before, timeout=300)
        await asyncio.wait_for(first_answer(loopback, guild, identified_before, within=60), timeout=120)
        await asyncio.sleep(1.0)
        rss = rss_mib(proc.pid)
    finally:
        await terminate(proc)
        await asyncio.sleep(0.2)  # let the loopback notice the closed gateway
    return elapsed, rss


async def main(runs: int, members: int, quick: bool) -> dict:
    async with LoopbackDiscord(token="bench-token") as loopback:
        guild = loopback.add_guild("Bench Community")
        loopback.add_members(guild.id, members)
        with tempfile.TemporaryDirectory() as tmp:
            workdir = Path(tmp)
            await one_run(loopback, guild, "bot", workdir / "warm.db")  # registers /about and creates warm.db
            kinds = {"bare": ("bench.bare_bot", None), "cold": ("bot", "cold"), "warm": ("bot", "warm")}
            raw: dict[str, dict[str, list[float]]] = {k: {"start_s": [], "rss_mib": []} for k in kinds}
            for i in range(runs):  # interleaved, so machine noise hits all three alike
                for label, (module, db) in kinds.items():
                    database = workdir / ("warm.db" if db == "warm" else f"{label}-{i}.db")
                    elapsed, rss = await one_run(loopback, guild, module, database)
                    raw[label]["start_s"].append(elapsed)
                    raw[label]["rss_mib"].append(rss)
    med = {k: {m: median(v) for m, v in d.items()} for k, d in raw.items()}
    bare = med["bare"]
    results = {
        "members": members, "runs": runs, "raw": raw, "median": med,
        "ratio_start_cold_vs_bare": med["cold"]["start_s"] / bare["start_s"],
        "ratio_start_warm_vs_bare": med["warm"]["start_s"] / bare["start_s"],
        "ratio_rss_vs_bare": med["warm"]["rss_mib"] / bare["rss_mib"],
    }
    warm = med["warm"]
    results["headline"] = [
        {"figure": f"RSS with a {members:,}-member server", "value": f"{warm['rss_mib']:.0f} MiB",
         "baseline": f"{bare['rss_mib']:.0f} MiB (bare bot)", "ratio": results["ratio_rss_vs_bare"]},
        {"figure": "start-up to first answer (existing database)", "value": f"{warm['start_s']:.2f} s",
         "baseline": f"{bare['start_s']:.2f} s (bare bot)", "ratio": results["ratio_start_warm_vs_bare"]},
        {"figure": "start-up to first answer (empty database)", "value": f"{med['cold']['start_s']:.2f} s",
         "baseline": f"{bare['start_s']:.2f} s (bare bot)", "ratio": results["ratio_start_cold_vs_bare"]},
    ]
    table = [("bot", "start-up to first answer (median s)", "ratio vs bare", "idle RSS (MiB)", "ratio vs bare")]
    for label in kinds:
        s, r = med[label]["start_s"], med[label]["rss_mib"]
        table.append((label, f"{s:.2f}", f"{s / bare['start_s']:.2f}", f"{r:.1f}", f"{r / bare['rss_mib']:.2f}"))
    write_results("startup", results, table, quick=quick)
    return results


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="3 runs instead of 7")
    parser.add_argument("--runs", type=int, default=None)
    parser.add_argument("--members", type=int, default=100_000)
    args = parser.parse_args()
    runs = args.runs or (3 if args.quick else 7)
    asyncio.run(main(runs, args.members, args.quick))
