"""Shared benchmark plumbing: a loopback to run against, bot processes, percentiles, result files."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import psutil

if TYPE_CHECKING:
    from loopback import Guild, LoopbackDiscord

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


async def first_answer(loopback: LoopbackDiscord, guild: Guild, identified_before: int, *, within: float) -> None:
    """Wait for a new client's IDENTIFY and its /about command, then invoke /about until one is answered (any
    client that answers everything answers it too). `within` bounds each of the two waits."""
    await loopback.wait_until(lambda: loopback.gateway.identify_count > identified_before, timeout=within)
    await loopback.wait_until(
        lambda: any(c["name"] == "about" for c in loopback.commands_registered(guild.id)), timeout=within
    )
    while True:
        ix = await loopback.invoke_slash(guild.id, guild.channel("general").id, guild.owner_id, "about")
        try:
            await ix.wait_response(timeout=5)
            return
        except TimeoutError:
            continue


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


def results_dir(quick: bool) -> Path:
    """bench/results for full runs (kept in git), bench/results/quick for quick ones (not kept)."""
    return RESULTS / "quick" if quick else RESULTS


def write_results(name: str, results: dict[str, Any], table: list[tuple[str, ...]], *, quick: bool = False) -> None:
    """Write <results>/<name>.json and print a Markdown table.

    A benchmark's headline figures go in `results["headline"]`: a list of {"figure", "value", "baseline",
    "ratio"} (ratio = this bot / baseline; "higher_is_better": True where more is better), gathered by
    `python -m bench` into one table.
    """
    folder = results_dir(quick)
    folder.mkdir(parents=True, exist_ok=True)
    stamped = {**results, "_table": [list(row) for row in table],
               "_date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")}
    (folder / f"{name}.json").write_text(json.dumps(stamped, indent=2, sort_keys=True) + "\n")
    print(markdown_table(table))


def markdown_table(table: list[tuple[str, ...]] | list[list[str]]) -> str:
    header, *rows = table
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return "\n".join(lines + ["| " + " | ".join(row) + " |" for row in rows])
