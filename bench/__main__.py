"""Run every benchmark and collect one JSON file and one Markdown table.

    python -m bench [--quick] [--only NAME ...]

Each `bench/<name>.py` with a `__main__` block is run as its own process (`python -m bench.<name>
[--quick]`), so one benchmark's memory never colours another's. Each writes `<results>/<name>.json` and
prints a Markdown table; this runner gathers the headline figures of all of them into one table at the top
of `<results>/SUMMARY.md`, each benchmark's own table below it, and all the JSON into `<results>/all.json`.
`<results>` is bench/results for a full run and bench/results/quick for a quick one.

Every figure is a ratio against a baseline measured in the same run, or a count. "worse by" puts them on
one scale: the ratio where lower is better, its inverse where higher is better; the largest is the figure
to work on.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.common import results_dir

HERE = Path(__file__).parent
NOT_BENCHMARKS = {"__init__", "__main__", "common", "bare_bot", "load", "null_client"}


def benchmark_names() -> list[str]:
    """Modules in bench/ that are benchmarks, in a stable order."""
    return sorted(p.stem for p in HERE.glob("*.py") if p.stem not in NOT_BENCHMARKS and not p.stem.startswith("_"))


def worse_by(row: dict[str, Any]) -> float:
    ratio = float(row["ratio"])
    return 1 / ratio if row.get("higher_is_better") and ratio > 0 else ratio


def headline_table(combined: dict[str, Any]) -> tuple[str, dict[str, Any] | None]:
    rows = [(name, row) for name, result in combined.items() for row in result.get("headline", [])]
    worst = max(rows, key=lambda item: worse_by(item[1]), default=None)
    lines = ["| benchmark | figure | this bot | baseline (same run) | ratio | worse by |", "|---|---|---|---|---|---|"]
    for name, row in rows:
        mark = " **(worst)**" if worst is not None and row is worst[1] else ""
        lines.append(f"| {name} | {row['figure']} | {row['value']} | {row['baseline']} | {row['ratio']:.2f} |"
                     f" {worse_by(row):.2f}{mark} |")
    return "\n".join(lines), (None if worst is None else {"benchmark": worst[0], **worst[1]})


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="smaller sizes, a few minutes in all")
    parser.add_argument("--only", nargs="*", default=None, help="run only these benchmarks")
    args = parser.parse_args()
    names = args.only or benchmark_names()
    out = results_dir(args.quick)
    out.mkdir(parents=True, exist_ok=True)
    sections, combined, failed, durations, loads = [], {}, [], {}, {}
    load_before, started_all = os.getloadavg(), time.perf_counter()
    for name in names:
        started = time.perf_counter()
        command = [sys.executable, "-m", f"bench.{name}", *(["--quick"] if args.quick else [])]
        print(f"== {name}: {' '.join(command[1:])}", flush=True)
        result = subprocess.run(command, capture_output=True, text=True, cwd=HERE.parent)
        took = durations[name] = time.perf_counter() - started
        loads[name] = os.getloadavg()[0]
        if result.returncode != 0:
            failed.append(name)
            print(result.stdout[-2000:], result.stderr[-4000:], sep="\n")
            continue
        table = "\n".join(line for line in result.stdout.splitlines() if line.startswith("|"))
        print(table, f"({took:.0f} s)", sep="\n", flush=True)
        sections.append(f"### {name} ({took:.0f} s)\n\n{table}\n")
        path = out / f"{name}.json"
        if path.exists():
            combined[name] = json.loads(path.read_text())
    total = time.perf_counter() - started_all
    headline, worst = headline_table(combined)
    machine = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"), "quick": args.quick, "cpus": os.cpu_count(),
        "python": platform.python_version(), "load_average_before": load_before[0], "load_after": loads,
        "seconds": {"total": total, **durations}, "commit": _commit(), "worst": worst,
    }
    combined["_run"] = machine
    (out / "all.json").write_text(json.dumps(combined, indent=2, sort_keys=True) + "\n")
    peak = max(loads.values(), default=0.0)
    about = (f"`python -m bench{' --quick' if args.quick else ''}` on {machine['date']}, commit {machine['commit']},"
             f" {machine['cpus']} CPUs; 1-minute load average {load_before[0]:.1f} before, at most {peak:.1f} after a"
             f" benchmark; {total / 60:.1f} min in all.")
    (out / "SUMMARY.md").write_text(f"# Benchmark results\n\n{about}\n\n{headline}\n\n" + "\n".join(sections))
    print(f"\n{headline}\n\n{about}\nwritten: {out / 'SUMMARY.md'}, {out / 'all.json'}")
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


def _commit() -> str:
    found = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=HERE.parent)
    return found.stdout.strip() or "unknown"


if __name__ == "__main__":
    sys.exit(main())
