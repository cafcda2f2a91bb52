"""Three real bot processes on one PostgreSQL while every connection of theirs is terminated, three times, in the
middle of a reminder burst and a stream of RSVP clicks (`pg_terminate_backend`, as a restarted or failed-over
server does). The processes carry on on fresh connections: every click is answered and stored as the member last
chose, every reminder post and DM reaches Discord exactly once, no process exits.

PostgreSQL only: several processes need it (`shared_postgres` skips, or fails under BOT_TEST_POSTGRES, without it).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from pathlib import Path

import asyncpg

from cogs.events.models import Rsvp
from loopback import InteractionRecord, LoopbackDiscord
from tests.faults.test_kill_reminders import reminder_messages
from tests.scale.bursts import check_exactly_once, deliveries, seed_burst
from tests.scale.fleet import Fleet

SHARDS = 3
CLICKERS = 8  # per guild: members who click Maybe / Can't go on the announcements (not going: no reminder)
CLICKS = 240  # in all, about 20 a second
KILLS = 3  # times every connection to the database is terminated, a second apart
FINISH_S = 120  # the burst and every click are done within this after the last kill (no lease: nobody died)
TERMINATE = ("SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity"
             " WHERE datname = current_database() AND pid <> pg_backend_pid()")


def answered(ix: InteractionRecord, choice: Rsvp) -> Callable[[], bool]:
    """Whether the member was told their click was recorded (an error would say something else)."""
    want = "**maybe**" if choice is Rsvp.MAYBE else "**can't go**"
    return lambda: want in ix.content_text()


async def test_terminated_database_connections_lose_and_double_nothing(
    three_shards: LoopbackDiscord, tmp_path: Path, shared_postgres: str
) -> None:
    lb = three_shards
    burst = await seed_burst(lb, shared_postgres, events=3, going=150, closed=2, due_in=12)
    clickers = {g.id: [m.user.id for m in lb.add_members(g.id, CLICKERS, prefix=f"clicker{g.id % 1000}-")]
                for g in lb.world.guilds.values()}  # fmt: skip
    announcements = list(burst.announcements.items())
    last: dict[tuple[int, int], Rsvp] = {}  # (event, member) -> their last click
    clicks: list[tuple[InteractionRecord, Rsvp]] = []

    async def click(n: int) -> None:
        message_id, (guild_id, event_id, seq) = announcements[n % len(announcements)]
        member = clickers[guild_id][(n // len(announcements)) % CLICKERS]
        choice = (Rsvp.MAYBE, Rsvp.DECLINED)[(n // (len(announcements) * CLICKERS)) % 2]
        last[(event_id, member)] = choice
        clicks.append((await lb.click_button(message_id, f"ev:rsvp:{event_id}:{seq}:{choice.code}", member), choice))

    async def traffic() -> None:
        for n in range(CLICKS):
            await click(n)
            await asyncio.sleep(0.05)

    terminated: list[int] = []
    sent_at_kills: list[int] = []

    async def kill_connections() -> None:
        admin = await asyncpg.connect(shared_postgres)
        try:
            for _ in range(KILLS):
                await asyncio.sleep(0.3 if not terminated else 1.0)
                terminated.append(await admin.fetchval(TERMINATE))
                sent_at_kills.append(len(reminder_messages(lb)))
        finally:
            await admin.close()

    async with Fleet(lb, tmp_path, shared_postgres, SHARDS) as fleet:
        await fleet.start()
        await lb.waiters.wait(lambda: reminder_messages(lb), 60, "the burst to begin")
        await asyncio.gather(traffic(), kill_connections())
        killed_at = time.monotonic()
        # The kills landed mid-traffic: the burst was not over, and the processes had connections to lose.
        assert sent_at_kills[0] < len(burst.expected) and all(terminated), (sent_at_kills, terminated)
        for ix, choice in clicks:
            try:
                await lb.wait_until(answered(ix, choice), timeout=30)
            except TimeoutError:
                raise AssertionError(f"{ix.describe()}: {ix.content_text()!r}\n{fleet.logs()[-8000:]}") from None
        async with fleet.database() as db:
            while await db.fetchval("SELECT COUNT(*) FROM event_reminders WHERE state != 'sent'"):
                assert time.monotonic() - killed_at < FINISH_S, fleet.logs()[-6000:]
                await asyncio.sleep(0.5)
            rows = await deliveries(db)
            stored = {(r["event_id"], r["user_id"]): r["status"] for r in await db.fetch(
                "SELECT o.event_id, r.user_id, r.status FROM event_rsvps r"
                " JOIN event_occurrences o ON o.id = r.occurrence_id")}  # fmt: skip
        assert all(p.running for p in fleet.processes), fleet.logs()[-6000:]
        lost = sum(p.log_count("PostgreSQL connection lost") for p in fleet.processes)
        assert lost > 0, "no process noticed: the kills did not bite"
        assert await fleet.stop() == dict.fromkeys(range(SHARDS), 0), fleet.logs()[-6000:]

    assert {k: stored.get(k) for k in last} == {k: str(v) for k, v in last.items()}
    sent = check_exactly_once(lb, burst, rows)
    print(f"terminated {terminated} connections with {sent_at_kills} of {len(burst.expected)} reminder messages"
          f" out; {lost} statements or transactions retried on a fresh connection; {len(clicks)}"
          f" clicks answered and stored; {sent} reminder messages, each once")
