"""A wave of joins against a loopback that enforces Discord-like rate limits: how long until everyone is welcomed,
and how many requests were refused with 429, against the bound the limits allow and a naive bot in the same run.

Each run gets a fresh loopback with enforcement on (`--per-route` requests per second per bucket, `--global-rate`
per second in all). A welcome costs two requests: open the DM channel (one bucket for the whole bot) and post the
message (a bucket per DM channel). With one-second windows, `N` welcomes need at least
max(ceil(N / per_route), ceil(2N / global)) - 1 seconds: the bound. A bot that gives up after repeated 429s
loses welcomes; those are counted, and its time is that of its last welcome.

- community (tuned): the real bot, its pacer at `welcome_dms_per_second` = just under global / 2;
- community (shipped): the real bot with the shipped settings (the pacer at its default);
- naive: a bare discord.py bot whose on_member_join DMs at once (what most bots do), discord.py's own 429 handling,
  on `--naive-members` joins (2,000 by default: over 10,000 it takes ~2,000 s).

Welcomes are counted as they reach the loopback (a DM posted and accepted): "exactly once" is the number of
newcomers with exactly one welcome DM, "429 share" the share of all the bot's requests in the wave that were
refused.

    python -m bench.onboarding_join_wave [--quick] [--members N]     # 10,000 joins (about 18 min); quick: 200
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import math
import re
import tempfile
from pathlib import Path
from typing import Any

import discord
from discord.ext import commands

from bench.common import now, write_results
from bot.environment import point_discord_at
from bot.settings import Settings, load_settings, settings_model
from loopback import ChannelType, LoopbackDiscord
from tests.harness import SHIPPED_CONFIG, BotHarness


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


# No new welcome for this long: the rest are lost (the naive bot gives up after 429s). Before the first welcome
# the bot may still be taking in the wave (10,000 joins are recorded before the pacer gets going), so longer.
STALL_SECONDS = 15.0
FIRST_WELCOME_SECONDS = 120.0
DM_POST = re.compile(r"^/channels/(\d+)/messages$")


async def join_wave(lb: LoopbackDiscord, user_ids: list[int], per_route: int, global_rate: int) -> dict[str, Any]:
    """Turn enforcement on, dispatch every join at once, and wait until each newcomer has a DM (or none come).

    Welcomes are read from the loopback's call log as they arrive (a DM posted with 200, and when), so watching
    10,000 newcomers costs the bot under test, which shares this process, next to nothing.
    """
    lb.rate_limits(True, per_route=per_route, per_seconds=1.0, global_per_second=global_rate)
    before = len(lb.calls)
    started = now()
    for user_id in user_ids:
        await lb.join_member(lb.guild.id, lb.world.user(user_id))
    welcomed_at: dict[int, float] = {}
    seen, last_change = before, now()
    while len(welcomed_at) < len(user_ids) and now() - last_change < (STALL_SECONDS if welcomed_at
                                                                      else FIRST_WELCOME_SECONDS):
        await asyncio.sleep(0.05)
        new, seen = lb.calls[seen:], len(lb.calls)
        for call in new:
            found = DM_POST.match(call.path) if call.method == "POST" and call.status == 200 else None
            channel = lb.world.channels.get(int(found[1])) if found else None
            if channel is not None and channel.type == ChannelType.DM:
                welcomed_at.setdefault(channel.recipient_id, call.at)
                last_change = now()
    calls = lb.calls[before:]
    limited = sum(1 for c in calls if c.status == 429)
    return {
        "joins": len(user_ids),
        "welcomed": len(welcomed_at),
        "lost": len(user_ids) - len(welcomed_at),
        "seconds": max(welcomed_at.values(), default=started) - started,
        "requests": len(calls),
        "429": limited,
        "share_429": limited / max(1, len(calls)),
        "global_429": lb.ratelimiter.global_limited,
        "duplicate_dms": sum(max(0, len(lb.dm_messages(uid)) - 1) for uid in user_ids),
        "exactly_once": sum(1 for uid in user_ids if len(lb.dm_messages(uid)) == 1),
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
    return settings_model().model_validate(data)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="200 joins instead of 10,000")
    parser.add_argument("--members", type=int, default=None)
    parser.add_argument("--naive-members", type=int, default=2000, help="joins for the naive bot (at most --members)")
    parser.add_argument("--per-route", type=int, default=50, help="requests per second per bucket")
    parser.add_argument("--global-rate", type=int, default=50, help="requests per second in all")
    args = parser.parse_args()
    members = args.members or (200 if args.quick else 10_000)
    # discord.py's own 429 handling takes ~2,000 s (5x the bound) over 10,000 DMs fired at once: the naive bot's
    # shares are measured on a smaller wave.
    naive_members = min(members, args.naive_members)
    logging.basicConfig(level=logging.ERROR)  # discord.py logs every 429 as a warning
    shipped = load_settings(SHIPPED_CONFIG)
    def bound_for(joins: int) -> float:
        # Fixed one-second windows: k requests need ceil(k / limit) windows, the first one starting at once.
        seconds = max(math.ceil(joins / args.per_route), math.ceil(2 * joins / args.global_rate)) - 1.0
        return max(seconds, 1.0 / args.global_rate)

    bound = bound_for(members)
    tuned_pace = 0.9 * args.global_rate / 2

    runs = {
        "community (tuned)": await run_community(members, args.per_route, args.global_rate,
                                                 with_pace(shipped, tuned_pace, 4)),
        "community (shipped)": await run_community(members, args.per_route, args.global_rate, shipped),
        "naive": await run_naive(naive_members, args.per_route, args.global_rate),
    }
    results: dict[str, Any] = {
        "members": members,
        "limits": {"per_route_per_second": args.per_route, "global_per_second": args.global_rate},
        "bound_seconds": bound,
        "tuned_welcomes_per_second": tuned_pace,
        "shipped_welcomes_per_second": shipped.onboarding.welcome_dms_per_second,
        "runs": runs,
    }
    table = [("bot", "joins", "welcomed", "exactly once", "lost", "seconds", "× bound", "requests", "429s",
              "429 share", "of which global", "duplicates")]
    for name, run in runs.items():
        run["bound_seconds"] = bound_for(run["joins"])
        run["ratio_to_bound"] = run["seconds"] / run["bound_seconds"]
        table.append((name, f"{run['joins']:,}", f"{run['welcomed']:,}", f"{run['exactly_once']:,}", str(run["lost"]),
                      f"{run['seconds']:.1f}", f"{run['ratio_to_bound']:.2f}", f"{run['requests']:,}",
                      f"{run['429']:,}", f"{run['share_429']:.1%}", f"{run['global_429']:,}",
                      str(run["duplicate_dms"])))
    table.append(("bound from the limits", f"{members:,}", f"{members:,}", f"{members:,}", "0", f"{bound:.1f}", "1.00",
                  f"{2 * members:,}", "0", "0.0%", "0", "0"))
    ours, naive = runs["community (shipped)"], runs["naive"]
    results["headline"] = [
        {"figure": f"join wave: time to welcome {members:,} (shipped pace)", "value": f"{ours['seconds']:.0f} s",
         "baseline": f"{bound:.0f} s, the bound the limits allow", "ratio": ours["ratio_to_bound"]},
        {"figure": f"join wave: welcomed exactly once, of {members:,}", "value": f"{ours['exactly_once']:,}",
         "baseline": f"naive bot: {naive['exactly_once']:,} of {naive['joins']:,}",
         "ratio": ours["exactly_once"] / members,
         "higher_is_better": True},
        {"figure": "join wave: share of requests answered 429", "value": f"{ours['share_429']:.2%}",
         "baseline": f"naive bot ({naive['joins']:,} joins): {naive['share_429']:.1%}",
         "ratio": ours["share_429"] / naive["share_429"] if naive["share_429"] else float(ours["share_429"] > 0)},
    ]
    write_results("onboarding_join_wave", results, table, quick=args.quick)


if __name__ == "__main__":
    asyncio.run(main())
