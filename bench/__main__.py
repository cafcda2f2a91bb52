"""Run every benchmark and collect one JSON file and one Markdown table.

    python -m bench [--quick] [--only NAME ...]

Each `bench/<name>.py` with a `__main__` block is run as its own process (`python -m bench.<name>
[--quick]`), so one benchmark's memory never colours another's. Each writes `<results>/<name>.json` (its
figures, its table, its date); this runner adds how long it took, then writes `<results>/all.json` (every
benchmark's JSON) and `<results>/SUMMARY.md`: the headline figures of all benchmarks in one table, then each
benchmark's own table. `<results>` is bench/results for a full run and bench/results/quick for a quick one;
with `--only`, the other benchmarks' latest results in that folder are kept, with their dates.

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

from bench.common import markdown_table, results_dir

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
    table = [("benchmark", "figure", "this bot", "baseline (same run)", "ratio", "worse by")]
    for name, row in rows:
        mark = " **(worst)**" if worst is not None and row is worst[1] else ""
        table.append((name, row["figure"], row["value"], row["baseline"], f"{row['ratio']:.2f}",
                      f"{worse_by(row):.2f}{mark}"))
    return markdown_table(table), (None if worst is None else {"benchmark": worst[0], **worst[1]})


def run_one(name: str, quick: bool, out: Path) -> bool:
    started = time.perf_counter()
    command = [sys.executable, "-m", f"bench.{name}", *(["--quick"] if quick else [])]
    print(f"== {name}: {' '.join(command[1:])}", flush=True)
    result = subprocess.run(command, capture_output=True, text=True, cwd=HERE.parent)
    took = time.perf_counter() - started
    if result.returncode != 0:
        print(result.stdout[-2000:], result.stderr[-4000:], sep="\n")
        return False
    path = out / f"{name}.json"
    data = json.loads(path.read_text())
    data["_seconds"], data["_load_after"] = took, os.getloadavg()[0]
    path.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")
    print(markdown_table(data["_table"]), f"({took:.0f} s)", sep="\n", flush=True)
    return True


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="smaller sizes, a few minutes in all")
    parser.add_argument("--only", nargs="*", default=None, help="run only these benchmarks")
    args = parser.parse_args()
    names = args.only or benchmark_names()
    out = results_dir(args.quick)
    out.mkdir(parents=True, exist_ok=True)
    load_before, started = os.getloadavg()[0], time.perf_counter()
    failed = [name for name in names if not run_one(name, args.quick, out)]
    total = time.perf_counter() - started
    paths = [out / f"{n}.json" for n in benchmark_names()]
    combined = {p.stem: json.loads(p.read_text()) for p in paths if p.exists()}
    headline, worst = headline_table(combined)
    peak = max((combined[n].get("_load_after", 0.0) for n in names if n in combined), default=0.0)
    command = f"python -m bench{' --quick' if args.quick else ''}{' --only ' + ' '.join(names) if args.only else ''}"
    run = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"), "command": command, "commit": _commit(),
        "cpus": os.cpu_count(), "python": platform.python_version(), "load_before": load_before, "seconds": total,
        "ran": names, "worst": worst,
    }
    (out / "all.json").write_text(json.dumps({**combined, "_run": run}, indent=2, sort_keys=True) + "\n")
    about = (f"`{command}` on {run['date']}, commit {run['commit']}, {run['cpus']} CPUs; 1-minute load average"
             f" {load_before:.1f} before, at most {peak:.1f} after a benchmark; {total / 60:.1f} min.")
    sections = [f"### {n} ({data.get('_date', 'undated')}, {data.get('_seconds', float('nan')):.0f} s)\n\n"
                f"{markdown_table(data['_table']) if '_table' in data else '(no table stored)'}\n"
                for n, data in combined.items()]
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
