"""Charts rendered off the event loop: a few worker threads and a bound on renders.

matplotlib (cogs/insights/drawing.py) is imported by the first render, not at start: it costs about 50 MiB and a
second of start-up that a bot whose moderators never ask for insights should not pay.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

from cogs.insights.models import ChartSpec


def _render_png(spec: ChartSpec) -> bytes:
    from cogs.insights.drawing import render_png  # deferred on purpose: see the module docstring

    return render_png(spec)


class ChartRenderer:
    """Renders on a few worker threads; at most `workers` charts render and the rest wait their turn."""

    def __init__(self, workers: int) -> None:
        self._workers = workers
        self._pool: ThreadPoolExecutor | None = None
        self._slots = asyncio.Semaphore(workers)

    def start(self) -> None:
        self._pool = ThreadPoolExecutor(max_workers=self._workers, thread_name_prefix="insights-chart")

    def stop(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None

    async def render(self, spec: ChartSpec) -> bytes:
        if self._pool is None:
            raise RuntimeError("the chart renderer is not started")
        async with self._slots:
            return await asyncio.get_running_loop().run_in_executor(self._pool, _render_png, spec)

    async def render_all(self, specs: list[ChartSpec]) -> list[bytes]:
        return list(await asyncio.gather(*(self.render(spec) for spec in specs)))
