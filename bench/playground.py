"""How long `community-bot playground` takes to show its first page with the bot ready, against the plain bot's
start-up on the loopback Discord (as tests/harness.py starts it), both measured in the same run.

Both are fresh processes timed from spawning to the moment a person could use them:

- playground: `python -m bot playground --port 0` on a new temporary database, until the page (`/`) and
  `/api/state` both answer 200: the loopback, the fresh server, the bot logged in and synced, /setup create,
  the demo members, questions and meetup made through the bot, the web server;
- baseline: a process that starts the loopback with one community guild and the real bot against it, until the
  bot is ready and its commands are synced (what the playground needs before it seeds anything).

The issue's bound: the playground under 10 s on this machine.

    python -m bench.playground [--quick] [--runs N]
"""

from __future__ import annotations

import argparse
import asyncio
import re
import signal
import sys
import tempfile
import urllib.error
import urllib.request
from pathlib import Path

from bench.common import median, now, write_results

URL = re.compile(rb"open (http://127\.0\.0\.1:\d+/)")
BOUND_S = 10.0


async def read_until(proc: asyncio.subprocess.Process, pattern: re.Pattern[bytes]) -> re.Match[bytes]:
    assert proc.stdout is not None
    while True:
        line = await asyncio.wait_for(proc.stdout.readline(), timeout=120)
        if not line:
            raise RuntimeError("the process ended before it was ready")
        if found := pattern.search(line):
            return found


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


async def stop(proc: asyncio.subprocess.Process) -> None:
    if proc.returncode is None:
        proc.send_signal(signal.SIGINT)
        try:
            await asyncio.wait_for(proc.wait(), timeout=30)
        except TimeoutError:
            proc.kill()
            await proc.wait()


async def playground_run(workdir: Path) -> float:
    started = now()
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-u", "-m", "bot", "playground", "--port", "0", cwd=workdir,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL)
    try:
        url = (await read_until(proc, URL)).group(1).decode()
        for _ in range(6000):  # the page answers once the bot is ready; 2 minutes at most
            if await asyncio.to_thread(answers, url) and await asyncio.to_thread(answers, url + "api/state"):
                return now() - started
            await asyncio.sleep(0.02)
        raise RuntimeError("the playground's page did not answer within 2 minutes")
    finally:
        await stop(proc)


async def plain_run(workdir: Path) -> float:
    started = now()
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-u", "-m", "bench.playground", "--plain-bot", str(workdir / f"plain-{started}.db"),
        cwd=Path(__file__).parents[1], stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL)
    try:
        await read_until(proc, re.compile(rb"^ready"))
        return now() - started
    finally:
        await stop(proc)


async def plain_bot(database: Path) -> None:
    """The baseline process: the loopback with a community guild and the real bot, ready and synced."""
    from datetime import UTC, datetime

    from bot.clock import ManualClock
    from bot.settings import load_settings
    from loopback import LoopbackDiscord
    from playground.app import SHIPPED_CONFIG, start_bot  # the harness's way of starting the bot

    lb = await LoopbackDiscord(token="bench-token").start()
    lb.add_guild("Bench Community")
    bot, task = await start_bot(lb, load_settings(SHIPPED_CONFIG), database, ManualClock(datetime.now(UTC)))
    print("ready", flush=True)
    stopping = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGINT, stopping.set)
    await stopping.wait()
    await bot.close()
    await asyncio.wait({task}, timeout=10)
    await lb.stop()


async def main(runs: int, quick: bool) -> dict:
    raw: dict[str, list[float]] = {"playground": [], "plain": []}
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        for _ in range(runs):  # interleaved, so machine noise hits both alike
            raw["plain"].append(await plain_run(workdir))
            raw["playground"].append(await playground_run(workdir))
    med = {k: median(v) for k, v in raw.items()}
    ratio = med["playground"] / med["plain"]
    results = {
        "runs": runs, "raw": raw, "median": med, "ratio_playground_vs_plain_bot": ratio,
        "bound_s": BOUND_S, "worst_playground_s": max(raw["playground"]),
        "under_bound": max(raw["playground"]) < BOUND_S,
        "headline": [{
            "figure": "playground: start to first page with the bot ready (demo seeded)",
            "value": f"{med['playground']:.2f} s (worst {max(raw['playground']):.2f} s; bound {BOUND_S:.0f} s)",
            "baseline": f"{med['plain']:.2f} s (plain bot ready on the loopback)", "ratio": ratio,
        }],
    }
    table = [("start-up", "median s", "worst s", "ratio vs plain bot"),
             ("plain bot on the loopback (ready, commands synced)", f"{med['plain']:.2f}",
              f"{max(raw['plain']):.2f}", "1.00"),
             ("playground (first page, bot ready, demo seeded)", f"{med['playground']:.2f}",
              f"{max(raw['playground']):.2f}", f"{ratio:.2f}")]
    write_results("playground", results, table, quick=quick)
    return results


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="3 runs instead of 5")
    parser.add_argument("--runs", type=int, default=None)
    parser.add_argument("--plain-bot", type=Path, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.plain_bot is not None:
        asyncio.run(plain_bot(args.plain_bot))
    else:
        asyncio.run(main(args.runs or (3 if args.quick else 5), args.quick))
