"""Three real bot processes on one PostgreSQL: SIGKILL the one holding the most reminder claims in the middle of a
burst of event reminders in three guilds (one per shard). The two survivors send the rest: the dead process's
unfinished claims once their lease runs out, and what is due in its guild over REST (no process runs its shard
meanwhile). Every reminder post and DM reaches Discord exactly once, within TAKEOVER_BOUND_S of the kill.

PostgreSQL only: several processes need it (`shared_postgres` skips, or fails under BOT_TEST_POSTGRES, without it).
"""

from __future__ import annotations

import asyncio
import re
import time
from collections import Counter
from pathlib import Path

import yaml

from loopback import LoopbackDiscord
from tests.faults.test_kill_reminders import reminder_messages, reminder_sends
from tests.harness import SHIPPED_CONFIG
from tests.scale.bursts import check_exactly_once, deliveries, seed_burst
from tests.scale.fleet import Fleet

SHARDS = 3
# The dead process's claims are respected for the lease (a live process renews them every lease/3 while it sends),
# then the next reminder pass of a survivor takes them over: it is armed for that instant (store.next_due). 60 s on
# top covers a survivor's pass over the rest on two busy cores. docs/scaling.md states the same bound. The lease is
# the setting events.claim_lease_seconds (180 s shipped), shortened here so the test does not wait three minutes;
# the mechanism does not depend on its length.
LEASE_S = 30
TAKEOVER_BOUND_S = LEASE_S + 60
WORKER = re.compile(r"claims reminders as ([0-9a-f]+)")


async def test_sigkill_of_one_of_three_processes_during_a_reminder_burst(
    three_shards: LoopbackDiscord, tmp_path: Path, shared_postgres: str
) -> None:
    lb = three_shards
    # 3 guilds x 3 events x 2 reminders, each a channel post and 68 DMs (2 of the 70 going have DMs closed)
    burst = await seed_burst(lb, shared_postgres, events=3, going=70, closed=2, due_in=12)
    config = tmp_path / "config.yaml"
    settings = yaml.safe_load(SHIPPED_CONFIG.read_text())
    settings.setdefault("events", {})["claim_lease_seconds"] = LEASE_S
    config.write_text(yaml.safe_dump(settings))
    async with Fleet(lb, tmp_path, shared_postgres, SHARDS, config=config) as fleet:
        await fleet.start()
        workers = {}
        for shard in range(SHARDS):
            await fleet.wait_log(shard, "claims reminders as")
            [workers[shard]] = WORKER.findall(fleet.process(shard).log())
        expected = len(burst.expected)
        await lb.waiters.wait(lambda: len(reminder_messages(lb)) >= expected // 5, 90, "a fifth of the burst")
        async with fleet.database() as db:
            held: Counter[str] = Counter({r[0]: int(r[1]) for r in await db.fetch(
                "SELECT claimed_by, COUNT(*) FROM event_reminders WHERE state = 'sending' GROUP BY claimed_by")})
            victim = next((s for s, w in workers.items() if w == max(held, key=held.__getitem__, default="")), None)
            assert victim is not None, (held, workers, fleet.logs())
            await fleet.kill(victim)
            killed_at = time.monotonic()
            before_kill = len(reminder_messages(lb))
            orphaned = [r[0] for r in await db.fetch(
                "SELECT id FROM event_reminders WHERE state = 'sending' AND claimed_by = ?", (workers[victim],))]
            # The kill landed mid-burst, on a process holding claims it had not finished.
            assert 0 < before_kill < expected and orphaned, (before_kill, expected, orphaned)

            while await db.fetchval("SELECT COUNT(*) FROM event_reminders WHERE state != 'sent'"):
                assert time.monotonic() - killed_at < TAKEOVER_BOUND_S, (
                    f"the survivors did not finish within {TAKEOVER_BOUND_S} s of the kill\n{fleet.logs()[-6000:]}")
                await asyncio.sleep(1)
            took = time.monotonic() - killed_at
            rows = await deliveries(db)
            # the dead process's claims were taken over (claimed again by a survivor) and finished
            finishers = {r[0] for r in await db.fetch(
                f"SELECT claimed_by FROM event_reminders WHERE id IN ({','.join('?' * len(orphaned))})", orphaned)}
        survivors = [s for s in range(SHARDS) if s != victim]
        assert await fleet.stop(*survivors) == dict.fromkeys(survivors, 0), fleet.logs()[-6000:]

    sent = check_exactly_once(lb, burst, rows)
    assert finishers <= {workers[s] for s in survivors}, (finishers, workers)
    accepted = [int(c.response["id"]) for c in reminder_sends(lb) if c.status == 200]
    print(f"killed shard {victim}'s process holding {len(orphaned)} unfinished reminder claims; messages {sent}"
          f" (expected {expected}), {before_kill} out before the kill; the survivors finished {took:.0f} s after"
          f" it (bound {TAKEOVER_BOUND_S} s); repeats answered from the nonce {len(accepted) - len(set(accepted))}")
