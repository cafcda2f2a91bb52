"""Open-loop load against the loopback Discord: interactions sent on a schedule, whatever the bot's pace.

`run_rate` sends `rate` interactions a second for `seconds` (each at its planned instant; late ones go out
at once, so a slow generator shows as a lower achieved rate, never as a slower bot). The loopback stamps
each interaction when it is dispatched, when the bot's first callback arrives (what Discord's 3 s window
asks for) and when the answer itself arrives (the same callback, or after a deferral the follow-up): the
latencies here are the latter.

`highest_sustained` finds the highest rate a bot keeps up with: at least 99% of the interactions answered
within 250 ms, with the generator itself on schedule (achieved rate at least 95% of the target). 250 ms is
not a latency goal: it is what tells a stable queue from a growing one within a step of a few seconds (a
bot 10% short of the rate is a fifth of a second behind after two seconds). A step that is clearly lost
(more than 1% already unanswered after 250 ms) stops early, so an overloaded bot is not buried under a
backlog that would spoil the next step. A failed step is tried once more (for every bot alike), so one stall
from a neighbour on a shared machine does not decide it.
"""

from __future__ import annotations

import asyncio
import gc
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass

from bench.common import now, percentile
from loopback import InteractionRecord, LoopbackDiscord

Send = Callable[[int], Awaitable[InteractionRecord]]
ON_TIME_S = 0.25  # "keeps up": 99% answered within this
DEADLINE_S = 3.0  # Discord drops an interaction not answered within 3 s
CHECK_EVERY_S = 0.05


@dataclass
class Step:
    """One run at a fixed rate."""

    rate: float
    seconds: float
    sent: int = 0
    answered: int = 0
    on_time: int = 0
    within_3s: int = 0
    p50_ms: float = float("nan")
    p99_ms: float = float("nan")
    max_ms: float = float("nan")
    achieved_rate: float = 0.0
    stopped_early: bool = False
    drained: bool = True

    @property
    def on_schedule(self) -> bool:
        """Whether the generator itself kept the planned rate (else the figure is the harness's, not the bot's)."""
        return self.achieved_rate >= 0.95 * self.rate

    @property
    def kept_up(self) -> bool:
        return not self.stopped_early and self.sent > 0 and self.on_time >= 0.99 * self.sent

    def as_dict(self) -> dict:
        return {**asdict(self), "on_schedule": self.on_schedule, "kept_up": self.kept_up}


def _unanswered_late(sent: list[InteractionRecord], first: int, at: float) -> tuple[int, int]:
    """(how many sent more than ON_TIME_S ago are still unanswered, index of the first unanswered)."""
    while first < len(sent) and sent[first].answer_latency is not None:
        first += 1
    late = 0
    for ix in sent[first:]:
        if at - ix.created <= ON_TIME_S:
            break
        if ix.answer_latency is None:
            late += 1
    return late, first


async def run_rate(
    lb: LoopbackDiscord, send: Send, rate: float, seconds: float, *, stop_when_lost: bool = False,
    drain_s: float = 60.0, janitor: Janitor | None = None,
) -> Step:
    """Send at `rate` for `seconds`, then wait (up to `drain_s`) for every answer; latencies in ms."""
    step = Step(rate, seconds)
    total = max(1, int(rate * seconds))
    # The harness collects no garbage while it measures (as timeit does): its own full collections took 50-220 ms
    # and stalled the loopback, so every bot's latency. The Janitor collects between steps.
    gc.disable()
    try:
        return await _run_rate(lb, send, step, total, stop_when_lost, drain_s, janitor)
    finally:
        gc.enable()


