"""A loopback and the real bot running on their own event loop in a thread, for hypothesis-driven tests.

Hypothesis drives plain functions; this lets each example submit coroutines to one long-lived bot instead of
starting a bot per example.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine
from pathlib import Path
from typing import Any, TypeVar

from bot.settings import load_settings
from loopback import LoopbackDiscord
from tests.harness import SHIPPED_CONFIG, BotHarness

T = TypeVar("T")


class LiveBot:
    """Owns a thread with an event loop running the loopback Discord and the bot."""

    def __init__(self, database_path: Path) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, name="live-bot", daemon=True)
        self._thread.start()
        self.loopback = LoopbackDiscord(token="fuzz-token")
        self.harness: BotHarness | None = None
        self.database_path = database_path

    def run(self, coro: Coroutine[Any, Any, T], timeout: float = 30) -> T:
        """Run a coroutine on the bot's loop and wait for its result."""
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def start(self) -> None:
        async def _start() -> None:
            await self.loopback.start()
            self.loopback.guild = self.loopback.add_guild("Fuzz Community")
            self.harness = BotHarness(self.loopback, self.database_path, load_settings(SHIPPED_CONFIG))
            await self.harness.start()

        self.run(_start(), timeout=60)

    def stop(self) -> None:
        async def _stop() -> None:
            if self.harness is not None:
                await self.harness.stop()
            await self.loopback.stop()
            # What is left (views' timeout tasks, pending modals) ends with the loop, not as a warning at exit.
            rest = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in rest:
                task.cancel()
            await asyncio.gather(*rest, return_exceptions=True)

        try:
            self.run(_stop(), timeout=60)
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self._thread.join(timeout=10)
