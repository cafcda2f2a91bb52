"""Run every benchmark and collect one JSON file and one Markdown table.

    python -m bench [--quick] [--only NAME ...]

Each `bench/<name>.py` with a `__main__` block is run as its own process (`python -m bench.<name>
[--quick]`), so one benchmark's memory never colours another's. Each writes `bench/results/<name>.json`
and prints a Markdown table; this runner gathers the tables into `bench/results/SUMMARY.md` and the JSON
into `bench/results/all.json`.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).parent
RESULTS = HERE / "results"
NOT_BENCHMARKS = {"__init__", "__main__", "common", "bare_bot"}


def benchmark_names() -> list[str]:
    """Modules in bench/ that are benchmarks, in a stable order."""
    return sorted(p.stem for p in HERE.glob("*.py") if p.stem not in NOT_BENCHMARKS and not p.stem.startswith("_"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="smaller sizes, a few minutes in all")
    parser.add_argument("--only", nargs="*", default=None, help="run only these benchmarks")
    args = parser.parse_args()
    names = args.only or benchmark_names()
    sections, combined, failed = [], {}, []
    for name in names:
        started = time.perf_counter()
        command = [sys.executable, "-m", f"bench.{name}", *(["--quick"] if args.quick else [])]
        print(f"== {name}: {' '.join(command[1:])}", flush=True)
        result = subprocess.run(command, capture_output=True, text=True, cwd=HERE.parent)
        took = time.perf_counter() - started
        if result.returncode != 0:
            failed.append(name)
            print(result.stdout[-2000:], result.stderr[-4000:], sep="\n")
            continue
        table = "\n".join(line for line in result.stdout.splitlines() if line.startswith("|"))
        print(table, flush=True)
        sections.append(f"### {name} ({took:.0f} s{', quick' if args.quick else ''})\n\n{table}\n")
        path = RESULTS / f"{name}.json"
        if path.exists():
            combined[name] = json.loads(path.read_text())
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "all.json").write_text(json.dumps(combined, indent=2, sort_keys=True) + "\n")
    (RESULTS / "SUMMARY.md").write_text("# Benchmark results\n\n" + "\n".join(sections))
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
