"""Interaction latency and throughput: the community bot against a bare discord.py bot, same loopback, same run.

For each scenario (a slash command or a button click a member really uses), both bots get the same
interactions at a steady rate (200/s by default) for a few seconds; the loopback stamps each interaction
when it is sent and when the bot's reply arrives. Then the rate is doubled until a bot no longer keeps up
(fewer than 99% answered within 1 s): the last rate it kept up with is its highest sustained rate.
The bare bot answers every interaction with a fixed ephemeral text from `on_interaction`, the floor for
discord.py on this machine.

    python -m bench.interactions [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import tempfile
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from bench.common import now, percentile, process_env, spawn, terminate, write_results
from tests.loopback import Guild, InteractionRecord, LoopbackDiscord

Invoke = Callable[[LoopbackDiscord, Guild, int], Awaitable[InteractionRecord]]


@dataclass
class Scenario:
    """One kind of interaction, as a member would send it."""

    name: str
    invoke: Invoke


async def _about(lb: LoopbackDiscord, guild: Guild, user_id: int) -> InteractionRecord:
    return await lb.invoke_slash(guild.id, guild.channel("general").id, user_id, "about")


SCENARIOS = [Scenario("/about", _about)]


async def steady_load(
    lb: LoopbackDiscord, guild: Guild, users: list[int], scenario: Scenario, rate: float, seconds: float
) -> dict[str, float]:
    """Send at a fixed rate, then wait for the stragglers; latencies in ms."""
    sent: list[InteractionRecord] = []
    total = int(rate * seconds)
    start = now()
    for i in range(total):
        delay = start + i / rate - now()
        if delay > 0:
            await asyncio.sleep(delay)
        sent.append(await scenario.invoke(lb, guild, users[i % len(users)]))
    with contextlib.suppress(TimeoutError):
        await lb.wait_until(lambda: all(ix.response_latency is not None for ix in sent), timeout=5)
    latencies = [ix.response_latency * 1000 for ix in sent if ix.response_latency is not None]
    within = sum(1 for ms in latencies if ms <= 1000)
    return {
        "rate": rate, "sent": total, "answered": len(latencies), "within_1s": within,
        "p50_ms": percentile(latencies, 50), "p99_ms": percentile(latencies, 99),
        "achieved_rate": total / (now() - start),
    }


async def highest_sustained(
    lb: LoopbackDiscord, guild: Guild, users: list[int], scenario: Scenario, start_rate: float, seconds: float,
    ceiling: float,
) -> float:
    """Double the rate until fewer than 99% are answered within 1 s; the last good rate."""
    rate, best = start_rate, 0.0
    while rate <= ceiling:
        result = await steady_load(lb, guild, users, scenario, rate, seconds)
        if result["within_1s"] < 0.99 * result["sent"] or result["achieved_rate"] < 0.95 * rate:
            break
        best = rate
        rate *= 2
        await asyncio.sleep(1)  # let the backlog drain between steps
    return best


async def measure_bot(
    lb: LoopbackDiscord, guild: Guild, users: list[int], module: str, env_extra: dict[str, str], workdir: Path,
    rate: float, seconds: float, ceiling: float,
) -> dict[str, dict[str, float]]:
    identified = lb.gateway.identify_count
    proc = await spawn(module, process_env(lb, BOT_DATABASE=str(workdir / "bench.db"), **env_extra), workdir)
    try:
        await lb.wait_until(lambda: lb.gateway.identify_count > identified, timeout=60)
        await lb.wait_until(lambda: lb.connected and lb.commands_registered(guild.id), timeout=60)
        await asyncio.sleep(1.5)  # member chunks and on_ready work settle before measuring
        out = {}
        for scenario in SCENARIOS:
            await steady_load(lb, guild, users, scenario, 20, 1)  # warm-up
            steady = await steady_load(lb, guild, users, scenario, rate, seconds)
            steady["max_sustained_rate"] = await highest_sustained(lb, guild, users, scenario, rate * 2, seconds,
                                                                   ceiling)
            out[scenario.name] = steady
        return out
    finally:
        await terminate(proc)
        await asyncio.sleep(0.3)


async def main(quick: bool) -> dict:
    rate, seconds, ceiling = 200.0, (2.0 if quick else 5.0), (1600.0 if quick else 6400.0)
    async with LoopbackDiscord(token="bench-token") as lb:
        lb.interaction_deadline = None  # measure lateness instead of failing it
        guild = lb.add_guild("Bench Community")
        users = [m.user.id for m in lb.add_members(guild.id, 200)]
        with tempfile.TemporaryDirectory() as tmp:
            workdir = Path(tmp)
            # The community bot registers the commands; the bare bot (answer-all mode) leaves them in place.
            ours = await measure_bot(lb, guild, users, "bot", {}, workdir, rate, seconds, ceiling)
            bare = await measure_bot(lb, guild, users, "bench.bare_bot", {"BARE_ANSWER_ALL": "1"}, workdir, rate,
                                     seconds, ceiling)
    results = {"rate": rate, "seconds": seconds, "community": ours, "bare": bare}
    table = [("scenario", "bot", "p50 ms @200/s", "p99 ms @200/s", "answered", "max sustained /s",
              "p50 ratio", "p99 ratio", "max-rate ratio")]
    for name in ours:
        o, b = ours[name], bare[name]
        for label, r in (("community", o), ("bare", b)):
            table.append((name, label, f"{r['p50_ms']:.1f}", f"{r['p99_ms']:.1f}", f"{r['answered']}/{r['sent']}",
                          f"{r['max_sustained_rate']:.0f}",
                          f"{r['p50_ms'] / b['p50_ms']:.2f}", f"{r['p99_ms'] / b['p99_ms']:.2f}",
                          f"{r['max_sustained_rate'] / max(b['max_sustained_rate'], 1):.2f}"))
    write_results("interactions", results, table)
    return results


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="2 s per step, rates up to 1,600/s")
    asyncio.run(main(parser.parse_args().quick))
