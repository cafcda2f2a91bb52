"""What translating costs: the same build answering members in French and Chinese, against itself with
translation switched off (settings `translate: false`, everything English), same loopback, same run.

Members' Discord apps are half `fr`, half `zh-CN`. The interactions are bench/interactions.py's (its scenarios,
seeding and measuring are reused): `/communities recommend` over 10,000 communities, `/qa search` over
`--questions` questions, an RSVP click. For each: p50/p99 at a steady 200/s (median of three runs) and the highest
sustained rate. Start-up is the time from starting the process to its first answer (commands synced with their
translations included), each configuration started on the same database. The two configurations run A B, then
B A; the figures are the means of both rounds, start-up the second round's (the first start loads the directory).

    python -m bench.languages [--quick] [--questions N]
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

from bench.common import write_results
from bench.communities_recommend import queries as preference_queries
from bench.interactions import (
    Plan,
    World,
    create_event,
    mean_of,
    measure_client,
    recommend_options,
    seed_database,
    start_client,
    write_directory,
)
from bench.load import Janitor
from bench.qa_search import Corpus
from cogs.qa.search import match_expression
from loopback import LoopbackDiscord

SETTLE_S = 1.0  # start_client sleeps this long after the first answer
ROUNDS = 2


async def main(quick: bool, questions: int, plan: Plan, member_count: int) -> dict[str, Any]:
    async with LoopbackDiscord(token="bench-token") as lb:
        lb.interaction_deadline = None
        guild = lb.add_guild("Bench Community")
        members = [m.user.id for m in lb.add_members(guild.id, member_count)]
        for n, member in enumerate(members):
            lb.world.user(member).locale = ("fr", "zh-CN")[n % 2]
        corpus = Corpus(99)
        typed = [q for q in corpus.queries(20_000) if match_expression(q)]
        w = World(lb, guild, members, typed, recommend_options(preference_queries(500, seed=5)))
        janitor = Janitor(lb)
        with tempfile.TemporaryDirectory() as tmp:
            workdir = Path(tmp)
            print(f"   seeding {questions:,} questions", flush=True)
            seeded = await seed_database(workdir / "bench.db", guild, questions, members)
            translated = write_directory(workdir)
            english = workdir / "config-english.yaml"
            english.write_text(yaml.safe_dump({**yaml.safe_load(translated.read_text()), "translate": False}))
            out: dict[str, Any] = {"quick": quick, "members": member_count, "seeded": seeded, "rounds": []}
            # Two rounds, A B then B A, so each configuration runs once first and once second; the figures are the
            # means of both rounds. Start-up is round two's: the very first start loads the 10,000-entry directory.
            configs = [("translated", translated), ("english", english)]
            for round_no in range(ROUNDS):
                measured: dict[str, Any] = {}
                for label, config in configs if round_no % 2 == 0 else configs[::-1]:
                    started = time.perf_counter()
                    proc = await start_client(w, "bot", workdir, BOT_CONFIG=str(config))
                    startup = time.perf_counter() - started - SETTLE_S
                    if not w.rsvp_message_id:
                        await create_event(w)
                    measured[label] = {"startup_s": startup, **await measure_client(w, label, proc, plan, janitor)}
                out["rounds"].append(measured)
            for label, _config in configs:
                out[label] = mean_of([r[label] for r in out["rounds"]])
                out[label]["startup_s"] = out["rounds"][-1][label]["startup_s"]
    return out


def summarise(r: dict[str, Any]) -> tuple[list[tuple[str, ...]], list[dict[str, Any]]]:
    table = [("scenario", "p50 ms translated / English", "p99 ms translated / English",
              "max sustained /s translated / English", "p50 ratio", "p99 ratio", "max-rate ratio")]
    headline = []
    ours, base = r["translated"], r["english"]
    for name in (k for k in ours if k != "startup_s"):
        s, b = ours[name]["steady"], base[name]["steady"]
        rate_ratio = ours[name]["max_sustained_rate"] / max(base[name]["max_sustained_rate"], 1)
        table.append((name, f"{s['p50_ms']:.1f} / {b['p50_ms']:.1f}", f"{s['p99_ms']:.1f} / {b['p99_ms']:.1f}",
                      f"{ours[name]['max_sustained_rate']:.0f} / {base[name]['max_sustained_rate']:.0f}",
                      f"{s['p50_ms'] / b['p50_ms']:.2f}", f"{s['p99_ms'] / b['p99_ms']:.2f}", f"{rate_ratio:.2f}"))
        headline += [
            {"figure": f"{name} in fr/zh-CN: p99 at 200/s", "value": f"{s['p99_ms']:.1f} ms",
             "baseline": f"{b['p99_ms']:.1f} ms (translation off)", "ratio": s["p99_ms"] / b["p99_ms"]},
            {"figure": f"{name} in fr/zh-CN: highest sustained rate",
             "value": f"{ours[name]['max_sustained_rate']:.0f}/s",
             "baseline": f"{base[name]['max_sustained_rate']:.0f}/s (translation off)", "ratio": rate_ratio,
             "higher_is_better": True},
        ]
    table.append(("start-up to first answer (s)", "", "", f"{ours['startup_s']:.2f} / {base['startup_s']:.2f}",
                  "", "", f"{ours['startup_s'] / base['startup_s']:.2f}"))
    headline.append({"figure": "start-up to first answer, translated", "value": f"{ours['startup_s']:.2f} s",
                     "baseline": f"{base['startup_s']:.2f} s (translation off)",
                     "ratio": ours["startup_s"] / base["startup_s"]})
    return table, headline


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="20,000 questions, 3 x 2 s at 200/s, 2 s ramp steps")
    parser.add_argument("--questions", type=int, default=None)
    parser.add_argument("--members", type=int, default=2000)
    args = parser.parse_args()
    plan = Plan(seconds=2.0 if args.quick else 4.0, ramp_seconds=2.0 if args.quick else 3.0,
                top=3200.0, refine=1 if args.quick else 2, clients=("community",))
    result = asyncio.run(main(args.quick, args.questions or (20_000 if args.quick else 100_000), plan, args.members))
    table, headline = summarise(result)
    result["headline"] = headline
    write_results("languages", result, table, quick=args.quick)
