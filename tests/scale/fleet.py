"""Several real `python -m bot` processes, one shard each, on one PostgreSQL database and one loopback Discord.

    async with Fleet(lb, tmp_path, shared_postgres, count=3) as fleet:
        await fleet.start()                      # every process; returns once each one logged "Ready as ..."
        fleet.process_for(guild.id)              # the BotProcess holding that guild's shard
        await fleet.kill(2)                      # SIGKILL shard 2's process (no cleanup of any kind)
        await fleet.start(2)                     # a fresh process for shard 2, waited for until ready
        assert await fleet.stop() == {0: 0, 1: 0, 2: 0}   # SIGTERM each, their exit codes
        async with fleet.database() as db: ...   # the shared database, to look at what the processes stored
        await fleet.wait_log(1, "Ready as")       # until a process logged a line

Process `i` runs with BOT_SHARD_COUNT=count and BOT_SHARD_IDS=i and logs to `workdir/shard<i>-<start>.log`;
leaving the `async with` kills whatever still runs. Every process runs the shipped settings (or `config`) and
`env` adds variables to all of them. The loopback is told to allow `count` IDENTIFYs at once (max_concurrency), so
the processes do not take 5.5 s turns to connect (bot/identify.py); `identify_in_turns=True` keeps its setting.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from pathlib import Path
from types import TracebackType

from bot.database import Database
from loopback import LoopbackDiscord
from tests.faults.bot_process import BotProcess
from tests.harness import SHIPPED_CONFIG

READY_LINE = "Ready as "  # bot/client.py logs it once on_ready (command sync included) is done


class ProcessDied(AssertionError):
    """A bot process exited while the test waited for it."""


class Fleet:
    """See the module docstring."""

    def __init__(
        self, loopback: LoopbackDiscord, workdir: Path, database_url: str, count: int, *,
        config: Path = SHIPPED_CONFIG, env: dict[str, str] | None = None, identify_in_turns: bool = False,
    ) -> None:
        self.loopback = loopback
        if not identify_in_turns:
            loopback.max_concurrency = max(loopback.max_concurrency, count)
        self.count = count
        self.database_url = database_url
        self.processes = [
            BotProcess(
                loopback, workdir, config, database=database_url, name=f"shard{shard}",
                env={"BOT_SHARD_COUNT": str(count), "BOT_SHARD_IDS": str(shard), **(env or {})},
            )
            for shard in range(count)
        ]

    async def __aenter__(self) -> Fleet:
        return self

    async def __aexit__(self, kind: type[BaseException] | None, error: BaseException | None,
                        trace: TracebackType | None) -> None:
        await self.cleanup()

    # --- who holds what --------------------------------------------------------------------------------------------

    def process(self, shard: int) -> BotProcess:
        return self.processes[shard]

    def shard_of(self, guild_id: int) -> int:
        return self.loopback.shard_of(guild_id, self.count)

    def process_for(self, guild_id: int) -> BotProcess:
        """The process that receives this guild's events (DMs: `process(0)`)."""
        return self.processes[self.shard_of(guild_id)]

    # --- starting and stopping -----------------------------------------------------------------------------------

    async def start(self, *shards: int, wait: bool = True, timeout: float = 60) -> None:  # noqa: ASYNC109
        """Start the processes of these shards (default: every one) at the same moment; with `wait`, return once
        each one is ready (its gateway session open, on_ready done)."""
        chosen = list(shards) or list(range(self.count))
        for shard in chosen:
            await self.processes[shard].start()
        if wait:
            await self.wait_ready(*chosen, timeout=timeout)

    async def wait_ready(self, *shards: int, timeout: float = 60) -> None:  # noqa: ASYNC109
        """Wait until each of these processes (default: every one) logged its ready line and its shard's session is
        live on the loopback; a process that exits meanwhile fails the test with its log."""
        chosen = list(shards) or list(range(self.count))
        deadline = time.monotonic() + timeout
        while True:
            waiting = []
            for shard in chosen:
                process = self.processes[shard]
                if not process.running:
                    raise ProcessDied(f"the process of shard {shard} exited ({self._exit(process)}):\n{process.log()}")
                session = self.loopback.gateway.shards.get(shard)
                live = session is not None and session.shard_count == self.count and session.ws is not None
                if not (live and READY_LINE in process.log()):
                    waiting.append(shard)
            if not waiting:
                return
            if time.monotonic() > deadline:
                logs = "\n".join(f"--- shard {s}:\n{self.processes[s].log()[-3000:]}" for s in waiting)
                raise TimeoutError(f"shards {waiting} not ready within {timeout} s\n{logs}")
            await asyncio.sleep(0.05)

    async def kill(self, shard: int) -> None:
        """SIGKILL one process: no flush, no goodbye to Discord or the database (its session is left dangling)."""
        await self.processes[shard].kill()

    async def stop(self, *shards: int) -> dict[int, int]:
        """SIGTERM these processes (default: every running one), together; their exit codes by shard."""
        chosen = list(shards) or [n for n, p in enumerate(self.processes) if p.proc is not None]
        codes = await asyncio.gather(*(self.processes[shard].stop() for shard in chosen))
        return dict(zip(chosen, codes, strict=True))

    async def cleanup(self) -> None:
        """Whatever happened in the test, leave no process behind."""
        for process in self.processes:
            await process.cleanup()

    @contextlib.asynccontextmanager
    async def database(self) -> AsyncIterator[Database]:
        """The shared database, opened by the test (closed when the block ends)."""
        db = await Database.open(self.database_url)
        try:
            yield db
        finally:
            await db.close()

    async def wait_log(self, shard: int, text: str, count: int = 1, timeout: float = 30) -> None:  # noqa: ASYNC109
        """Wait until the current process of `shard` logged `text` (at least `count` times)."""
        process = self.processes[shard]
        await self.loopback.wait_until(lambda: process.log_count(text) >= count, timeout=timeout, interval=0.05)

    def logs(self) -> str:
        """Every process's current log, for an assertion's message."""
        return "\n".join(f"--- {p.name}:\n{p.log()}" for p in self.processes)

    @staticmethod
    def _exit(process: BotProcess) -> str:
        return f"exit code {process.proc.returncode}" if process.proc is not None else "never started"
