"""Shared benchmark plumbing: a loopback to run against, bot processes, percentiles, result files."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import psutil

ROOT = Path(__file__).parents[1]
RESULTS = ROOT / "bench" / "results"


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0-100) by nearest rank; values need not be sorted."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def process_env(loopback: Any, **extra: str) -> dict[str, str]:
    """Environment for a bot process pointed at the loopback."""
    return {
        "PATH": os.environ["PATH"],
        "PYTHONPATH": str(ROOT),
        "DISCORD_TOKEN": loopback.token,
        "DISCORD_API_BASE": loopback.api_base,
        "DISCORD_GATEWAY_URL": loopback.gateway_url,
        "BOT_CONFIG": str(ROOT / "data" / "config.yaml"),
        **extra,
    }


async def spawn(module: str, env: dict[str, str], cwd: Path) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", module, cwd=cwd, env=env,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
    )


async def terminate(proc: asyncio.subprocess.Process) -> int:
    """SIGTERM and wait; SIGKILL after 20 s."""
    if proc.returncode is None:
        proc.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(proc.wait(), timeout=20)
        except TimeoutError:
            proc.kill()
            await proc.wait()
    return proc.returncode


def rss_mib(pid: int) -> float:
    return psutil.Process(pid).memory_info().rss / 2**20


def now() -> float:
    return time.perf_counter()


def write_results(name: str, results: dict[str, Any], table: list[tuple[str, ...]]) -> None:
    """Write bench/results/<name>.json and print a Markdown table."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{name}.json").write_text(json.dumps(results, indent=2, sort_keys=True) + "\n")
    header, *rows = table
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for row in rows:
        print("| " + " | ".join(row) + " |")
