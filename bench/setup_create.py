"""/setup create on a bare server against a loopback that enforces Discord-like rate limits: how long from Confirm to
the last write, against the bound those limits allow, and how many requests were refused with 429.

Each run gets a fresh loopback holding a fresh server (@everyone, the bot's role, #general, a "General" category
and voice channel) and the real bot; enforcement is turned on after the bot has logged in: `--per-route` requests
per `--window` seconds per bucket (a route and its guild or channel), `--global-rate` per second in all.

The bound: every bucket's writes need ceil(n / per_route) windows, the first at once, so (ceil(n / per_route) - 1)
windows of waiting; the global limit likewise; the bound is the largest of these. Channels (one bucket) and roles
(another) are independent, so a bot that makes them side by side can reach it; one that makes them one after the
other needs about their sum. Scenarios:

- shipped settings: 16 channel creates (a category, 14 text channels, the forum with its tags), 12 roles, 1 post;
- shipped settings, stricter buckets (5 per 5 s), in case Discord's create routes are slower than announced;
- a large server's settings: 25 roles each with its own channel and role, 25 topics each with a channel (past
  Discord's 50 channels a category, so two categories);
- the same plan made in one lane (roles, then channels): the baseline the two lanes are measured against.

    python -m bench.setup_create [--quick]        # quick: the shipped settings at 5 per second only
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import math
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from unittest import mock

from bench.common import write_results
from bot.settings import Settings, load_settings, settings_model
from cogs.setup.creating import Creation
from cogs.setup.models import Outcome
from loopback import LoopbackDiscord, router
from tests.harness import SHIPPED_CONFIG, BotHarness
from tests.setup.helpers import confirm, fresh_guild, server_writes, slash


async def _one_lane(self: Creation) -> Outcome:
    """The baseline: the same plan, roles first, then the channels (what a simple loop does)."""
    started = time.monotonic()
    await self._roles_lane()
    await self._channels_lane()
    self.outcome.seconds = time.monotonic() - started
    return self.outcome


def bound_for(calls: list[Any], per_route: int, window: float, global_rate: int) -> float:
    buckets: dict[str, int] = {}
    for call in calls:
        found = router.match(call.method, call.path)
        if found is not None:
            key = found[0].bucket(found[1])
            buckets[key] = buckets.get(key, 0) + 1
    per_bucket = max((math.ceil(n / per_route) - 1) * window for n in buckets.values())
    overall = math.ceil(len(calls) / global_rate) - 1.0
    return max(per_bucket, overall, 1.0 / global_rate)


async def run(settings: Settings, per_route: int, window: float, global_rate: int, *, one_lane: bool = False
              ) -> dict[str, Any]:  # fmt: skip
    lb = LoopbackDiscord(token="bench-token")
    await lb.start()
    lb.guild = fresh_guild(lb)
    owner = lb.guild.owner_id
    with tempfile.TemporaryDirectory() as folder:
        harness = BotHarness(lb, Path(folder) / "bench.db", settings)
        try:
            await harness.start()
            lb.rate_limits(True, per_route=per_route, per_seconds=window, global_per_second=global_rate)
            preview = await slash(lb, owner, "create")
            before = len(lb.calls)
            started = time.monotonic()
            # discord.py imports a feature's modules afresh when it loads the extension: patch the copy in use.
            loaded = sys.modules["cogs.setup.creating"].Creation
            with mock.patch.object(loaded, "run", _one_lane) if one_lane else contextlib.nullcontext():
                await confirm(lb, preview, owner, within=900)
            answered = time.monotonic()
            text = lb.message(preview.original.id).text()
            calls = lb.calls[before:]
            writes = server_writes(lb, before)
            done = [c for c in writes if c.status < 300]
            bound = bound_for(done, per_route, window, global_rate)
            seconds = max(c.at for c in done) - started
            world = lb.world.guild(lb.guild.id)
            return {
                "done": "/setup create: done" in text,
                "channel_creates": sum(1 for c in done if c.path.endswith("/channels")),
                "role_creates": sum(1 for c in done if c.path.endswith("/roles")),
                "writes": len(done),
                "requests": len(calls),
                "429": sum(1 for c in calls if c.status == 429),
                "seconds": seconds,
                "answered_seconds": answered - started,
                "bound_seconds": bound,
                "ratio_to_bound": seconds / bound,
                "channels_after": sum(1 for c in world.channels.values() if not c.is_thread),
                "roles_after": len(world.roles),
            }
        finally:
            await harness.stop()
            await lb.stop()


def large_settings(shipped: Settings) -> Settings:
    """25 roles, each with its own role and channel; 25 topics, each with its own channel."""
    data = shipped.model_dump()
    data["onboarding"]["roles"] = [
        {"key": f"role-{n}", "label": f"Role {n}", "discord_role": f"Role {n}", "channels": [f"role-{n}"]}
        for n in range(25)
    ]
    data["onboarding"]["topics"] = [
        {"key": f"topic-{n}", "label": f"Topic {n}", "channels": [f"topic-{n}"]} for n in range(25)
    ]
    return settings_model().model_validate(data)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="the shipped settings at 5 per second only")
    parser.add_argument("--per-route", type=int, default=5, help="requests per window per bucket")
    parser.add_argument("--window", type=float, default=1.0, help="seconds in a bucket's window")
    parser.add_argument("--global-rate", type=int, default=50, help="requests per second in all")
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    shipped = load_settings(SHIPPED_CONFIG)
    limits = (args.per_route, args.window, args.global_rate)
    scenarios: dict[str, tuple[Settings, tuple[int, float, int], bool]] = {
        "shipped settings": (shipped, limits, False),
    }
    if not args.quick:
        scenarios["shipped settings, 5 per 5 s"] = (shipped, (args.per_route, 5.0, args.global_rate), False)
        scenarios["large server (25 roles, 25 topics)"] = (large_settings(shipped), limits, False)
        scenarios["large server, one lane (baseline)"] = (large_settings(shipped), limits, True)
    runs = {name: await run(settings, *lim, one_lane=lane) for name, (settings, lim, lane) in scenarios.items()}
    results: dict[str, Any] = {
        "limits": {"per_route": args.per_route, "window_seconds": args.window, "global_per_second": args.global_rate},
        "runs": runs,
    }
    table = [("scenario", "done", "channel creates", "role creates", "writes", "429s", "seconds", "bound s",
              "× bound", "answer after s")]
    for name, r in runs.items():
        table.append((name, "yes" if r["done"] else "NO", str(r["channel_creates"]), str(r["role_creates"]),
                      str(r["writes"]), str(r["429"]), f"{r['seconds']:.2f}", f"{r['bound_seconds']:.2f}",
                      f"{r['ratio_to_bound']:.2f}", f"{r['answered_seconds']:.2f}"))
    ours = runs["shipped settings"]
    results["headline"] = [
        {"figure": "/setup create on a bare server (shipped settings)", "value": f"{ours['seconds']:.2f} s",
         "baseline": f"{ours['bound_seconds']:.2f} s, the bound the limits allow", "ratio": ours["ratio_to_bound"]},
        {"figure": "/setup create: requests answered 429", "value": str(ours["429"]),
         "baseline": f"of {ours['requests']} requests", "ratio": ours["429"] / max(1, ours["requests"])},
    ]
    if "large server (25 roles, 25 topics)" in runs:
        large, lane = runs["large server (25 roles, 25 topics)"], runs["large server, one lane (baseline)"]
        results["headline"].append(
            {"figure": "/setup create, large server: two lanes vs one", "value": f"{large['seconds']:.1f} s",
             "baseline": f"{lane['seconds']:.1f} s in one lane", "ratio": large["seconds"] / lane["seconds"]})
    write_results("setup_create", results, table, quick=args.quick)


if __name__ == "__main__":
    asyncio.run(main())
