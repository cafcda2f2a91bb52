"""A wave of joins against a loopback that enforces Discord-like rate limits: how long until everyone is welcomed,
and how many requests were refused with 429, against the bound the limits allow and a naive bot in the same run.

Each run gets a fresh loopback with enforcement on (`--per-route` requests per second per bucket, `--global-rate`
per second in all). A welcome costs two requests: open the DM channel (one bucket for the whole bot) and post the
message (a bucket per DM channel). With one-second windows, `N` welcomes need at least
max(ceil(N / per_route), ceil(2N / global)) - 1 seconds: the bound. A bot that gives up after repeated 429s
loses welcomes; those are counted, and its time is that of its last welcome.

- community (tuned): the real bot, its pacer at `welcome_dms_per_second` = just under global / 2;
- community (shipped): the real bot with the shipped settings (the pacer at its default);
- naive: a bare discord.py bot whose on_member_join DMs at once (what most bots do), discord.py's own 429 handling.

    python -m bench.onboarding_join_wave [--quick] [--members N]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import math
import tempfile
from pathlib import Path
from typing import Any

import discord
from discord.ext import commands

from bench.common import now, write_results
from bot.environment import point_discord_at
from bot.settings import Settings, load_settings
from tests.harness import SHIPPED_CONFIG, BotHarness
from tests.loopback import LoopbackDiscord


class NaiveWelcomeBot(commands.Bot):
    """The baseline: a DM straight from on_member_join, no queue, no pacing, no state."""

    def __init__(self) -> None:
        intents = discord.Intents.default()
        intents.members = True
        super().__init__(command_prefix=commands.when_mentioned, intents=intents, help_command=None)
        self.ready = asyncio.Event()

    async def on_ready(self) -> None:
        self.ready.set()

    async def on_member_join(self, member: discord.Member) -> None:
        with contextlib.suppress(discord.HTTPException):  # after 5 retries of a 429 discord.py gives up
            await member.send(f"Welcome to {member.guild.name}! Tell us what you do.")


async def fresh_loopback(members: int) -> tuple[LoopbackDiscord, list[int]]:
    lb = LoopbackDiscord(token="bench-token")
    await lb.start()
    lb.guild = lb.add_guild("Data Community")
    users = [lb.add_user(f"newcomer{i}") for i in range(members)]
    return lb, [u.id for u in users]


STALL_SECONDS = 5.0  # no new welcome for this long: the rest are lost (the naive bot gives up after 429s)


async def join_wave(lb: LoopbackDiscord, user_ids: list[int], per_route: int, global_rate: int) -> dict[str, Any]:
    """Turn enforcement on, dispatch every join at once, and wait until each newcomer has a DM (or none come)."""
    lb.rate_limits(True, per_route=per_route, per_seconds=1.0, global_per_second=global_rate)
    before = len(lb.calls)
    started = now()
    for user_id in user_ids:
        await lb.join_member(lb.guild.id, lb.world.user(user_id))
    welcomed, last_change = 0, now()
    while welcomed < len(user_ids) and now() - last_change < STALL_SECONDS:
        await asyncio.sleep(0.05)
        count = sum(1 for uid in user_ids if lb.dm_messages(uid))
        if count != welcomed:
            welcomed, last_change = count, now()
    calls = lb.calls[before:]
    return {
        "welcomed": welcomed,
        "lost": len(user_ids) - welcomed,
        "seconds": last_change - started,
        "requests": len(calls),
        "429": sum(1 for c in calls if c.status == 429),
        "global_429": lb.ratelimiter.global_limited,
        "duplicate_dms": sum(max(0, len(lb.dm_messages(uid)) - 1) for uid in user_ids),
    }


async def run_community(members: int, per_route: int, global_rate: int, settings: Settings) -> dict[str, Any]:
    lb, user_ids = await fresh_loopback(members)
    with tempfile.TemporaryDirectory() as folder:
        harness = BotHarness(lb, Path(folder) / "bench.db", settings)
        try:
            await harness.start()
            return await join_wave(lb, user_ids, per_route, global_rate)
        finally:
            await harness.stop()
            await lb.stop()


async def run_naive(members: int, per_route: int, global_rate: int) -> dict[str, Any]:
    lb, user_ids = await fresh_loopback(members)
    point_discord_at(lb.api_base, lb.gateway_url)
    bot = NaiveWelcomeBot()
    task = asyncio.create_task(bot.start(lb.token))
    try:
        await asyncio.wait_for(bot.ready.wait(), timeout=15)
        return await join_wave(lb, user_ids, per_route, global_rate)
    finally:
        await bot.close()
        await asyncio.gather(task, return_exceptions=True)
        await lb.stop()


def with_pace(settings: Settings, per_second: float, workers: int) -> Settings:
    data = settings.model_dump()
    data["onboarding"].update(welcome_dms_per_second=per_second, dm_workers=workers)
    return Settings.model_validate(data)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="200 joins instead of 1,000")
    parser.add_argument("--members", type=int, default=None)
    parser.add_argument("--per-route", type=int, default=50, help="requests per second per bucket")
    parser.add_argument("--global-rate", type=int, default=50, help="requests per second in all")
    args = parser.parse_args()
    members = args.members or (200 if args.quick else 1000)
    logging.basicConfig(level=logging.ERROR)  # discord.py logs every 429 as a warning
    shipped = load_settings(SHIPPED_CONFIG)
    # Fixed one-second windows: k requests need ceil(k / limit) windows, the first one starting at once.
    bound = max(math.ceil(members / args.per_route), math.ceil(2 * members / args.global_rate)) - 1.0
    bound = max(bound, 1.0 / args.global_rate)
    tuned_pace = 0.9 * args.global_rate / 2

    runs = {
        "community (tuned)": await run_community(members, args.per_route, args.global_rate,
                                                 with_pace(shipped, tuned_pace, 4)),
        "community (shipped)": await run_community(members, args.per_route, args.global_rate, shipped),
        "naive": await run_naive(members, args.per_route, args.global_rate),
    }
    results: dict[str, Any] = {
        "members": members,
        "limits": {"per_route_per_second": args.per_route, "global_per_second": args.global_rate},
        "bound_seconds": bound,
        "tuned_welcomes_per_second": tuned_pace,
        "shipped_welcomes_per_second": shipped.onboarding.welcome_dms_per_second,
        "runs": runs,
    }
    table = [("bot", "welcomed", "lost", "seconds", "× bound", "requests", "429s", "of which global", "duplicates")]
    for name, run in runs.items():
        run["ratio_to_bound"] = run["seconds"] / bound
        table.append((name, str(run["welcomed"]), str(run["lost"]), f"{run['seconds']:.1f}",
                      f"{run['ratio_to_bound']:.2f}", str(run["requests"]), str(run["429"]), str(run["global_429"]),
                      str(run["duplicate_dms"])))
    table.append(("bound from the limits", str(members), "0", f"{bound:.1f}", "1.00", str(2 * members), "0", "0",
                  "0"))
    write_results("onboarding_join_wave", results, table)


if __name__ == "__main__":
    asyncio.run(main())