async def _run_rate(lb: LoopbackDiscord, send: Send, step: Step, total: int, stop_when_lost: bool, drain_s: float,
                    janitor: Janitor | None) -> Step:
    rate = step.rate
    sent: list[InteractionRecord] = []
    first_open, next_check = 0, 0.0
    start = now()
    while len(sent) < total:
        due = min(total, int((now() - start) * rate) + 1)
        while len(sent) < due:
            sent.append(await send(len(sent)))
        at = now()
        if stop_when_lost and at >= next_check:
            next_check = at + CHECK_EVERY_S
            late, first_open = _unanswered_late(sent, first_open, at)
            if late > 0.01 * total:
                step.stopped_early = True
                break
        delay = start + len(sent) / rate - now()
        await asyncio.sleep(max(0.0, delay))  # sleep(0) still lets the loopback serve the bot's callbacks
    elapsed = now() - start
    step.sent = len(sent)
    step.achieved_rate = len(sent) / elapsed if elapsed > 0 else float(len(sent))
    try:
        await lb.wait_until(lambda: all(ix.answer_latency is not None for ix in sent), timeout=drain_s,
                            interval=0.05)
    except TimeoutError:
        step.drained = False
    # Latency is the time to the answer itself (after a deferral, its follow-up); Discord's 3 s window only
    # asks for a first response, which a deferral ("thinking…") gives.
    latencies = [ix.answer_latency * 1000 for ix in sent if ix.answer_latency is not None]
    step.answered = len(latencies)
    step.on_time = sum(1 for ms in latencies if ms <= ON_TIME_S * 1000)
    step.within_3s = sum(1 for ix in sent if ix.response_latency is not None and ix.response_latency <= DEADLINE_S)
    if latencies:
        step.p50_ms, step.p99_ms, step.max_ms = percentile(latencies, 50), percentile(latencies, 99), max(latencies)
    if janitor is not None:
        janitor.retire(sent)
    return step


class Janitor:
    """Drops what the loopback recorded for old interactions, so its memory and GC pauses stay flat.

    An interaction is forgotten a while after its step ended: follow-ups (an RSVP's ephemeral note) still
    need its token.
    """

    def __init__(self, lb: LoopbackDiscord, after_s: float = 5.0) -> None:
        self.lb, self.after_s = lb, after_s
        self.retired: deque[tuple[float, list[InteractionRecord]]] = deque()

    def retire(self, sent: list[InteractionRecord]) -> None:
        self.retired.append((now(), sent))
        while self.retired and self.retired[0][0] < now() - self.after_s:
            self._forget(self.retired.popleft()[1])
        self.lb.calls.clear()  # the benchmarks read latencies from the records, not from the call log
        gc.collect()

    def _forget(self, sent: list[InteractionRecord]) -> None:
        messages = self.lb.world.messages
        for ix in sent:
            self.lb.interactions.pop(ix.id, None)
            self.lb._ix_tokens.pop(ix.token, None)
            for message_id in [ix.original_message_id, *ix.followup_ids]:
                message = messages.get(message_id) if message_id else None
                if message is not None and message.ephemeral:
                    del messages[message_id]


@dataclass
class Ceiling:
    """The highest rate kept up with, and why the search stopped."""

    rate: float
    limited_by: str  # "bot", "generator" (the load generator fell behind) or "ceiling" (the search's top)
    steps: list[dict]


def _round(rate: float) -> float:
    return float(max(5, round(rate / 5) * 5))


async def highest_sustained(
    lb: LoopbackDiscord, send: Send, *, start: float, seconds: float, top: float, refine: int,
    pause: float = 0.5, janitor: Janitor | None = None,
) -> Ceiling:
    """Double (or halve) from `start` until the outcome flips, then bisect `refine` times."""
    steps: list[dict] = []
    good, bad = 0.0, None
    limited_by = "bot"

    async def probe(rate: float) -> Step:
        # A failed step is tried once more, for every bot alike: on a shared 2-core machine a neighbour's burst of
        # CPU stalls the generator or the bot for a few hundred ms, and one stall decides a step (runs of the same
        # build gave 375/s and 750/s for one scenario before this).
        for attempt in range(2):
            step = await run_rate(lb, send, rate, seconds, stop_when_lost=True, drain_s=30, janitor=janitor)
            steps.append(step.as_dict())
            await asyncio.sleep(pause)  # the bot settles (its own GC, deferred work) between steps
            if (step.on_schedule and step.kept_up) or attempt:
                return step
        return step

    rate = start
    while True:
        step = await probe(rate)
        if not step.on_schedule and step.kept_up:
            return Ceiling(good, "generator", steps)
        if step.kept_up:
            good = rate
            if rate >= top:
                return Ceiling(good, "ceiling", steps)
            if bad is not None:
                break
            rate = min(top, rate * 2)
        else:
            bad = rate
            if good:
                break
            if rate <= 5:
                return Ceiling(0.0, "bot", steps)
            rate = _round(rate / 2)
    for _ in range(refine):
        middle = _round((good + bad) / 2)
        if middle in (good, bad):
            break
        step = await probe(middle)
        if not step.on_schedule and step.kept_up:
            limited_by = "generator"
            break
        if step.kept_up:
            good = middle
        else:
            bad = middle
    return Ceiling(good, limited_by, steps)
