"""The bot as a real operating-system process (`python -m bot`) against the in-test loopback Discord.

Used by the crash tests: SIGKILL leaves no chance to flush, close the database or finish a request, which is
what a power cut, an OOM kill or `docker kill` does to a production bot.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import sys
from pathlib import Path

from loopback import LoopbackDiscord
from tests.harness import SHIPPED_CONFIG

ROOT = Path(__file__).parents[2]


class BotProcess:
    """One `python -m bot` process at a time over one database (by default a SQLite file in `workdir`); the log goes
    to a file (a pipe could fill). `env` adds variables (shards, say); `name` tells the logs of several apart."""

    def __init__(
        self, loopback: LoopbackDiscord, workdir: Path, config: Path = SHIPPED_CONFIG, *,
        database: Path | str | None = None, env: dict[str, str] | None = None, name: str = "bot",
    ) -> None:
        self.loopback = loopback
        self.workdir = workdir
        self.database = workdir / "community.db" if database is None else database
        self.config = config
        self.extra_env = dict(env or {})
        self.name = name
        self.proc: asyncio.subprocess.Process | None = None
        self.starts = 0

    @property
    def log_path(self) -> Path:
        return self.workdir / f"{self.name}-{self.starts}.log"

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.returncode is None

    async def start(self) -> None:
        """Start a fresh process; returns at once (the test waits for what it needs on the loopback)."""
        if self.proc is not None and self.proc.returncode is None:
            raise RuntimeError("a bot process is still running")
        self.starts += 1
        env = {
            "PATH": os.environ["PATH"],
            "PYTHONPATH": str(ROOT),
            "DISCORD_TOKEN": self.loopback.token,
            "BOT_CONFIG": str(self.config),
            "BOT_DATABASE": str(self.database),
            "DISCORD_API_BASE": self.loopback.api_base,
            "DISCORD_GATEWAY_URL": self.loopback.gateway_url,
            **self.extra_env,
        }
        with self.log_path.open("wb") as log:
            self.proc = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot", cwd=self.workdir, env=env, stdout=log, stderr=asyncio.subprocess.STDOUT,
            )

    async def kill(self) -> None:
        """SIGKILL: the process gets no chance to do anything more."""
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        await self.proc.wait()
        assert self.proc.returncode == -signal.SIGKILL, self.log()

    async def stop(self) -> int:
        """SIGTERM and wait for a clean exit; returns the exit code."""
        assert self.proc is not None
        if self.proc.returncode is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self.proc.wait(), timeout=30)
            except TimeoutError:
                self.proc.kill()
                await self.proc.wait()
        return self.proc.returncode

    async def cleanup(self) -> None:
        """Whatever happened in the test, leave no process behind."""
        if self.proc is not None and self.proc.returncode is None:
            self.proc.kill()
            await self.proc.wait()

    def log(self) -> str:
        """The current (latest) process's output."""
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def log_count(self, text: str) -> int:
        """How many times `text` is in the current process's output."""
        return self.log().count(text)

    def integrity(self) -> str:
        """PRAGMA integrity_check of the database file (opening it also recovers the WAL, as the bot would)."""
        assert isinstance(self.database, Path), "a SQLite file"
        with sqlite3.connect(self.database) as conn:
            return conn.execute("PRAGMA integrity_check").fetchone()[0]
